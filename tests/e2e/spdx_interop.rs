//! SPDX 2.3 as its consumers read it, on the demo image (its last layer purges `curl` and
//! upgrades `libssl3`): removed packages are no package elements yet come back through
//! `convert`; Trivy and Syft see exactly the final filesystem's packages, Trivy with the layer
//! that introduced each one.
//!
//! Trivy and Syft are found through `SBOMGEN_TRIVY` / `SBOMGEN_SYFT`, else on `PATH`; without
//! them those tests skip with a message, except under CI (`CI` set), where they fail.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::consumers::{peer, syft_convert, trivy_packages, trivy_sbom};
use crate::support::{demo_image as demo, read_json, run_ok as run, DemoScan};

const REMOVED_PREFIX: &str = "sbomgen:removedPackage=";

/// The demo image scanned once to `native.json`, `sbom.spdx.json` and `sbom.spdx` in a
/// temporary directory, the SPDX documents also kept for CI's validators.
fn scan(label: &str) -> DemoScan {
    let scan = DemoScan::new(&[
        ("sbom.spdx.json", "spdx-json"),
        ("sbom.spdx", "spdx-tag-value"),
    ]);
    keep(
        scan.dir.path(),
        &format!("spdx-interop {label}: sbomgen {}", demo()),
    );
    scan
}

/// (name, version) of the packages of the final filesystem: the native ones not removed.
fn installed(scan: &DemoScan) -> BTreeSet<(String, String)> {
    let installed: BTreeSet<_> = scan
        .installed()
        .map(|p| name_version(&p["name"], &p["version"]))
        .collect();
    assert!(
        installed.len() < scan.packages().len(),
        "the demo image must remove packages for this test to prove anything"
    );
    installed
}

fn name_version(name: &Value, version: &Value) -> (String, String) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (text(name), text(version))
}

/// Copies the SPDX documents in `dir` to `$SBOMGEN_VALIDATION_DIR/<hash of what>/`, where
/// `scripts/validate_documents.py` validates them with spdx-tools.
fn keep(dir: &Path, what: &str) {
    let Some(root) = std::env::var_os("SBOMGEN_VALIDATION_DIR") else {
        return;
    };
    let head: [u8; 8] = Sha256::digest(what.as_bytes())[..8].try_into().unwrap();
    let hash = format!("{:016x}", u64::from_be_bytes(head));
    let target = Path::new(&root).join(format!("spdx-interop-{hash}"));
    std::fs::create_dir_all(&target).unwrap();
    for file in ["sbom.spdx.json", "sbom.spdx"] {
        std::fs::copy(dir.join(file), target.join(file)).unwrap();
    }
    std::fs::write(target.join("args.txt"), what).unwrap();
}

