//! Command-line types. Kept apart from behaviour so `--help` reads as the interface.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::OutputSpec;

#[derive(Debug, Parser)]
#[command(
    name = "sbomgen",
    version,
    about = "Tell exactly what is inside a container image, layer by layer.",
    after_help = crate::exit::HELP
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Read options from this YAML file instead of ./.sbomgen.yaml or
    /// $XDG_CONFIG_HOME/sbomgen/config.yaml (also SBOMGEN_CONFIG).
    #[arg(short = 'c', long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,

    /// Log what happens on stderr: -v info, -vv debug, -vvv trace. SBOMGEN_LOG takes a filter
    /// instead (e.g. sbomgen=debug, sbomgen_scan=trace).
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Write the log lines to FILE instead of stderr (level from -v or SBOMGEN_LOG, info when
    /// neither is given).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan an image and write its SBOM (the default subcommand).
    Scan(ScanArgs),
    /// Audit every layer: secrets (deleted ones included), permission changes, leftover tools,
    /// removed packages and hidden files, as a table, JSON or SARIF.
    #[command(after_help = AUDIT_EXIT_HELP)]
    Audit(AuditArgs),
    /// Read an SBOM (sbomgen JSON, SPDX JSON or CycloneDX JSON, also Syft's and Trivy's) and
    /// write it in other formats, keeping layer provenance where the input has it.
    Convert(ConvertArgs),
    /// Write a cosign-compatible key pair: PREFIX.key (encrypted, mode 0600) and PREFIX.pub.
    GenerateKeyPair(GenerateKeyPairArgs),
    /// Scan an image (or take an existing SBOM), sign it as an in-toto attestation and attach
    /// it to the image digest in its registry.
    Attest(AttestArgs),
    /// Attach an SBOM unsigned, as an OCI referrer of the image digest (`attach sbom`, cosign's
    /// spelling, is accepted too).
    Attach(AttachArgs),
    /// Verify the images' attestations with a public key; prints each verified statement.
    #[command(visible_alias = "verify-attestation", after_help = VERIFY_EXIT_HELP)]
    Verify(VerifyArgs),
    /// Fetch artifacts attached to an image.
    #[command(subcommand)]
    Download(DownloadCommand),
    /// Print the effective configuration of a command (default: scan), each value with where
    /// it came from: flag, environment, file, or default.
    Config(crate::config::ConfigArgs),
    /// Print the version, git commit, build date, compiler and target.
    Version(crate::version::VersionArgs),
    /// Write a shell completion script to standard output.
    Completion(crate::completion::CompletionArgs),
    /// Write the man pages (sbomgen.1 to standard output, or one per command into --dir).
    Man(crate::completion::ManArgs),
    /// Inspect and trim the local caches (layer analyses and registry blobs).
    #[command(subcommand)]
    Cache(crate::cache_args::CacheCommand),
}

/// `verify`'s exit codes, which are cosign's for the same outcomes.
const VERIFY_EXIT_HELP: &str = "\
Exit status: 0 when every image has a verified attestation; else, for the first image that has
none: 10 no attestation found, 11 no such image, 12 attestations found but none verifies
(cosign's codes for the same outcomes); 1 any other failure, 2 usage.";

/// `audit`'s (and `scan --audit`'s) exit code for `--fail-on`.
const AUDIT_EXIT_HELP: &str = "\
Exit status: 0 when no finding matches --fail-on (or none is given), 3 when one does (the
outputs are written first); 1 any other failure, 2 usage.";

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// The image, as `scan` takes it.
    pub source: String,

    /// Output as FORMAT or FORMAT=FILE (repeatable; stdout when no file). Formats: table,
    /// json, sarif (2.1.0, for GitHub code scanning).
    #[arg(
        short,
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "table"
    )]
    pub outputs: Vec<crate::commands::audit::AuditOutput>,

    #[command(flatten)]
    pub audit: AuditFlags,

    /// Platform to pick from a multi-platform image (as `scan --platform`).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = crate::values::platform)]
    pub platform: Option<String>,

    /// Layers read in parallel (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

