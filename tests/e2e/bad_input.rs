//! Bad input: each case exits 1 with a message naming the input and the problem, never panics,
//! and leaves no output file behind.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use sbomgen_model::{Digest, Platform};
use sbomgen_testkit::{
    sha256, write_oci_dir, BuiltImage, Compression, Entry, ImageSpec, LayerSpec,
};
use serde_json::Value;
use sha2::Digest as _;

use crate::support::{failure, sbomgen};

fn one_layer(compression: Compression) -> ImageSpec {
    ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
        LayerSpec::new(compression)
            .entry(Entry::file("etc/os-release", "ID=test\n"))
            .entry(Entry::file(
                "data",
                (0..100_000u32)
                    .map(|i| (i % 251) as u8)
                    .collect::<Vec<u8>>(),
            )),
    )
}

fn build(dir: &Path, compression: Compression) -> BuiltImage {
    write_oci_dir(dir, "latest", &[one_layer(compression)])
        .unwrap()
        .images
        .remove(0)
}

fn blob(dir: &Path, digest: &Digest) -> std::path::PathBuf {
    dir.join("blobs/sha256").join(digest.hex())
}

/// Scans `layout` writing JSON to a file, expects failure, checks the file was not created, and
/// returns stderr.
fn fails_without_output(layout: &Path) -> String {
    let out_file = layout.parent().unwrap().join("out.json");
    let err = failure(&[
        "scan",
        layout.to_str().unwrap(),
        "-o",
        &format!("json={}", out_file.display()),
    ]);
    assert!(
        !out_file.exists(),
        "a failed run must not leave {}",
        out_file.display()
    );
    err
}

/// Replaces the image manifest by `edit(manifest)`, re-pointing index.json at the new blob.
fn rewrite_manifest(layout: &Path, image: &BuiltImage, edit: impl FnOnce(&mut Value)) {
    let mut manifest: Value =
        serde_json::from_slice(&fs::read(blob(layout, &image.manifest_digest)).unwrap()).unwrap();
    edit(&mut manifest);
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let digest = sha256(&bytes);
    fs::write(blob(layout, &digest), &bytes).unwrap();
    let index_path = layout.join("index.json");
    let mut index: Value = serde_json::from_slice(&fs::read(&index_path).unwrap()).unwrap();
    index["manifests"][0]["digest"] = Value::from(digest.as_str());
    index["manifests"][0]["size"] = Value::from(bytes.len());
    fs::write(index_path, serde_json::to_vec(&index).unwrap()).unwrap();
}

#[test]
fn truncated_gzip_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::Gzip);
    let path = blob(&layout, &image.layers[0].digest);
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails_without_output(&layout);
    assert!(
        err.contains("layer 0") && err.contains(image.layers[0].digest.as_str()),
        "{err}"
    );
}

#[test]
fn digest_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::None);
    let path = blob(&layout, &image.layers[0].digest);
    let mut bytes = fs::read(&path).unwrap();
    let last_data = bytes.len() - 2048;
    bytes[last_data] ^= 0xff; // inside the file data, so the tar stays well formed
    fs::write(&path, &bytes).unwrap();
    let err = fails_without_output(&layout);
    assert!(
        err.contains("digest mismatch") && err.contains(image.layers[0].digest.as_str()),
        "{err}"
    );
}

#[test]
fn diff_id_mismatch() {
    // Re-compressing a layer changes nothing in the tar; tampering with the tar does.
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::None);
    let other = tmp.path().join("other");
    let tampered = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(LayerSpec::new(Compression::None).entry(Entry::file("etc/os-release", "ID=evil\n")));
    let other_image = write_oci_dir(&other, "latest", &[tampered])
        .unwrap()
        .images
        .remove(0);
    let new_layer = &other_image.layers[0];
    fs::copy(
        blob(&other, &new_layer.digest),
        blob(&layout, &new_layer.digest),
    )
    .unwrap();
    rewrite_manifest(&layout, &image, |m| {
        m["layers"][0]["digest"] = Value::from(new_layer.digest.as_str());
        m["layers"][0]["size"] = Value::from(new_layer.size);
    });
    let err = fails_without_output(&layout);
    assert!(
        err.contains("diff_id mismatch") && err.contains(image.layers[0].diff_id.as_str()),
        "{err}"
    );
}

