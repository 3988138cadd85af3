//! Docker archives built by hand (links, several images, odd names), plus `dir:` and `registry:`.

mod common;

use std::io::Read;

use serde_json::json;

use common::*;
use sbomgen_source::{open, LayerContent, OpenOptions, SourceSpec};

fn config(platform: &str, layers: &[&[u8]]) -> Vec<u8> {
    let (os, arch) = platform.split_once('/').unwrap();
    let ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(l)))
        .collect();
    json!({"os": os, "architecture": arch, "rootfs": {"type": "layers", "diff_ids": ids},
           "history": [{"created_by": "ADD a"}, {"created_by": "CMD x", "empty_layer": true},
                       {"created_by": "ADD b"}]})
    .to_string()
    .into_bytes()
}

enum Member<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
}

fn write_tar(members: &[Member]) -> (tempfile::TempDir, String) {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        match m {
            Member::File(name, data) => {
                h.set_size(data.len() as u64);
                b.append_data(&mut h, name, *data).unwrap();
            }
            Member::Symlink(name, target) => {
                h.set_size(0);
                h.set_entry_type(tar::EntryType::Symlink);
                b.append_link(&mut h, name, target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    std::fs::write(&path, b.into_inner().unwrap()).unwrap();
    let input = path.display().to_string();
    (dir, input)
}

fn read_all(image: &sbomgen_source::Image, k: usize) -> Vec<u8> {
    let LayerContent::Blob(blob) = &image.layers[k].content else {
        panic!("not a blob");
    };
    let mut bytes = Vec::new();
    blob.open().unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

/// Two images sharing their base layer, stored once and linked, as `docker save a b` does.
fn two_images(platform_a: &str, platform_b: &str) -> (tempfile::TempDir, String) {
    let base = layer_tar("etc/base", b"base");
    let a_top = layer_tar("a", b"a");
    let b_top = layer_tar("b", b"b");
    let config_a = config(platform_a, &[&base, &a_top]);
    let config_b = config(platform_b, &[&base, &b_top]);
    let name_a = format!("{}.json", sha256_hex(&config_a));
    let name_b = format!("{}.json", sha256_hex(&config_b));
    let manifest = json!([
        {"Config": name_a, "RepoTags": ["app:a"], "Layers": ["1/layer.tar", "2/layer.tar"]},
        {"Config": name_b, "RepoTags": ["app:b", "app:latest"], "Layers": ["3/layer.tar", "4/layer.tar"]},
    ])
    .to_string();
    write_tar(&[
        Member::File("1/layer.tar", &base),
        Member::File("2/layer.tar", &a_top),
        Member::Symlink("3/layer.tar", "../1/layer.tar"),
        Member::File("4/layer.tar", &b_top),
        Member::File(&name_a, &config_a),
        Member::File(&name_b, &config_b),
        Member::File("manifest.json", manifest.as_bytes()),
    ])
}

#[test]
fn several_images_need_a_tag_and_links_resolve() {
    let (_dir, input) = two_images("linux/amd64", "linux/amd64");
    assert_eq!(SourceSpec::parse(&input).unwrap().kind(), "docker-archive");
    let err = open_str(&input, None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "docker-archive {input} holds several images, choose one with a reference suffix: \
             app:a, app:b app:latest"
        )
    );
    let image = open_str(&format!("docker-archive:{input}:app:latest"), None).unwrap();
    assert_eq!(image.tags, ["app:b", "app:latest"]);
    assert_eq!(image.info.reference.as_deref(), Some("app:latest"));
    assert_eq!(image.layers[0].digest, None);
    assert_eq!(image.layers[0].created_by.as_deref(), Some("ADD a"));
    assert_eq!(image.layers[1].created_by.as_deref(), Some("ADD b"));
    // 3/layer.tar is a symlink to 1/layer.tar.
    assert_eq!(read_all(&image, 0), layer_tar("etc/base", b"base"));
    assert_eq!(
        image.layers[0].size,
        Some(layer_tar("etc/base", b"base").len() as u64)
    );
    assert_eq!(read_all(&image, 1), layer_tar("b", b"b"));
    // `docker` spells the same tag several ways.
    let image = open_str(&format!("{input}:docker.io/library/app:a"), None).unwrap();
    assert_eq!(image.tags, ["app:a"]);
}

#[test]
fn platform_variants_choose_by_platform() {
    let (_dir, input) = two_images("linux/arm64", "linux/amd64");
    let image = open_str(&input, None).unwrap();
    assert_eq!(image.tags, ["app:b", "app:latest"]);
    assert_eq!(image.info.reference.as_deref(), Some("app:b"));
    let image = open_str(&input, Some("linux/arm64")).unwrap();
    assert_eq!(image.tags, ["app:a"]);
    let err = open_str(&input, Some("linux/riscv64")).unwrap_err();
    assert!(
        err.ends_with("(platforms present: linux/arm64, linux/amd64)"),
        "{err}"
    );
}

#[test]
fn docker_25_blob_names_give_digests() {
    let layer = gzip(&layer_tar("x", b"x"));
    let diff = layer_tar("x", b"x");
    let cfg = config("linux/amd64", &[&diff]);
    let layer_name = format!("blobs/sha256/{}", sha256_hex(&layer));
    let cfg_name = format!("blobs/sha256/{}", sha256_hex(&cfg));
    let manifest = json!([{"Config": cfg_name, "RepoTags": null, "Layers": [layer_name]}]);
    let (_dir, input) = write_tar(&[
        Member::File(&layer_name, &layer),
        Member::File(&cfg_name, &cfg),
        Member::File("manifest.json", manifest.to_string().as_bytes()),
    ]);
    let image = open_str(&input, None).unwrap();
    assert_eq!(image.tags, Vec::<String>::new());
    assert_eq!(image.info.reference, None);
    assert_eq!(
        image.layers[0].digest.as_ref().unwrap().hex(),
        sha256_hex(&layer)
    );
    assert_eq!(image.info.config_digest.unwrap().hex(), sha256_hex(&cfg));
}

#[test]
fn config_named_by_digest_is_verified() {
    let diff = layer_tar("x", b"x");
    let cfg = config("linux/amd64", &[&diff]);
    let wrong = "0".repeat(64);
    let cfg_name = format!("{wrong}.json");
    let manifest = json!([{"Config": cfg_name, "RepoTags": ["t:1"], "Layers": ["l.tar"]}]);
    let (_dir, input) = write_tar(&[
        Member::File("l.tar", &diff),
        Member::File(&cfg_name, &cfg),
        Member::File("manifest.json", manifest.to_string().as_bytes()),
    ]);
    let err = open_str(&input, None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "config {cfg_name} in docker-archive {input}: digest mismatch, expected sha256:{wrong}, \
             found sha256:{}",
            sha256_hex(&cfg)
        )
    );
}

#[test]
fn bad_manifests() {
    let (_dir, input) = write_tar(&[Member::File("manifest.json", b"{\"Config\": 1}")]);
    let err = open_str(&input, None).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "malformed JSON in manifest.json in docker-archive {input}: "
        )),
        "{err}"
    );

    let cfg = config("linux/amd64", &[b"x"]);
    let manifest = json!([{"Config": "c.json", "Layers": ["../../etc/passwd"]}]);
    let (_dir, input) = write_tar(&[
        Member::File("c.json", &cfg),
        Member::File("manifest.json", manifest.to_string().as_bytes()),
    ]);
    let err = open_str(&input, None).unwrap_err();
    assert_eq!(
        err,
        format!("../../etc/passwd in docker-archive {input} is not a safe relative path")
    );

    let manifest = json!([{"Config": "c.json", "Layers": ["gone/layer.tar"]}]);
    let (_dir, input) = write_tar(&[
        Member::File("c.json", &cfg),
        Member::File("manifest.json", manifest.to_string().as_bytes()),
    ]);
    let err = open_str(&input, None).unwrap_err();
    assert_eq!(
        err,
        format!("gone/layer.tar not found in docker-archive {input}")
    );

    let (_dir, input) = write_tar(&[Member::File("manifest.json", b"[]")]);
    let err = open_str(&input, None).unwrap_err();
    assert_eq!(err, format!("docker-archive {input} holds no image"));
}

