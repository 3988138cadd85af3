//! Package cataloguing end to end: images whose layers install, upgrade and remove packages the
//! way apt, apk and distroless builders write their databases, and the provenance sbomgen
//! derives from them.

use sbomgen_model::Platform;
use sbomgen_testkit::{write_oci_dir, Compression, Entry, ImageSpec, LayerSpec};
use serde_json::Value;

use crate::support::{sbomgen, scan_json, shared_fixtures};

/// A dpkg status stanza as apt writes it.
fn stanza(name: &str, version: &str, source: Option<&str>, depends: &str) -> String {
    let mut s = format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 100\n\
         Maintainer: Debian Maintainers <debian@example.org>\nArchitecture: amd64\n"
    );
    if let Some(source) = source {
        s.push_str(&format!("Source: {source}\n"));
    }
    s.push_str(&format!("Version: {version}\n"));
    if !depends.is_empty() {
        s.push_str(&format!("Depends: {depends}\n"));
    }
    s.push_str(&format!(
        "Description: the {name} package\n  with a continuation line\n\n"
    ));
    s
}

fn status(stanzas: &[String]) -> Vec<u8> {
    stanzas.concat().into_bytes()
}

const OS_RELEASE: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

const CURL_COPYRIGHT: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: curl\n\nFiles: *\nCopyright: 1996-2023, Daniel Stenberg\nLicense: curl\n\n\
Files: debian/*\nCopyright: 2023 Debian\nLicense: BSD-3-clause\n\nLicense: curl\n All rights reserved.\n";

/// base + curl; then curl upgraded, libcurl4 and wget installed; then wget removed; then the
/// apt lists and dpkg status "cleaned up" by a later layer that replaces the database.
pub(crate) fn debian_image() -> ImageSpec {
    let base = stanza("base-files", "12.4+deb12u5", None, "");
    let curl_old = stanza(
        "curl",
        "7.88.1-10",
        None,
        "libc6 (>= 2.34), libcurl4 (= 7.88.1-10) | libcurl3",
    );
    let curl_new = stanza(
        "curl",
        "7.88.1-10+deb12u5",
        None,
        "libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u5)",
    );
    let libcurl = stanza("libcurl4", "7.88.1-10+deb12u5", Some("curl"), "libc6");
    let wget = stanza("wget", "1.21.3-1+b2", None, "libc6");
    ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .created_by("ADD rootfs.tar /")
                .entry(Entry::file("usr/lib/os-release", OS_RELEASE))
                .entry(Entry::symlink("etc/os-release", "../usr/lib/os-release"))
                .entry(Entry::file(
                    "var/lib/dpkg/status",
                    status(&[base.clone(), curl_old]),
                ))
                .entry(Entry::file(
                    "var/lib/dpkg/info/curl.list",
                    "/.\n/usr\n/usr/bin\n/usr/bin/curl\n",
                ))
                .entry(Entry::file("usr/share/doc/curl/copyright", CURL_COPYRIGHT)),
        )
        .layer(
            LayerSpec::new(Compression::Zstd)
                .created_by("RUN apt-get install -y curl wget")
                .entry(Entry::file(
                    "var/lib/dpkg/status",
                    status(&[base.clone(), curl_new.clone(), libcurl.clone(), wget]),
                ))
                .entry(Entry::file(
                    "var/lib/dpkg/info/wget.list",
                    "/.\n/usr/bin/wget\n",
                )),
        )
        .layer(
            LayerSpec::new(Compression::None)
                .created_by("RUN apt-get purge -y wget")
                .entry(Entry::file(
                    "var/lib/dpkg/status",
                    status(&[base, curl_new, libcurl]),
                ))
                .entry(Entry::whiteout("var/lib/dpkg/info/wget.list")),
        )
}

fn package<'a>(doc: &'a Value, name: &str, version: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name && p["version"] == version)
        .unwrap_or_else(|| panic!("{name} {version} missing from {:#}", doc["packages"]))
}

fn names_and_layers(doc: &Value) -> Vec<(String, String, Value, Value)> {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["introducedIn"].clone(),
                p["removedIn"].clone(),
            )
        })
        .collect()
}

#[test]
fn dpkg_install_upgrade_remove_provenance() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    write_oci_dir(&layout, "latest", &[debian_image()]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    let null = Value::Null;
    assert_eq!(
        names_and_layers(&doc),
        [
            (
                "base-files".into(),
                "12.4+deb12u5".into(),
                0.into(),
                null.clone()
            ),
            ("curl".into(), "7.88.1-10".into(), 0.into(), 1.into()),
            (
                "curl".into(),
                "7.88.1-10+deb12u5".into(),
                1.into(),
                null.clone()
            ),
            (
                "libcurl4".into(),
                "7.88.1-10+deb12u5".into(),
                1.into(),
                null.clone()
            ),
            ("wget".into(), "1.21.3-1+b2".into(), 1.into(), 2.into()),
        ]
    );
    let old_curl = package(&doc, "curl", "7.88.1-10");
    assert_eq!(old_curl["replacedBy"], "7.88.1-10+deb12u5");
    assert_eq!(
        old_curl["purl"],
        "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"
    );
    assert_eq!(old_curl["files"], 3);
    assert_eq!(
        old_curl["filesPresent"], 0,
        "the list names paths no layer wrote"
    );
    assert_eq!(
        old_curl["dependsOn"],
        serde_json::json!(["libc6", "libcurl4", "libcurl3"])
    );
    assert_eq!(
        old_curl["licenses"],
        serde_json::json!(["curl", "BSD-3-Clause"])
    );
    assert_eq!(
        old_curl["locations"],
        serde_json::json!([{"layerIndex": 0, "path": "var/lib/dpkg/status"}])
    );
    let libcurl = package(&doc, "libcurl4", "7.88.1-10+deb12u5");
    assert_eq!(
        libcurl["purl"],
        "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12&upstream=curl"
    );
    assert_eq!(libcurl["sourceName"], "curl");
    assert_eq!(libcurl["type"], "deb");
    let base = package(&doc, "base-files", "12.4+deb12u5");
    let sightings: Vec<u64> = base["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["layerIndex"].as_u64().unwrap())
        .collect();
    assert_eq!(
        sightings,
        [0, 1, 2],
        "every copy of the database that lists it"
    );

    let squashed = scan_json(&[layout.to_str().unwrap(), "--scope", "squashed"]);
    let names: Vec<(String, String)> = names_and_layers(&squashed)
        .into_iter()
        .map(|p| (p.0, p.1))
        .collect();
    assert_eq!(
        names,
        [
            ("base-files".to_string(), "12.4+deb12u5".to_string()),
            ("curl".into(), "7.88.1-10+deb12u5".into()),
            ("libcurl4".into(), "7.88.1-10+deb12u5".into())
        ]
    );
}

#[test]
fn deleting_the_database_removes_its_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img.oci");
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file(
            "var/lib/dpkg/status",
            status(&[stanza("tzdata", "2024a-0+deb12u1", None, "")]),
        )))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::opaque("var/lib/dpkg")));
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    assert_eq!(
        names_and_layers(&doc),
        [(
            "tzdata".into(),
            "2024a-0+deb12u1".into(),
            0.into(),
            1.into()
        )]
    );
    let squashed = scan_json(&[layout.to_str().unwrap(), "--scope", "squashed"]);
    assert_eq!(squashed["packages"], serde_json::json!([]));
}

/// Deleting the package database hides packages from scanners that only read it, but not
/// their files: sbomgen marks the package removed and says its files are still there.
#[test]
fn deleted_database_with_files_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("img.oci");
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::file(
                    "var/lib/dpkg/status",
                    status(&[stanza("curl", "7.88.1-10", None, "")]),
                ))
                .entry(Entry::file(
                    "var/lib/dpkg/info/curl.list",
                    "/.\n/usr\n/usr/bin\n/usr/bin/curl\n",
                ))
                .entry(Entry::file("usr/bin/curl", "ELF")),
        )
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::whiteout("var/lib/dpkg")));
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    let curl = package(&doc, "curl", "7.88.1-10");
    assert_eq!(
        (&curl["removedIn"], &curl["files"], &curl["filesPresent"]),
        (&1.into(), &3.into(), &1.into())
    );
}

#[test]
fn distroless_status_d_accumulates_across_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("distroless.oci");
    let entry = |name: &str, version: &str| {
        format!("Package: {name}\nVersion: {version}\nArchitecture: amd64\nMaintainer: x\nInstalled-Size: 1\n")
    };
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::file("etc/os-release", OS_RELEASE))
                .entry(Entry::file(
                    "var/lib/dpkg/status.d/base-files",
                    entry("base-files", "12.4"),
                ))
                .entry(Entry::file(
                    "var/lib/dpkg/status.d/base-files.md5sums",
                    "d41d8cd98f00b204e9800998ecf8427e  etc/host.conf\n",
                )),
        )
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file(
            "var/lib/dpkg/status.d/libssl3",
            entry("libssl3", "3.0.11-1~deb12u2"),
        )));
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    assert_eq!(
        names_and_layers(&doc),
        [
            ("base-files".into(), "12.4".into(), 0.into(), Value::Null),
            (
                "libssl3".into(),
                "3.0.11-1~deb12u2".into(),
                1.into(),
                Value::Null
            ),
        ]
    );
    assert_eq!(package(&doc, "base-files", "12.4")["files"], 1);
    assert_eq!(
        package(&doc, "libssl3", "3.0.11-1~deb12u2")["locations"][0]["path"],
        "var/lib/dpkg/status.d/libssl3"
    );
}

#[test]
fn apk_upgrade_in_a_later_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("alpine.oci");
    let apk = |name: &str, version: &str, origin: &str| {
        format!(
            "C:Q1abc=\nP:{name}\nV:{version}\nA:x86_64\nS:100\nI:200\nT:{name} package\nU:https://example.org\nL:MIT\no:{origin}\nm:Maintainer <m@example.org>\nt:1700000000\nc:abcdef\nD:so:libc.musl-x86_64.so.1\nF:usr/lib\nR:lib{name}.so\n\n"
        )
    };
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::file(
                    "etc/os-release",
                    "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n",
                ))
                .entry(Entry::file(
                    "lib/apk/db/installed",
                    format!(
                        "{}{}",
                        apk("musl", "1.2.4_git20230717-r4", "musl"),
                        apk("libcrypto3", "3.1.4-r2", "openssl")
                    ),
                )),
        )
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file(
            "lib/apk/db/installed",
            format!(
                "{}{}",
                apk("musl", "1.2.4_git20230717-r4", "musl"),
                apk("libcrypto3", "3.1.4-r5", "openssl")
            ),
        )));
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    let old = package(&doc, "libcrypto3", "3.1.4-r2");
    assert_eq!(
        (&old["introducedIn"], &old["removedIn"], &old["replacedBy"]),
        (&0.into(), &1.into(), &"3.1.4-r5".into())
    );
    let new = package(&doc, "libcrypto3", "3.1.4-r5");
    assert_eq!(
        new["purl"],
        "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl"
    );
    assert_eq!(new["licenses"], serde_json::json!(["MIT"]));
    assert_eq!(new["files"], 1);
    assert_eq!(
        package(&doc, "musl", "1.2.4_git20230717-r4")["introducedIn"],
        0
    );
}

#[test]
fn table_shows_introduced_and_removed_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    write_oci_dir(&layout, "latest", &[debian_image()]).unwrap();
    let out = sbomgen(&[layout.to_str().unwrap(), "-o", "table"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let wget = text
        .lines()
        .find(|l| l.starts_with("wget"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = wget.split_whitespace().collect();
    assert_eq!(cells, ["wget", "1.21.3-1+b2", "deb", "1", "2"]);
}

#[test]
fn index_only_scan_lists_no_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    write_oci_dir(&layout, "latest", &[debian_image()]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap(), "--catalogers", "none"]);
    assert_eq!(doc["packages"], serde_json::json!([]));
    assert_eq!(doc["distro"]["id"], "debian");
}

/// A real rpm database placed in an image layer, then an empty layer on top.
#[test]
fn rpm_sqlite_database_in_an_image() {
    let Some(fixtures) = shared_fixtures() else {
        return;
    };
    let db =
        std::fs::read(fixtures.join("rpmdb/cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("mariner.oci");
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .entry(Entry::file(
                    "etc/os-release",
                    "ID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n",
                ))
                .entry(Entry::file("var/lib/rpm/rpmdb.sqlite", db)),
        )
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("etc/motd", "hi")));
    write_oci_dir(&layout, "latest", &[spec]).unwrap();
    let doc = scan_json(&[layout.to_str().unwrap()]);
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 129);
    assert!(packages
        .iter()
        .all(|p| p["type"] == "rpm" && p["introducedIn"] == 0 && p["removedIn"].is_null()));
    let curl = package(&doc, "curl", "7.76.0-6.cm2");
    assert_eq!(
        curl["purl"],
        "pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=mariner-2.0&upstream=curl-7.76.0-6.cm2.src.rpm"
    );
    assert_eq!(curl["licenses"], serde_json::json!(["MIT"]));
    let ca = package(&doc, "ca-certificates-shared", "1:2.0.0-1.cm2");
    assert!(ca["purl"].as_str().unwrap().contains("epoch=1"), "{ca}");
}

/// The acceptance check: on a Debian machine, `dir:/` lists exactly the packages dpkg
/// itself considers installed (files on disk: every state but `config-files` and
/// `not-installed`).
#[test]
fn dir_root_matches_dpkg_query() {
    let query = std::process::Command::new("dpkg-query")
        .args([
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n",
        ])
        .output();
    let Some(query) = query.ok().filter(|o| o.status.success()) else {
        eprintln!("skipping: dpkg-query is not available on this machine");
        return;
    };
    let mut expected: Vec<(String, String, String)> = String::from_utf8_lossy(&query.stdout)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let installed = !matches!(
                fields.get(3).copied(),
                Some("config-files" | "not-installed")
            );
            (fields.len() == 4 && installed)
                .then(|| (fields[0].into(), fields[1].into(), fields[2].into()))
        })
        .collect();
    expected.sort();
    let doc = scan_json(&["dir:/", "--catalogers", "dpkg", "--scope", "squashed"]);
    let mut found: Vec<(String, String, String)> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["version"].as_str().unwrap().into(),
                p["arch"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    found.sort();
    assert!(!expected.is_empty());
    assert_eq!(found, expected);
}