#[test]
fn blob_missing_from_the_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::Zstd);
    fs::remove_file(blob(&layout, &image.layers[0].digest)).unwrap();
    let err = fails_without_output(&layout);
    assert!(err.contains(image.layers[0].digest.hex()), "{err}");
}

#[test]
fn tar_entry_escaping_the_root_is_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
        LayerSpec::new(Compression::Gzip)
            .entry(Entry::raw_file(
                "../../../../etc/cron.d/evil",
                "* * * * * root sh",
            ))
            .entry(Entry::file("ok", "1")),
    );
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let out = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: layer 0") && stderr.contains("escapes the image root"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["layers"][0]["added"], 1);
}

#[test]
fn malformed_manifest_json() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::Gzip);
    let bytes = b"{\"schemaVersion\": 2, \"layers\": [";
    let digest = sha256(bytes);
    fs::write(blob(&layout, &digest), bytes).unwrap();
    let index_path = layout.join("index.json");
    let index = fs::read_to_string(&index_path)
        .unwrap()
        .replace(image.manifest_digest.as_str(), digest.as_str());
    let mut index: Value = serde_json::from_str(&index).unwrap();
    index["manifests"][0]["size"] = Value::from(bytes.len());
    fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let err = fails_without_output(&layout);
    assert!(
        err.contains(digest.hex()) || err.contains("manifest"),
        "{err}"
    );
}

#[test]
fn malformed_index_json() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    build(&layout, Compression::Gzip);
    fs::write(layout.join("index.json"), "not json").unwrap();
    let err = fails_without_output(&layout);
    assert!(err.contains("index.json"), "{err}");
}

#[test]
fn unsupported_layer_media_type() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img");
    let image = build(&layout, Compression::Gzip);
    rewrite_manifest(&layout, &image, |m| {
        m["layers"][0]["mediaType"] = Value::from("application/vnd.oci.image.layer.v1.tar+bzip2");
    });
    let err = fails_without_output(&layout);
    assert!(
        err.contains("tar+bzip2") && err.contains("layer 0"),
        "{err}"
    );
}

