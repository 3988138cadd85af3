//! OCI layouts built by hand: index walking, platform and reference choice, and every error.

mod common;

use std::io::Read;

use serde_json::json;

use common::*;
use sbomgen_model::Platform;
use sbomgen_source::{LayerContent, SourceSpec};

fn read_layer(image: &sbomgen_source::Image, k: usize) -> Vec<u8> {
    let LayerContent::Blob(blob) = &image.layers[k].content else {
        panic!("not a blob");
    };
    let mut bytes = Vec::new();
    blob.open().unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn single_image_fields() {
    let layout = Layout::new();
    let m = layout.image("linux/amd64", "etc/x");
    layout.write_index(vec![with_annotation(
        m.clone(),
        "org.opencontainers.image.ref.name",
        "v1",
    )]);
    let image = open_str(&layout.spec(), None).unwrap();
    assert_eq!(image.info.kind, "oci-dir");
    assert_eq!(image.info.path, Some(layout.path().display().to_string()));
    assert_eq!(image.info.reference.as_deref(), Some("v1"));
    assert_eq!(image.tags, ["v1"]);
    assert_eq!(
        image.info.manifest_digest.as_ref().unwrap().as_str(),
        m["digest"]
    );
    assert_eq!(
        image.info.platform,
        Some(Platform::new("linux", "amd64", None))
    );
    assert_eq!(image.created.as_deref(), Some("2024-05-01T00:00:00Z"));
    let layer = &image.layers[0];
    assert_eq!(layer.media_type.as_deref(), Some(OCI_LAYER));
    assert_eq!(layer.created_by.as_deref(), Some("COPY etc/x"));
    assert_eq!(layer.digest, layer.diff_id);
    assert_eq!(read_layer(&image, 0), layer_tar("etc/x", b"linux/amd64"));
    let LayerContent::Blob(blob) = &layer.content else {
        panic!()
    };
    let hex = layer.digest.as_ref().unwrap().hex();
    assert_eq!(
        blob.describe(),
        format!(
            "blob sha256:{}… in {}",
            &hex[..12],
            &layout.spec().replacen(':', " ", 1)
        )
    );
    // The same layout, auto-detected.
    let auto = SourceSpec::parse(&layout.path().display().to_string()).unwrap();
    assert_eq!(auto.kind(), "oci-dir");
}

/// `index.json` → multi-platform index (the buildx shape), plus an attestation manifest.
fn multi_platform(platforms: &[&str]) -> Layout {
    let layout = Layout::new();
    let mut entries: Vec<_> = platforms
        .iter()
        .map(|p| with_platform(layout.image(p, "bin/app"), p))
        .collect();
    let attestation = with_annotation(
        with_platform(layout.image("linux/amd64", "att"), "unknown/unknown"),
        "vnd.docker.reference.type",
        "attestation-manifest",
    );
    entries.push(attestation);
    let nested = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries});
    let nested_desc = layout.blob(OCI_INDEX, nested.to_string().as_bytes());
    layout.write_index(vec![with_annotation(
        nested_desc,
        "org.opencontainers.image.ref.name",
        "latest",
    )]);
    layout
}

#[test]
fn multi_platform_defaults_to_amd64() {
    let layout = multi_platform(&["linux/arm64", "linux/amd64", "linux/arm/v7"]);
    let image = open_str(&layout.spec(), None).unwrap();
    assert_eq!(
        image.info.platform.as_ref().unwrap().to_string(),
        "linux/amd64"
    );
    assert_eq!(image.info.reference.as_deref(), Some("latest"));
    let image = open_str(&layout.spec(), Some("linux/arm/v7")).unwrap();
    // The config says linux/arm; the index entry supplies the variant.
    assert_eq!(
        image.info.platform.as_ref().unwrap().to_string(),
        "linux/arm/v7"
    );
    assert_eq!(read_layer(&image, 0), layer_tar("bin/app", b"linux/arm/v7"));
}

#[test]
fn requested_platform_absent_lists_present_ones() {
    let layout = multi_platform(&["linux/arm64", "linux/amd64"]);
    let err = open_str(&layout.spec(), Some("linux/s390x")).unwrap_err();
    assert_eq!(
        err,
        format!(
            "platform linux/s390x not found in oci-dir {} \
             (platforms present: linux/arm64, linux/amd64)",
            layout.path().display()
        )
    );
}