#[test]
fn truncated_and_non_tar_files() {
    let (_dir, input) = two_images("linux/amd64", "linux/amd64");
    let bytes = std::fs::read(&input).unwrap();
    std::fs::write(&input, &bytes[..1600]).unwrap();
    let err = SourceSpec::parse(&input).unwrap_err().to_string();
    assert!(err.starts_with(&format!("cannot read {input}: ")), "{err}");

    std::fs::write(&input, vec![b'x'; 4096]).unwrap();
    let err = SourceSpec::parse(&input).unwrap_err().to_string();
    assert_eq!(
        err,
        format!("{input} is not a tar archive (plain, gzip or zstd) or a directory")
    );
    // Corrupt gzip: a clear error, no panic.
    let mut gz = gzip(&layer_tar("a", b"a"));
    gz.truncate(20);
    std::fs::write(&input, gz).unwrap();
    assert!(SourceSpec::parse(&input).is_err());
}

#[test]
fn dir_source_is_one_directory_layer() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SourceSpec::parse(&format!("dir:{}", dir.path().display())).unwrap();
    let image = open(&spec, &OpenOptions::default()).unwrap();
    assert_eq!(image.info.kind, "dir");
    assert_eq!(image.info.path, Some(dir.path().display().to_string()));
    assert_eq!(image.info.manifest_digest, None);
    let [layer] = image.layers.as_slice() else {
        panic!()
    };
    assert_eq!(layer.index, 0);
    assert_eq!(layer.digest, None);
    assert!(matches!(&layer.content, LayerContent::Directory(p) if p == dir.path()));
}

#[test]
fn an_unreachable_registry_is_a_clear_error() {
    // Port 1 on loopback: nothing listens, so this never leaves the machine.
    let spec = SourceSpec::parse("registry:127.0.0.1:1/nothing:tag").unwrap();
    assert_eq!(spec.kind(), "registry");
    let mut options = OpenOptions::default();
    options.registry.retry.attempts = 1;
    let err = open(&spec, &options).unwrap_err().to_string();
    assert!(
        err.starts_with("cannot reach registry 127.0.0.1:1 for 127.0.0.1:1/nothing:tag: "),
        "{err}"
    );
}

#[test]
fn blob_handles_are_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<sbomgen_source::BlobHandle>();
    assert_traits::<sbomgen_source::Image>();
}