#[test]
fn nonexistent_path_and_unknown_scheme() {
    let err = failure(&["scan", "/nonexistent/image.tar"]);
    assert!(err.contains("/nonexistent/image.tar"), "{err}");
    // `ftp:something` would be the image docker.io/library/ftp:something, like `alpine:3.20`.
    let err = failure(&["scan", "ftp://example/x"]);
    assert!(err.contains("unknown source scheme \"ftp\""), "{err}");
    let err = failure(&["scan", "./no/such/app.tar:v1"]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn unreachable_registry_names_the_reference() {
    // Port 1 on loopback: nothing listens, and nothing leaves the machine.
    for source in [
        "registry:127.0.0.1:1/nothing:tag",
        "127.0.0.1:1/nothing:tag",
    ] {
        let err = failure(&["scan", source, "--no-cache"]);
        assert!(
            err.contains("cannot reach registry 127.0.0.1:1 for 127.0.0.1:1/nothing:tag"),
            "{err}"
        );
    }
}

#[test]
fn rootfs_tar_is_not_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("rootfs.tar");
    fs::write(
        &path,
        sbomgen_testkit::layer_tar(
            &LayerSpec::new(Compression::None).entry(Entry::file("README.md", "x")),
        ),
    )
    .unwrap();
    let err = failure(&["scan", path.to_str().unwrap()]);
    assert!(err.contains("rootfs.tar"), "{err}");
}

#[test]
fn unknown_output_format_is_a_usage_error() {
    let out = sbomgen(&["scan", ".", "-o", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown output format"));
}

/// Malformed language metadata costs a warning naming the layer and the file, never the scan:
/// the good packages beside it are still listed.
#[test]
fn malformed_language_metadata_is_a_warning_not_a_failure() {
    let site = "usr/lib/python3/dist-packages";
    let modules = "srv/app/node_modules";
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7).to_le_bytes()[0]).collect();
    let long_line = format!(
        "{{\"name\": \"huge\", \"version\": \"1.0.0\", \"description\": \"{}\"}}",
        "x".repeat(10 << 20)
    );
    let image = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
        LayerSpec::new(Compression::Gzip)
            .entry(Entry::file(
                &format!("{site}/good-1.0.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: good\nVersion: 1.0\n",
            ))
            .entry(Entry::file(
                &format!("{site}/broken-1.0.dist-info/METADATA"),
                garbage.clone(),
            ))
            .entry(Entry::file(
                &format!("{modules}/ok/package.json"),
                r#"{"name":"ok","version":"2.0.0","license":{"type":"MIT"}}"#,
            ))
            .entry(Entry::file(&format!("{modules}/bin/package.json"), garbage))
            .entry(Entry::file(
                &format!("{modules}/huge/package.json"),
                long_line,
            ))
            .entry(Entry::file(
                &format!("{modules}/cut/package.json"),
                r#"{"name":"cut","vers"#,
            ))
            .entry(Entry::file(
                "vendor/composer/installed.json",
                r#"{"packages": [{"name": "a/b", "version": "1.0", "license": {"x": 1}}, 7]}"#,
            ))
            .entry(Entry::file(
                "usr/lib/ruby/gems/3.1.0/specifications/x-1.gemspec",
                "Gem::Specification.new do |s|\n  s.name = \"x\n",
            )),
    );
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), "latest", &[image]).unwrap();
    let out = sbomgen(&["scan", dir.path().to_str().unwrap(), "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for file in [
        format!("{site}/broken-1.0.dist-info/METADATA"),
        format!("{modules}/bin/package.json"),
        format!("{modules}/cut/package.json"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains("layer 0") && l.contains(&file)),
            "no warning naming layer 0 and {file}: {stderr}"
        );
    }
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["good", "ok", "huge", "a/b"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

#[test]
fn absurd_job_counts_are_clamped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), Compression::Gzip);
    let image = dir.path().to_str().unwrap();
    let baseline = sbomgen(&["scan", image, "-o", "json"]);
    assert!(baseline.status.success());
    for jobs in ["0", "5000", "100000"] {
        let out = sbomgen(&["scan", image, "-j", jobs, "-o", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "-j {jobs}: {stderr}");
        assert_eq!(
            out.stdout, baseline.stdout,
            "-j {jobs} changes nothing found"
        );
        let clamped = stderr.contains(&format!(
            "-j {jobs} is more than {} parallel layer reads",
            sbomgen_scan::MAX_JOBS
        ));
        assert_eq!(clamped, jobs != "0", "-j {jobs}: {stderr}");
    }
}

/// An index of `fan_out` entries, each pointing at the blob `target` (of `media_type`).
fn fan_out_index(fan_out: usize, target: &[u8], media_type: &str, names: bool) -> Value {
    let digest = sha256(target);
    let entries: Vec<Value> = (0..fan_out)
        .map(|k| {
            let mut entry = serde_json::json!({
                "mediaType": media_type,
                "digest": digest.as_str(),
                "size": target.len(),
            });
            if names {
                entry["annotations"] =
                    serde_json::json!({"org.opencontainers.image.ref.name": format!("tag{k}")});
            }
            entry
        })
        .collect();
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    })
}

/// Stores `bytes` as a blob of `layout`; returns its digest and size, as descriptors name them.
fn put_blob(layout: &Path, bytes: &[u8]) -> (String, usize) {
    let digest = sha256(bytes);
    fs::write(blob(layout, &digest), bytes).unwrap();
    (digest.as_str().to_string(), bytes.len())
}

