//! Uploads what [`crate::artifacts`] builds: blobs first, then the manifest, then the tag or
//! referrer entry that makes it findable.

use sbomgen_attest::bundle::bundle_json;
use sbomgen_attest::dsse::Envelope;
use sbomgen_attest::keys::PublicKey;
use sbomgen_model::Digest;
use sbomgen_registry::{
    ImageManifest, Reference, RegistryClient, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_MANIFEST,
};

use crate::artifacts::{self, Artifact};
use crate::error::AttachError;
use crate::subject::ImageSubject;

/// Where a signed attestation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A Sigstore bundle referrer (cosign v3).
    Bundle,
    /// A layer of the `sha256-<hex>.att` tag (cosign v2).
    Legacy,
    /// Both, so every reader finds it.
    All,
}

/// One thing written to the registry, for the user's log.
#[derive(Debug, Clone)]
pub struct Attached {
    /// `Sigstore bundle referrer`, `layer 2 of tag sha256-….att`, `SBOM referrer`.
    pub what: String,
    /// The manifest written.
    pub digest: Digest,
}

/// Stores `envelope` (already signed by the key whose public half is `key`) for `subject`.
pub fn attest(
    client: &RegistryClient,
    subject: &ImageSubject,
    envelope: &Envelope,
    key: &PublicKey,
    predicate_type: &str,
    mode: Mode,
    replace: bool,
) -> Result<Vec<Attached>, AttachError> {
    let mut done = Vec::new();
    if matches!(mode, Mode::Bundle | Mode::All) {
        let bundle = bundle_json(envelope, key);
        let artifact = artifacts::bundle_referrer(&subject.descriptor, &bundle, predicate_type);
        let digest = push_referrer(client, subject, &artifact)?;
        done.push(Attached {
            what: "Sigstore bundle referrer".into(),
            digest,
        });
    }
    if matches!(mode, Mode::Legacy | Mode::All) {
        done.push(append_att(
            client,
            subject,
            &envelope.to_json(),
            predicate_type,
            replace,
        )?);
    }
    Ok(done)
}

/// Stores an unsigned SBOM of `media_type` as a referrer of `subject`.
pub fn attach_sbom(
    client: &RegistryClient,
    subject: &ImageSubject,
    sbom: &[u8],
    media_type: &str,
) -> Result<Attached, AttachError> {
    let artifact = artifacts::sbom_referrer(&subject.descriptor, sbom, media_type);
    let digest = push_referrer(client, subject, &artifact)?;
    Ok(Attached {
        what: format!("SBOM referrer ({media_type})"),
        digest,
    })
}

fn push_referrer(
    client: &RegistryClient,
    subject: &ImageSubject,
    artifact: &Artifact,
) -> Result<Digest, AttachError> {
    for blob in &artifact.blobs {
        client.push_blob(&subject.reference, blob)?;
    }
    Ok(client.push_referrer(&subject.reference, &artifact.manifest)?)
}

fn append_att(
    client: &RegistryClient,
    subject: &ImageSubject,
    envelope: &[u8],
    predicate_type: &str,
    replace: bool,
) -> Result<Attached, AttachError> {
    let tag = artifacts::legacy_tag(&subject.digest, "att");
    let tagged = tag_reference(&subject.reference, &tag);
    let existing = client
        .fetch_manifest_optional(&tagged, &[MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST])?
        .map(|fetched| {
            ImageManifest::from_json(&fetched.bytes)
                .map(|manifest| (manifest, fetched.digest))
                .map_err(|e| AttachError::Unusable {
                    what: format!("the existing tag {tag}"),
                    reason: e.to_string(),
                })
        })
        .transpose()?;
    let artifact = artifacts::append_att(
        existing.as_ref().map(|(manifest, _)| manifest),
        &tag,
        envelope,
        predicate_type,
        replace,
    )?;
    let Some(artifact) = artifact else {
        // Nothing changes, so the tag exists and its digest is the one just read.
        let digest = existing.map_or_else(|| subject.digest.clone(), |(_, digest)| digest);
        return Ok(Attached {
            what: format!("tag {tag} (already held this attestation)"),
            digest,
        });
    };
    for blob in &artifact.blobs {
        client.push_blob(&subject.reference, blob)?;
    }
    let media_type = artifact
        .manifest
        .media_type
        .clone()
        .unwrap_or_else(|| MEDIA_OCI_MANIFEST.to_string());
    let pushed = client.push_manifest(
        &subject.reference,
        Some(&tag),
        &artifact.manifest.to_json(),
        &media_type,
    )?;
    let envelope_digest =
        sbomgen_registry::Descriptor::of(artifacts::MEDIA_DSSE_ENVELOPE, envelope).digest;
    let index = artifact
        .manifest
        .layers
        .iter()
        .position(|l| l.digest == envelope_digest)
        .unwrap_or_default();
    Ok(Attached {
        what: format!("layer {index} of tag {tag}"),
        digest: pushed.digest,
    })
}

/// The same repository, named by `tag`.
pub(crate) fn tag_reference(reference: &Reference, tag: &str) -> Reference {
    Reference {
        registry: reference.registry.clone(),
        repository: reference.repository.clone(),
        tag: Some(tag.to_string()),
        digest: None,
    }
}
