//! `sbomgen verify --key PUB IMAGE...`: succeed only when, for every image, an attestation for
//! exactly its digest verifies with the key; print each verified statement on its own line.
//! The exit code tells "nothing attested" (10), "no such image" (11) and "attested, but nothing
//! verifies" (12) apart, as cosign's do.

use std::io::Write;

use anyhow::{Context, Result};
use sbomgen_attach::discover::{Discovery, Location};
use sbomgen_attach::{AttachError, ImageSubject};
use sbomgen_attest::keys::PublicKey;
use sbomgen_attest::statement::{predicate_type_uri, Statement};
use sbomgen_attest::verify::verify_envelope;

use crate::args::VerifyArgs;
use crate::commands::{image, keys};
use crate::exit::{self, Coded, Reason};

pub(crate) fn run(args: &VerifyArgs) -> Result<()> {
    let key = keys::public_key(&args.key)?;
    let wanted = args
        .predicate_type
        .as_deref()
        .map(predicate_type_uri)
        .transpose()
        .context("invalid --type")?;
    // Options are read once: `--password-stdin` consumes standard input.
    let first = args.images.first().map_or("", String::as_str);
    let options = image::options(&args.registry, first)?;
    let mut failures = Vec::new();
    for input in &args.images {
        if let Err(error) = verify_one(input, &options, &key, wanted.as_deref()) {
            if args.images.len() == 1 {
                return Err(error);
            }
            // Every image is checked; the first failure decides the exit code.
            exit::report(&error);
            failures.push((input, error));
        }
    }
    match failures.first() {
        None => Ok(()),
        Some((_, first)) => {
            let reason = first
                .chain()
                .find_map(|c| c.downcast_ref::<Coded>())
                .map(|c| c.reason);
            let names: Vec<&str> = failures.iter().map(|(i, _)| i.as_str()).collect();
            let message = format!(
                "{} of {} images not verified: {}",
                failures.len(),
                args.images.len(),
                names.join(", ")
            );
            Err(match reason {
                Some(reason) => Coded::error(reason, message),
                None => anyhow::anyhow!(message),
            })
        }
    }
}

/// Verifies one image and prints its statements.
fn verify_one(
    input: &str,
    options: &sbomgen_registry::ClientOptions,
    key: &PublicKey,
    wanted: Option<&str>,
) -> Result<()> {
    let (client, subject) = image::open(input, options, false).map_err(|error| {
        if is_not_found(&error) {
            Coded::error(Reason::ImageNotFound, exit::describe(&error))
        } else {
            error
        }
    })?;
    let found = sbomgen_attach::find_attestations(&client, &subject)
        .with_context(|| format!("cannot look for attestations of {}", subject.pinned()))?;
    let verified = verified(&found, key, &subject, wanted)?;
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

/// Whether resolving the image failed because the registry has no such manifest.
fn is_not_found(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<AttachError>(),
            Some(AttachError::Registry(e))
                if matches!(e.root(), sbomgen_registry::RegistryError::NotFound { .. })
        )
    })
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
        return Err(Coded::error(
            Reason::NoAttestation,
            format!(
                "no attestation{of_type} found for {}{others}",
                subject.pinned()
            ),
        ));
    }
    Err(Coded::error(
        Reason::InvalidAttestation,
        format!(
            "no valid attestation{of_type} for {}: {}",
            subject.pinned(),
            rejected.join("; ")
        ),
    ))
}