#[test]
fn removed_packages_are_image_annotations_and_convert_restores_them() {
    let scan = scan("round trip");
    let spdx = read_json(&scan.path("sbom.spdx.json"));
    let elements = spdx["packages"].as_array().unwrap();
    let removed: Vec<&Value> = scan
        .packages()
        .iter()
        .filter(|p| !p["removedIn"].is_null())
        .collect();
    assert!(!removed.is_empty());
    for p in &removed {
        assert!(
            !elements
                .iter()
                .any(|e| e["name"] == p["name"] && e["versionInfo"] == p["version"]),
            "removed {} {} is a package element",
            p["name"],
            p["version"]
        );
    }
    // Each removed package is one annotation of the image, the native package whole.
    let image = &elements[0];
    assert_eq!(image["SPDXID"], "SPDXRef-Image");
    let carried: Vec<Value> = image["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["comment"].as_str()?.strip_prefix(REMOVED_PREFIX))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    assert_eq!(carried.iter().collect::<Vec<_>>(), removed);
    // No relationship names an element the document does not have.
    let ids: BTreeSet<&str> = elements
        .iter()
        .map(|e| e["SPDXID"].as_str().unwrap())
        .chain(["SPDXRef-DOCUMENT"])
        .collect();
    for r in spdx["relationships"].as_array().unwrap() {
        for end in ["spdxElementId", "relatedSpdxElement"] {
            let id = r[end].as_str().unwrap();
            assert!(ids.contains(id), "dangling {id} in {r}");
        }
    }
    // Tag-value carries them the same way.
    let tag_value = std::fs::read_to_string(scan.path("sbom.spdx")).unwrap();
    let in_tag_value = tag_value
        .lines()
        .filter(|l| l.starts_with(&format!("AnnotationComment: <text>{REMOVED_PREFIX}")))
        .count();
    assert_eq!(in_tag_value, removed.len());

    // SPDX back to native: the removed packages exactly, every package's provenance, the image.
    let back: Value = serde_json::from_slice(&run(&[
        "convert",
        scan.path("sbom.spdx.json").to_str().unwrap(),
        "-o",
        "json",
    ]))
    .unwrap();
    let back_removed: Vec<&Value> = back["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["removedIn"].is_null())
        .collect();
    assert_eq!(back_removed, removed, "removed packages exactly");
    let facts = |doc: &Value| -> Vec<Value> {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let keys = [
                    "type",
                    "name",
                    "version",
                    "purl",
                    "cpes",
                    "licenses",
                    "arch",
                    "sourceName",
                    "sourceVersion",
                    "introducedIn",
                    "removedIn",
                    "replacedBy",
                    "locations",
                    "files",
                    "filesPresent",
                    "dependsOn",
                ];
                keys.iter().map(|k| p[*k].clone()).collect()
            })
            .collect()
    };
    assert_eq!(facts(&back), facts(&scan.native));
    for key in ["source", "layers", "hiddenFiles", "distro"] {
        assert_eq!(back[key], scan.native[key], "{key}");
    }
    // Converting the native document writes the bytes the scan wrote.
    let converted = run(&[
        "convert",
        scan.path("native.json").to_str().unwrap(),
        "-o",
        "spdx-json",
    ]);
    assert!(converted == std::fs::read(scan.path("sbom.spdx.json")).unwrap());

    // `--scope squashed` has no removed packages to carry.
    let squashed = run(&[&demo(), "-q", "--scope", "squashed", "-o", "spdx-json"]);
    let squashed = String::from_utf8(squashed).unwrap();
    assert!(!squashed.contains(REMOVED_PREFIX));
    assert!(!squashed.contains("\"curl\""));
}

#[test]
fn trivy_sees_the_final_filesystem_with_the_introducing_layers() {
    let Some(trivy) = peer("SBOMGEN_TRIVY", "trivy") else {
        return;
    };
    let scan = scan("trivy");
    let layers = scan.native["layers"].as_array().unwrap();
    // Tag-value too: Trivy finds the layer there in the attribution texts.
    for document in ["sbom.spdx.json", "sbom.spdx"] {
        let report = trivy_sbom(&trivy, &scan.path(document));
        let packages = trivy_packages(&report);
        let seen: BTreeSet<_> = packages
            .iter()
            .map(|p| name_version(&p["Name"], &p["Version"]))
            .collect();
        assert_eq!(packages.len(), seen.len(), "{document}: {seen:?}");
        assert_eq!(seen, installed(&scan), "Trivy reading {document}");
        for p in packages {
            let native = scan
                .packages()
                .iter()
                .find(|n| {
                    n["removedIn"].is_null()
                        && n["name"] == p["Name"]
                        && n["version"] == p["Version"]
                })
                .unwrap();
            let layer = &layers[usize::try_from(native["introducedIn"].as_u64().unwrap()).unwrap()];
            assert_eq!(
                (&p["Layer"]["DiffID"], &p["Layer"]["Digest"]),
                (&layer["diffId"], &layer["digest"]),
                "{document}: {}",
                p["Name"]
            );
        }
    }
}

#[test]
fn syft_sees_the_final_filesystem() {
    let Some(syft) = peer("SBOMGEN_SYFT", "syft") else {
        return;
    };
    let scan = scan("syft");
    let distro = scan.native["distro"]["id"].as_str().unwrap();
    for document in ["sbom.spdx.json", "sbom.spdx"] {
        let converted = syft_convert(&syft, &scan.path(document), "syft-json");
        let artifacts = converted["artifacts"].as_array().unwrap();
        // Syft reads the operating-system element as an artifact without a type or purl,
        // which no matcher matches; every other artifact is a package.
        let (packages, untyped): (Vec<&Value>, Vec<&Value>) =
            artifacts.iter().partition(|a| a["type"] != "");
        let untyped: Vec<&str> = untyped
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert!(untyped.iter().all(|name| *name == distro), "{untyped:?}");
        let seen: BTreeSet<_> = packages
            .iter()
            .map(|a| name_version(&a["name"], &a["version"]))
            .collect();
        assert_eq!(packages.len(), seen.len(), "{document}: {seen:?}");
        assert_eq!(seen, installed(&scan), "Syft reading {document}");
    }
}
