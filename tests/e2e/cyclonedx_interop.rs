//! CycloneDX as its consumers read it, on the demo image (its last layer purges `curl` and
//! upgrades `libssl3`): removed packages sit in `formulation` and come back through `convert`;
//! Trivy and Syft see exactly the final filesystem's packages, each with the layer that
//! introduced it; `convert` of Trivy's own document claims no layer order it cannot know.
//!
//! Trivy and Syft are found through `SBOMGEN_TRIVY` / `SBOMGEN_SYFT`, else on `PATH`; without
//! them those tests skip with a message, except under CI (`CI` set), where they fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::consumers::{self, output_of, peer, syft_convert, trivy_sbom};
use crate::support::{convert_round_trip, demo_image as demo, read_json, run_ok as run, DemoScan};

/// The CycloneDX documents of one scan, by file name and `-o` format.
const DOCUMENTS: [(&str, &str); 4] = [
    ("sbom.cdx.json", "cyclonedx-json"),
    ("sbom.cdx.xml", "cyclonedx-xml"),
    ("sbom.cdx17.json", "cyclonedx-json@1.7"),
    ("sbom.cdx17.xml", "cyclonedx-xml@1.7"),
];

/// `name version` of the packages the final filesystem holds.
fn installed(scan: &DemoScan) -> BTreeSet<String> {
    scan.installed()
        .map(|p| name_version(&p["name"], &p["version"]))
        .collect()
}

/// The diff id of the layer that introduced the installed package `name version`.
fn introducing_diff_id<'a>(scan: &'a DemoScan, name: &Value, version: &Value) -> &'a Value {
    let package = scan
        .installed()
        .find(|p| p["name"] == *name && p["version"] == *version)
        .unwrap_or_else(|| panic!("{name} {version} is not installed"));
    let index = usize::try_from(package["introducedIn"].as_u64().unwrap()).unwrap();
    &scan.native["layers"][index]["diffId"]
}

fn name_version(name: &Value, version: &Value) -> String {
    format!("{} {}", name.as_str().unwrap(), version.as_str().unwrap())
}

/// Copies the CycloneDX documents to `$SBOMGEN_VALIDATION_DIR/<label>/` for
/// `scripts/validate_documents.py` (the 1.7 ones have no validator in `cargo test`'s testkit).
fn keep(dir: &Path, args: &[&str]) {
    let Some(root) = std::env::var_os("SBOMGEN_VALIDATION_DIR") else {
        return;
    };
    let target = Path::new(&root).join("cyclonedx-interop");
    std::fs::create_dir_all(&target).unwrap();
    for (file, _) in DOCUMENTS {
        std::fs::copy(dir.join(file), target.join(file)).unwrap();
    }
    std::fs::write(target.join("args.txt"), args.join(" ")).unwrap();
}