#[test]
fn an_index_tree_that_multiplies_is_refused_by_its_entry_budget() {
    const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let image = build(&layout, Compression::Gzip);
    // index.json → A → B → C → the real manifest, 30 entries at each level: 810,000 paths.
    let manifest = fs::read(blob(&layout, &image.manifest_digest)).unwrap();
    let manifest_type = "application/vnd.oci.image.manifest.v1+json";
    let c = serde_json::to_vec(&fan_out_index(30, &manifest, manifest_type, false)).unwrap();
    let b = serde_json::to_vec(&fan_out_index(30, &c, INDEX, false)).unwrap();
    let a = serde_json::to_vec(&fan_out_index(30, &b, INDEX, false)).unwrap();
    for level in [&c, &b, &a] {
        put_blob(&layout, level);
    }
    let top = fan_out_index(30, &a, INDEX, false);
    fs::write(layout.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    let err = fails_without_output(&layout);
    assert!(err.contains("more than 4096 entries"), "{err}");

    // 20,000 tags of one manifest (4 MB of index.json): refused by the same budget, with a
    // short message.
    let wide = fan_out_index(20_000, &manifest, manifest_type, true);
    fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&wide).unwrap(),
    )
    .unwrap();
    let err = fails_without_output(&layout);
    assert!(
        err.contains("more than 4096 entries") && err.len() < 1000,
        "{err}"
    );
}

#[test]
fn a_missing_reference_lists_a_bounded_number_of_names() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let image = build(&layout, Compression::Gzip);
    let manifest = fs::read(blob(&layout, &image.manifest_digest)).unwrap();
    let manifest_type = "application/vnd.oci.image.manifest.v1+json";
    let wide = fan_out_index(4000, &manifest, manifest_type, true);
    fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&wide).unwrap(),
    )
    .unwrap();
    let reference = format!("{}:nope", layout.display());
    let err = failure(&["scan", &format!("oci-dir:{reference}"), "-o", "json"]);
    assert!(
        err.contains("not found") && err.contains("and 3980 more"),
        "{err}"
    );
    assert!(err.len() < 2000, "{} bytes of error", err.len());
}

#[test]
fn a_blob_symlinked_out_of_the_layout_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let image = build(&layout, Compression::Gzip);
    let secret = dir.path().join("host-secret");
    fs::write(&secret, "TOP-SECRET host file bytes\n".repeat(100)).unwrap();
    let layer = blob(&layout, &image.layers[0].digest);
    fs::remove_file(&layer).unwrap();
    std::os::unix::fs::symlink(&secret, &layer).unwrap();
    let err = fails_without_output(&layout);
    assert!(err.contains("not a regular file inside it"), "{err}");
    assert!(!err.contains("TOP-SECRET"), "{err}");

    // A symlink to a blob inside the layout is followed (some tools deduplicate that way).
    fs::remove_file(&layer).unwrap();
    let copy = layout.join("blobs/copy-of-layer");
    let fresh = tempfile::tempdir().unwrap();
    let rebuilt = build(fresh.path(), Compression::Gzip);
    fs::copy(blob(fresh.path(), &rebuilt.layers[0].digest), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, &layer).unwrap();
    let out = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Puts `bytes` in the layout as layer 0's blob under `digest` (any algorithm).
fn replace_layer(layout: &Path, image: &BuiltImage, digest: &str, bytes: &[u8]) {
    let (algorithm, hex) = digest.split_once(':').unwrap();
    let dir = layout.join("blobs").join(algorithm);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(hex), bytes).unwrap();
    let (digest, size) = (digest.to_string(), bytes.len());
    rewrite_manifest(layout, image, |manifest| {
        manifest["layers"][0]["digest"] = Value::from(digest);
        manifest["layers"][0]["size"] = Value::from(size);
    });
}

