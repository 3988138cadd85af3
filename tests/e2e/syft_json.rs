//! syft-json end to end, on images whose later layers remove packages (the demo, the packages
//! test's debian image, and the language and binaries fixtures when they can be built):
//! the artifacts are exactly the final filesystem's packages, located in the layer that
//! introduced them; the documents satisfy Syft's schema (checked by
//! `scripts/validate_documents.py`, here and on every kept copy in CI); `convert` round-trips
//! them byte for byte, removed packages included; two runs write the same bytes; and the real
//! Syft (`$SBOMGEN_SYFT`, else `syft` on `PATH`) reads back the same packages with their
//! `layerID`s. Without Syft that test skips with a message, and fails under CI.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::consumers::syft_convert;
use crate::support::run_ok;

/// An image to scan: a label for messages, its path, and the extra scan arguments.
struct Image {
    label: &'static str,
    path: String,
    args: &'static [&'static str],
}

/// The demo and debian images always; the language fixtures when they can be built.
fn images(tmp: &Path) -> Vec<Image> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(sbomgen_testkit::DEMO_FILE);
    let debian = tmp.join("debian.oci");
    sbomgen_testkit::write_oci_dir(&debian, "1.0", &[crate::packages::debian_image()]).unwrap();
    let mut out = vec![
        Image {
            label: "demo",
            path: demo.display().to_string(),
            args: &[],
        },
        Image {
            label: "debian",
            path: debian.display().to_string(),
            args: &[],
        },
    ];
    let fixtures = [
        (
            "python-npm",
            sbomgen_testkit::langfix::python_npm_image as fn() -> _,
        ),
        ("binaries", sbomgen_testkit::langfix::binaries_image),
    ];
    for (label, make) in fixtures {
        if let Some(fixture) = make() {
            out.push(Image {
                label,
                path: fixture.oci_path().to_string(),
                args: &["--declared"],
            });
        }
    }
    out
}

/// One scan of `image` to native JSON and syft-json, both kept in `dir`.
struct Scan {
    native: Value,
    native_bytes: Vec<u8>,
    syft_path: PathBuf,
    syft_bytes: Vec<u8>,
    syft: Value,
}

fn scan(image: &Image, dir: &Path) -> Scan {
    let native_path = dir.join(format!("{}.json", image.label));
    let syft_path = dir.join(format!("{}.syft.json", image.label));
    let native_arg = format!("json={}", native_path.display());
    let syft_arg = format!("syft-json={}", syft_path.display());
    let mut args = vec![
        image.path.as_str(),
        "-q",
        "-o",
        &native_arg,
        "-o",
        &syft_arg,
    ];
    args.extend(image.args);
    run_ok(&args);
    let native_bytes = std::fs::read(&native_path).unwrap();
    let syft_bytes = std::fs::read(&syft_path).unwrap();
    keep_for_validators(image, &syft_bytes);
    Scan {
        native: serde_json::from_slice(&native_bytes).unwrap(),
        native_bytes,
        syft: serde_json::from_slice(&syft_bytes).expect("syft-json is JSON"),
        syft_path,
        syft_bytes,
    }
}

/// Copies the document to `$SBOMGEN_VALIDATION_DIR`, where CI's validators check it.
fn keep_for_validators(image: &Image, bytes: &[u8]) {
    let Some(root) = std::env::var_os("SBOMGEN_VALIDATION_DIR") else {
        return;
    };
    let what = format!("syft-json\0{}\0{}", image.path, image.args.join("\0"));
    let head: [u8; 8] = Sha256::digest(what.as_bytes())[..8].try_into().unwrap();
    let name = format!("{:016x}", u64::from_be_bytes(head));
    let dir = Path::new(&root).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{}.syft.json", image.label)), bytes).unwrap();
    let args = format!("{} {} -o syft-json", image.path, image.args.join(" "));
    std::fs::write(dir.join("args.txt"), args).unwrap();
}

/// The first line where two documents differ, for failure messages.
fn first_difference(got: &[u8], want: &[u8]) -> String {
    let (got, want) = (String::from_utf8_lossy(got), String::from_utf8_lossy(want));
    got.lines()
        .zip(want.lines())
        .enumerate()
        .find(|(_, (g, w))| g != w)
        .map_or("one is a prefix of the other".into(), |(n, (g, w))| {
            format!("line {}: got {g:?}, want {w:?}", n + 1)
        })
}

fn array(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
}

/// The native packages of the final filesystem (not removed by a later layer).
fn installed(native: &Value) -> Vec<&Value> {
    array(&native["packages"])
        .iter()
        .filter(|p| p["removedIn"].is_null())
        .collect()
}

