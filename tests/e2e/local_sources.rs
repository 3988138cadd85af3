//! Every local source kind on images the testkit builds: whiteouts, opaque directories, hard and
//! symbolic links, a file modified later, each compression, all three archive forms, and a
//! two-platform index.

use sbomgen_model::Platform;
use sbomgen_testkit::{
    write_docker_archive, write_oci_archive, write_oci_dir, Compression, Entry, ImageSpec,
    LayerSpec,
};

use crate::support::{failure, hidden_paths, layer_field, sbomgen, scan_json};

pub(crate) fn linux(arch: &str) -> Platform {
    Platform::new("linux", arch, None)
}

/// A small Debian-like image whose upper layers delete, hide and rewrite what lower ones wrote.
pub(crate) fn layered_image(platform: Platform) -> ImageSpec {
    ImageSpec::new(platform)
        .layer(
            LayerSpec::new(Compression::Gzip)
                .created_by("ADD rootfs.tar /")
                .entry(Entry::dir("etc"))
                .entry(Entry::dir("usr"))
                .entry(Entry::dir("usr/lib"))
                .entry(Entry::file(
                    "usr/lib/os-release",
                    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
                ))
                .entry(Entry::symlink("etc/os-release", "../usr/lib/os-release"))
                .entry(Entry::dir("var"))
                .entry(Entry::dir("var/cache"))
                .entry(Entry::file("var/cache/a.bin", vec![1u8; 300]))
                .entry(Entry::file("var/cache/b.bin", vec![2u8; 200]))
                .entry(Entry::file("etc/motd", "hello\n")),
        )
        .empty_history(1, "ENV SECRET_DIR=/app")
        .layer(
            LayerSpec::new(Compression::Zstd)
                .created_by("COPY .env id_rsa /app/")
                .entry(Entry::dir("app"))
                .entry(Entry::file("app/.env", "TOKEN=hunter2\n"))
                .entry(Entry::file("app/id_rsa", vec![b'k'; 1679]))
                .entry(Entry::hardlink("app/id_rsa.bak", "app/id_rsa")),
        )
        .layer(
            LayerSpec::new(Compression::None)
                .created_by("RUN rm /app/.env /app/id_rsa && rm -rf /var/cache/* && echo bye > /etc/motd")
                .entry(Entry::whiteout("app/.env"))
                .entry(Entry::whiteout("app/id_rsa"))
                .entry(Entry::opaque("var/cache"))
                .entry(Entry::file("etc/motd", "bye\n")),
        )
        .empty_history(3, "CMD [\"/bin/sh\"]")
}

fn expected_hidden() -> Vec<(String, u64, u64)> {
    vec![
        ("app/.env".into(), 1, 2),
        ("app/id_rsa".into(), 1, 2),
        ("var/cache/a.bin".into(), 0, 2),
        ("var/cache/b.bin".into(), 0, 2),
    ]
}

#[test]
fn oci_dir_scan_reports_layers_history_and_hidden_files() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("app.oci");
    let built = write_oci_dir(&layout, "latest", &[layered_image(linux("amd64"))]).unwrap();
    let image = &built.images[0];
    let doc = scan_json(&["scan", layout.to_str().unwrap()]);

    assert_eq!(doc["source"]["type"], "oci-dir");
    assert_eq!(
        doc["source"]["manifestDigest"],
        image.manifest_digest.as_str()
    );
    assert_eq!(doc["source"]["configDigest"], image.config_digest.as_str());
    assert_eq!(doc["source"]["platform"], "linux/amd64");
    assert_eq!(doc["distro"]["id"], "debian");
    assert_eq!(doc["distro"]["versionId"], "12");
    assert_eq!(
        doc["distro"]["prettyName"],
        "Debian GNU/Linux 12 (bookworm)"
    );

    let digests: Vec<&str> = image.layers.iter().map(|l| l.digest.as_str()).collect();
    let diff_ids: Vec<&str> = image.layers.iter().map(|l| l.diff_id.as_str()).collect();
    assert_eq!(layer_field(&doc, "digest"), digests);
    assert_eq!(layer_field(&doc, "diffId"), diff_ids);
    assert_eq!(
        layer_field(&doc, "mediaType"),
        [
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.oci.image.layer.v1.tar"
        ]
    );
    // Empty-layer history entries (ENV, CMD) must not shift the attribution.
    assert_eq!(
        layer_field(&doc, "createdBy"),
        [
            "ADD rootfs.tar /",
            "COPY .env id_rsa /app/",
            "RUN rm /app/.env /app/id_rsa && rm -rf /var/cache/* && echo bye > /etc/motd"
        ]
    );
    assert_eq!(layer_field(&doc, "added"), [10, 4, 0]);
    assert_eq!(layer_field(&doc, "modified"), [0, 0, 1]);
    assert_eq!(layer_field(&doc, "deleted"), [0, 0, 4]);
    assert_eq!(hidden_paths(&doc), expected_hidden());
    assert_eq!(doc["hiddenFiles"][1]["size"], 1679);
    assert_eq!(doc["packages"], serde_json::json!([]));
}

