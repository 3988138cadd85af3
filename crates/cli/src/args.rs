//! Command-line types. Kept apart from behaviour so `--help` reads as the interface.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::OutputSpec;

#[derive(Debug, Parser)]
#[command(
    name = "sbomgen",
    version,
    about = "Tell exactly what is inside a container image, layer by layer."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan an image and write its SBOM (the default subcommand).
    Scan(ScanArgs),
    /// Read an SBOM (sbomgen JSON, SPDX JSON or CycloneDX JSON, also Syft's and Trivy's) and
    /// write it in other formats, keeping layer provenance where the input has it.
    Convert(ConvertArgs),
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The document to read, or `-` for standard input.
    pub input: String,

    /// Output as FORMAT or FORMAT=FILE (repeatable; stdout when no file). Formats: table, json,
    /// spdx-json, spdx-tag-value, cyclonedx-json, cyclonedx-json@1.5, cyclonedx-xml.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]", required = true)]
    pub outputs: Vec<OutputSpec>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The image: oci-dir:PATH, oci-archive:PATH, docker-archive:PATH, dir:PATH, registry:REF,
    /// a path whose kind is detected (OCI layout directory, OCI or docker archive, plain
    /// directory), or an image reference such as alpine:3.20 or ghcr.io/org/app@sha256:… (an
    /// existing path wins).
    pub source: String,

    /// Output as FORMAT or FORMAT=FILE (repeatable; stdout when no file). Formats: table, json,
    /// spdx-json, spdx-tag-value, cyclonedx-json (1.6), cyclonedx-json@1.5, cyclonedx-xml.
    #[arg(
        short,
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "table"
    )]
    pub outputs: Vec<OutputSpec>,

    /// Platform to pick from a multi-platform image, as os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Layers read in parallel (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Which packages to list: every package any layer installed (removed ones marked), or only
    /// those in the final filesystem.
    #[arg(long, value_enum, default_value_t = ScopeArg::AllLayers)]
    pub scope: ScopeArg,

    /// Cataloguers to run, comma-separated (apk, dpkg, rpm), or `none` to only index layers.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub catalogers: Option<Vec<String>>,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    AllLayers,
    Squashed,
}

/// `scan` is the default subcommand: `sbomgen ./app.tar` means `sbomgen scan ./app.tar`.
pub fn with_default_subcommand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    const TOP_LEVEL: &[&str] = &["scan", "convert", "help", "-h", "--help", "-V", "--version"];
    let mut args: Vec<OsString> = args.into_iter().collect();
    let explicit = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| TOP_LEVEL.contains(&a));
    if args.len() > 1 && !explicit {
        args.insert(1, OsString::from("scan"));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<String> {
        with_default_subcommand(args.iter().map(OsString::from))
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn scan_is_inserted_when_missing() {
        assert_eq!(
            argv(&["sbomgen", "./a.tar"]),
            ["sbomgen", "scan", "./a.tar"]
        );
        assert_eq!(
            argv(&["sbomgen", "-o", "json", "x"]),
            ["sbomgen", "scan", "-o", "json", "x"]
        );
        assert_eq!(argv(&["sbomgen", "scan", "x"]), ["sbomgen", "scan", "x"]);
        assert_eq!(argv(&["sbomgen", "--help"]), ["sbomgen", "--help"]);
        assert_eq!(argv(&["sbomgen"]), ["sbomgen"]);
    }
}
