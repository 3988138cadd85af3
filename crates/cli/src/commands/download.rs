//! `sbomgen download sbom IMAGE`: the SBOMs stored beside an image, attested or attached.

use std::io::Write;

use anyhow::{bail, Context, Result};
use sbomgen_attach::discover::Location;
use sbomgen_attest::statement::{
    predicate_type_uri, Statement, PREDICATE_CYCLONEDX, PREDICATE_SPDX,
};

use crate::args::DownloadSbomArgs;
use crate::commands::{image, keys, verify};
use crate::output;

/// One SBOM to hand out.
struct Document {
    location: Location,
    /// `verified`, `attested, signature not checked (no --key)` or `unsigned`.
    trust: &'static str,
    bytes: Vec<u8>,
}

pub(crate) fn sbom(args: &DownloadSbomArgs) -> Result<()> {
    let key = args.key.as_deref().map(keys::public_key).transpose()?;
    let wanted = match args.sbom_type.as_deref() {
        None => None,
        Some(kind) => {
            let uri = predicate_type_uri(kind).context("invalid --type")?;
            if uri != PREDICATE_SPDX && uri != PREDICATE_CYCLONEDX {
                bail!("--type {kind}: download sbom knows spdx, spdxjson and cyclonedx");
            }
            Some(uri)
        }
    };
    let options = image::options(&args.registry, &args.image)?;
    let (client, subject) = image::open(&args.image, &options, false)?;
    let found = sbomgen_attach::find_sboms(&client, &subject)
        .with_context(|| format!("cannot look for SBOMs of {}", subject.pinned()))?;

    let sbom_types: Vec<&str> = match wanted.as_deref() {
        Some(uri) => vec![uri],
        None => vec![PREDICATE_SPDX, PREDICATE_CYCLONEDX],
    };
    let mut documents = Vec::new();
    match &key {
        Some(key) => {
            let statements = verify::verified(&found, key, &subject, wanted.as_deref())?;
            for (location, statement) in statements {
                if sbom_types.contains(&statement.predicate_type.as_str()) {
                    documents.push(Document {
                        location,
                        trust: "verified",
                        bytes: predicate_bytes(&statement),
                    });
                }
            }
            if !found.sboms.is_empty() {
                eprintln!(
                    "note: {} unsigned SBOM(s) ignored: --key asks for verified ones",
                    found.sboms.len()
                );
            }
        }
        None => {
            for candidate in &found.attestations {
                let Ok(envelope) = &candidate.envelope else {
                    continue;
                };
                let Ok(statement) = Statement::from_json(&envelope.payload) else {
                    continue;
                };
                if !sbom_types.contains(&statement.predicate_type.as_str()) {
                    continue;
                }
                documents.push(Document {
                    location: candidate.location.clone(),
                    trust: "attested, signature not checked (no --key)",
                    bytes: predicate_bytes(&statement),
                });
            }
            for sbom in found.sboms {
                let kind = if sbom.media_type.contains("spdx") {
                    PREDICATE_SPDX
                } else {
                    PREDICATE_CYCLONEDX
                };
                if sbom_types.contains(&kind) {
                    documents.push(Document {
                        location: sbom.location,
                        trust: "unsigned",
                        bytes: sbom.bytes,
                    });
                }
            }
        }
    }
    if key.is_none() {
        for problem in &found.problems {
            eprintln!("warning: {problem}");
        }
    }
    newest_first(&mut documents);
    // `--mode all` stores one statement twice: keep the first of identical documents
    // (compared in place: SBOMs can be large, so they are not copied into a set).
    let mut unique: Vec<Document> = Vec::with_capacity(documents.len());
    for document in documents {
        if !unique.iter().any(|kept| kept.bytes == document.bytes) {
            unique.push(document);
        }
    }
    let documents = unique;
    if documents.is_empty() {
        let of_type = wanted.map(|w| format!(" of type {w}")).unwrap_or_default();
        bail!(
            "no SBOM{of_type} is attached to or attested for {}",
            subject.pinned()
        );
    }
    for d in &documents {
        eprintln!("Found SBOM ({}) at {}", d.trust, d.location);
    }
    match &args.output {
        Some(path) => {
            if documents.len() > 1 {
                eprintln!(
                    "note: {} SBOMs found; writing the first to {}",
                    documents.len(),
                    path.display()
                );
            }
            output::write_file(path, &documents[0].bytes)
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            for d in &documents {
                stdout
                    .write_all(&d.bytes)
                    .context("cannot write to stdout")?;
                if !d.bytes.ends_with(b"\n") {
                    stdout.write_all(b"\n").context("cannot write to stdout")?;
                }
            }
            stdout.flush().context("cannot write to stdout")
        }
    }
}

/// A predicate as the document it is: an object as compact JSON, a string (cosign's `spdx`
/// type) as its text.
fn predicate_bytes(statement: &Statement) -> Vec<u8> {
    match statement.predicate_document() {
        serde_json::Value::String(text) => text.into_bytes(),
        other => serde_json::to_vec(&other).unwrap_or_default(),
    }
}

/// Later entries of an index or a tag are newer: within each place, put them first.
fn newest_first(documents: &mut [Document]) {
    let mut start = 0;
    while start < documents.len() {
        let place = place_of(&documents[start].location);
        let end = documents[start..]
            .iter()
            .position(|d| place_of(&d.location) != place)
            .map_or(documents.len(), |n| start + n);
        documents[start..end].reverse();
        start = end;
    }
}

fn place_of(location: &Location) -> String {
    match location {
        Location::Referrer { .. } => "referrers".into(),
        Location::Tag { tag, .. } => tag.clone(),
    }
}