#[test]
fn bzip2_and_xz_layers_are_named_as_unsupported() {
    for (name, head) in [
        ("bzip2", &b"BZh91AY&SY\x01\x02\x03"[..]),
        ("xz", &[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("layout");
        let image = build(&layout, Compression::Gzip);
        let mut bytes = head.to_vec();
        bytes.resize(4096, 0x5a);
        let digest = sha256(&bytes);
        replace_layer(&layout, &image, digest.as_str(), &bytes);
        let err = fails_without_output(&layout);
        assert!(
            err.contains(&format!("unsupported layer compression: {name}")),
            "{err}"
        );
    }
}

#[test]
fn a_sha512_layer_digest_is_named_as_unsupported_not_as_a_mismatch() {
    use sha2::Sha512;
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let image = build(&layout, Compression::Gzip);
    let bytes = fs::read(blob(&layout, &image.layers[0].digest)).unwrap();
    let digest = Digest::sha512_from_bytes(&Sha512::digest(&bytes).into());
    replace_layer(&layout, &image, digest.as_str(), &bytes);
    let err = fails_without_output(&layout);
    assert!(err.contains("unsupported digest algorithm"), "{err}");
    assert!(err.contains("sha512:"), "{err}");
    assert!(!err.contains("mismatch"), "{err}");
}

/// An OCI layout whose only layer is `tar`, uncompressed, with a matching diff_id.
fn raw_layer_image(dir: &Path, tar: &[u8]) -> std::path::PathBuf {
    raw_layers_image(dir, &[tar])
}

/// An OCI layout of the uncompressed layers `tars`, with matching diff_ids.
fn raw_layers_image(dir: &Path, tars: &[&[u8]]) -> std::path::PathBuf {
    let layout = dir.join("layout");
    fs::create_dir_all(layout.join("blobs/sha256")).unwrap();
    let put = |bytes: &[u8]| put_blob(&layout, bytes);
    let layers: Vec<(String, usize)> = tars.iter().map(|tar| put(tar)).collect();
    let diff_ids: Vec<&str> = layers.iter().map(|(d, _)| d.as_str()).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let (config, config_size) = put(&serde_json::to_vec(&config).unwrap());
    let descriptors: Vec<Value> = layers
        .iter()
        .map(|(digest, size)| {
            serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                               "digest": digest, "size": size})
        })
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config, "size": config_size},
        "layers": descriptors,
    });
    let (manifest, manifest_size) = put(&serde_json::to_vec(&manifest).unwrap());
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest, "size": manifest_size}],
    });
    fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
    fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    layout
}

fn tar_header(name: &str, kind: u8, size: u64) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::new(kind));
    header.set_cksum();
    header.as_bytes().to_vec()
}

fn padded(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.resize(bytes.len().div_ceil(512) * 512, 0);
    bytes
}

#[test]
fn a_long_name_record_declaring_gigabytes_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // A GNU long-name header declaring 4 GiB, followed by a little of it.
    let mut tar = tar_header("././@LongLink", b'L', 4 << 30);
    tar.extend(vec![b'a'; 64 << 10]);
    let layout = raw_layer_image(dir.path(), &tar);
    let err = fails_without_output(&layout);
    assert!(
        err.contains(
            "tar long-name or extended-header record size (limit 1048576; raise it with --limit extension-header=N)"
        ),
        "{err}"
    );
}

#[test]
fn a_megabyte_long_name_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a/".repeat(500_000) + "f";
    let mut tar = Vec::new();
    for (name, content) in [(long.as_str(), &b"x"[..]), ("etc/ok", &b"ok"[..])] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        let mut builder = tar::Builder::new(Vec::new());
        builder.append_data(&mut header, name, content).unwrap();
        let bytes = builder.into_inner().unwrap();
        tar.extend_from_slice(&bytes[..bytes.len() - 1024]);
    }
    tar.extend(vec![0u8; 1024]);
    let layout = raw_layer_image(dir.path(), &tar);
    let out = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("its name is 1000001 bytes, above the 4096-byte limit: skipped"),
        "{stderr}"
    );
    assert!(stderr.len() < 1000, "the name is not quoted whole");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["layers"][0]["added"], 1, "etc/ok is indexed: {doc}");
}

#[test]
fn an_entry_after_the_end_of_archive_marker_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = tar_header("etc/visible", b'0', 2);
    tar.extend(padded(b"ok".to_vec()));
    tar.extend(vec![0u8; 1024]);
    let end = tar.len();
    tar.extend(tar_header("etc/hidden", b'0', 2));
    tar.extend(padded(b"no".to_vec()));
    tar.extend(vec![0u8; 1024]);
    let layout = raw_layer_image(dir.path(), &tar);
    let out = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "a tar entry at byte {end} follows the end-of-archive marker"
        )),
        "{stderr}"
    );
}

