//! The image an attestation command works on: a registry reference pinned to a digest.

use std::path::Path;

use anyhow::{bail, Context, Result};
use sbomgen_attach::ImageSubject;
use sbomgen_registry::{ClientOptions, Reference, RegistryClient};

/// Registry options for a command that reads or writes artifacts (read once: with
/// `--password-stdin` they consume standard input).
pub(super) fn options(
    registry: &crate::registry_args::RegistryArgs,
    input: &str,
) -> Result<ClientOptions> {
    registry
        .options(None)
        .with_context(|| format!("cannot reach {input}"))
}

/// A registry client and the image `input` names, resolved to its digest. A tag is resolved
/// now, and the user is told which digest the artifact is bound to: a tag may move later.
pub(super) fn open(
    input: &str,
    options: &ClientOptions,
    quiet: bool,
) -> Result<(RegistryClient, ImageSubject)> {
    let reference = parse(input)?;
    let client = RegistryClient::new(options).with_context(|| format!("cannot reach {input}"))?;
    let subject = sbomgen_attach::resolve(&client, &reference)
        .with_context(|| format!("cannot resolve {input}"))?;
    if let (Some(tag), false) = (&subject.resolved_from_tag, quiet) {
        eprintln!(
            "{}:{tag} resolved to {}; using the digest (the tag may move, the digest does not)",
            subject.name_as_written(),
            subject.digest
        );
    }
    Ok((client, subject))
}

/// `REF` or `registry:REF`. Local sources have no registry digest to attach to.
fn parse(input: &str) -> Result<Reference> {
    let text = input.strip_prefix("registry:").unwrap_or(input);
    if text == input && !input.is_empty() && Path::new(input).exists() {
        bail!(
            "{input} is a local path; attestations are attached to an image in a registry \
             (push it first, then name it as REGISTRY/REPOSITORY[:TAG|@sha256:…])"
        );
    }
    text.parse::<Reference>()
        .with_context(|| format!("{input} is not an image reference"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_with_and_without_scheme() {
        let r = parse("registry:localhost:5000/app:1").unwrap();
        assert_eq!(r.repository, "app");
        assert_eq!(parse("localhost:5000/app:1").unwrap(), r);
        assert!(parse("no spaces/in:names").is_err());
        let here = env!("CARGO_MANIFEST_DIR");
        assert!(parse(here).unwrap_err().to_string().contains("local path"));
    }
}
