//! `sbomgen scan SOURCE`: scan an image and write the requested outputs.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{Context, Result};
use sbomgen_model::Platform;
use sbomgen_registry::{ClientOptions as RegistryOptions, Progress};
use sbomgen_scan::{ScanOptions, Scope, SourceSpec};

use crate::args::{ScanArgs, ScopeArg};
use crate::output;
use crate::progress::TerminalProgress;

pub(crate) fn run(args: ScanArgs) -> Result<()> {
    output::check_distinct(&args.outputs)?;
    let platform = args
        .platform
        .as_deref()
        .map(str::parse::<Platform>)
        .transpose()
        .context("invalid --platform")?;
    let cataloguers = args.catalogers.map(|names| {
        names
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty() && n != "none")
            .collect()
    });
    let context = || format!("cannot scan {}", args.source);
    let spec = SourceSpec::parse(&args.source).with_context(context)?;
    // Registry settings are read only for registry sources: a half-set credential variable or
    // an unreadable password must not fail a local scan.
    let mut progress = None;
    let registry = if matches!(spec, SourceSpec::Registry { .. }) {
        let terminal = (!args.quiet && std::io::stderr().is_terminal())
            .then(|| Arc::new(TerminalProgress::new()));
        progress.clone_from(&terminal);
        args.registry
            .options(terminal.map(|p| p as Arc<dyn Progress>))
            .with_context(context)?
    } else {
        RegistryOptions::default()
    };
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
    };
    let scanned = sbomgen_scan::scan_spec(&spec, &options);
    if let Some(progress) = &progress {
        progress.finish();
    }
    let scanned = scanned.with_context(context)?;
    if !args.quiet {
        for warning in &scanned.warnings {
            eprintln!("warning: {warning}");
        }
    }
    output::write_all(&args.outputs, &scanned.sbom)
}
