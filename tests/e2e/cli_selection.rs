//! Selecting what is scanned and naming it: `--platform` shorthands, `--source-name` and
//! `--source-version`, `--exclude`, `rootfs-archive:` sources and archives on standard input.

use std::io::Write;
use std::process::{Command, Stdio};

use sbomgen_model::Platform;
use sbomgen_testkit::{write_oci_archive, write_oci_dir, Compression, Entry, ImageSpec, LayerSpec};
use serde_json::Value;

use crate::support::{failure, run_ok, sbomgen};

const SITE: &str = "usr/lib/python3/dist-packages";

/// A Debian-like layer with one dpkg package and one Python distribution.
fn rootfs_layer(compression: Compression) -> LayerSpec {
    LayerSpec::new(compression)
        .entry(Entry::file(
            "etc/os-release",
            "ID=debian\nVERSION_ID=\"12\"\n",
        ))
        .entry(Entry::file(
            "var/lib/dpkg/status",
            "Package: nano\nStatus: install ok installed\nVersion: 7.2-1\nArchitecture: amd64\n\n",
        ))
        .entry(Entry::file(
            &format!("{SITE}/requests-2.31.0.dist-info/METADATA"),
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n",
        ))
        .entry(Entry::file("usr/share/doc/nano/copyright", "GPL\n"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("stdout is JSON")
}

fn package_names(doc: &Value) -> Vec<String> {
    let mut names: Vec<String> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["type"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

fn has_path(doc: &Value, path: &str) -> bool {
    doc.to_string().contains(path)
}

#[test]
fn platform_shorthands_pick_from_an_index_and_nonsense_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("multi.oci");
    let image = |arch: &str, variant| {
        ImageSpec::new(Platform::new("linux", arch, variant))
            .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("arch", arch)))
    };
    write_oci_dir(
        &layout,
        "latest",
        &[image("arm64", Some("v8")), image("amd64", None)],
    )
    .unwrap();
    let path = layout.to_str().unwrap();
    for (given, chosen) in [
        ("arm64", "linux/arm64/v8"),
        ("aarch64", "linux/arm64/v8"),
        ("amd64", "linux/amd64"),
        ("linux", "linux/amd64"),
    ] {
        let doc = json(&run_ok(&[path, "--platform", given, "-o", "json", "-q"]));
        assert_eq!(doc["source"]["platform"], chosen, "--platform {given}");
    }
    let out = sbomgen(&[path, "--platform", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"x\""));
    let err = failure(&[path, "--platform", "s390x"]);
    assert!(err.contains("linux/s390x not found"), "{err}");
}

#[test]
fn source_name_and_version_name_the_image_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("app.tar");
    write_oci_archive(
        &archive,
        "v1",
        &[ImageSpec::new(Platform::new("linux", "amd64", None))
            .layer(rootfs_layer(Compression::Gzip))],
    )
    .unwrap();
    let path = archive.to_str().unwrap();
    let named = [
        "--source-name",
        "shop/api",
        "--source-version",
        "2.4.0",
        "-q",
    ];
    let with = |format: &str| {
        let mut args = vec![path, "-o", format];
        args.extend(named);
        json(&run_ok(&args))
    };

    let cdx = with("cyclonedx-json");
    let image = &cdx["metadata"]["component"];
    assert_eq!(
        (&image["name"], &image["version"]),
        (&"shop/api".into(), &"2.4.0".into())
    );

    let spdx = with("spdx-json");
    let image = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "CONTAINER")
        .expect("an image package");
    assert_eq!(image["name"], "shop/api");
    assert_eq!(image["versionInfo"], "2.4.0");
    assert!(
        spdx["name"].as_str().unwrap().contains("shop"),
        "{}",
        spdx["name"]
    );

    let native = with("json");
    assert_eq!(native["source"]["name"], "shop/api");
    assert_eq!(native["source"]["version"], "2.4.0");

    // Without the flags the image keeps its derived name, and the fields are not written.
    let plain = json(&run_ok(&[path, "-o", "json", "-q"]));
    assert!(plain["source"].get("name").is_none());
    let cdx = json(&run_ok(&[path, "-o", "cyclonedx-json", "-q"]));
    let image = &cdx["metadata"]["component"];
    assert_ne!(image["name"], "shop/api");
    assert_ne!(image["version"], "2.4.0");
}

