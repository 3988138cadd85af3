//! `spdx-json@3.0` end to end: the demo image (whose last layer purges packages) and the
//! packages test's debian image scan to SPDX 3.0.1 JSON-LD that is byte-identical across runs,
//! holds removed packages only through `build`-scoped containment, and `convert` reads back to
//! the very native document the scan wrote. Each document is also kept in
//! `$SBOMGEN_VALIDATION_DIR` for `scripts/validate_documents.py`, which runs the official
//! `spdx3-validate` checks (JSON schema and SHACL) over it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{demo_image, run_ok};

const FORMAT: &str = "spdx-json@3.0";

/// Scans `source` to the native document and to SPDX 3 (twice, to compare bytes); returns
/// (native JSON, SPDX 3 bytes, path of the SPDX 3 file).
fn scan(dir: &Path, source: &str) -> (Value, Vec<u8>, PathBuf) {
    let native = dir.join("native.json");
    let spdx3 = dir.join("sbom.spdx3.json");
    let again = dir.join("again.spdx3.json");
    run_ok(&[
        source,
        "-q",
        "-o",
        &format!("json={}", native.display()),
        "-o",
        &format!("{FORMAT}={}", spdx3.display()),
    ]);
    run_ok(&[source, "-q", "-o", &format!("{FORMAT}={}", again.display())]);
    let bytes = std::fs::read(&spdx3).unwrap();
    assert!(
        bytes == std::fs::read(&again).unwrap(),
        "two scans of {source} gave different SPDX 3 documents"
    );
    keep_for_validation(&bytes, source);
    let native: Value = serde_json::from_slice(&std::fs::read(&native).unwrap()).unwrap();
    (native, bytes, spdx3)
}

/// Copies the document to `$SBOMGEN_VALIDATION_DIR/spdx3-<hash>/sbom.spdx3.json`.
fn keep_for_validation(document: &[u8], source: &str) {
    let Some(root) = std::env::var_os("SBOMGEN_VALIDATION_DIR") else {
        return;
    };
    let head: [u8; 8] = Sha256::digest(document)[..8].try_into().unwrap();
    let hash = format!("{:016x}", u64::from_be_bytes(head));
    let dir = Path::new(&root).join(format!("spdx3-{hash}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sbom.spdx3.json"), document).unwrap();
    std::fs::write(dir.join("args.txt"), format!("{source} -o {FORMAT}")).unwrap();
}

/// `convert FILE -o json`, parsed.
fn converted_to_native(path: &Path) -> Value {
    serde_json::from_slice(&run_ok(&["convert", path.to_str().unwrap(), "-o", "json"]))
        .expect("convert writes JSON")
}

