//! An image manifest and what follows from it with its config: the layer list and the
//! platform. Shared by every source that has manifests (OCI layouts and registries).

use serde::Deserialize;

use sbomgen_model::{Digest, Platform};

use crate::config::{parse_json, ImageConfig};
use crate::container::BlobHandle;
use crate::error::SourceError;
use crate::image::{LayerContent, LayerSource};
use crate::index::{Descriptor, RawDescriptor, MANIFEST_DOCKER, MANIFEST_OCI};

#[derive(Deserialize)]
struct RawManifest {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    config: RawDescriptor,
    #[serde(default)]
    layers: Vec<RawDescriptor>,
}

/// An image manifest's config and layer descriptors.
pub(crate) struct Manifest {
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
}

impl Manifest {
    /// Parses an OCI or Docker schema-2 image manifest; `what` names it in errors.
    pub(crate) fn parse(bytes: &[u8], what: &str) -> Result<Manifest, SourceError> {
        let raw: RawManifest = parse_json(bytes, what)?;
        if let Some(mt) = &raw.media_type {
            if mt != MANIFEST_OCI && mt != MANIFEST_DOCKER {
                return Err(SourceError::UnknownMediaType {
                    what: what.to_string(),
                    media_type: mt.clone(),
                });
            }
        }
        let config = Descriptor::from_raw(raw.config, &format!("config of {what}"))?;
        let layers = raw
            .layers
            .into_iter()
            .enumerate()
            .map(|(k, raw)| Descriptor::from_raw(raw, &format!("layer {k} of {what}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Manifest { config, layers })
    }
}

/// Checks a manifest reached without an index entry (whose platform was already matched)
/// against the requested platform, using its config.
pub(crate) fn check_platform(
    index_platform: Option<&Platform>,
    wanted: Option<&Platform>,
    config: &ImageConfig,
    origin: &str,
) -> Result<(), SourceError> {
    if let (None, Some(wanted), Some(actual)) = (index_platform, wanted, &config.platform) {
        if !actual.satisfies(wanted) {
            return Err(SourceError::PlatformMismatch {
                wanted: Box::new(wanted.clone()),
                actual: Box::new(actual.clone()),
                origin: origin.to_string(),
            });
        }
    }
    Ok(())
}

/// One [`LayerSource`] per layer descriptor, with diff_ids and history from the config;
/// `open` makes each layer's blob handle.
pub(crate) fn layer_sources(
    layers: Vec<Descriptor>,
    config: &ImageConfig,
    mut open: impl FnMut(&Descriptor) -> Result<BlobHandle, SourceError>,
) -> Result<Vec<LayerSource>, SourceError> {
    let mut out = Vec::with_capacity(layers.len());
    for (k, desc) in layers.into_iter().enumerate() {
        let handle = open(&desc)?;
        out.push(LayerSource {
            index: k,
            diff_id: config.diff_ids.get(k).cloned(),
            created_by: config.created_by.get(k).cloned().flatten(),
            content: LayerContent::Blob(handle),
            digest: Some(desc.digest),
            media_type: desc.media_type,
            size: desc.size,
        });
    }
    Ok(out)
}

/// The config's platform, with the index entry's variant when the config omits it (arm images
/// often record the variant only in the index).
pub(crate) fn image_platform(
    config: Option<Platform>,
    index: Option<Platform>,
) -> Option<Platform> {
    match (config, index) {
        (Some(mut c), Some(i)) => {
            if c.variant.is_none() && c.os == i.os && c.architecture == i.architecture {
                c.variant = i.variant;
            }
            Some(c)
        }
        (c, i) => c.or(i),
    }
}

/// `sha256:ab12cd34ef56`, for labels.
pub(crate) fn short(digest: &Digest) -> String {
    format!("{}:{}", digest.algorithm(), digest.short())
}
