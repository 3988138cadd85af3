//! Real third-party images from `/work/shared/fixtures/images` (dive's and trivy's test data).
//! Each test skips, with a message, when the fixtures folder is absent.

use std::io::Read;
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use sbomgen_model::{Digest, Platform};
use sbomgen_source::{open, Image, LayerContent, LayerSource, OpenOptions, SourceSpec};

fn fixture(rel: &str) -> Option<PathBuf> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures"
    ));
    if !root.is_dir() {
        eprintln!("skipping: fixtures folder {} is absent", root.display());
        return None;
    }
    Some(root.join("images").join(rel))
}

fn open_str(input: &str, platform: Option<&str>) -> Result<Image, String> {
    let spec = SourceSpec::parse(input).map_err(|e| e.to_string())?;
    let options = OpenOptions {
        platform: platform.map(|p| p.parse().unwrap()),
        ..OpenOptions::default()
    };
    open(&spec, &options).map_err(|e| e.to_string())
}

fn sha256_of(layer: &LayerSource) -> Digest {
    let LayerContent::Blob(blob) = &layer.content else {
        panic!("layer {} is not a blob", layer.index);
    };
    let mut reader = blob.open().unwrap();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Digest::sha256_from_bytes(&hasher.finalize().into())
}

/// Reads every layer on its own thread, as the layer crate does with rayon.
fn parallel_digests(image: &Image) -> Vec<Digest> {
    std::thread::scope(|s| {
        let handles: Vec<_> = image
            .layers
            .iter()
            .map(|l| s.spawn(move || sha256_of(l)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn d(s: &str) -> Digest {
    s.parse().unwrap()
}

#[test]
fn legacy_docker_archive() {
    let Some(path) = fixture("dive/test-docker-image.tar") else {
        return;
    };
    let input = path.display().to_string();
    assert_eq!(SourceSpec::parse(&input).unwrap().kind(), "docker-archive");
    let image = open_str(&input, None).unwrap();
    assert_eq!(image.info.kind, "docker-archive");
    assert_eq!(image.info.path.as_deref(), Some(input.as_str()));
    assert_eq!(image.info.reference.as_deref(), Some("dive-test:latest"));
    assert_eq!(image.info.manifest_digest, None);
    assert_eq!(
        image.info.config_digest,
        Some(d(
            "sha256:75ae28b8ebf89b203319069ddcbecdf5c3838503bbebc0d0d85e4b8589c5de3a"
        ))
    );
    assert_eq!(
        image.info.platform,
        Some(Platform::new("linux", "amd64", None))
    );
    assert_eq!(image.tags, ["dive-test:latest"]);
    assert_eq!(
        image.created.as_deref(),
        Some("2018-12-28T20:44:23.030424642Z")
    );
    assert_eq!(image.layers.len(), 14);
    let first = &image.layers[0];
    assert_eq!(first.digest, None);
    assert_eq!(first.media_type, None);
    assert_eq!(first.size, Some(1_369_600));
    assert!(first
        .created_by
        .as_deref()
        .unwrap()
        .contains("ADD file:ce026b62"));
    // The CMD entry is an empty layer, so layer 1 is the ADD of /somefile.txt.
    assert!(image.layers[1]
        .created_by
        .as_deref()
        .unwrap()
        .contains("in /somefile.txt"));
    assert_eq!(
        image.layers[13].created_by.as_deref(),
        Some("/bin/sh -c chmod +x /root/saved.txt")
    );
    // Uncompressed layers: the blob's digest is its diff_id.
    let digests = parallel_digests(&image);
    for (layer, digest) in image.layers.iter().zip(&digests) {
        assert_eq!(
            Some(digest),
            layer.diff_id.as_ref(),
            "layer {}",
            layer.index
        );
    }
    let LayerContent::Blob(blob) = &first.content else {
        panic!()
    };
    assert!(
        blob.describe().contains("28cfe03618aa"),
        "{}",
        blob.describe()
    );
}

#[test]
fn legacy_docker_archive_by_tag() {
    let Some(path) = fixture("dive/test-docker-image.tar") else {
        return;
    };
    let p = path.display();
    let image = open_str(&format!("docker-archive:{p}:dive-test:latest"), None).unwrap();
    assert_eq!(image.info.reference.as_deref(), Some("dive-test:latest"));
    let err = open_str(&format!("docker-archive:{p}:dive-test:nope"), None).unwrap_err();
    assert_eq!(
        err,
        format!(
            "reference \"dive-test:nope\" not found in docker-archive {p} \
             (available: dive-test:latest)"
        )
    );
    let err = open_str(&input_of(&path), Some("linux/arm64")).unwrap_err();
    assert!(err.contains("platforms present: linux/amd64"), "{err}");
}

fn input_of(path: &std::path::Path) -> String {
    path.display().to_string()
}

#[test]
fn kaniko_docker_archive_with_gzip_layers() {
    let Some(path) = fixture("dive/test-kaniko-image.tar") else {
        return;
    };
    let image = open_str(&input_of(&path), None).unwrap();
    assert_eq!(image.info.kind, "docker-archive");
    assert_eq!(image.tags, ["dive-test:kaniko-latest"]);
    assert_eq!(
        image.info.config_digest,
        Some(d(
            "sha256:ae16a51058a758c7963b2f9b23d1acfa201ce9cbefc8cb93845f8cd934fb144d"
        ))
    );
    assert_eq!(image.layers.len(), 14);
    assert_eq!(
        image.layers[0].digest,
        Some(d(
            "sha256:5c4213be9af904dd74649d250f22023f532b2f9179ffcb15260b5eaa10d7a3b4"
        ))
    );
    assert_eq!(image.layers[0].size, Some(764_655));
    assert_eq!(
        image.layers[1].created_by.as_deref(),
        Some("ADD README.md /somefile.txt")
    );
    // Layer files are named by the digest of their (gzip) bytes.
    let digests = parallel_digests(&image);
    for (layer, digest) in image.layers.iter().zip(&digests) {
        assert_eq!(Some(digest), layer.digest.as_ref(), "layer {}", layer.index);
    }
}

#[test]
fn oci_archives_in_every_compression() {
    let diff_id = d("sha256:356d5e7f4012d87cb1078ac1f480e90528eec4940ce45c50380321436db38758");
    let config = d("sha256:3eaccc100f866490f00ae82727b459a737af031dcf44c791d8aa714a70f24959");
    for (file, media_type, size) in [
        (
            "uncompressed",
            "application/vnd.oci.image.layer.v1.tar",
            12800,
        ),
        ("gzip", "application/vnd.oci.image.layer.v1.tar+gzip", 4132),
        ("zstd", "application/vnd.oci.image.layer.v1.tar+zstd", 4314),
        (
            "estargz",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            4496,
        ),
    ] {
        let Some(path) = fixture(&format!("dive/test-oci-{file}-image.tar")) else {
            return;
        };
        let input = input_of(&path);
        assert_eq!(SourceSpec::parse(&input).unwrap().kind(), "oci-archive");
        let image = open_str(&input, None).unwrap();
        assert_eq!(image.info.kind, "oci-archive", "{file}");
        assert_eq!(
            image.info.platform,
            Some(Platform::new("linux", "arm64", None))
        );
        assert!(image.info.manifest_digest.is_some());
        if file != "estargz" {
            assert_eq!(image.info.config_digest.as_ref(), Some(&config), "{file}");
            assert_eq!(image.layers[0].diff_id.as_ref(), Some(&diff_id), "{file}");
        }
        assert_eq!(image.info.reference, None);
        assert_eq!(
            image.created.as_deref(),
            Some("2025-01-26T22:54:00.500849935+01:00")
        );
        let [layer] = image.layers.as_slice() else {
            panic!("{file}: {} layers", image.layers.len());
        };
        assert_eq!(layer.media_type.as_deref(), Some(media_type), "{file}");
        assert_eq!(layer.size, Some(size), "{file}");
        assert_eq!(
            layer.created_by.as_deref(),
            Some("COPY README.md /README.md # buildkit")
        );
        assert_eq!(Some(sha256_of(layer)), layer.digest, "{file}");
        if file == "uncompressed" {
            assert_eq!(layer.digest, layer.diff_id);
        }

        // An explicit scheme gives the same image; the arm64 variant rule applies.
        let explicit = open_str(&format!("oci-archive:{input}"), Some("linux/arm64/v8")).unwrap();
        assert_eq!(explicit.info.manifest_digest, image.info.manifest_digest);
        let err = open_str(&input, Some("linux/amd64")).unwrap_err();
        assert_eq!(
            err,
            format!(
                "platform linux/amd64 not found in oci-archive {input} \
                 (platforms present: linux/arm64)"
            )
        );
    }
}

#[test]
fn gzip_compressed_docker_archive() {
    let Some(path) = fixture("trivy/alpine-310.tar.gz") else {
        return;
    };
    let input = input_of(&path);
    assert_eq!(SourceSpec::parse(&input).unwrap().kind(), "docker-archive");
    let image = open_str(&input, None).unwrap();
    assert_eq!(image.tags, ["alpine:3.10"]);
    assert_eq!(
        image.info.platform,
        Some(Platform::new("linux", "amd64", None))
    );
    assert_eq!(
        image.info.config_digest,
        Some(d(
            "sha256:af341ccd2df8b0e2d67cf8dd32e087bfda4e5756ebd1c76bbf3efa0dc246590e"
        ))
    );
    let [layer] = image.layers.as_slice() else {
        panic!("{} layers", image.layers.len());
    };
    assert_eq!(layer.size, Some(5_818_880));
    assert_eq!(
        layer.diff_id,
        Some(d(
            "sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028"
        ))
    );
    // Read twice: each open decompresses the archive again from its start.
    assert_eq!(Some(sha256_of(layer)), layer.diff_id);
    assert_eq!(Some(sha256_of(layer)), layer.diff_id);
    let by_tag = open_str(&format!("{input}:alpine:3.10"), None).unwrap();
    assert_eq!(by_tag.info.reference.as_deref(), Some("alpine:3.10"));
}

#[test]
fn plain_rootfs_tars_are_rejected() {
    for alg in ["uncompressed", "gzip", "zstd", "estargz"] {
        let Some(path) = fixture(&format!("dive/test-{alg}-image.tar")) else {
            return;
        };
        let input = input_of(&path);
        let err = SourceSpec::parse(&input).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{input} is not an image archive: neither oci-layout nor manifest.json found \
                 (for a root filesystem tarball, use rootfs-archive:{input})"
            )
        );
        // Forcing a kind gives a clear message too.
        let err = open_str(&format!("oci-archive:{input}"), None).unwrap_err();
        assert_eq!(err, format!("index.json not found in oci-archive {input}"));
        let err = open_str(&format!("docker-archive:{input}"), None).unwrap_err();
        assert_eq!(
            err,
            format!("manifest.json not found in docker-archive {input}")
        );
    }
}