fn graph(document: &[u8]) -> Vec<Value> {
    let document: Value = serde_json::from_slice(document).expect("SPDX 3 is JSON");
    assert_eq!(
        document["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    document["@graph"].as_array().unwrap().clone()
}

/// The spdxIds the image `contains`, with (`Some(scope)`) or without a lifecycle scope.
fn contained(graph: &[Value], scope: Option<&str>) -> Vec<String> {
    graph
        .iter()
        .filter(|n| n["relationshipType"] == "contains" && n["scope"].as_str() == scope)
        .filter(|n| n["from"].as_str().is_some_and(|f| f.ends_with("#image")))
        .flat_map(|n| n["to"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

/// The spdxId of the package element named `name` at `version`.
fn package_id(graph: &[Value], name: &str, version: &str) -> String {
    graph
        .iter()
        .find(|n| {
            n["type"] == "software_Package"
                && n["name"] == name
                && n["software_packageVersion"] == version
        })
        .and_then(|n| n["spdxId"].as_str())
        .unwrap_or_else(|| panic!("no package {name} {version}"))
        .to_string()
}

#[test]
fn demo_scans_to_spdx3_with_removed_packages_in_build_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let (native, document, _) = scan(tmp.path(), &demo_image());
    let graph = graph(&document);
    let removed: Vec<(&str, &str)> = native["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["removedIn"].is_null())
        .map(|p| (p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        removed,
        [
            ("curl", "7.88.1-10+deb12u4"),
            ("libssl3", "3.0.11-1~deb12u1")
        ],
        "the demo's last layer purges curl and upgrades libssl3"
    );
    let removed_ids: Vec<String> = removed
        .iter()
        .map(|(name, version)| package_id(&graph, name, version))
        .collect();
    assert_eq!(contained(&graph, Some("build")), removed_ids);
    let runtime: Vec<String> = graph
        .iter()
        .filter(|n| n["relationshipType"] == "contains" && n["scope"].is_null())
        .flat_map(|n| n["to"].as_array().unwrap().clone())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert!(
        removed_ids.iter().all(|id| !runtime.contains(id)),
        "removed packages are not contained at runtime: {runtime:?}"
    );
    assert!(runtime.contains(&package_id(&graph, "libssl3", "3.0.11-1~deb12u2")));
    let container = graph
        .iter()
        .find(|n| n["software_primaryPurpose"] == "container")
        .unwrap();
    let manifest = native["source"]["manifestDigest"].as_str().unwrap();
    assert_eq!(container["software_packageVersion"], manifest);
    assert!(container["software_packageUrl"]
        .as_str()
        .is_some_and(|purl| purl.starts_with("pkg:oci/") && purl.contains(manifest)));
    assert!(graph
        .iter()
        .any(|n| n["software_primaryPurpose"] == "operatingSystem" && n["name"] == "debian"));
    // Layer provenance in sbomgen's vocabulary, on the package the layer introduced.
    let curl = &removed_ids[0];
    let statements: Vec<&str> = graph
        .iter()
        .filter(|n| n["type"] == "Annotation" && n["subject"] == curl.as_str())
        .map(|n| n["statement"].as_str().unwrap())
        .collect();
    let removing_layer = native["layers"][2]["diffId"].as_str().unwrap();
    assert!(
        statements.contains(&"sbomgen:removed=true"),
        "{statements:?}"
    );
    assert!(
        statements.contains(&format!("sbomgen:layer:removed:diffId={removing_layer}").as_str()),
        "{statements:?}"
    );
}

/// native → SPDX 3 → native through `convert` gives back the scan's native document (removed
/// packages, provenance, licences and metadata included), and native → SPDX 3 through
/// `convert` gives the bytes a direct scan writes.
#[test]
fn convert_round_trips_spdx3_losslessly() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    sbomgen_testkit::write_oci_dir(&layout, "1.0", &[crate::packages::debian_image()]).unwrap();
    for (name, source) in [
        ("demo", demo_image()),
        ("debian", layout.display().to_string()),
    ] {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let (native, direct, spdx3) = scan(&dir, &source);
        let packages = native["packages"].as_array().unwrap();
        assert!(
            packages.iter().any(|p| !p["removedIn"].is_null()),
            "{name}: the image must remove a package for the round trip to prove anything"
        );
        let back = converted_to_native(&spdx3);
        assert_eq!(back["packages"], native["packages"], "packages of {name}");
        assert_eq!(back, native, "{name} via {FORMAT}");
        let reencoded = dir.join("reencoded.spdx3.json");
        run_ok(&[
            "convert",
            dir.join("native.json").to_str().unwrap(),
            "-o",
            &format!("{FORMAT}={}", reencoded.display()),
        ]);
        assert!(
            std::fs::read(&reencoded).unwrap() == direct,
            "convert to {FORMAT} differs from a direct scan of {name}"
        );
    }
}

#[test]
fn debian_licences_survive_as_simple_licensing_elements() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    sbomgen_testkit::write_oci_dir(&layout, "1.0", &[crate::packages::debian_image()]).unwrap();
    let (native, document, _) = scan(tmp.path(), layout.to_str().unwrap());
    let curl = native["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "curl" && p["removedIn"].is_null())
        .unwrap();
    let licences: Vec<&str> = curl["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(!licences.is_empty(), "curl declares licences: {curl:#}");
    let graph = graph(&document);
    let curl_id = package_id(&graph, "curl", curl["version"].as_str().unwrap());
    let declared = graph
        .iter()
        .find(|n| n["relationshipType"] == "hasDeclaredLicense" && n["from"] == curl_id.as_str())
        .expect("curl hasDeclaredLicense");
    let expression_id = declared["to"][0].as_str().unwrap();
    let expression = graph.iter().find(|n| n["spdxId"] == expression_id).unwrap();
    assert_eq!(expression["type"], "simplelicensing_LicenseExpression");
    // Licence names outside the SPDX list are LicenseRefs whose text is kept verbatim.
    let texts: Vec<&str> = graph
        .iter()
        .filter(|n| n["type"] == "simplelicensing_SimpleLicensingText")
        .map(|n| n["simplelicensing_licenseText"].as_str().unwrap())
        .collect();
    for entry in expression["simplelicensing_customIdToUri"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let text = graph
            .iter()
            .find(|n| n["spdxId"] == entry["value"])
            .expect("every LicenseRef resolves to an element");
        assert!(texts.contains(&text["simplelicensing_licenseText"].as_str().unwrap()));
    }
}

#[test]
fn squashed_scope_leaves_removed_packages_out() {
    let document = run_ok(&[&demo_image(), "-q", "--scope", "squashed", "-o", FORMAT]);
    let graph = graph(&document);
    assert!(contained(&graph, Some("build")).is_empty());
    let text = String::from_utf8(document).unwrap();
    assert!(
        !text.contains("sbomgen:removed="),
        "removed packages listed"
    );
    assert!(!text.contains("\"name\": \"curl\""), "curl still listed");
}
