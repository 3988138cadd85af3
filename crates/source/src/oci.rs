//! OCI image layouts (`oci-dir:` and `oci-archive:`): index entry → manifest → config → layers.

use serde::Deserialize;

use sbomgen_model::{Digest, Platform, SourceInfo};

use crate::config::{parse_json, ImageConfig};
use crate::container::{BlobHandle, Container};
use crate::error::SourceError;
use crate::image::{Image, LayerContent, LayerSource, OpenOptions};
use crate::index::{
    self, blob_label, blob_path, missing_blob, read_blob, Descriptor, Found, RawDescriptor,
    MANIFEST_DOCKER, MANIFEST_OCI,
};
use crate::select::{self, Candidate};

#[derive(Deserialize)]
struct RawManifest {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    config: RawDescriptor,
    #[serde(default)]
    layers: Vec<RawDescriptor>,
}

/// Opens the image of an OCI layout held by `container`.
pub(crate) fn open(
    container: &Container,
    info: SourceInfo,
    reference: Option<&str>,
    options: &OpenOptions,
) -> Result<Image, SourceError> {
    let origin = container.origin().to_string();
    let found = index::find(container, reference)?;
    let candidates = found
        .into_iter()
        .map(|f| Candidate {
            platform: f.descriptor.platform.clone(),
            label: label(&f),
            item: f,
        })
        .collect();
    let chosen = select::choose(candidates, options.platform.as_ref(), &origin)?;
    let index_platform = chosen.platform;
    let Found { descriptor, names } = chosen.item;

    let manifest_what = format!("manifest {}", blob_label(container, &descriptor.digest));
    let manifest_bytes = read_blob(container, &descriptor)?;
    let manifest: RawManifest = parse_json(&manifest_bytes, &manifest_what)?;
    if let Some(mt) = &manifest.media_type {
        if mt != MANIFEST_OCI && mt != MANIFEST_DOCKER {
            return Err(SourceError::UnknownMediaType {
                what: manifest_what,
                media_type: mt.clone(),
            });
        }
    }
    let config_desc = Descriptor::from_raw(manifest.config, &format!("config of {manifest_what}"))?;
    let layer_descs = manifest
        .layers
        .into_iter()
        .enumerate()
        .map(|(k, raw)| Descriptor::from_raw(raw, &format!("layer {k} of {manifest_what}")))
        .collect::<Result<Vec<_>, _>>()?;

    let config_what = format!("config {}", blob_label(container, &config_desc.digest));
    let config_bytes = read_blob(container, &config_desc)?;
    let config = ImageConfig::parse(&config_bytes, &config_what, layer_descs.len())?;

    // An index entry's platform was matched above; a lone manifest is checked on its config.
    if let (None, Some(wanted), Some(actual)) =
        (&index_platform, &options.platform, &config.platform)
    {
        if !actual.satisfies(wanted) {
            return Err(SourceError::PlatformMismatch {
                wanted: Box::new(wanted.clone()),
                actual: Box::new(actual.clone()),
                origin,
            });
        }
    }

    let mut layers = Vec::with_capacity(layer_descs.len());
    for (k, desc) in layer_descs.into_iter().enumerate() {
        let name = blob_path(&desc.digest);
        if !container.contains(&name) {
            return Err(missing_blob(container, &desc.digest));
        }
        let handle = BlobHandle::new(container, &name, &format!("blob {}…", short(&desc.digest)));
        layers.push(LayerSource {
            index: k,
            digest: Some(desc.digest),
            diff_id: config.diff_ids.get(k).cloned(),
            media_type: desc.media_type,
            size: desc.size,
            created_by: config.created_by.get(k).cloned().flatten(),
            content: LayerContent::Blob(handle),
        });
    }

    let platform = image_platform(config.platform, index_platform);
    let reference = reference
        .map(str::to_string)
        .or_else(|| names.first().cloned());
    Ok(Image {
        info: SourceInfo {
            reference,
            manifest_digest: Some(descriptor.digest),
            config_digest: Some(config_desc.digest),
            platform,
            ..info
        },
        created: config.created,
        tags: names,
        layers,
    })
}

fn label(f: &Found) -> String {
    let mut parts = Vec::new();
    if let Some(n) = f.names.first() {
        parts.push(n.clone());
    }
    parts.push(f.descriptor.digest.to_string());
    if let Some(p) = &f.descriptor.platform {
        parts.push(p.to_string());
    }
    parts.join(" ")
}

/// The config's platform, with the index entry's variant when the config omits it (arm images
/// often record the variant only in the index).
fn image_platform(config: Option<Platform>, index: Option<Platform>) -> Option<Platform> {
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

fn short(digest: &Digest) -> String {
    format!("{}:{}", digest.algorithm(), digest.short())
}