#[test]
fn no_default_platform_without_amd64() {
    let layout = multi_platform(&["linux/arm64", "linux/ppc64le"]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(err.contains("none is linux/amd64"), "{err}");
    assert!(err.contains("linux/arm64, linux/ppc64le"), "{err}");
    let image = open_str(&layout.spec(), Some("linux/ppc64le")).unwrap();
    assert_eq!(
        image.info.platform.as_ref().unwrap().to_string(),
        "linux/ppc64le"
    );
}

#[test]
fn lone_image_checked_against_its_config() {
    let layout = Layout::new();
    let m = layout.image("linux/arm64", "x");
    layout.write_index(vec![m]);
    let err = open_str(&layout.spec(), Some("linux/amd64")).unwrap_err();
    assert_eq!(
        err,
        format!(
            "oci-dir {} is an image for linux/arm64, not the requested platform linux/amd64",
            layout.path().display()
        )
    );
    assert!(open_str(&layout.spec(), Some("linux/arm64")).is_ok());
}

#[test]
fn several_tags_need_a_reference() {
    let layout = Layout::new();
    let ref_name = "org.opencontainers.image.ref.name";
    let a = with_annotation(layout.image("linux/amd64", "a"), ref_name, "v1");
    let b = with_annotation(layout.image("linux/amd64", "b"), ref_name, "v2");
    let b_digest = b["digest"].as_str().unwrap().to_string();
    layout.write_index(vec![a, b]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(err.contains("holds several images"), "{err}");
    assert!(
        err.contains("v1 sha256:") && err.contains(", v2 sha256:"),
        "{err}"
    );

    let image = open_str(&format!("{}:v2", layout.spec()), None).unwrap();
    assert_eq!(image.info.reference.as_deref(), Some("v2"));
    assert_eq!(image.info.manifest_digest.unwrap().as_str(), b_digest);
    // Auto-detection keeps the suffix too.
    let image = open_str(&format!("{}:v1", layout.path().display()), None).unwrap();
    assert_eq!(image.tags, ["v1"]);

    let err = open_str(&format!("{}:v3", layout.spec()), None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "reference \"v3\" not found in oci-dir {} (available: v1, v2)",
            layout.path().display()
        )
    );
}

#[test]
fn malformed_manifest_json() {
    let layout = Layout::new();
    let m = layout.blob(OCI_MANIFEST, b"{\"schemaVersion\": 2,");
    layout.write_index(vec![m.clone()]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    let prefix = format!(
        "malformed JSON in manifest {} in oci-dir {}: ",
        m["digest"].as_str().unwrap(),
        layout.path().display()
    );
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains("EOF while parsing"), "{err}");
}

#[test]
fn malformed_index_json() {
    let layout = Layout::new();
    std::fs::write(layout.path().join("index.json"), "[1, 2").unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    let prefix = format!(
        "malformed JSON in index.json in oci-dir {}: ",
        layout.path().display()
    );
    assert!(err.starts_with(&prefix), "{err}");
}

#[test]
fn missing_blobs() {
    let layout = Layout::new();
    let m = layout.image("linux/amd64", "x");
    layout.write_index(vec![m.clone()]);
    let manifest = std::fs::read(layout.blob_path(m["digest"].as_str().unwrap())).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();

    // A missing layer is found at open time, not when the layer is read.
    let layer = manifest["layers"][0]["digest"].as_str().unwrap();
    std::fs::remove_file(layout.blob_path(layer)).unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    let where_ = format!("in oci-dir {}", layout.path().display());
    assert_eq!(err, format!("blob {layer} not found {where_}"));

    std::fs::remove_file(layout.blob_path(m["digest"].as_str().unwrap())).unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert_eq!(
        err,
        format!("blob {} not found {where_}", m["digest"].as_str().unwrap())
    );
}

#[test]
fn config_digest_and_size_mismatch() {
    let layout = Layout::new();
    let m = layout.image("linux/amd64", "x");
    layout.write_index(vec![m.clone()]);
    let manifest = std::fs::read(layout.blob_path(m["digest"].as_str().unwrap())).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let config = manifest["config"]["digest"].as_str().unwrap();
    let path = layout.blob_path(config);
    let original = std::fs::read(&path).unwrap();
    let mut tampered = original.clone();
    tampered[2] ^= 0x20; // same length, different bytes
    std::fs::write(&path, &tampered).unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    let prefix = format!(
        "blob {config} in oci-dir {}: digest mismatch, expected {config}, found sha256:{}",
        layout.path().display(),
        sha256_hex(&tampered)
    );
    assert_eq!(err, prefix);

    tampered.push(b' ');
    std::fs::write(&path, &tampered).unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(err.contains("size mismatch, descriptor says"), "{err}");
}

#[test]
fn unknown_manifest_media_type() {
    let layout = Layout::new();
    let m = layout.blob("application/vnd.example.thing+json", b"{}");
    layout.write_index(vec![m]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "index.json in oci-dir {}: unsupported manifest media type \
             \"application/vnd.example.thing+json\"",
            layout.path().display()
        )
    );
}