#[test]
fn limits_name_their_flag_and_the_flag_moves_them() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), Compression::Gzip);
    let image = dir.path().to_str().unwrap();
    let err = failure(&[
        "scan",
        image,
        "--limit",
        "entries-per-layer=1",
        "-o",
        "json",
    ]);
    assert!(
        err.contains("raise it with --limit entries-per-layer=N"),
        "{err}"
    );
    let out = sbomgen(&[
        "scan",
        image,
        "--limit",
        "entries-per-layer=1K",
        "-o",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown limit is a usage error, found before the image is read.
    let out = sbomgen(&["scan", image, "--limit", "entries=1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown limit \"entries\""), "{err}");
}

/// The same kept file in many layers: each layer is within its own allowance, the image is not.
#[test]
fn image_wide_limits_count_every_layer() {
    let dir = tempfile::tempdir().unwrap();
    let status = "Package: a\nStatus: install ok installed\nVersion: 1\n\n".repeat(1000);
    let mut spec = ImageSpec::new(Platform::new("linux", "amd64", None));
    for _ in 0..25 {
        spec = spec.layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::file("var/lib/dpkg/status", status.clone())),
        );
    }
    write_oci_dir(dir.path(), "latest", &[spec]).unwrap();
    let image = dir.path().to_str().unwrap();
    // 25 copies of 50 kB: over a 1 MB image allowance, within a 100 kB layer one.
    let err = failure(&[
        "scan",
        image,
        "--limit",
        "captured-per-image=1M",
        "--limit",
        "captured-per-layer=100K",
        "-o",
        "json",
    ]);
    assert!(err.contains("bytes kept from all layers reach"), "{err}");
    assert!(
        err.contains("raise it with --limit captured-per-image=N"),
        "{err}"
    );
    let err = failure(&[
        "scan",
        image,
        "--limit",
        "entries-per-image=20",
        "-o",
        "json",
    ]);
    assert!(
        err.contains("raise it with --limit entries-per-image=N"),
        "{err}"
    );
    let err = failure(&[
        "scan",
        image,
        "--limit",
        "layers-per-image=24",
        "-o",
        "json",
    ]);
    assert!(
        err.contains(
            "the image has 25 layers (limit 24; raise it with --limit layers-per-image=N)"
        ),
        "{err}"
    );
    let out = sbomgen(&["scan", image, "-o", "json"]);
    assert!(out.status.success(), "within the defaults");
}

#[test]
fn a_database_listing_too_many_packages_is_refused_with_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let status = (0..300).fold(String::new(), |mut s, i| {
        let _ = write!(
            s,
            "Package: p{i}\nStatus: install ok installed\nVersion: 1.{i}\n\n"
        );
        s
    });
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("var/lib/dpkg/status", status)));
    write_oci_dir(dir.path(), "latest", &[spec]).unwrap();
    let image = dir.path().to_str().unwrap();
    let err = failure(&["scan", image, "--limit", "packages-per-database=299"]);
    assert!(
        err.contains("the dpkg databases list 300 packages (limit 299; raise it with --limit packages-per-database=N)"),
        "{err}"
    );
    let out = sbomgen(&[
        "scan",
        image,
        "--limit",
        "packages-per-database=300",
        "-o",
        "json",
    ]);
    assert!(out.status.success());
}

/// Names are bytes: a whiteout of `x\xff` must not delete the file `x\xfe`, though both are
/// the same text once invalid bytes become U+FFFD.
#[test]
fn names_that_are_not_utf8_are_compared_as_bytes() {
    let entry = |name: &[u8], kind: u8| {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_size(2 * u64::from(kind == b'0'));
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::new(kind));
        header.set_cksum();
        let mut bytes = header.as_bytes().to_vec();
        if kind == b'0' {
            bytes.extend(padded(b"hi".to_vec()));
        }
        bytes
    };
    let mut lower = entry(b"x\xfe", b'0');
    lower.extend(entry(b"kept", b'0'));
    lower.extend(vec![0u8; 1024]);
    let mut upper = entry(b".wh.x\xff", b'0');
    upper.extend(entry(b".wh.kept", b'0'));
    upper.extend(vec![0u8; 1024]);
    let dir = tempfile::tempdir().unwrap();
    let layout = raw_layers_image(dir.path(), &[&lower, &upper]);
    let out = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Only `kept` is deleted (and hidden); the file `x\xfe` survives the unrelated whiteout.
    assert_eq!(doc["layers"][1]["deleted"], 1, "{}", doc["layers"]);
    let hidden: Vec<&str> = doc["hiddenFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert_eq!(hidden, ["kept"]);
}