#[test]
fn the_three_archive_forms_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = layered_image(linux("amd64"));
    let oci_dir = tmp.path().join("img.oci");
    let oci_tar = tmp.path().join("img-oci.tar");
    let docker_tar = tmp.path().join("img-docker.tar");
    write_oci_dir(&oci_dir, "v1", std::slice::from_ref(&spec)).unwrap();
    write_oci_archive(&oci_tar, "v1", std::slice::from_ref(&spec)).unwrap();
    let docker = write_docker_archive(&docker_tar, "example/app:v1", &spec).unwrap();

    let from_dir = scan_json(&[oci_dir.to_str().unwrap()]);
    let from_oci_tar = scan_json(&[&format!("oci-archive:{}", oci_tar.display())]);
    let from_docker = scan_json(&[docker_tar.to_str().unwrap()]);
    assert_eq!(from_oci_tar["source"]["type"], "oci-archive");
    assert_eq!(from_docker["source"]["type"], "docker-archive");
    assert_eq!(
        from_docker["source"]["configDigest"],
        docker.config_digest.as_str()
    );
    assert_eq!(
        from_docker["source"]["manifestDigest"],
        serde_json::Value::Null
    );
    for doc in [&from_oci_tar, &from_docker] {
        assert_eq!(layer_field(doc, "diffId"), layer_field(&from_dir, "diffId"));
        assert_eq!(layer_field(doc, "added"), layer_field(&from_dir, "added"));
        assert_eq!(
            layer_field(doc, "createdBy"),
            layer_field(&from_dir, "createdBy")
        );
        assert_eq!(hidden_paths(doc), expected_hidden());
        assert_eq!(doc["distro"], from_dir["distro"]);
    }
    assert_eq!(
        from_oci_tar["source"]["manifestDigest"],
        from_dir["source"]["manifestDigest"]
    );
}

#[test]
fn multi_member_gzip_and_chunked_zstd_layers_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("chunked.oci");
    let spec = ImageSpec::new(linux("amd64"))
        .layer(
            LayerSpec::new(Compression::GzipMultiMember)
                .entry(Entry::file("a", "1"))
                .entry(Entry::file("b", "2")),
        )
        .layer(
            LayerSpec::new(Compression::ZstdMultiFrame)
                .entry(Entry::file("c", "3"))
                .entry(Entry::whiteout("a")),
        );
    let built = write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    let diff_ids: Vec<&str> = built.images[0]
        .layers
        .iter()
        .map(|l| l.diff_id.as_str())
        .collect();
    assert_eq!(layer_field(&doc, "diffId"), diff_ids);
    assert_eq!(hidden_paths(&doc), [("a".to_string(), 0, 1)]);
}

#[test]
fn two_platform_index_picks_default_requested_or_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("multi.oci");
    let amd = ImageSpec::new(linux("amd64"))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("arch", "amd64")));
    let arm = ImageSpec::new(Platform::new("linux", "arm64", Some("v8")))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("arch", "arm64")));
    let built = write_oci_dir(&layout, "latest", &[arm, amd]).unwrap();
    let path = layout.to_str().unwrap();

    let default = scan_json(&[path]);
    assert_eq!(default["source"]["platform"], "linux/amd64");
    assert_eq!(
        default["source"]["manifestDigest"],
        built.images[1].manifest_digest.as_str()
    );

    let arm = scan_json(&[path, "--platform", "linux/arm64"]);
    assert_eq!(arm["source"]["platform"], "linux/arm64/v8");
    assert_eq!(
        arm["source"]["manifestDigest"],
        built.images[0].manifest_digest.as_str()
    );

    let err = failure(&[path, "--platform", "linux/s390x", "-o", "json"]);
    assert!(
        err.contains("linux/s390x") && err.contains("linux/amd64") && err.contains("linux/arm64"),
        "{err}"
    );

    let docker_tar = tmp.path().join("arm-docker.tar");
    let arm_only = ImageSpec::new(linux("arm64"))
        .layer(LayerSpec::new(Compression::None).entry(Entry::file("x", "1")));
    write_docker_archive(&docker_tar, "a:b", &arm_only).unwrap();
    let err = failure(&[
        &format!("docker-archive:{}", docker_tar.display()),
        "--platform",
        "linux/amd64",
    ]);
    assert!(err.contains("linux/arm64"), "{err}");
}

