//! Images written by `sbomgen-testkit`: what the source reports must equal what was written.

mod common;

use std::io::Read;

use sha2::{Digest as _, Sha256};

use common::{gzip, open_str, zstd};
use sbomgen_model::{Digest, Platform};
use sbomgen_source::{Image, LayerContent};
use sbomgen_testkit::{
    write_docker_archive, write_oci_archive, write_oci_dir, BuiltImage, Compression, Entry,
    ImageSpec, LayerSpec,
};

fn spec(platform: &str) -> ImageSpec {
    let platform: Platform = platform.parse().unwrap();
    ImageSpec::new(platform.clone())
        .layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::dir("etc"))
                .entry(Entry::file("etc/os-release", format!("ID={platform}\n")))
                .created_by("ADD rootfs"),
        )
        .empty_history(1, "ENV A=1")
        .layer(LayerSpec::new(Compression::Zstd).entry(Entry::file("a", "a")))
        .layer(LayerSpec::new(Compression::None).entry(Entry::file("b", "b")))
        .layer(
            LayerSpec::new(Compression::GzipMultiMember)
                .entry(Entry::file("c", "c"))
                .created_by("RUN c"),
        )
}

fn blob_digest(image: &Image, k: usize) -> Digest {
    let LayerContent::Blob(blob) = &image.layers[k].content else {
        panic!("layer {k} is not a blob");
    };
    let mut bytes = Vec::new();
    blob.open().unwrap().read_to_end(&mut bytes).unwrap();
    Digest::sha256_from_bytes(&Sha256::digest(&bytes).into())
}

/// The layer list equals what testkit wrote; `with_digest` is false for docker archives, whose
/// `<n>/layer.tar` names state no digest.
fn assert_matches(image: &Image, built: &BuiltImage, with_digest: bool) {
    assert_eq!(
        image.info.config_digest.as_ref(),
        Some(&built.config_digest)
    );
    assert_eq!(image.info.platform.as_ref(), Some(&built.platform));
    assert_eq!(image.created.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(image.layers.len(), built.layers.len());
    for (k, (got, want)) in image.layers.iter().zip(&built.layers).enumerate() {
        assert_eq!(got.index, k);
        assert_eq!(got.diff_id.as_ref(), Some(&want.diff_id), "layer {k}");
        assert_eq!(got.size, Some(want.size), "layer {k}");
        assert_eq!(blob_digest(image, k), want.digest, "layer {k}");
        if with_digest {
            assert_eq!(got.digest.as_ref(), Some(&want.digest), "layer {k}");
            assert_eq!(got.media_type.as_deref(), Some(want.media_type.as_str()));
        } else {
            assert_eq!(got.digest, None);
            assert_eq!(got.media_type, None);
        }
    }
    // The empty ENV entry is skipped: the zstd layer gets the second non-empty entry.
    assert_eq!(image.layers[0].created_by.as_deref(), Some("ADD rootfs"));
    assert_eq!(image.layers[3].created_by.as_deref(), Some("RUN c"));
}

#[test]
fn oci_dir_single_image() {
    let dir = tempfile::tempdir().unwrap();
    let layout = write_oci_dir(dir.path(), "v1", &[spec("linux/amd64")]).unwrap();
    let image = open_str(&format!("oci-dir:{}", dir.path().display()), None).unwrap();
    let built = &layout.images[0];
    assert_eq!(image.info.kind, "oci-dir");
    assert_eq!(
        image.info.manifest_digest.as_ref(),
        Some(&built.manifest_digest)
    );
    assert_eq!(image.info.reference.as_deref(), Some("v1"));
    assert_eq!(image.tags, ["v1"]);
    assert_matches(&image, built, true);
}

#[test]
fn oci_dir_multi_platform() {
    let dir = tempfile::tempdir().unwrap();
    let specs = [
        spec("linux/arm64"),
        spec("linux/amd64"),
        spec("linux/arm/v7"),
    ];
    let layout = write_oci_dir(dir.path(), "latest", &specs).unwrap();
    assert!(layout.index_digest.is_some());
    let input = dir.path().display().to_string();

    let image = open_str(&input, None).unwrap();
    assert_eq!(image.info.reference.as_deref(), Some("latest"));
    assert_matches(&image, &layout.images[1], true);

    let image = open_str(&format!("{input}:latest"), Some("linux/arm/v7")).unwrap();
    assert_matches(&image, &layout.images[2], true);

    let err = open_str(&input, Some("windows/amd64")).unwrap_err();
    assert_eq!(
        err,
        format!(
            "platform windows/amd64 not found in oci-dir {input} \
             (platforms present: linux/arm64, linux/amd64, linux/arm/v7)"
        )
    );
}

#[test]
fn oci_archive_plain_and_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let tar_path = dir.path().join("app.tar");
    let specs = [spec("linux/amd64"), spec("linux/arm64")];
    let layout = write_oci_archive(&tar_path, "2.0", &specs).unwrap();
    let tar = std::fs::read(&tar_path).unwrap();
    std::fs::write(dir.path().join("app.tar.gz"), gzip(&tar)).unwrap();
    std::fs::write(dir.path().join("app.tar.zst"), zstd(&tar)).unwrap();
    for name in ["app.tar", "app.tar.gz", "app.tar.zst"] {
        let input = dir.path().join(name).display().to_string();
        let image = open_str(&input, Some("linux/arm64")).unwrap();
        assert_eq!(image.info.kind, "oci-archive", "{name}");
        assert_eq!(image.info.path.as_deref(), Some(input.as_str()));
        assert_eq!(
            image.info.manifest_digest.as_ref(),
            Some(&layout.images[1].manifest_digest)
        );
        assert_matches(&image, &layout.images[1], true);
    }
}

#[test]
fn docker_archive_from_testkit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.tar");
    let built = write_docker_archive(&path, "app:1.0", &spec("linux/amd64")).unwrap();
    let input = path.display().to_string();
    let image = open_str(&input, None).unwrap();
    assert_eq!(image.info.kind, "docker-archive");
    assert_eq!(image.info.manifest_digest, None);
    assert_eq!(image.tags, ["app:1.0"]);
    assert_matches(&image, &built, false);

    let gz = dir.path().join("app.tar.gz");
    std::fs::write(&gz, gzip(&std::fs::read(&path).unwrap())).unwrap();
    let image = open_str(&format!("docker-archive:{}:app:1.0", gz.display()), None).unwrap();
    assert_matches(&image, &built, false);
}