#[test]
fn removed_packages_are_in_formulation_and_every_reference_resolves() {
    let scan = DemoScan::new(&DOCUMENTS);
    keep(scan.dir.path(), &["cyclonedx-interop", &demo()]);
    let removed: BTreeSet<String> = scan
        .packages()
        .iter()
        .filter(|p| !p["removedIn"].is_null())
        .map(|p| name_version(&p["name"], &p["version"]))
        .collect();
    assert!(!removed.is_empty(), "the demo image must remove packages");
    for version in ["sbom.cdx.json", "sbom.cdx17.json"] {
        let doc = read_json(&scan.path(version));
        let listed = |list: &Value| -> BTreeSet<String> {
            list.as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["type"] == "library")
                .map(|c| name_version(&c["name"], &c["version"]))
                .collect()
        };
        assert_eq!(listed(&doc["components"]), installed(&scan), "{version}");
        let formula = &doc["formulation"][0];
        assert_eq!(formula["bom-ref"], "removed-packages");
        assert_eq!(listed(&formula["components"]), removed, "{version}");
        let refs: BTreeSet<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .chain(formula["components"].as_array().unwrap())
            .chain([&doc["metadata"]["component"]])
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        for entry in doc["dependencies"].as_array().unwrap() {
            let targets = entry["dependsOn"].as_array().into_iter().flatten();
            for reference in targets.chain([&entry["ref"]]) {
                assert!(
                    refs.contains(reference.as_str().unwrap()),
                    "{version}: {reference} resolves to no bom-ref"
                );
            }
        }
    }
    let xml = std::fs::read_to_string(scan.path("sbom.cdx17.xml")).unwrap();
    assert!(xml.contains("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.7\""));
    assert!(xml.contains("<formula bom-ref=\"removed-packages\">"));
    // 1.6 stays the default; 1.7 differs from it only in the version it names.
    let default = std::fs::read_to_string(scan.path("sbom.cdx.json")).unwrap();
    let v17 = std::fs::read_to_string(scan.path("sbom.cdx17.json")).unwrap();
    assert!(default.contains("\"specVersion\": \"1.6\""));
    assert_eq!(
        v17,
        default
            .replace("bom-1.6.schema.json", "bom-1.7.schema.json")
            .replace("\"specVersion\": \"1.6\"", "\"specVersion\": \"1.7\"")
    );
}

#[test]
fn convert_round_trips_removed_packages_and_their_provenance() {
    let scan = DemoScan::new(&DOCUMENTS);
    let native_path = scan.path("native.json");
    // Everything but the metadata CycloneDX has no field for (dpkg's section, priority...).
    let without_metadata = |doc: &Value| -> Vec<Value> {
        let mut packages = doc["packages"].as_array().unwrap().clone();
        for p in &mut packages {
            p.as_object_mut().unwrap().remove("metadata");
        }
        packages
    };
    for (file, format) in [
        ("cdx.json", "cyclonedx-json"),
        ("cdx17.json", "cyclonedx-json@1.7"),
        ("cdx15.json", "cyclonedx-json@1.5"),
    ] {
        let converted = scan.path(&format!("converted.{file}"));
        let back = convert_round_trip(&native_path, format, &converted);
        assert_eq!(
            without_metadata(&back),
            without_metadata(&scan.native),
            "via {format}"
        );
        for key in ["source", "layers", "hiddenFiles", "distro"] {
            assert_eq!(back[key], scan.native[key], "{key} via {format}");
        }
    }
}

/// `trivy sbom` of `document`, offline: each package's name, version and Layer.DiffID.
fn trivy_packages(trivy: &Path, document: &Path) -> Vec<(String, Value)> {
    let report = trivy_sbom(trivy, document);
    consumers::trivy_packages(&report)
        .into_iter()
        .map(|p| {
            (
                name_version(&p["Name"], &p["Version"]),
                p["Layer"]["DiffID"].clone(),
            )
        })
        .collect()
}

#[test]
fn trivy_sees_the_final_filesystem_with_the_introducing_layers() {
    let Some(trivy) = peer("SBOMGEN_TRIVY", "trivy") else {
        return;
    };
    let scan = DemoScan::new(&DOCUMENTS);
    // Trivy reads CycloneDX JSON only ("cyclonedx-xml scanning is not yet supported"), 1.7 too.
    for document in ["sbom.cdx.json", "sbom.cdx17.json"] {
        let packages = trivy_packages(&trivy, &scan.path(document));
        let seen: BTreeSet<String> = packages.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(packages.len(), seen.len(), "{document}: {seen:?}");
        assert_eq!(seen, installed(&scan), "Trivy reading {document}");
        for (package, diff_id) in &packages {
            let (name, version) = package.split_once(' ').unwrap();
            let expected = introducing_diff_id(&scan, &name.into(), &version.into());
            assert_eq!(diff_id, expected, "{document}: {package}");
        }
    }
}

