//! `sbomgen scan SOURCE`: scan an image and write the requested outputs.

use anyhow::{Context, Result};
use sbomgen_model::Platform;
use sbomgen_scan::{ScanOptions, Scope};

use crate::args::{ScanArgs, ScopeArg};
use crate::output;

pub fn run(args: ScanArgs) -> Result<()> {
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
    let options = ScanOptions {
        platform,
        jobs: args.jobs,
        scope: match args.scope {
            ScopeArg::AllLayers => Scope::AllLayers,
            ScopeArg::Squashed => Scope::Squashed,
        },
        cataloguers,
        ..ScanOptions::default()
    };
    let scanned = sbomgen_scan::scan(&args.source, &options)
        .with_context(|| format!("cannot scan {}", args.source))?;
    if !args.quiet {
        for warning in &scanned.warnings {
            eprintln!("warning: {warning}");
        }
    }
    output::write_all(&args.outputs, &scanned.sbom)
}
