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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan an image and write its SBOM (the default subcommand).
    Scan(ScanArgs),
    /// Read an SBOM (sbomgen JSON, SPDX JSON or CycloneDX JSON, also Syft's and Trivy's) and
    /// write it in other formats, keeping layer provenance where the input has it.
    Convert(ConvertArgs),
    /// Write a cosign-compatible key pair: PREFIX.key (encrypted, mode 0600) and PREFIX.pub.
    GenerateKeyPair(GenerateKeyPairArgs),
    /// Scan an image (or take an existing SBOM), sign it as an in-toto attestation and attach
    /// it to the image digest in its registry.
    Attest(AttestArgs),
    /// Attach an SBOM unsigned, as an OCI referrer of the image digest.
    Attach(AttachArgs),
    /// Verify the image's attestations with a public key; prints each verified statement.
    Verify(VerifyArgs),
    /// Fetch artifacts attached to an image.
    #[command(subcommand)]
    Download(DownloadCommand),
}

#[derive(Debug, Args)]
pub(crate) struct GenerateKeyPairArgs {
    /// File name prefix: writes PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: String,

    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Where `attest` stores the signed attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    /// Both of the below, so cosign v2, cosign v3 and Trivy all find it.
    All,
    /// A Sigstore bundle v0.3 as an OCI 1.1 referrer (cosign v3).
    Bundle,
    /// A layer appended to the `sha256-<hex>.att` tag (cosign v2).
    Legacy,
}

#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    /// The image in its registry: REF or registry:REF (a tag is resolved to its digest first).
    pub image: String,

    /// Private key file (cosign's encrypted format or unencrypted PKCS#8 PEM). Its password
    /// comes from SBOMGEN_PASSWORD or COSIGN_PASSWORD, else a prompt on a terminal.
    #[arg(long, value_name = "FILE")]
    pub key: std::path::PathBuf,

    /// SBOM format to produce and sign: spdx-json or cyclonedx-json.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        default_value = "spdx-json",
        conflicts_with = "predicate"
    )]
    pub format: String,

    /// Sign this existing document instead of scanning.
    #[arg(long, value_name = "FILE")]
    pub predicate: Option<std::path::PathBuf>,

    /// Predicate type of --predicate: spdxjson, spdx (embedded as a string, as cosign does),
    /// cyclonedx, or a URI [default: detected from the document].
    #[arg(long = "type", value_name = "TYPE", requires = "predicate")]
    pub predicate_type: Option<String>,

    /// Where to store the attestation.
    #[arg(long, value_enum, default_value_t = ModeArg::All)]
    pub mode: ModeArg,

    /// In the .att tag, replace attestations of the same predicate type instead of appending.
    #[arg(long)]
    pub replace: bool,

    /// Also write the signed DSSE envelope to FILE.
    #[arg(long, value_name = "FILE")]
    pub envelope_file: Option<std::path::PathBuf>,

    /// Platform to scan in a multi-platform image (the attestation still names the digest
    /// the reference resolves to).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct AttachArgs {
    /// The image in its registry: REF or registry:REF (a tag is resolved to its digest first).
    pub image: String,

    /// The SBOM to attach: SPDX JSON or CycloneDX JSON.
    #[arg(long, value_name = "FILE")]
    pub sbom: std::path::PathBuf,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The image in its registry: REF or registry:REF.
    pub image: String,

    /// Public key file (PEM `PUBLIC KEY`, as cosign writes).
    #[arg(long, value_name = "FILE")]
    pub key: std::path::PathBuf,

    /// Only attestations of this predicate type: spdxjson, spdx, cyclonedx, or a URI.
    #[arg(long = "type", value_name = "TYPE")]
    pub predicate_type: Option<String>,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DownloadCommand {
    /// Print the SBOMs attached to or attested for an image, one after another (a JSON
    /// stream, as `jq` reads), newest first within each place they are stored.
    Sbom(DownloadSbomArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DownloadSbomArgs {
    /// The image in its registry: REF or registry:REF.
    pub image: String,

    /// Only SBOMs of this type: spdx (or spdxjson) or cyclonedx.
    #[arg(long = "type", value_name = "TYPE")]
    pub sbom_type: Option<String>,

    /// Only attested SBOMs whose signature verifies with this public key.
    #[arg(long, value_name = "FILE")]
    pub key: Option<std::path::PathBuf>,

    /// Write the first SBOM found to FILE instead of printing all.
    #[arg(short, long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// The document to read, or `-` for standard input.
    pub input: String,

    /// Output as FORMAT or FORMAT=FILE (repeatable; stdout when no file). Formats: table, json,
    /// spdx-json, spdx-tag-value, spdx-json@3.0, cyclonedx-json (1.6), cyclonedx-json@1.7,
    /// cyclonedx-json@1.5, cyclonedx-xml (1.6), cyclonedx-xml@1.7, cyclonedx-xml@1.5, syft-json.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]", required = true)]
    pub outputs: Vec<OutputSpec>,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The image: oci-dir:PATH, oci-archive:PATH, docker-archive:PATH, dir:PATH, registry:REF,
    /// a path whose kind is detected (OCI layout directory, OCI or docker archive, plain
    /// directory), or an image reference such as alpine:3.20 or ghcr.io/org/app@sha256:… (an
    /// existing path wins).
    pub source: String,

    /// Output as FORMAT or FORMAT=FILE (repeatable; stdout when no file). Formats: table, json,
    /// spdx-json, spdx-tag-value, spdx-json@3.0, cyclonedx-json (1.6), cyclonedx-json@1.7,
    /// cyclonedx-json@1.5, cyclonedx-xml (1.6), cyclonedx-xml@1.7, cyclonedx-xml@1.5, syft-json.
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

    /// Raises (or lowers) one of the limits a hostile image is held to, as NAME=VALUE
    /// (repeatable; K/M/G suffixes): captured-file, in-memory-file, spooled-file,
    /// captured-per-layer, entries-per-layer, uncompressed-per-layer, extension-header,
    /// path-bytes. Defaults in the README.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limits: Vec<String>,

    /// Which packages to list: every package any layer installed (removed ones marked), or only
    /// those in the final filesystem.
    #[arg(long, value_enum, default_value_t = ScopeArg::AllLayers)]
    pub scope: ScopeArg,

    /// Cataloguers to run, comma-separated, or `none` to only index layers. OS: apk, dpkg,
    /// rpm. Installed language packages: python, npm, gem, composer, dotnet. Declared
    /// (lockfiles, pins): npm-lock, python-lock, gem-lock, composer-lock, cargo-lock.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub catalogers: Option<Vec<String>>,

    /// Also read lockfiles and pins (package-lock.json, yarn.lock, requirements*.txt,
    /// poetry.lock, Pipfile.lock, uv.lock, Gemfile.lock, composer.lock, Cargo.lock) and list
    /// their entries as declared, never as installed. Default: on for dir: sources, off for
    /// images.
    #[arg(long, overrides_with = "no_declared")]
    pub declared: bool,

    /// Do not read lockfiles and pins, even for dir: sources.
    #[arg(long, overrides_with = "declared")]
    pub no_declared: bool,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScopeArg {
    AllLayers,
    Squashed,
}

/// `scan` is the default subcommand: `sbomgen ./app.tar` means `sbomgen scan ./app.tar`.
pub(crate) fn with_default_subcommand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    const TOP_LEVEL: &[&str] = &[
        "scan",
        "convert",
        "generate-key-pair",
        "attest",
        "attach",
        "verify",
        "download",
        "help",
        "-h",
        "--help",
        "-V",
        "--version",
    ];
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