/// The opaque-root row of the hostile table, small: every layer makes the root opaque. Each
/// layer's root removal deletes exactly what the layer below left visible.
#[test]
fn an_opaque_root_in_every_layer_deletes_each_life_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = LayerSpec::new(Compression::Gzip);
    for i in 0..2000 {
        base = base.entry(Entry::file(&format!("d{}/f{i}", i % 20), "x"));
    }
    let mut spec = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(base);
    for l in 1..200 {
        spec = spec.layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::opaque(""))
                .entry(Entry::file(&format!("top{l}"), "y")),
        );
    }
    write_oci_dir(dir.path(), "latest", &[spec]).unwrap();
    let out = sbomgen(&["scan", dir.path().to_str().unwrap(), "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let deleted: Vec<u64> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["deleted"].as_u64().unwrap())
        .collect();
    // Layer 1 removes the 2,000 files (the testkit writes no directory entries); each later
    // one the single file its predecessor added.
    assert_eq!(deleted[1], 2000);
    assert!(deleted[2..].iter().all(|d| *d == 1), "{deleted:?}");
    assert_eq!(doc["hiddenFiles"].as_array().unwrap().len(), 2000 + 198);
}

/// The rewrite-per-layer row, small: every layer rewrites the dpkg database, alternating one
/// package's version. Identical rewrites change nothing; each alternation ends one life.
#[test]
fn a_database_rewritten_in_every_layer_tracks_each_life() {
    let dir = tempfile::tempdir().unwrap();
    let status = |l: usize| {
        (0..200).fold(String::new(), |mut s, i| {
            let version = if i == 0 && l % 2 == 1 { "2.0" } else { "1.0" };
            let _ = write!(
                s,
                "Package: p{i}\nStatus: install ok installed\nVersion: {version}\n\n"
            );
            s
        })
    };
    let mut spec = ImageSpec::new(Platform::new("linux", "amd64", None));
    for l in 0..40 {
        spec = spec.layer(
            LayerSpec::new(Compression::Gzip).entry(Entry::file("var/lib/dpkg/status", status(l))),
        );
    }
    write_oci_dir(dir.path(), "latest", &[spec]).unwrap();
    let out = sbomgen(&["scan", dir.path().to_str().unwrap(), "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let lives = |version: &str| {
        packages
            .iter()
            .filter(|p| p["name"] == "p0" && p["version"] == version)
            .count()
    };
    // p0 1.0 lives in layers 0, 2, 4, …, 38 (20 lives), 2.0 in 1, 3, …, 39 (20 lives).
    assert_eq!((lives("1.0"), lives("2.0")), (20, 20));
    let p1 = packages.iter().find(|p| p["name"] == "p1").unwrap();
    assert_eq!(p1["introducedIn"], 0);
    assert!(p1["removedIn"].is_null());
    assert_eq!(
        p1["locations"].as_array().unwrap().len(),
        40,
        "seen in every layer"
    );
    assert_eq!(packages.len(), 199 + 40);
}

/// Nothing else bounds a source that never delivers (here a FIFO nobody writes; in the wild a
/// registry trickling bytes within its per-request timeout): the wall-clock budget does.
#[test]
fn a_scan_past_its_time_budget_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stalled.tar");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = dir.path().join("sbom.json");
    let started = std::time::Instant::now();
    let err = failure(&[
        "scan",
        &format!("oci-archive:{}", fifo.display()),
        "--timeout",
        "1s",
        "-o",
        &format!("json={}", out.display()),
    ]);
    assert!(
        err.contains("the scan took longer than its time budget of 1s"),
        "{err}"
    );
    assert!(err.contains("--timeout"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("stalled.tar")]);
    let usage = sbomgen(&["scan", ".", "--timeout", "soon"]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a bad duration is a usage error"
    );
}
