//! `sbomgen attest`: scan an image by digest (or take an SBOM), sign it as an in-toto
//! statement in a DSSE envelope, and attach it to that digest.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use sbomgen_attach::Mode;
use sbomgen_attest::dsse::{Envelope, PAYLOAD_TYPE_IN_TOTO};
use sbomgen_attest::statement::{
    predicate_type_uri, Statement, PREDICATE_CYCLONEDX, PREDICATE_SPDX,
};
use sbomgen_format::Format;
use sbomgen_registry::Progress;
use sbomgen_scan::{ScanObserver, ScanOptions, SourceSpec};

use crate::args::{AttestArgs, ModeArg};
use crate::commands::{image, keys};
use crate::output;
use crate::progress::TerminalProgress;

/// What is signed: a document given with `--predicate`, or the scan of the image.
enum PredicateSource {
    Given(String, serde_json::Value),
    Scan(Format),
}

pub(crate) fn run(args: &AttestArgs) -> Result<()> {
    // Everything that can fail locally fails before the registry is touched.
    if args.predicate.as_deref() == Some(Path::new("-")) {
        stdin_once(args.registry.password_stdin, "--predicate -")?;
    }
    let key = keys::signing_key(&args.key)?;
    let source = match &args.predicate {
        Some(path) => {
            let (uri, value) = read_predicate(path, args.predicate_type.as_deref())?;
            PredicateSource::Given(uri, value)
        }
        None => PredicateSource::Scan(sbom_format(&args.format)?),
    };
    let platform = super::platform(args.platform.as_deref())?;

    let terminal =
        (!args.quiet && std::io::stderr().is_terminal()).then(|| Arc::new(TerminalProgress::new()));
    let mut registry = image::options(&args.registry, &args.image)?;
    let (client, subject) = image::open(&args.image, &registry, args.quiet)?;
    registry.progress = terminal.clone().map(|p| p as Arc<dyn Progress>);
    let (predicate_type, predicate) = match source {
        PredicateSource::Given(uri, value) => (uri, value),
        PredicateSource::Scan(format) => {
            let spec = SourceSpec::Registry {
                reference: subject.reference.clone(),
            };
            let layer_cache = args.layer_cache.open(&spec, args.registry.no_cache)?;
            let blob_cache = registry.cache_dir.clone();
            let options = ScanOptions {
                platform,
                registry,
                layer_cache: layer_cache.store.clone(),
                observer: terminal.clone().map(|p| p as Arc<dyn ScanObserver>),
                ..ScanOptions::default()
            };
            let scanned = sbomgen_scan::scan_spec(&spec, &options);
            if let Some(progress) = &terminal {
                progress.finish();
            }
            let scanned = scanned.with_context(|| format!("cannot scan {}", subject.pinned()))?;
            layer_cache.enforce_size(blob_cache.as_deref());
            if !args.quiet {
                for warning in layer_cache.warnings.iter().chain(&scanned.warnings) {
                    eprintln!("warning: {warning}");
                }
            }
            let document = output::render_document(format, &scanned.sbom)?;
            let value: serde_json::Value = serde_json::from_slice(&document)
                .context("internal error: the SBOM is not JSON")?;
            let uri = match format {
                Format::SpdxJson => PREDICATE_SPDX,
                _ => PREDICATE_CYCLONEDX,
            };
            (uri.to_string(), value)
        }
    };

    let statement = Statement::new(&subject.name(), &subject.digest, &predicate_type, predicate);
    let envelope = Envelope::sign(PAYLOAD_TYPE_IN_TOTO, statement.to_json(), &key);
    let mode = match args.mode {
        ModeArg::All => Mode::All,
        ModeArg::Bundle => Mode::Bundle,
        ModeArg::Legacy => Mode::Legacy,
    };
    let attached = sbomgen_attach::attest(
        &client,
        &subject,
        &envelope,
        &key.public_key(),
        &predicate_type,
        mode,
        args.replace,
    )
    .with_context(|| format!("cannot attach the attestation to {}", subject.pinned()))?;
    // Written only once attached: a failed attest leaves no envelope behind.
    if let Some(path) = &args.envelope_file {
        output::write_file(path, &envelope.to_json())?;
    }
    for done in attached {
        eprintln!(
            "Attached {predicate_type} attestation to {}: {} {}",
            subject.pinned(),
            done.what,
            done.digest
        );
    }
    Ok(())
}

/// Only JSON documents can be a statement's predicate object.
fn sbom_format(name: &str) -> Result<Format> {
    let format: Format = name.parse()?;
    match format {
        Format::SpdxJson | Format::CycloneDxJson(_) => Ok(format),
        _ => bail!("attest signs spdx-json or cyclonedx-json documents, not {name}"),
    }
}

/// The predicate type and predicate for `--predicate FILE [--type T]`. Without `--type` the
/// document says what it is. `spdx` embeds the file as a JSON string, as cosign does (so a
/// tag-value document can be attested); every other type needs a JSON document.
fn read_predicate(path: &Path, kind: Option<&str>) -> Result<(String, serde_json::Value)> {
    let (bytes, name) = read_document(path)?;
    if kind == Some("spdx") {
        let text = String::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8 text"))?;
        return Ok((PREDICATE_SPDX.to_string(), serde_json::Value::String(text)));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{name} is not a JSON document"))?;
    let uri = match kind {
        Some(kind) => predicate_type_uri(kind).context("invalid --type")?,
        None => detect(&value).with_context(|| {
            format!("{name} is neither SPDX nor CycloneDX JSON; say what it is with --type")
        })?,
    };
    Ok((uri, value))
}

/// The bytes of a document named on the command line, `-` being standard input (as cosign's
/// `--predicate -`), and the name to quote in messages.
pub(crate) fn read_document(path: &Path) -> Result<(Vec<u8>, String)> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok((bytes, "standard input".to_string()));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((bytes, path.display().to_string()))
}

/// Standard input can be read once: for a document or for `--password-stdin`, not both.
pub(crate) fn stdin_once(password_stdin: bool, flag: &str) -> Result<()> {
    if password_stdin {
        return Err(crate::exit::Coded::error(
            crate::exit::Reason::Usage,
            format!("{flag} and --password-stdin both read standard input; give one a file"),
        ));
    }
    Ok(())
}

/// SPDX or CycloneDX, from the document's own markers.
pub(crate) fn detect(value: &serde_json::Value) -> Option<String> {
    if value.get("spdxVersion").is_some() {
        Some(PREDICATE_SPDX.to_string())
    } else if value.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        Some(PREDICATE_CYCLONEDX.to_string())
    } else {
        None
    }
}