#[test]
fn dir_source_is_one_layer_without_digests() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("etc")).unwrap();
    std::fs::write(
        tmp.path().join("etc/os-release"),
        "ID=alpine\nVERSION_ID=3.20.1\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("etc/.wh.ignored"),
        "a plain file in a directory",
    )
    .unwrap();
    let doc = scan_json(&[&format!("dir:{}", tmp.path().display())]);
    assert_eq!(doc["source"]["type"], "dir");
    assert_eq!(doc["distro"]["id"], "alpine");
    assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
    assert_eq!(doc["layers"][0]["digest"], serde_json::Value::Null);
    assert_eq!(doc["layers"][0]["added"], 3);
    // A directory has no whiteouts: nothing is hidden.
    assert_eq!(doc["hiddenFiles"], serde_json::json!([]));
    // Auto-detection: a plain directory is a dir source.
    let auto = scan_json(&[tmp.path().to_str().unwrap()]);
    assert_eq!(auto["source"]["type"], "dir");
}

#[test]
fn several_outputs_in_one_run_and_byte_identical_reruns() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("app.oci");
    write_oci_dir(&layout, "latest", &[layered_image(linux("amd64"))]).unwrap();
    let json_a = tmp.path().join("a.json");
    let table = tmp.path().join("a.txt");
    let out = sbomgen(&[
        "scan",
        layout.to_str().unwrap(),
        "-o",
        &format!("json={}", json_a.display()),
        "-o",
        &format!("table={}", table.display()),
        "-o",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read(&json_a).unwrap();
    assert_eq!(
        first, out.stdout,
        "file and stdout outputs are the same document"
    );
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(
        text.contains("Hidden files") && text.contains("app/id_rsa"),
        "{text}"
    );
    assert!(text.contains("COPY .env id_rsa /app/"), "{text}");

    let again = sbomgen(&["scan", layout.to_str().unwrap(), "-o", "json"]);
    assert_eq!(again.stdout, first, "two runs give byte-identical JSON");
    // No temporary files are left beside the outputs.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".sbomgen-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn table_is_the_default_output() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("app.oci");
    write_oci_dir(&layout, "latest", &[layered_image(linux("amd64"))]).unwrap();
    let out = sbomgen(&[layout.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("LAYER") && text.contains("Debian GNU/Linux 12 (bookworm)"),
        "{text}"
    );
}

/// Regression: `-o json=/dev/null` once renamed a temporary file over /dev/null, turning the
/// device into a regular file for the whole machine. Devices and FIFOs are written in place;
/// a symlink to a file stays a symlink.
#[test]
fn outputs_to_fifos_and_symlinks_keep_what_they_are() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("app.oci");
    write_oci_dir(&layout, "latest", &[layered_image(linux("amd64"))]).unwrap();

    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || std::fs::read(reader_path).unwrap());
        let out = sbomgen(&[
            layout.to_str().unwrap(),
            "-o",
            &format!("json={}", fifo.display()),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let received = reader.join().unwrap();
        assert!(
            received.starts_with(b"{"),
            "the FIFO's reader got the document"
        );
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
    } else {
        eprintln!("skipping the FIFO half: mkfifo is not available");
    }

    let real = tmp.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = tmp.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = sbomgen(&[
        layout.to_str().unwrap(),
        "-o",
        &format!("json={}", link.display()),
    ]);
    assert!(out.status.success());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read(&real).unwrap().starts_with(b"{"));

    let err = crate::support::failure(&[
        layout.to_str().unwrap(),
        "-o",
        &format!("json={}", tmp.path().display()),
    ]);
    assert!(err.contains("is a directory"), "{err}");
}
