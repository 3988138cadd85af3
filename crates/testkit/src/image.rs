//! Config, manifest and index JSON: the documents that tie blobs into an image.

use sbomgen_model::{Digest, Platform};
use serde_json::{json, Value};

use crate::blobs::{BlobDir, LayerBlob};
use crate::compress::media_type;
use crate::ImageSpec;

pub(crate) const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// An image whose layers, config and manifest are in a [`BlobDir`].
#[derive(Debug)]
pub(crate) struct StoredImage {
    pub(crate) layers: Vec<LayerBlob>,
    pub(crate) config: (Digest, u64),
    pub(crate) manifest: (Digest, u64),
}

/// Writes every blob of `spec`; layers first, since the config needs their diff_ids.
pub(crate) fn put_image(blobs: &BlobDir, spec: &ImageSpec) -> std::io::Result<StoredImage> {
    let layers = spec
        .layers
        .iter()
        .map(|l| blobs.put_layer(l))
        .collect::<std::io::Result<Vec<_>>>()?;
    let config = blobs.put_bytes(&config_json(spec, &layers))?;
    let manifest = blobs.put_bytes(&manifest_json(&config, &layers))?;
    Ok(StoredImage {
        layers,
        config,
        manifest,
    })
}

/// The image config: platform, rootfs diff_ids and history (one entry per layer, with the
/// `empty_layer` entries spliced in before the layer index they name).
pub(crate) fn config_json(spec: &ImageSpec, layers: &[LayerBlob]) -> Vec<u8> {
    let entry = |created_by: &str| json!({"created": spec.created, "created_by": created_by});
    let mut history = Vec::new();
    for i in 0..=layers.len() {
        for (_, created_by) in spec
            .empty_history
            .iter()
            .filter(|(at, _)| (*at).min(layers.len()) == i)
        {
            let mut e = entry(created_by);
            e["empty_layer"] = json!(true);
            history.push(e);
        }
        if let Some(layer_spec) = spec.layers.get(i) {
            let default = format!("layer {i}");
            history.push(entry(layer_spec.created_by.as_deref().unwrap_or(&default)));
        }
    }
    let mut config = json!({
        "architecture": spec.platform.architecture,
        "os": spec.platform.os,
        "created": spec.created,
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| &l.diff_id).collect::<Vec<_>>()},
        "history": history,
    });
    if let Some(variant) = &spec.platform.variant {
        config["variant"] = json!(variant);
    }
    if let Some(entrypoint) = &spec.entrypoint {
        config["config"]["Entrypoint"] = json!(entrypoint);
    }
    if let Some(cmd) = &spec.cmd {
        config["config"]["Cmd"] = json!(cmd);
    }
    to_bytes(&config)
}

fn manifest_json(config: &(Digest, u64), layers: &[LayerBlob]) -> Vec<u8> {
    let layers: Vec<Value> = layers
        .iter()
        .map(|l| descriptor(media_type(l.compression), &l.digest, l.size))
        .collect();
    to_bytes(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": descriptor(CONFIG, &config.0, config.1),
        "layers": layers,
    }))
}

/// An image index listing `manifests` (descriptors).
pub(crate) fn index_json(manifests: &[Value]) -> Vec<u8> {
    to_bytes(&json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests}))
}

/// An OCI descriptor.
pub(crate) fn descriptor(media_type: &str, digest: &Digest, size: u64) -> Value {
    json!({"mediaType": media_type, "digest": digest, "size": size})
}

/// The index's `platform` object (not the `os/arch` string `Platform` serialises to).
pub(crate) fn platform_json(p: &Platform) -> Value {
    let mut v = json!({"architecture": p.architecture, "os": p.os});
    if let Some(variant) = &p.variant {
        v["variant"] = json!(variant);
    }
    v
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("a serde_json::Value always serialises")
}
