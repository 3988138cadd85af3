//! Finds what is attached to an image: attestations (Sigstore bundle referrers and cosign's
//! `.att` tag) and SBOMs (unsigned referrers and cosign's deprecated `.sbom` tag).
//!
//! Nothing here is trusted: a found envelope is only a candidate until
//! `sbomgen_attest::verify::verify_envelope` accepts it. One unreadable candidate does not
//! hide the others; it is reported with where it was found.

use std::fmt;

use sbomgen_attest::bundle::{envelope_from_bundle, MEDIA_BUNDLE_V03};
use sbomgen_attest::dsse::Envelope;
use sbomgen_model::Digest;
use sbomgen_registry::{
    Descriptor, ImageManifest, Reference, ReferrersVia, RegistryClient, MEDIA_DOCKER_MANIFEST,
    MEDIA_OCI_MANIFEST,
};

use crate::artifacts::{
    legacy_tag, ANNOTATION_BUNDLE_CONTENT, ANNOTATION_BUNDLE_PREDICATE_TYPE,
    ANNOTATION_PREDICATE_TYPE, MEDIA_CYCLONEDX_JSON, MEDIA_DSSE_ENVELOPE, MEDIA_SPDX_JSON,
};
use crate::error::AttachError;
use crate::publish::tag_reference;
use crate::subject::ImageSubject;

/// SBOMs and envelopes larger than this are refused rather than read into memory.
pub const MAX_ARTIFACT_BYTES: u64 = 512 << 20;

/// SBOM media types cosign's `.sbom` tag and referrers use.
const SBOM_MEDIA_TYPES: &[&str] = &[
    MEDIA_SPDX_JSON,
    MEDIA_CYCLONEDX_JSON,
    "text/spdx+json",
    "application/vnd.cyclonedx",
];

/// Where a candidate was found, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A referrer manifest, listed by the referrers API or the `sha256-<hex>` tag.
    Referrer { manifest: Digest, via: ReferrersVia },
    /// Layer `layer` of a cosign tag (`sha256-<hex>.att` or `.sbom`).
    Tag { tag: String, layer: usize },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Referrer { manifest, via } => {
                let via = match via {
                    ReferrersVia::Api => "referrers API",
                    ReferrersVia::Tag => "referrers tag",
                };
                write!(f, "referrer {manifest} ({via})")
            }
            Location::Tag { tag, layer } => write!(f, "layer {layer} of tag {tag}"),
        }
    }
}

/// A DSSE envelope found beside the image, not yet verified.
#[derive(Debug, Clone)]
pub struct FoundAttestation {
    pub location: Location,
    /// The predicate type the manifest's annotations claim (unsigned: a filter, not a fact).
    pub claimed_predicate_type: Option<String>,
    /// The envelope, or why it could not be read.
    pub envelope: Result<Envelope, String>,
}