#[test]
fn docker_media_types_and_descriptors_without_media_type() {
    let layout = Layout::new();
    let m = layout.image("linux/amd64", "x");
    let manifest_path = layout.blob_path(m["digest"].as_str().unwrap());
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest_path).unwrap()).unwrap();
    manifest["mediaType"] = json!("application/vnd.docker.distribution.manifest.v2+json");
    let docker_manifest = layout.blob(
        "application/vnd.docker.distribution.manifest.v2+json",
        manifest.to_string().as_bytes(),
    );
    let list = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [with_platform(docker_manifest, "linux/amd64")],
    });
    let mut list_desc = layout.blob("x", list.to_string().as_bytes());
    // No mediaType on the index entry: it is read from the document.
    list_desc.as_object_mut().unwrap().remove("mediaType");
    layout.write_index(vec![list_desc]);
    let image = open_str(&layout.spec(), None).unwrap();
    assert_eq!(image.layers.len(), 1);
}

#[test]
fn layer_count_mismatch() {
    let layout = Layout::new();
    let layer = layout.blob(OCI_LAYER, &layer_tar("a", b"a"));
    let config = json!({"os": "linux", "architecture": "amd64", "rootfs": {"diff_ids": []}});
    let config = layout.blob(OCI_CONFIG, config.to_string().as_bytes());
    let manifest = json!({"schemaVersion": 2, "config": config.clone(), "layers": [layer]});
    let m = layout.blob(OCI_MANIFEST, manifest.to_string().as_bytes());
    layout.write_index(vec![m]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(
        err.ends_with("lists 0 diff_ids but the manifest has 1 layers"),
        "{err}"
    );
}

#[test]
fn json_documents_are_capped() {
    let layout = Layout::new();
    let mut big = b"{\"manifests\": [], \"pad\": \"".to_vec();
    big.resize(9 << 20, b'a');
    big.extend_from_slice(b"\"}");
    std::fs::write(layout.path().join("index.json"), &big).unwrap();
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "index.json in oci-dir {} is {} bytes, above the 8388608-byte limit for JSON documents",
            layout.path().display(),
            big.len()
        )
    );
}

#[test]
fn empty_index_holds_no_image() {
    let layout = Layout::new();
    layout.write_index(vec![]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert_eq!(
        err,
        format!("oci-dir {} holds no image", layout.path().display())
    );
}

#[test]
fn oci_archives_plain_gzip_and_zstd() {
    let layout = multi_platform(&["linux/amd64", "linux/arm64"]);
    let tar = layout.to_tar();
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("app.tar", tar.clone()),
        ("app.tar.gz", gzip(&tar)),
        ("app.tar.zst", zstd(&tar)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let input = path.display().to_string();
        assert_eq!(
            SourceSpec::parse(&input).unwrap().kind(),
            "oci-archive",
            "{name}"
        );
        let image = open_str(&input, Some("linux/arm64")).unwrap();
        assert_eq!(image.info.kind, "oci-archive");
        assert_eq!(
            image.info.platform.as_ref().unwrap().to_string(),
            "linux/arm64"
        );
        assert_eq!(
            read_layer(&image, 0),
            layer_tar("bin/app", b"linux/arm64"),
            "{name}"
        );
        let image = open_str(&format!("oci-archive:{input}:latest"), None).unwrap();
        assert_eq!(image.info.reference.as_deref(), Some("latest"));
    }
}

#[test]
fn tar_holding_both_layouts_is_oci() {
    let layout = multi_platform(&["linux/amd64"]);
    std::fs::write(layout.path().join("manifest.json"), "[]").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("both.tar");
    std::fs::write(&path, layout.to_tar()).unwrap();
    let spec = SourceSpec::parse(&path.display().to_string()).unwrap();
    assert_eq!(spec.kind(), "oci-archive");
}

#[test]
fn source_kinds_mismatched_with_the_path() {
    let layout = Layout::new();
    let err = open_str(&format!("oci-archive:{}", layout.path().display()), None).unwrap_err();
    assert!(err.contains("is not a tar archive"), "{err}");
    let file = layout.path().join("oci-layout");
    let err = open_str(&format!("oci-dir:{}", file.display()), None).unwrap_err();
    assert_eq!(err, format!("{} is not a directory", file.display()));
    let err = open_str("oci-dir:/no/such/layout", None).unwrap_err();
    assert_eq!(err, "source /no/such/layout does not exist");
}

#[test]
fn index_nesting_is_limited() {
    let layout = Layout::new();
    let mut desc = with_platform(layout.image("linux/amd64", "x"), "linux/amd64");
    for _ in 0..6 {
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc]});
        desc = layout.blob(OCI_INDEX, index.to_string().as_bytes());
    }
    layout.write_index(vec![desc]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(
        err.ends_with("image indexes nested deeper than 4 levels"),
        "{err}"
    );
}

#[test]
fn invalid_descriptor_digest() {
    let layout = Layout::new();
    layout.write_index(vec![
        json!({"mediaType": OCI_MANIFEST, "digest": "sha256:XYZ", "size": 2}),
    ]);
    let err = open_str(&layout.spec(), None).unwrap_err();
    assert!(
        err.starts_with("entry 0 of index.json in oci-dir "),
        "{err}"
    );
    assert!(err.contains("invalid digest"), "{err}");
}