/// (name, version, purl) of packages or artifacts, sorted.
fn identities<'a>(items: impl IntoIterator<Item = &'a Value>) -> Vec<[String; 3]> {
    let mut set: Vec<[String; 3]> = items
        .into_iter()
        .map(|p| ["name", "version", "purl"].map(|k| p[k].as_str().unwrap_or("").to_string()))
        .collect();
    set.sort();
    set
}

/// (name, version, type, purl, [(path, layerID)]) of each artifact: what Syft must read back.
fn located(doc: &Value) -> BTreeSet<String> {
    array(&doc["artifacts"])
        .iter()
        .map(|a| {
            let locations: Vec<String> = array(&a["locations"])
                .iter()
                .map(|l| format!("{}@{}", l["path"], l["layerID"]))
                .collect();
            format!(
                "{} {} {} {} {locations:?}",
                a["name"], a["version"], a["type"], a["purl"]
            )
        })
        .collect()
}

#[test]
fn artifacts_are_the_final_filesystem_in_their_introducing_layers() {
    let tmp = tempfile::tempdir().unwrap();
    for image in images(tmp.path()) {
        let Scan { native, syft, .. } = scan(&image, tmp.path());
        let label = image.label;
        let final_packages = installed(&native);
        assert_eq!(
            identities(array(&syft["artifacts"])),
            identities(final_packages.iter().copied()),
            "{label}: artifacts are exactly the packages not removed"
        );
        let removed = array(&native["packages"]).len() - final_packages.len();
        let kept = &syft["descriptor"]["configuration"]["sbomgen"]["removedPackages"];
        assert_eq!(
            array(kept).len(),
            removed,
            "{label}: removed packages kept aside"
        );
        let diff_ids: Vec<&Value> = array(&native["layers"])
            .iter()
            .map(|l| &l["diffId"])
            .collect();
        let source_layers: Vec<&Value> = array(&syft["source"]["metadata"]["layers"])
            .iter()
            .map(|l| &l["digest"])
            .collect();
        assert_eq!(source_layers, diff_ids, "{label}: source layers by diff_id");
        for (artifact, package) in array(&syft["artifacts"]).iter().zip(&final_packages) {
            assert_eq!(artifact["name"], package["name"], "{label}: native order");
            let introduced = usize::try_from(package["introducedIn"].as_u64().unwrap()).unwrap();
            for location in array(&artifact["locations"]) {
                assert_eq!(
                    &location["layerID"], diff_ids[introduced],
                    "{label}: {} is located in the layer that introduced it",
                    artifact["name"]
                );
            }
            assert!(
                !array(&artifact["locations"]).is_empty(),
                "{label}: {artifact}"
            );
        }
        assert_eq!(syft["distro"]["id"], native["distro"]["id"], "{label}");
        assert_eq!(syft["schema"]["version"], "16.0.18");
        assert_eq!(syft["descriptor"]["name"], "sbomgen");
    }
}

#[test]
fn demo_keeps_removed_packages_out_of_the_artifacts() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = images(tmp.path()).swap_remove(0);
    let Scan { syft, .. } = scan(&demo, tmp.path());
    let names: Vec<&str> = array(&syft["artifacts"])
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["base-files", "libssl3"],
        "curl was purged in layer 2"
    );
    let removed: Vec<(&Value, &Value)> =
        array(&syft["descriptor"]["configuration"]["sbomgen"]["removedPackages"])
            .iter()
            .map(|p| (&p["name"], &p["removedIn"]))
            .collect();
    assert_eq!(
        removed,
        [(&"curl".into(), &2.into()), (&"libssl3".into(), &2.into())]
    );
}

#[test]
fn convert_round_trips_syft_json_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    for image in images(tmp.path()) {
        let scanned = scan(&image, tmp.path());
        let syft_path = scanned.syft_path.to_str().unwrap();
        let back = run_ok(&["convert", syft_path, "-o", "json"]);
        assert!(
            back == scanned.native_bytes,
            "{}: syft-json → native lost something: {}",
            image.label,
            first_difference(&back, &scanned.native_bytes)
        );
        let native_path = tmp.path().join(format!("{}.json", image.label));
        let again = run_ok(&["convert", native_path.to_str().unwrap(), "-o", "syft-json"]);
        assert!(
            again == scanned.syft_bytes,
            "{}: converting the native document differs from a direct scan",
            image.label
        );
    }
}

#[test]
fn syft_json_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let debian = images(tmp.path()).swap_remove(1);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let first = scan(&debian, &a).syft_bytes;
    assert!(first.starts_with(b"{\n"), "a pretty-printed document");
    assert!(
        first == scan(&debian, &b).syft_bytes,
        "two scans of one image differ"
    );
}

