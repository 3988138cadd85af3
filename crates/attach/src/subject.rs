//! The image an artifact is attached to: always a manifest digest, never a tag.

use sbomgen_model::Digest;
use sbomgen_registry::{Descriptor, Reference, RegistryClient, MANIFEST_ACCEPT};

use crate::error::AttachError;

/// An image pinned to the digest its reference named when it was resolved.
#[derive(Debug, Clone)]
pub struct ImageSubject {
    /// The reference, with `digest` set (a tag, if one was given, is kept for messages).
    pub reference: Reference,
    /// The manifest (or index) digest attestations are bound to.
    pub digest: Digest,
    /// Media type and size of the manifest, for the `subject` field of referrers.
    pub descriptor: Descriptor,
    /// The tag the digest was resolved from, when the reference named no digest.
    pub resolved_from_tag: Option<String>,
}

impl ImageSubject {
    /// The repository name a statement's subject carries: what cosign writes
    /// (`ref.Context().Name()`), so both tools name the same image the same way.
    pub fn name(&self) -> String {
        let registry = match self.reference.registry.as_str() {
            "docker.io" => "index.docker.io",
            other => other,
        };
        format!("{registry}/{}", self.reference.repository)
    }

    /// `registry/repository@sha256:…`.
    pub fn pinned(&self) -> String {
        format!("{}@{}", self.name_as_written(), self.digest)
    }

    /// `registry/repository` as the user's reference spelled the registry.
    pub fn name_as_written(&self) -> String {
        format!("{}/{}", self.reference.registry, self.reference.repository)
    }
}

/// Fetches the manifest `reference` names and pins it. A pinned digest is verified by the
/// fetch; a tag is resolved to the digest it names now (a multi-platform index stays the
/// index, as with cosign: the attestation covers every platform's image through it).
pub fn resolve(
    client: &RegistryClient,
    reference: &Reference,
) -> Result<ImageSubject, AttachError> {
    let fetched = client.fetch_manifest(reference, MANIFEST_ACCEPT)?;
    let media_type = fetched
        .media_type
        .clone()
        .or_else(|| media_type_of(&fetched.bytes))
        .unwrap_or_else(|| sbomgen_registry::MEDIA_OCI_MANIFEST.to_string());
    let mut descriptor = Descriptor::of(&media_type, &fetched.bytes);
    descriptor.digest = fetched.digest.clone();
    let mut pinned = reference.clone();
    pinned.digest = Some(fetched.digest.clone());
    Ok(ImageSubject {
        resolved_from_tag: if reference.digest.is_none() {
            reference.tag.clone()
        } else {
            None
        },
        reference: pinned,
        digest: fetched.digest,
        descriptor,
    })
}

/// The `mediaType` a manifest declares, for registries that send no usable Content-Type.
fn media_type_of(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value.get("mediaType")?.as_str().map(str::to_string)
}
