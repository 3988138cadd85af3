//! `sbomgen scan SOURCE`: scan an image and write the requested outputs.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{Context, Result};
use sbomgen_registry::{ClientOptions as RegistryOptions, Progress};
use sbomgen_scan::{ScanObserver, ScanOptions, Scope, SourceSpec};

use crate::args::{ScanArgs, ScopeArg};
use crate::output;
use crate::progress::TerminalProgress;

pub(crate) fn run(args: ScanArgs) -> Result<()> {
    output::check_distinct(&args.outputs)?;
    anyhow::ensure!(
        args.audit
            || (args.audit_flags.fail_on.is_empty() && args.audit_flags.allow_list.is_none()),
        "--fail-on and --allow-list need --audit"
    );
    let allow = args
        .audit
        .then(|| crate::commands::audit::allow_list(&args.audit_flags))
        .transpose()?;
    let platform = super::platform(args.platform.as_deref())?;
    let cataloguers = args.catalogers.map(|names| {
        names
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty() && n != "none")
            .collect()
    });
    let context = || format!("cannot scan {}", args.source);
    let spooled = crate::stdin_source::names_stdin(&args.source)
        .then(|| crate::stdin_source::spool(&args.source, std::io::stdin().lock()))
        .transpose()
        .with_context(context)?;
    let opened = spooled.as_ref().map_or(args.source.as_str(), |s| &s.source);
    let spec = SourceSpec::parse(opened).with_context(context)?;
    // Registry settings are read only for registry sources: a half-set credential variable or
    // an unreadable password must not fail a local scan.
    let mut registry = if matches!(spec, SourceSpec::Registry { .. }) {
        args.registry.options(None).with_context(context)?
    } else {
        RegistryOptions::default()
    };
    // Made after the registry options, which may prompt for a password.
    let progress =
        (!args.quiet && std::io::stderr().is_terminal()).then(|| Arc::new(TerminalProgress::new()));
    if let Some(progress) = &progress {
        registry.progress = Some(progress.clone() as Arc<dyn Progress>);
    }
    let layer_cache = args
        .layer_cache
        .open(&spec, args.registry.no_cache)
        .with_context(context)?;
    let blob_cache = registry.cache_dir.clone();
    let mut limits = sbomgen_scan::Limits::default();
    for assignment in &args.limits {
        limits.set(assignment).map_err(anyhow::Error::msg)?;
    }
    let options = ScanOptions {
        limits,
        platform,
        registry,
        jobs: args.jobs,
        scope: match args.scope {
            ScopeArg::AllLayers => Scope::AllLayers,
            ScopeArg::Squashed => Scope::Squashed,
        },
        cataloguers,
        declared: match (args.declared, args.no_declared) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        observer: progress.clone().map(|p| p as Arc<dyn ScanObserver>),
        layer_cache: layer_cache.store.clone(),
        exclusions: sbomgen_scan::Exclusions::new(&args.excludes).map_err(anyhow::Error::msg)?,
    };
    let deadline = crate::deadline::arm(args.timeout, &args.source);
    let scanned = match &allow {
        Some(allow) => sbomgen_scan::audit_spec(&spec, &options, allow),
        None => sbomgen_scan::scan_spec(&spec, &options),
    };
    drop(deadline);
    if let Some(progress) = &progress {
        progress.finish();
    }
    let mut scanned = match scanned {
        Ok(scanned) => scanned,
        Err(error) => {
            // Why the cache was not used may explain the failure (every layer was read).
            if !args.quiet {
                for warning in &layer_cache.warnings {
                    eprintln!("warning: {warning}");
                }
            }
            return Err(error).with_context(context);
        }
    };
    if spooled.is_some() {
        // The temporary file's name would make every document differ.
        scanned.sbom.source.path = Some("-".to_string());
    }
    scanned.sbom.source.name = args.source_name.clone();
    scanned.sbom.source.version = args.source_version.clone();
    layer_cache.enforce_size(blob_cache.as_deref());
    if !args.quiet {
        for warning in layer_cache.warnings.iter().chain(&scanned.warnings) {
            eprintln!("warning: {warning}");
        }
    }
    let Some(report) = &scanned.audit else {
        return output::write_all_with(&args.outputs, &scanned.sbom, &scanned.removed_files);
    };
    // The findings go into the native JSON only: SPDX and CycloneDX documents are published
    // beside images.
    let (json, others): (Vec<_>, Vec<_>) = (args.outputs.iter().cloned())
        .partition(|spec| spec.format == sbomgen_format::Format::Json);
    if !others.is_empty() {
        output::write_all_with(&others, &scanned.sbom, &scanned.removed_files)?;
    }
    for spec in &json {
        let document = output::render_document(spec.format, &scanned.sbom)?;
        let document = crate::commands::audit::with_findings(&document, report)?;
        match &spec.file {
            Some(path) => output::write_file(path, &document)?,
            None => std::io::Write::write_all(&mut std::io::stdout().lock(), &document)
                .context("cannot write to stdout")?,
        }
    }
    crate::commands::audit::fail_on(&args.audit_flags, report)
}