/// `scripts/validate_documents.py` on this test's documents: Syft's own schema, checked by
/// the `jsonschema` package of the test virtualenv (`scripts/test.sh` makes it).
#[test]
fn documents_satisfy_syfts_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/pyvenv/bin/python");
    let usable = Command::new(&python)
        .args(["-c", "import jsonschema, cyclonedx, spdx_tools"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the validators in {}: scripts/test.sh installs them",
            python.display()
        );
        eprintln!(
            "skipping: no validators in {} (run scripts/test.sh)",
            python.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let documents = tmp.path().join("documents");
    let images = images(tmp.path());
    for image in &images {
        let dir = documents.join(image.label);
        std::fs::create_dir_all(&dir).unwrap();
        scan(image, &dir);
        std::fs::write(dir.join("args.txt"), &image.path).unwrap();
    }
    let out = Command::new(&python)
        .arg(root.join("scripts/validate_documents.py"))
        .arg(&documents)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checked = format!("{} *.syft.json", images.len());
    assert!(report.contains(&checked), "{checked} expected: {report}");
}

#[test]
fn syft_reads_the_same_packages_with_their_layers() {
    let Some(syft) = crate::consumers::syft() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for image in images(tmp.path()) {
        let label = image.label;
        let scanned = scan(&image, tmp.path());
        let read = syft_convert(&syft, &scanned.syft_path, "syft-json");
        assert_eq!(
            located(&read),
            located(&scanned.syft),
            "{label}: Syft's reading"
        );
        assert_eq!(
            array(&read["artifacts"]).len(),
            installed(&scanned.native).len(),
            "{label}: Syft counts the final filesystem's packages"
        );
        assert_eq!(
            read["distro"]["id"], scanned.native["distro"]["id"],
            "{label}"
        );
        assert_eq!(
            read["distro"]["versionID"],
            scanned.native["distro"]["versionId"]
        );

        // Syft keeps the descriptor, so its rewrite still converts back losslessly.
        let rewritten = tmp.path().join(format!("{label}.by-syft.syft.json"));
        std::fs::write(&rewritten, serde_json::to_vec(&read).unwrap()).unwrap();
        let back = run_ok(&["convert", rewritten.to_str().unwrap(), "-o", "json"]);
        assert!(
            back == scanned.native_bytes,
            "{label}: through syft convert: {}",
            first_difference(&back, &scanned.native_bytes)
        );

        let cdx = syft_convert(&syft, &scanned.syft_path, "cyclonedx-json");
        let mut components: Vec<(String, String, String)> = array(&cdx["components"])
            .iter()
            .filter(|c| c["type"] != "operating-system")
            .map(|c| {
                let text = |key: &str| c[key].as_str().unwrap_or_default().to_string();
                let layer = array(&c["properties"])
                    .iter()
                    .find(|p| p["name"] == "syft:location:0:layerID")
                    .map_or(String::new(), |p| p["value"].as_str().unwrap().to_string());
                (text("name"), text("version"), layer)
            })
            .collect();
        components.sort();
        let mut expected: Vec<(String, String, String)> = array(&scanned.syft["artifacts"])
            .iter()
            .map(|a| {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
                let layer = text(&a["locations"][0]["layerID"]);
                (text(&a["name"]), text(&a["version"]), layer)
            })
            .collect();
        expected.sort();
        assert_eq!(
            components, expected,
            "{label}: Syft's CycloneDX with layer ids"
        );
    }
}

/// Syft's own scan of the demo (all layers) reads back with its layers resolved.
#[test]
fn reads_syfts_own_scan() {
    let Some(syft) = crate::consumers::syft() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let demo = images(tmp.path()).swap_remove(0);
    let theirs = tmp.path().join("theirs.syft.json");
    let out = Command::new(&syft)
        .arg(format!("oci-archive:{}", demo.path))
        .args(["--scope", "all-layers", "-q", "-o"])
        .arg(format!("syft-json={}", theirs.display()))
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let native: Value = serde_json::from_slice(&run_ok(&[
        "convert",
        theirs.to_str().unwrap(),
        "-o",
        "json",
    ]))
    .unwrap();
    let found: Vec<(&Value, &Value, Vec<&Value>)> = array(&native["packages"])
        .iter()
        .map(|p| {
            let layers = array(&p["locations"])
                .iter()
                .map(|l| &l["layerIndex"])
                .collect();
            (&p["name"], &p["introducedIn"], layers)
        })
        .collect();
    let (zero, two) = (Value::from(0), Value::from(2));
    assert_eq!(
        found,
        [
            (&"base-files".into(), &zero, vec![&zero, &two]),
            (&"curl".into(), &zero, vec![&zero]),
            (&"libssl3".into(), &zero, vec![&zero]),
            (&"libssl3".into(), &two, vec![&two]),
        ]
    );
    assert_eq!(native["distro"]["id"], "debian");
    assert_eq!(array(&native["layers"]).len(), 3);
}
