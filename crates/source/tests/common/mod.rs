//! Hand-built layouts and archives, byte by byte, for the cases a well-behaved writer never
//! produces (bad digests, malformed JSON, missing blobs).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use sbomgen_model::Digest;
use sbomgen_source::{open, Image, OpenOptions, SourceSpec};

pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub(crate) const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Digest::sha256_from_bytes(&Sha256::digest(bytes).into())
        .hex()
        .to_string()
}

/// A one-file layer tar.
pub(crate) fn layer_tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, name, data).unwrap();
    b.into_inner().unwrap()
}

/// A tar of `(name, bytes)` files.
pub(crate) fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub(crate) fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

/// An OCI layout directory under construction.
pub(crate) struct Layout {
    pub dir: tempfile::TempDir,
}

impl Layout {
    pub(crate) fn new() -> Layout {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        Layout { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn blob_path(&self, digest: &str) -> PathBuf {
        self.path()
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    }

    /// Stores a blob and returns its descriptor.
    pub(crate) fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        std::fs::write(self.blob_path(&digest), bytes).unwrap();
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// Stores a config + one-layer image for `platform` and returns the manifest descriptor.
    pub(crate) fn image(&self, platform: &str, file: &str) -> Value {
        let layer = layer_tar(file, platform.as_bytes());
        let layer_desc = self.blob(OCI_LAYER, &layer);
        let (os, arch) = platform.split_once('/').unwrap();
        let config = json!({
            "os": os, "architecture": arch,
            "created": "2024-05-01T00:00:00Z",
            "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
            "history": [{"created_by": format!("COPY {file}")}],
        });
        let config_desc = self.blob(OCI_CONFIG, config.to_string().as_bytes());
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": config_desc, "layers": [layer_desc],
        });
        self.blob(OCI_MANIFEST, manifest.to_string().as_bytes())
    }

    pub(crate) fn write_index(&self, manifests: Vec<Value>) {
        let mut index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX});
        index["manifests"] = Value::Array(manifests);
        std::fs::write(self.path().join("index.json"), index.to_string()).unwrap();
    }

    /// The layout as a tar, names prefixed with `./` as `tar -C dir .` writes them.
    pub(crate) fn to_tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        b.append_dir_all(".", self.path()).unwrap();
        b.into_inner().unwrap()
    }

    pub(crate) fn spec(&self) -> String {
        format!("oci-dir:{}", self.path().display())
    }
}

/// A manifest descriptor with a platform and optional annotations added.
pub(crate) fn with_platform(mut desc: Value, platform: &str) -> Value {
    let mut parts = platform.split('/');
    let mut p = json!({"os": parts.next().unwrap(), "architecture": parts.next().unwrap()});
    if let Some(v) = parts.next() {
        p["variant"] = json!(v);
    }
    desc["platform"] = p;
    desc
}

pub(crate) fn with_annotation(mut desc: Value, key: &str, value: &str) -> Value {
    desc["annotations"][key] = json!(value);
    desc
}

pub(crate) fn open_str(input: &str, platform: Option<&str>) -> Result<Image, String> {
    let spec = SourceSpec::parse(input).map_err(|e| e.to_string())?;
    let options = OpenOptions {
        platform: platform.map(|p| p.parse().unwrap()),
        ..OpenOptions::default()
    };
    open(&spec, &options).map_err(|e| e.to_string())
}
