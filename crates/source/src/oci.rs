//! OCI image layouts (`oci-dir:` and `oci-archive:`): index entry → manifest → config → layers.

use sbomgen_model::SourceInfo;

use crate::config::ImageConfig;
use crate::container::{BlobHandle, Container};
use crate::error::SourceError;
use crate::image::{Image, OpenOptions};
use crate::index::{self, blob_label, blob_path, missing_blob, read_blob, Found};
use crate::manifest::{check_platform, image_platform, layer_sources, short, Manifest};
use crate::select::{self, Candidate};

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
    let manifest = Manifest::parse(&read_blob(container, &descriptor)?, &manifest_what)?;

    let config_what = format!("config {}", blob_label(container, &manifest.config.digest));
    let config_bytes = read_blob(container, &manifest.config)?;
    let config = ImageConfig::parse(&config_bytes, &config_what, manifest.layers.len())?;
    check_platform(
        index_platform.as_ref(),
        options.platform.as_ref(),
        &config,
        &origin,
    )?;

    let layers = layer_sources(manifest.layers, &config, |desc| {
        let name = blob_path(&desc.digest);
        if !container.contains(&name) {
            return Err(missing_blob(container, &desc.digest));
        }
        Ok(BlobHandle::new(
            container,
            &name,
            &format!("blob {}…", short(&desc.digest)),
        ))
    })?;

    let platform = image_platform(config.platform, index_platform);
    let reference = reference
        .map(str::to_string)
        .or_else(|| names.first().cloned());
    Ok(Image {
        info: SourceInfo {
            reference,
            manifest_digest: Some(descriptor.digest),
            config_digest: Some(manifest.config.digest),
            platform,
            ..info
        },
        created: config.created,
        tags: names,
        layers,
        launch: Some(config.launch),
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
