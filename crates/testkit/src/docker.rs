//! `docker save`-style archives (the legacy format with `manifest.json` and `<n>/layer.tar`).

use std::fs;
use std::io;
use std::path::PathBuf;

use serde_json::json;

use crate::blobs::BlobDir;
use crate::compress::sha256;
use crate::image::config_json;
use crate::{BuiltImage, BuiltLayer, ImageSpec};

/// Writes a `docker save`-style archive: `manifest.json` (`[{Config, RepoTags, Layers}]`),
/// `<config hex>.json` and each layer as `<n>/layer.tar`.
///
/// Layers keep their spec's compression (`docker save` writes plain tars, kaniko gzip), and
/// carry no media type since the format has none. There is no OCI manifest, so
/// `manifest_digest` is the sha256 of `manifest.json`; an empty `tag` gives empty `RepoTags`
/// (as saving by image id does). Paths in the result are names inside the archive.
pub fn write_docker_archive(
    path: &std::path::Path,
    tag: &str,
    image: &ImageSpec,
) -> io::Result<BuiltImage> {
    let staging = tempfile::tempdir()?;
    let blobs = BlobDir::create(staging.path())?;
    let stored = image
        .layers
        .iter()
        .map(|l| blobs.put_layer(l))
        .collect::<io::Result<Vec<_>>>()?;
    let (config_digest, _) = blobs.put_bytes(&config_json(image, &stored))?;
    let config_name = format!("{}.json", config_digest.hex());

    let mut files = Vec::new();
    let mut layers = Vec::new();
    for (n, blob) in stored.iter().enumerate() {
        let name = format!("{n}/layer.tar");
        files.push((name.clone(), blobs.path(&blob.digest)));
        layers.push(BuiltLayer {
            digest: blob.digest.clone(),
            diff_id: blob.diff_id.clone(),
            media_type: String::new(),
            size: blob.size,
            blob_path: PathBuf::from(&name),
            archive_name: name,
        });
    }
    let repo_tags: Vec<&str> = [tag].into_iter().filter(|t| !t.is_empty()).collect();
    let layer_names: Vec<&str> = layers.iter().map(|l| l.archive_name.as_str()).collect();
    let manifest = json!([{"Config": config_name, "RepoTags": repo_tags, "Layers": layer_names}]);
    let manifest = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
    let manifest_file = staging.path().join("manifest.json");
    fs::write(&manifest_file, &manifest)?;
    files.push((config_name.clone(), blobs.path(&config_digest)));
    files.push(("manifest.json".to_string(), manifest_file));
    crate::archive::pack(path, &files)?;

    Ok(BuiltImage {
        manifest_digest: sha256(&manifest),
        config_digest,
        platform: image.platform.clone(),
        layers,
        manifest_path_in_layout: "manifest.json".to_string(),
        config_path_in_layout: config_name,
    })
}
