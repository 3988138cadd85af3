//! `sbomgen version [-o json]`: which build this is, for bug reports and pipelines.

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub(crate) struct VersionArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = VersionFormat::Text)]
    pub output: VersionFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VersionFormat {
    Text,
    Json,
}

/// Facts fixed at build time by `build.rs`.
#[derive(Debug)]
struct BuildInfo {
    version: &'static str,
    commit: &'static str,
    date: &'static str,
    rustc: &'static str,
    target: &'static str,
}

const BUILD: BuildInfo = BuildInfo {
    version: env!("CARGO_PKG_VERSION"),
    commit: env!("SBOMGEN_BUILD_COMMIT"),
    date: env!("SBOMGEN_BUILD_DATE"),
    rustc: env!("SBOMGEN_BUILD_RUSTC"),
    target: env!("SBOMGEN_BUILD_TARGET"),
};

pub(crate) fn run(args: &VersionArgs) -> Result<()> {
    let text = render(&BUILD, args.output);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

fn render(build: &BuildInfo, format: VersionFormat) -> String {
    match format {
        VersionFormat::Text => format!(
            "sbomgen {}\ncommit:     {}\nbuild date: {}\nrustc:      {}\ntarget:     {}\n",
            build.version, build.commit, build.date, build.rustc, build.target
        ),
        VersionFormat::Json => {
            let value = serde_json::json!({
                "application": "sbomgen",
                "version": build.version,
                "gitCommit": build.commit,
                "buildDate": build.date,
                "rustcVersion": build.rustc,
                "target": build.target,
            });
            format!("{value:#}\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_carries_every_fact() {
        let json: serde_json::Value =
            serde_json::from_str(&render(&BUILD, VersionFormat::Json)).unwrap();
        assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
        assert!(json["rustcVersion"].as_str().unwrap().starts_with("rustc "));
        assert!(!json["target"].as_str().unwrap().is_empty());
        let text = render(&BUILD, VersionFormat::Text);
        assert!(text.starts_with(&format!("sbomgen {}\n", BUILD.version)));
    }
}