/// What `audit` and `scan --audit` share.
#[derive(Debug, Args)]
pub(crate) struct AuditFlags {
    /// Exit with status 3 when a finding of these kinds remains after the allow-list
    /// (comma-separated): secret, setuid, world-writable, readable, tool, removed-package,
    /// hidden-files.
    #[arg(
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        value_parser = clap::value_parser!(sbomgen_audit::Kind)
    )]
    pub fail_on: Vec<sbomgen_audit::Kind>,

    /// Accepted findings (YAML: rules, paths, fingerprints) [default: ./.sbomgen-audit.yaml
    /// when it exists].
    #[arg(long, value_name = "FILE")]
    pub allow_list: Option<std::path::PathBuf>,
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

    /// Sign this existing document instead of scanning (`-` reads standard input).
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
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = crate::values::platform)]
    pub platform: Option<String>,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,

    #[command(flatten)]
    pub layer_cache: crate::cache_args::LayerCacheArgs,
}

#[derive(Debug, Args)]
pub(crate) struct AttachArgs {
    /// The image in its registry: REF or registry:REF (a tag is resolved to its digest first).
    pub image: String,

    /// The SBOM to attach: SPDX JSON or CycloneDX JSON (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub sbom: std::path::PathBuf,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The images in their registries: REF or registry:REF, each verified in turn.
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,

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

// Flags of a command line are bools by nature (--quiet, --declared, --audit, ...).
#[allow(clippy::struct_excessive_bools)]
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

    /// Platform to pick from a multi-platform image, as os/arch[/variant] or, as Docker reads
    /// it, an architecture alone (arm64 is linux/arm64) or an os alone (linux is linux/amd64).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = crate::values::platform)]
    pub platform: Option<String>,

    /// Layers read in parallel (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Raises (or lowers) one of the limits a hostile image is held to, as NAME=VALUE
    /// (repeatable; K/M/G suffixes): captured-file, in-memory-file, spooled-file,
    /// captured-per-layer, captured-per-image, entries-per-layer, entries-per-image,
    /// packages-per-database, uncompressed-per-layer, extension-header, layers-per-image,
    /// path-bytes. Defaults in the README.
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = crate::values::limit)]
    pub limits: Vec<String>,

    /// Wall-clock budget of the scan (e.g. 90s, 10m, 1h; 0 for none): past it the scan fails
    /// and writes nothing. The default fits tens of gigabytes of layers or a slow download,
    /// and a CI step never hangs for ever.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = crate::deadline::parse)]
    pub timeout: std::time::Duration,

    /// Which packages to list: every package any layer installed (removed ones marked), or only
    /// those in the final filesystem.
    #[arg(long, value_enum, default_value_t = ScopeArg::AllLayers)]
    pub scope: ScopeArg,

    /// Cataloguers to run, comma-separated, or `none` to only index layers. OS: apk, dpkg,
    /// rpm. Installed language packages: python, npm, gem, composer, dotnet. Declared
    /// (lockfiles, pins): npm-lock, python-lock, gem-lock, composer-lock, cargo-lock.
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        value_parser = crate::values::cataloguer
    )]
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

    /// Leave paths matching GLOB out of the file index and of cataloguing (repeatable), e.g.
    /// './usr/share/doc/**' or '**/*.pyc'; a leading ./ or / is ignored.
    #[arg(long = "exclude", value_name = "GLOB", value_parser = crate::values::exclude)]
    pub excludes: Vec<String>,

    /// Name of the image in SBOMs (SPDX and CycloneDX image package, Syft source) instead of
    /// the one derived from its reference or path.
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,

    /// Version of the image in SBOMs instead of its tag or manifest digest.
    #[arg(long, value_name = "VERSION")]
    pub source_version: Option<String>,

    /// Print no warnings.
    #[arg(short, long)]
    pub quiet: bool,

    /// Also audit every layer (see `sbomgen audit`) and add the findings to the native JSON
    /// output (never to SPDX or CycloneDX documents). Reads every layer: the layer cache is
    /// not used.
    #[arg(long)]
    pub audit: bool,

    #[command(flatten)]
    pub audit_flags: AuditFlags,

    #[command(flatten)]
    pub registry: crate::registry_args::RegistryArgs,

    #[command(flatten)]
    pub layer_cache: crate::cache_args::LayerCacheArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScopeArg {
    AllLayers,
    Squashed,
}
