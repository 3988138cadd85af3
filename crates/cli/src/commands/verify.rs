//! `sbomgen verify --key PUB IMAGE`: succeed only when an attestation for exactly this image
//! digest verifies with the key; print each verified statement on its own line.

use std::io::Write;

use anyhow::{bail, Context, Result};
use sbomgen_attach::discover::{Discovery, Location};
use sbomgen_attach::ImageSubject;
use sbomgen_attest::keys::PublicKey;
use sbomgen_attest::statement::{predicate_type_uri, Statement};
use sbomgen_attest::verify::verify_envelope;

use crate::args::VerifyArgs;
use crate::commands::{image, keys};

pub(crate) fn run(args: VerifyArgs) -> Result<()> {
    let key = keys::public_key(&args.key)?;
    let wanted = args
        .predicate_type
        .as_deref()
        .map(predicate_type_uri)
        .transpose()
        .context("invalid --type")?;
    let options = image::options(&args.registry, &args.image)?;
    let (client, subject) = image::open(&args.image, &options, false)?;
    let found = sbomgen_attach::find_attestations(&client, &subject)
        .with_context(|| format!("cannot look for attestations of {}", subject.pinned()))?;
    let verified = verified(&found, &key, &subject, wanted.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    for (index, (location, statement)) in verified.iter().enumerate() {
        eprintln!(
            "Verified {} attestation of {} ({location})",
            statement.predicate_type,
            subject.pinned()
        );
        // `--mode all` stores one envelope twice; its statement is printed once.
        if !verified[..index]
            .iter()
            .any(|(_, earlier)| earlier == statement)
        {
            stdout
                .write_all(&statement.to_json())
                .context("cannot write to stdout")?;
            stdout.write_all(b"\n").context("cannot write to stdout")?;
        }
    }
    stdout.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Every attestation that verifies, with where it was found; an error naming each candidate
/// and why it failed when none does.
pub(crate) fn verified(
    found: &Discovery,
    key: &PublicKey,
    subject: &ImageSubject,
    wanted: Option<&str>,
) -> Result<Vec<(Location, Statement)>> {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let mut skipped = 0;
    for candidate in &found.attestations {
        // The annotation is unsigned, so it can only exclude, never admit.
        if let (Some(wanted), Some(claimed)) = (wanted, &candidate.claimed_predicate_type) {
            if claimed != wanted {
                skipped += 1;
                continue;
            }
        }
        let outcome = match &candidate.envelope {
            Ok(envelope) => {
                verify_envelope(envelope, key, &subject.digest, wanted).map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("unreadable envelope: {e}")),
        };
        match outcome {
            Ok(statement) => accepted.push((candidate.location.clone(), statement)),
            Err(reason) => rejected.push(format!("{}: {reason}", candidate.location)),
        }
    }
    for problem in &found.problems {
        rejected.push(problem.clone());
    }
    if !accepted.is_empty() {
        for reason in &rejected {
            eprintln!("warning: not verified: {reason}");
        }
        return Ok(accepted);
    }
    let of_type = wanted.map(|w| format!(" of type {w}")).unwrap_or_default();
    if rejected.is_empty() {
        let others = if skipped > 0 {
            format!(" ({skipped} of other predicate types)")
        } else {
            String::new()
        };
        bail!(
            "no attestation{of_type} found for {}{others}",
            subject.pinned()
        );
    }
    bail!(
        "no valid attestation{of_type} for {}: {}",
        subject.pinned(),
        rejected.join("; ")
    )
}
