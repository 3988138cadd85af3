//! OCI image layouts: as a directory and packed as an `oci-archive` tar.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::blobs::BlobDir;
use crate::compress::media_type;
use crate::image::{descriptor, index_json, platform_json, put_image, INDEX, MANIFEST};
use crate::{BuiltImage, BuiltLayer, BuiltLayout, ImageSpec};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Writes an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`).
///
/// One image: `index.json` lists its manifest directly, with `platform` and the `tag` as
/// `org.opencontainers.image.ref.name`. Several images: `index.json` lists one nested image
/// index (the tag goes there) which lists each manifest with its `platform`, as
/// `skopeo copy --all` and buildx write multi-platform images. Layer blobs are streamed to a
/// temp file through hashers and renamed to their digest.
pub fn write_oci_dir(dir: &Path, tag: &str, images: &[ImageSpec]) -> io::Result<BuiltLayout> {
    if images.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an OCI layout needs at least one image",
        ));
    }
    let blobs = BlobDir::create(dir)?;
    let mut built = Vec::new();
    let mut manifests = Vec::new();
    for spec in images {
        let stored = put_image(&blobs, spec)?;
        let mut entry = descriptor(MANIFEST, &stored.manifest.0, stored.manifest.1);
        entry["platform"] = platform_json(&spec.platform);
        manifests.push(entry);
        let layers = stored.layers.iter().map(|l| {
            let archive_name = blob_name(l.digest.hex());
            BuiltLayer {
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                media_type: media_type(l.compression).to_string(),
                size: l.size,
                blob_path: blobs.path(&l.digest),
                archive_name,
            }
        });
        built.push(BuiltImage {
            manifest_path_in_layout: blob_name(stored.manifest.0.hex()),
            config_path_in_layout: blob_name(stored.config.0.hex()),
            manifest_digest: stored.manifest.0,
            config_digest: stored.config.0,
            platform: spec.platform.clone(),
            layers: layers.collect(),
        });
    }
    let (mut top, index_digest) = if manifests.len() == 1 {
        (manifests.remove(0), None)
    } else {
        let (digest, size) = blobs.put_bytes(&index_json(&manifests))?;
        (descriptor(INDEX, &digest, size), Some(digest))
    };
    top["annotations"] = json!({ REF_NAME: tag });
    fs::write(dir.join("index.json"), index_json(&[top]))?;
    fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    Ok(BuiltLayout {
        index_digest,
        images: built,
    })
}

/// Writes the same layout packed as an uncompressed tar (`skopeo copy … oci-archive:`).
///
/// The layout is staged in a temp dir, so every `BuiltLayer::blob_path` is the blob's path
/// inside the archive (the same as `archive_name`).
pub fn write_oci_archive(path: &Path, tag: &str, images: &[ImageSpec]) -> io::Result<BuiltLayout> {
    let staging = tempfile::tempdir()?;
    let mut layout = write_oci_dir(staging.path(), tag, images)?;
    let mut blob_names: Vec<String> = fs::read_dir(staging.path().join("blobs").join("sha256"))?
        .map(|e| e.map(|e| blob_name(&e.file_name().to_string_lossy())))
        .collect::<io::Result<_>>()?;
    blob_names.sort();
    let files: Vec<(String, PathBuf)> = ["oci-layout", "index.json"]
        .into_iter()
        .map(String::from)
        .chain(blob_names)
        .map(|name| (name.clone(), staging.path().join(&name)))
        .collect();
    crate::archive::pack(path, &files)?;
    for layer in layout.images.iter_mut().flat_map(|i| i.layers.iter_mut()) {
        layer.blob_path = PathBuf::from(&layer.archive_name);
    }
    Ok(layout)
}

fn blob_name(hex: &str) -> String {
    format!("blobs/sha256/{hex}")
}
