//! Whole-image tests: what a scanner reading these layouts and archives relies on.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::compress::sha256;
use crate::*;

/// Decompresses a layer blob the way a scanner must: every gzip member, every zstd frame.
pub(crate) fn decompress(blob: &[u8], c: Compression) -> Vec<u8> {
    let mut out = Vec::new();
    match c {
        Compression::None => out.extend_from_slice(blob),
        Compression::Gzip | Compression::GzipMultiMember => {
            flate2::read::MultiGzDecoder::new(blob)
                .read_to_end(&mut out)
                .unwrap();
        }
        Compression::Zstd | Compression::ZstdMultiFrame => {
            zstd::Decoder::new(blob)
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
        }
    }
    out
}

/// How many gzip members a blob holds.
pub(crate) fn gzip_members(blob: &[u8]) -> usize {
    let mut rest = blob;
    let mut members = 0;
    while !rest.is_empty() {
        // A bufread GzDecoder stops at the end of one member and leaves the rest unread.
        let mut d = flate2::bufread::GzDecoder::new(rest);
        std::io::copy(&mut d, &mut std::io::sink()).unwrap();
        rest = d.into_inner();
        members += 1;
    }
    members
}

/// Every regular file of a tar archive on disk, by name; directories as empty entries.
fn read_archive(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = tar::Archive::new(fs::File::open(path).unwrap());
    let mut files = BTreeMap::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.insert(name, data);
    }
    files
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

const ALL: [Compression; 5] = [
    Compression::None,
    Compression::Gzip,
    Compression::Zstd,
    Compression::GzipMultiMember,
    Compression::ZstdMultiFrame,
];

fn image(platform: &str) -> ImageSpec {
    let mut spec = ImageSpec::new(platform.parse().unwrap());
    for (i, c) in ALL.into_iter().enumerate() {
        let layer = LayerSpec::new(c)
            .entry(Entry::dir("etc"))
            .entry(Entry::file(
                "etc/os-release",
                format!("ID=test\nLAYER={i}\n"),
            ))
            .entry(Entry::file(
                "usr/lib/big.bin",
                vec![u8::try_from(i).unwrap(); 10_000],
            ));
        spec = spec.layer(if i == 1 {
            layer.created_by("RUN apk add musl")
        } else {
            layer
        });
    }
    spec.empty_history(0, "ENV PATH=/bin")
        .empty_history(2, "WORKDIR /")
        .empty_history(99, "CMD [\"sh\"]")
}

/// Checks a layout's blobs (in `blobs`, by name) against what the builder reported.
fn check_image(blobs: &BTreeMap<String, Vec<u8>>, built: &BuiltImage) {
    for (name, data) in blobs
        .iter()
        .filter(|(n, _)| n.starts_with("blobs/sha256/") && !n.ends_with('/'))
    {
        assert_eq!(sha256(data).hex(), &name["blobs/sha256/".len()..], "{name}");
    }
    let manifest = json(&blobs[&built.manifest_path_in_layout]);
    assert_eq!(manifest["mediaType"], image::MANIFEST);
    assert_eq!(manifest["config"]["digest"], built.config_digest.as_str());
    let config = json(&blobs[&built.config_path_in_layout]);
    let diff_ids = config["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(diff_ids.len(), built.layers.len());
    for ((layer, c), (desc, diff_id)) in built
        .layers
        .iter()
        .zip(ALL)
        .zip(manifest["layers"].as_array().unwrap().iter().zip(diff_ids))
    {
        let blob = &blobs[&layer.archive_name];
        assert_eq!(desc["digest"], layer.digest.as_str());
        assert_eq!(desc["mediaType"], layer.media_type);
        assert_eq!(desc["size"], blob.len() as u64);
        assert_eq!(sha256(&decompress(blob, c)).as_str(), diff_id);
        assert_eq!(diff_id, layer.diff_id.as_str());
        if c == Compression::GzipMultiMember {
            // estargz-like: one member per entry (3) plus one for the end-of-archive blocks.
            assert_eq!(gzip_members(blob), 4);
        }
    }
}

fn read_dir_blobs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let blobs = dir.join("blobs/sha256");
    fs::read_dir(&blobs)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                format!("blobs/sha256/{}", e.file_name().to_str().unwrap()),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn oci_dir_single_image() {
    let dir = tempfile::tempdir().unwrap();
    let layout = write_oci_dir(dir.path(), "v1", &[image("linux/arm/v7")]).unwrap();
    assert_eq!(layout.index_digest, None);
    let built = &layout.images[0];
    check_image(&read_dir_blobs(dir.path()), built);
    assert!(built
        .layers
        .iter()
        .all(|l| l.blob_path == dir.path().join(&l.archive_name)));

    let index = json(&fs::read(dir.path().join("index.json")).unwrap());
    let entry = &index["manifests"].as_array().unwrap()[..];
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0]["digest"], built.manifest_digest.as_str());
    assert_eq!(
        entry[0]["platform"],
        serde_json::json!({"os": "linux", "architecture": "arm", "variant": "v7"})
    );
    assert_eq!(
        entry[0]["annotations"]["org.opencontainers.image.ref.name"],
        "v1"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("oci-layout")).unwrap(),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );

    let config = json(&fs::read(dir.path().join(&built.config_path_in_layout)).unwrap());
    assert_eq!(config["variant"], "v7");
    let history: Vec<(&str, bool)> = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["created_by"].as_str().unwrap(), h["empty_layer"] == true))
        .collect();
    assert_eq!(
        history,
        [
            ("ENV PATH=/bin", true),
            ("layer 0", false),
            ("RUN apk add musl", false),
            ("WORKDIR /", true),
            ("layer 2", false),
            ("layer 3", false),
            ("layer 4", false),
            ("CMD [\"sh\"]", true),
        ]
    );
}