#[test]
fn exclude_leaves_paths_and_their_packages_out() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("app.tar");
    write_oci_archive(
        &archive,
        "v1",
        &[ImageSpec::new(Platform::new("linux", "amd64", None))
            .layer(rootfs_layer(Compression::Zstd))],
    )
    .unwrap();
    let path = archive.to_str().unwrap();
    let all = json(&run_ok(&[path, "-o", "json", "-q"]));
    assert_eq!(package_names(&all), ["deb:nano", "pypi:requests"]);
    let added = |doc: &Value| doc["layers"][0]["added"].as_u64().unwrap();

    let no_dpkg = json(&run_ok(&[
        path,
        "--exclude",
        "var/lib/dpkg/**",
        "-o",
        "json",
        "-q",
    ]));
    assert_eq!(package_names(&no_dpkg), ["pypi:requests"]);

    let no_python = json(&run_ok(&[
        path,
        "--exclude",
        &format!("./{SITE}"),
        "--exclude",
        "/usr/share/doc/**",
        "-o",
        "json",
        "-q",
    ]));
    assert_eq!(package_names(&no_python), ["deb:nano"]);
    assert!(
        added(&no_python) < added(&all),
        "excluded paths leave the index"
    );
    let table = String::from_utf8(run_ok(&[path, "--exclude", "**/METADATA", "-q"])).unwrap();
    assert!(!table.contains("requests"), "{table}");

    let out = sbomgen(&[path, "--exclude", "a/[b"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an invalid glob is a usage error"
    );
}

#[test]
fn rootfs_archive_is_one_layer_and_auto_detection_points_at_it() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("rootfs.tar.gz");
    std::fs::write(
        &tarball,
        sbomgen_testkit::layer_tar(&rootfs_layer(Compression::Gzip)),
    )
    .unwrap();
    let given = format!("rootfs-archive:{}", tarball.display());
    let doc = json(&run_ok(&[&given, "-o", "json", "-q"]));
    assert_eq!(doc["source"]["type"], "rootfs-archive");
    assert_eq!(doc["layers"].as_array().unwrap().len(), 1);
    assert_eq!(package_names(&doc), ["deb:nano", "pypi:requests"]);
    assert!(has_path(&doc, "debian"));

    let err = failure(&[tarball.to_str().unwrap()]);
    assert!(err.contains(&format!("use {given}")), "{err}");
    let err = failure(&["rootfs-archive:/no/such/rootfs.tar"]);
    assert!(err.contains("/no/such/rootfs.tar"), "{err}");
}

fn piped(args: &[&str], input: &[u8]) -> std::process::Output {
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
        .args(args)
        .env("XDG_CACHE_HOME", cache.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Written from a thread: the binary reads all of it before writing anything.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn archives_on_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("app.tar");
    write_oci_archive(
        &archive,
        "v1",
        &[ImageSpec::new(Platform::new("linux", "amd64", None))
            .layer(rootfs_layer(Compression::Gzip))],
    )
    .unwrap();
    let bytes = std::fs::read(&archive).unwrap();
    let from_file = json(&run_ok(&[
        archive.to_str().unwrap(),
        "-o",
        "spdx-json",
        "-q",
    ]));
    let out = piped(&["-", "-o", "json", "-q"], &bytes);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    assert_eq!(doc["source"]["type"], "oci-archive");
    assert_eq!(doc["source"]["path"], "-");
    assert_eq!(package_names(&doc), ["deb:nano", "pypi:requests"]);
    // The same image, so the same document identity, wherever it was read from.
    let spdx = json(&piped(&["-", "-o", "spdx-json", "-q"], &bytes).stdout);
    assert_eq!(spdx["documentNamespace"], from_file["documentNamespace"]);

    let rootfs = sbomgen_testkit::layer_tar(&rootfs_layer(Compression::Zstd));
    let out = piped(&["rootfs-archive:-", "-o", "json", "-q"], &rootfs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        package_names(&json(&out.stdout)),
        ["deb:nano", "pypi:requests"]
    );
    // Twice the same bytes, twice the same document (no temporary file name leaks in).
    let again = piped(&["rootfs-archive:-", "-o", "json", "-q"], &rootfs);
    assert_eq!(out.stdout, again.stdout);

    let out = piped(&["-"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input is empty"));
}