/// An unsigned SBOM found beside the image.
#[derive(Debug, Clone)]
pub struct FoundSbom {
    pub location: Location,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Everything attached to one image.
#[derive(Debug, Default)]
pub struct Discovery {
    pub attestations: Vec<FoundAttestation>,
    pub sboms: Vec<FoundSbom>,
    /// Candidates that could not be read at all (a referrer manifest gone missing…).
    pub problems: Vec<String>,
}

/// Attestations only.
pub fn find_attestations(
    client: &RegistryClient,
    subject: &ImageSubject,
) -> Result<Discovery, AttachError> {
    discover(client, subject, false)
}

/// Attestations and unsigned SBOMs.
pub fn find_sboms(
    client: &RegistryClient,
    subject: &ImageSubject,
) -> Result<Discovery, AttachError> {
    discover(client, subject, true)
}

fn discover(
    client: &RegistryClient,
    subject: &ImageSubject,
    with_sboms: bool,
) -> Result<Discovery, AttachError> {
    let mut found = Discovery::default();
    let repository = &subject.reference;

    let referrers = client.referrers(repository, &subject.digest, None)?;
    for descriptor in &referrers.descriptors {
        let location = Location::Referrer {
            manifest: descriptor.digest.clone(),
            via: referrers.via,
        };
        let artifact_type = descriptor.artifact_type.as_deref().unwrap_or_default();
        let is_bundle = artifact_type == MEDIA_BUNDLE_V03
            && descriptor
                .annotations
                .get(ANNOTATION_BUNDLE_CONTENT)
                .is_none_or(|c| c == "dsse-envelope");
        let is_envelope = artifact_type == MEDIA_DSSE_ENVELOPE;
        let is_sbom = with_sboms && SBOM_MEDIA_TYPES.contains(&artifact_type);
        if !(is_bundle || is_envelope || is_sbom) {
            continue;
        }
        let manifest = match fetch_manifest(client, repository, &descriptor.digest) {
            Ok(manifest) => manifest,
            Err(e) => {
                found.problems.push(format!("{location}: {e}"));
                continue;
            }
        };
        let Some(layer) = manifest.layers.first() else {
            found
                .problems
                .push(format!("{location}: the manifest has no layers"));
            continue;
        };
        let bytes = client
            .fetch_blob_bytes(
                repository,
                &layer.digest,
                Some(layer.size),
                MAX_ARTIFACT_BYTES,
            )
            .map_err(|e| e.to_string());
        if is_sbom {
            match bytes {
                Ok(bytes) => found.sboms.push(FoundSbom {
                    location,
                    media_type: layer.media_type.clone(),
                    bytes,
                }),
                Err(e) => found.problems.push(format!("{location}: {e}")),
            }
            continue;
        }
        let envelope = bytes.and_then(|bytes| {
            if is_bundle {
                envelope_from_bundle(&bytes).map_err(|e| e.to_string())
            } else {
                Envelope::from_json(&bytes).map_err(|e| e.to_string())
            }
        });
        let claimed = descriptor
            .annotations
            .get(ANNOTATION_BUNDLE_PREDICATE_TYPE)
            .or_else(|| manifest.annotations.get(ANNOTATION_BUNDLE_PREDICATE_TYPE))
            .cloned();
        found.attestations.push(FoundAttestation {
            location,
            claimed_predicate_type: claimed,
            envelope,
        });
    }

    read_tag(
        client,
        subject,
        "att",
        &mut found,
        |layer| layer.media_type == MEDIA_DSSE_ENVELOPE,
        |found, location, layer, bytes| {
            found.attestations.push(FoundAttestation {
                location,
                claimed_predicate_type: layer.annotations.get(ANNOTATION_PREDICATE_TYPE).cloned(),
                envelope: bytes.and_then(|b| Envelope::from_json(&b).map_err(|e| e.to_string())),
            });
        },
    )?;
    if with_sboms {
        read_tag(
            client,
            subject,
            "sbom",
            &mut found,
            |layer| SBOM_MEDIA_TYPES.contains(&layer.media_type.as_str()),
            |found, location, layer, bytes| match bytes {
                Ok(bytes) => found.sboms.push(FoundSbom {
                    location,
                    media_type: layer.media_type.clone(),
                    bytes,
                }),
                Err(e) => found.problems.push(format!("{location}: {e}")),
            },
        )?;
    }
    Ok(found)
}

/// Reads the `wanted` layers of cosign's `sha256-<hex>.<suffix>` tag, if the tag exists.
fn read_tag(
    client: &RegistryClient,
    subject: &ImageSubject,
    suffix: &str,
    found: &mut Discovery,
    wanted: impl Fn(&Descriptor) -> bool,
    mut take: impl FnMut(&mut Discovery, Location, &Descriptor, Result<Vec<u8>, String>),
) -> Result<(), AttachError> {
    let tag = legacy_tag(&subject.digest, suffix);
    let tagged = tag_reference(&subject.reference, &tag);
    let Some(fetched) =
        client.fetch_manifest_optional(&tagged, &[MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST])?
    else {
        return Ok(());
    };
    let manifest = match ImageManifest::from_json(&fetched.bytes) {
        Ok(manifest) => manifest,
        Err(e) => {
            found.problems.push(format!("tag {tag}: {e}"));
            return Ok(());
        }
    };
    for (index, layer) in manifest.layers.iter().enumerate() {
        if !wanted(layer) {
            continue;
        }
        let location = Location::Tag {
            tag: tag.clone(),
            layer: index,
        };
        let bytes = client
            .fetch_blob_bytes(
                &subject.reference,
                &layer.digest,
                Some(layer.size),
                MAX_ARTIFACT_BYTES,
            )
            .map_err(|e| e.to_string());
        take(found, location, layer, bytes);
    }
    Ok(())
}

fn fetch_manifest(
    client: &RegistryClient,
    repository: &Reference,
    digest: &Digest,
) -> Result<ImageManifest, String> {
    let mut pinned = repository.clone();
    pinned.digest = Some(digest.clone());
    pinned.tag = None;
    let fetched = client
        .fetch_manifest(&pinned, &[MEDIA_OCI_MANIFEST])
        .map_err(|e| e.to_string())?;
    ImageManifest::from_json(&fetched.bytes).map_err(|e| e.to_string())
}