#[test]
fn oci_dir_multi_platform_nests_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let layout = write_oci_dir(
        dir.path(),
        "multi",
        &[image("linux/amd64"), image("linux/arm64")],
    )
    .unwrap();
    let nested_digest = layout.index_digest.clone().unwrap();
    let index = json(&fs::read(dir.path().join("index.json")).unwrap());
    let top = &index["manifests"][0];
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
    assert_eq!(top["mediaType"], image::INDEX);
    assert_eq!(top["digest"], nested_digest.as_str());
    assert_eq!(
        top["annotations"]["org.opencontainers.image.ref.name"],
        "multi"
    );

    let nested =
        json(&fs::read(dir.path().join("blobs/sha256").join(nested_digest.hex())).unwrap());
    let platforms: Vec<(&str, &str)> = nested["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["platform"]["architecture"].as_str().unwrap(),
                m["digest"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str)> = layout
        .images
        .iter()
        .map(|i| (i.platform.architecture.as_str(), i.manifest_digest.as_str()))
        .collect();
    assert_eq!(platforms, expected);
    let blobs = read_dir_blobs(dir.path());
    layout.images.iter().for_each(|i| check_image(&blobs, i));
}

#[test]
fn oci_archive_packs_the_same_layout() {
    let dir = tempfile::tempdir().unwrap();
    let specs = [image("linux/amd64"), image("linux/arm64")];
    let from_dir = write_oci_dir(&dir.path().join("layout"), "t", &specs).unwrap();
    let archive = dir.path().join("image.tar");
    let layout = write_oci_archive(&archive, "t", &specs).unwrap();
    assert_eq!(layout.index_digest, from_dir.index_digest);
    let files = read_archive(&archive);
    assert_eq!(
        files["index.json"],
        fs::read(dir.path().join("layout/index.json")).unwrap()
    );
    assert!(files.contains_key("oci-layout") && files.contains_key("blobs/sha256/"));
    for image in &layout.images {
        check_image(&files, image);
        assert!(image
            .layers
            .iter()
            .all(|l| l.blob_path == Path::new(&l.archive_name)));
    }
}

#[test]
fn docker_archive_lists_layers_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save.tar");
    let spec = image("linux/amd64");
    let built = write_docker_archive(&path, "example/app:1.0", &spec).unwrap();
    let files = read_archive(&path);
    let manifest = json(&files["manifest.json"]);
    assert_eq!(sha256(&files["manifest.json"]), built.manifest_digest);
    let entry = &manifest[0];
    assert_eq!(entry["RepoTags"], serde_json::json!(["example/app:1.0"]));
    assert_eq!(
        entry["Config"],
        format!("{}.json", built.config_digest.hex())
    );
    let config = json(&files[entry["Config"].as_str().unwrap()]);
    assert_eq!(
        sha256(&files[&built.config_path_in_layout]),
        built.config_digest
    );
    let layers = entry["Layers"].as_array().unwrap();
    assert_eq!(layers.len(), spec.layers.len());
    for (i, ((name, layer), c)) in layers.iter().zip(&built.layers).zip(ALL).enumerate() {
        assert_eq!(name, &format!("{i}/layer.tar"));
        let blob = &files[name.as_str().unwrap()];
        assert_eq!(sha256(blob), layer.digest);
        assert_eq!(
            sha256(&decompress(blob, c)).as_str(),
            config["rootfs"]["diff_ids"][i]
        );
        assert!(layer.media_type.is_empty());
    }
    let untagged = dir.path().join("untagged.tar");
    write_docker_archive(&untagged, "", &spec).unwrap();
    assert_eq!(
        json(&read_archive(&untagged)["manifest.json"])[0]["RepoTags"],
        serde_json::json!([])
    );
}

#[test]
fn same_spec_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let specs = [image("linux/amd64"), image("linux/arm/v6")];
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    assert_eq!(
        write_oci_archive(&a, "t", &specs).unwrap(),
        write_oci_archive(&b, "t", &specs).unwrap()
    );
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let (a, b) = (dir.path().join("a.docker"), dir.path().join("b.docker"));
    assert_eq!(
        write_docker_archive(&a, "t", &specs[0]).unwrap(),
        write_docker_archive(&b, "t", &specs[0]).unwrap()
    );
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
}

#[test]
fn from_dir_layers_build_into_images() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir(src.path().join("lib")).unwrap();
    fs::write(src.path().join("lib/libc.so"), vec![1u8; 100_000]).unwrap();
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(LayerSpec::from_dir(
        src.path(),
        "usr",
        u64::MAX,
        Compression::ZstdMultiFrame,
    ));
    let out = tempfile::tempdir().unwrap();
    let layout = write_oci_dir(out.path(), "big", &[spec]).unwrap();
    let layer = &layout.images[0].layers[0];
    let tar = decompress(
        &fs::read(&layer.blob_path).unwrap(),
        Compression::ZstdMultiFrame,
    );
    assert_eq!(sha256(&tar), layer.diff_id);
    let mut archive = tar::Archive::new(&tar[..]);
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| String::from_utf8(e.unwrap().path_bytes().into_owned()).unwrap())
        .collect();
    assert_eq!(names, ["usr/", "usr/lib/", "usr/lib/libc.so"]);
}

#[test]
fn an_empty_image_list_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = write_oci_dir(dir.path(), "t", &[]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
