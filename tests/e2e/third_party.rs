//! The real third-party images in `../shared/fixtures/images` (see its README): every one scans,
//! with its layer digests and a few known paths checked. Skipped when the folder is absent.

use serde_json::Value;

use crate::support::{failure, hidden_paths, layer_field, scan_json, shared_fixtures};

fn image(name: &str) -> Option<String> {
    Some(
        shared_fixtures()?
            .join("images")
            .join(name)
            .display()
            .to_string(),
    )
}

fn diff_id_prefixes(doc: &Value) -> Vec<String> {
    layer_field(doc, "diffId")
        .iter()
        .map(|d| d.as_str().unwrap()[7..15].to_string())
        .collect()
}

#[test]
fn dive_legacy_docker_archive() {
    let Some(path) = image("dive/test-docker-image.tar") else {
        return;
    };
    let doc = scan_json(&[&path]);
    assert_eq!(doc["source"]["type"], "docker-archive");
    assert_eq!(doc["source"]["platform"], "linux/amd64");
    let layers = doc["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 14);
    // Uncompressed layers: the blob digest is the diff_id.
    assert_eq!(layer_field(&doc, "digest"), layer_field(&doc, "diffId"));
    assert_eq!(layers[0]["added"], 415);
    assert_eq!(layers[0]["size"], 1_369_600);
    // 15 history entries, one of them empty (CMD ["sh"]): 14 attributed.
    assert!(layers.iter().all(|l| l["createdBy"].is_string()));
    let hidden = hidden_paths(&doc);
    assert!(
        hidden
            .iter()
            .any(|(p, _, _)| p == "root/example/somefile3.txt"),
        "{hidden:?}"
    );
    assert!(
        hidden
            .iter()
            .any(|(p, _, _)| p.starts_with("root/example/")),
        "{hidden:?}"
    );
}

#[test]
fn dive_kaniko_archive_with_gzip_layers() {
    let Some(path) = image("dive/test-kaniko-image.tar") else {
        return;
    };
    let doc = scan_json(&[&format!("docker-archive:{path}")]);
    let layers = doc["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 14);
    assert_eq!(layers[0]["added"], 421);
    assert_ne!(
        layer_field(&doc, "digest"),
        layer_field(&doc, "diffId"),
        "gzip blobs differ from their diff_ids"
    );
    let legacy = scan_json(&[&image("dive/test-docker-image.tar").unwrap()]);
    assert_eq!(
        hidden_paths(&doc).iter().map(|h| &h.0).collect::<Vec<_>>(),
        hidden_paths(&legacy)
            .iter()
            .map(|h| &h.0)
            .collect::<Vec<_>>(),
        "same Dockerfile, same hidden files"
    );
}

#[test]
fn dive_oci_archives_in_every_compression() {
    for (name, media_type, diff_id) in [
        (
            "test-oci-uncompressed-image.tar",
            "application/vnd.oci.image.layer.v1.tar",
            "356d5e7f",
        ),
        (
            "test-oci-gzip-image.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "356d5e7f",
        ),
        (
            "test-oci-zstd-image.tar",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "356d5e7f",
        ),
        (
            "test-oci-estargz-image.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "2b3dbfdf",
        ),
    ] {
        let Some(path) = image(&format!("dive/{name}")) else {
            return;
        };
        let doc = scan_json(&[&path]);
        assert_eq!(doc["source"]["type"], "oci-archive", "{name}");
        assert_eq!(doc["source"]["platform"], "linux/arm64", "{name}");
        assert_eq!(layer_field(&doc, "mediaType"), [media_type], "{name}");
        assert_eq!(diff_id_prefixes(&doc), [diff_id], "{name}");
        assert_eq!(
            doc["layers"][0]["createdBy"], "COPY README.md /README.md # buildkit",
            "{name}"
        );
        assert_eq!(doc["layers"][0]["added"], 1, "{name}");
    }
}

#[test]
fn dive_rootfs_tars_are_not_images() {
    let Some(path) = image("dive/test-gzip-image.tar") else {
        return;
    };
    let err = failure(&["scan", &path]);
    assert!(err.contains("test-gzip-image.tar"), "{err}");
}

#[test]
fn trivy_gzip_compressed_docker_archive() {
    let Some(path) = image("trivy/alpine-310.tar.gz") else {
        return;
    };
    let doc = scan_json(&[&path]);
    assert_eq!(doc["source"]["type"], "docker-archive");
    assert_eq!(doc["distro"]["id"], "alpine");
    assert_eq!(doc["distro"]["versionId"], "3.10.4");
    assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
    assert_eq!(doc["layers"][0]["size"], 5_818_880);
}
