//! One module per subcommand, plus what the attestation commands share.

pub(crate) mod attach;
pub(crate) mod attest;
pub(crate) mod audit;
pub(crate) mod cache;
pub(crate) mod convert;
pub(crate) mod download;
mod image;
pub(crate) mod keys;
pub(crate) mod scan;
pub(crate) mod verify;

/// `--platform`, parsed (clap has checked it already; this names the flag should it not be).
pub(crate) fn platform(arg: Option<&str>) -> anyhow::Result<Option<sbomgen_model::Platform>> {
    use anyhow::Context;
    arg.map(str::parse)
        .transpose()
        .context("invalid --platform")
}