#[test]
fn syft_sees_the_final_filesystem_with_the_introducing_layers() {
    let Some(syft) = peer("SBOMGEN_SYFT", "syft") else {
        return;
    };
    let scan = DemoScan::new(&DOCUMENTS);
    // Syft reads 1.7 only from 1.46 on; the 1.6 default is what every Syft reads.
    for document in ["sbom.cdx.json", "sbom.cdx.xml"] {
        let converted = syft_convert(&syft, &scan.path(document), "syft-json");
        let artifacts = converted["artifacts"].as_array().unwrap();
        let seen: BTreeSet<String> = artifacts
            .iter()
            .map(|a| name_version(&a["name"], &a["version"]))
            .collect();
        assert_eq!(artifacts.len(), seen.len(), "{document}: {seen:?}");
        assert_eq!(seen, installed(&scan), "Syft reading {document}");
        for artifact in artifacts {
            let expected = introducing_diff_id(&scan, &artifact["name"], &artifact["version"]);
            let locations = artifact["locations"].as_array().unwrap();
            let layers: Vec<&Value> = locations.iter().map(|l| &l["layerID"]).collect();
            assert_eq!(layers, [expected], "{document}: {}", artifact["name"]);
            assert_eq!(locations[0]["path"], "/var/lib/dpkg/status");
        }
    }
}

/// Trivy's own document for the demo image, from `trivy image` on its OCI layout.
fn trivy_document(trivy: &Path, dir: &Path) -> PathBuf {
    let layout = dir.join("demo.oci");
    sbomgen_testkit::write_oci_dir(
        &layout,
        sbomgen_testkit::DEMO_TAG,
        &[sbomgen_testkit::demo_image()],
    )
    .unwrap();
    let document = dir.join("trivy.cdx.json");
    output_of(
        Command::new(trivy)
            .args(["image", "--quiet", "--cache-backend", "memory"])
            .args([
                "--skip-db-update",
                "--skip-java-db-update",
                "--offline-scan",
            ])
            .args(["--skip-version-check", "--disable-telemetry"])
            .args(["--format", "cyclonedx", "--output"])
            .arg(&document)
            .arg("--input")
            .arg(&layout),
    );
    document
}

#[test]
fn convert_reads_trivys_document_without_inventing_a_layer_order() {
    let Some(trivy) = peer("SBOMGEN_TRIVY", "trivy") else {
        return;
    };
    let scan = DemoScan::new(&DOCUMENTS);
    let document = trivy_document(&trivy, scan.dir.path());
    let trivys = read_json(&document);
    let listed: Vec<&Value> = trivys["metadata"]["component"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "aquasecurity:trivy:DiffID")
        .map(|p| &p["value"])
        .collect();
    let in_order: Vec<&Value> = scan.native["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["diffId"])
        .collect();
    assert_ne!(
        listed, in_order,
        "Trivy lists the demo's layers out of order: the case this test is about"
    );

    let back: Value =
        serde_json::from_slice(&run(&["convert", document.to_str().unwrap(), "-o", "json"]))
            .unwrap();
    assert_eq!(back["layers"], serde_json::json!([]), "no order is claimed");
    let packages = back["packages"].as_array().unwrap();
    let seen: BTreeSet<String> = packages
        .iter()
        .map(|p| name_version(&p["name"], &p["version"]))
        .collect();
    assert_eq!(seen, installed(&scan));
    for p in packages {
        assert!(p["introducedIn"].is_null(), "{p}");
        assert_eq!(
            &p["metadata"]["introducedInDiffId"],
            introducing_diff_id(&scan, &p["name"], &p["version"]),
            "{}",
            p["name"]
        );
    }
    // Written again as CycloneDX, Trivy still finds each package's layer.
    let again = scan.dir.path().join("again.cdx.json");
    let target = format!("cyclonedx-json={}", again.display());
    run(&["convert", document.to_str().unwrap(), "-o", &target]);
    for (package, diff_id) in trivy_packages(&trivy, &again) {
        let (name, version) = package.split_once(' ').unwrap();
        assert_eq!(
            &diff_id,
            introducing_diff_id(&scan, &name.into(), &version.into()),
            "{package}"
        );
    }
}
