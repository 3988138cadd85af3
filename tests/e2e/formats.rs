//! SPDX and CycloneDX documents end to end: what they say about the image, its distro, removed
//! packages and layers; that they are byte-identical across runs; and that `convert` brings them
//! back to the native document without losing provenance.

use std::path::Path;

use serde_json::Value;

use crate::support::{convert_round_trip, demo_image, failure, run_ok, scan_json};

/// The packages test's debian image: an upgrade, a purge, a non-SPDX licence (`curl`).
fn debian_layout(dir: &Path) -> String {
    let layout = dir.join("debian.oci");
    sbomgen_testkit::write_oci_dir(&layout, "1.0", &[crate::packages::debian_image()]).unwrap();
    layout.display().to_string()
}

fn emit(source: &str, format: &str, extra: &[&str]) -> Value {
    let mut args = vec![source, "-q", "-o", format];
    args.extend(extra);
    serde_json::from_slice(&run_ok(&args)).expect("JSON output")
}

fn properties(component: &Value) -> Vec<(String, String)> {
    component["properties"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn annotations(package: &Value) -> Vec<String> {
    package["annotations"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| a["comment"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let source = debian_layout(tmp.path());
    let render = |dir: &Path| {
        let args = crate::documents::output_args(dir);
        let mut all = vec![source.as_str(), "-q", "-o", "json"];
        all.extend(args.iter().map(String::as_str));
        run_ok(&all);
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    render(&a);
    render(&b);
    for (format, file) in crate::documents::DOCUMENTS {
        let first = std::fs::read(a.join(file)).unwrap();
        assert!(!first.is_empty(), "{format} is empty");
        assert!(
            first == std::fs::read(b.join(file)).unwrap(),
            "{format} differs between two runs"
        );
    }
}

#[test]
fn timestamps_come_from_source_date_epoch_else_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    let source = debian_layout(tmp.path());
    let spdx = tmp.path().join("sbom.spdx.json");
    let cdx = tmp.path().join("sbom.cdx.json");
    let run = |epoch: Option<&str>| -> (Value, Value) {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sbomgen"));
        command.args([&source, "-q", "--no-layer-cache"]);
        command.args(["-o", &format!("spdx-json={}", spdx.display())]);
        command.args(["-o", &format!("cyclonedx-json={}", cdx.display())]);
        match epoch {
            Some(e) => command.env("SOURCE_DATE_EPOCH", e),
            None => command.env_remove("SOURCE_DATE_EPOCH"),
        };
        assert!(command.status().unwrap().success());
        let read = |p: &Path| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        (read(&spdx), read(&cdx))
    };
    let (spdx_doc, cdx_doc) = run(Some("1700000000"));
    assert_eq!(spdx_doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(cdx_doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let (spdx_doc, cdx_doc) = run(None);
    // The testkit's image config says it was created at 2024-01-01T00:00:00Z.
    assert_eq!(spdx_doc["creationInfo"]["created"], "2024-01-01T00:00:00Z");
    assert_eq!(cdx_doc["metadata"]["timestamp"], "2024-01-01T00:00:00Z");
}

#[test]
fn the_image_is_the_root_and_the_distro_reaches_the_os_packages() {
    let source = demo_image();
    let source = source.as_str();
    let native = scan_json(&[source]);
    let manifest = native["source"]["manifestDigest"].as_str().unwrap();

    let spdx = emit(source, "spdx-json", &[]);
    let packages = spdx["packages"].as_array().unwrap();
    let image = packages
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "CONTAINER")
        .expect("a CONTAINER package");
    assert!(spdx["relationships"].as_array().unwrap().iter().any(|r| {
        r["spdxElementId"] == "SPDXRef-DOCUMENT"
            && r["relationshipType"] == "DESCRIBES"
            && r["relatedSpdxElement"] == image["SPDXID"]
    }));
    let purl = image["externalRefs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["referenceType"] == "purl")
        .unwrap()["referenceLocator"]
        .as_str()
        .unwrap();
    assert!(purl.starts_with("pkg:oci/"), "{purl}");
    assert!(purl.contains(&manifest["sha256:".len()..]), "{purl}");
    assert!(purl.contains("arch=amd64"), "{purl}");
    let os = packages
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "OPERATING_SYSTEM")
        .expect("an OPERATING_SYSTEM package");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["versionInfo"], "12");
    let contained_by_os = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["spdxElementId"] == os["SPDXID"] && r["relationshipType"] == "CONTAINS")
        .count();
    // The distro holds the packages still installed; removed ones are no SPDX elements.
    let live = native["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["removedIn"].is_null())
        .count();
    assert!(live < native["packages"].as_array().unwrap().len());
    assert_eq!(contained_by_os, live);

    let cdx = emit(source, "cyclonedx-json", &[]);
    assert_eq!(cdx["specVersion"], "1.6");
    let root = &cdx["metadata"]["component"];
    assert_eq!(root["type"], "container");
    assert!(root["purl"].as_str().unwrap().starts_with("pkg:oci/"));
    let serial = cdx["serialNumber"].as_str().unwrap();
    assert!(serial.starts_with("urn:uuid:"), "{serial}");
    let os = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "operating-system")
        .expect("an operating-system component");
    let os_deps = cdx["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == os["bom-ref"])
        .expect("the OS has a dependency entry");
    assert_eq!(os_deps["dependsOn"].as_array().unwrap().len(), live);
    // Layers are on the image in both formats.
    let props = properties(root);
    let first_diff_id = native["layers"][0]["diffId"].as_str().unwrap();
    assert!(props.contains(&("sbomgen:layer:0:diffId".into(), first_diff_id.into())));
    let image_notes = annotations(image);
    assert!(image_notes.contains(&format!("sbomgen:layer:0:diffId={first_diff_id}")));
    assert_eq!(
        emit(source, "cyclonedx-json@1.5", &[])["specVersion"],
        "1.5"
    );
}

#[test]
fn removed_packages_are_marked_in_every_format_and_absent_when_squashed() {
    let source = demo_image();
    let source = source.as_str();
    let native = scan_json(&[source]);
    let curl = native["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "curl")
        .unwrap();
    assert_eq!(curl["removedIn"], 2);
    let removing_layer = native["layers"][2]["diffId"].as_str().unwrap().to_string();
    let introducing_layer = native["layers"][0]["diffId"].as_str().unwrap().to_string();

    let cdx = emit(source, "cyclonedx-json", &[]);
    // Removed packages are in `formulation`, not among the components consumers count.
    assert!(!cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "curl"));
    let component = cdx["formulation"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "curl")
        .unwrap();
    let props = properties(component);
    for expected in [
        ("sbomgen:removed", "true"),
        ("sbomgen:layer:removed:index", "2"),
        ("sbomgen:layer:removed:diffId", removing_layer.as_str()),
        ("sbomgen:layer:introduced:index", "0"),
        (
            "sbomgen:layer:introduced:diffId",
            introducing_layer.as_str(),
        ),
    ] {
        assert!(
            props.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing from {props:?}"
        );
    }

    // SPDX: no package element (Trivy counts every one), the native package in an
    // annotation of the image (tests/e2e/spdx_interop.rs checks the rest).
    let spdx = emit(source, "spdx-json", &[]);
    let packages = spdx["packages"].as_array().unwrap();
    assert!(!packages.iter().any(|p| p["name"] == "curl"));
    let carried: Vec<Value> = annotations(&packages[0])
        .iter()
        .filter_map(|n| n.strip_prefix("sbomgen:removedPackage="))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    assert!(carried.contains(curl), "{carried:?}");
    let tag_value = String::from_utf8(run_ok(&[source, "-q", "-o", "spdx-tag-value"])).unwrap();
    assert!(tag_value.contains("sbomgen:removedPackage={\"name\":\"curl\""));

    for format in ["spdx-json", "cyclonedx-json"] {
        let squashed =
            String::from_utf8(run_ok(&[source, "-q", "--scope", "squashed", "-o", format]))
                .unwrap();
        assert!(!squashed.contains("sbomgen:removed"), "{format}");
        assert!(!squashed.contains("\"curl\""), "{format} still lists curl");
    }
}

/// The fields a round trip must keep, per package.
fn essentials(doc: &Value) -> Vec<Value> {
    let mut list: Vec<Value> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            serde_json::json!([
                p["name"],
                p["version"],
                p["purl"],
                p["licenses"],
                p["introducedIn"],
                p["removedIn"],
                p["replacedBy"],
                p["locations"],
                p["type"],
                p["arch"]
            ])
        })
        .collect();
    list.sort_by_key(ToString::to_string);
    list
}

#[test]
fn convert_round_trips_keep_packages_and_provenance() {
    let tmp = tempfile::tempdir().unwrap();
    let source = debian_layout(tmp.path());
    let native_path = tmp.path().join("native.json");
    run_ok(&[
        &source,
        "-q",
        "-o",
        &format!("json={}", native_path.display()),
    ]);
    let native: Value = serde_json::from_slice(&std::fs::read(&native_path).unwrap()).unwrap();
    assert!(
        native["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["licenses"].as_array().is_some_and(|l| !l.is_empty())),
        "the image must carry licences for the round trip to prove anything"
    );
    for format in ["spdx-json", "cyclonedx-json", "cyclonedx-json@1.5"] {
        let converted = tmp.path().join(format!("{format}.doc"));
        let back = convert_round_trip(&native_path, format, &converted);
        assert_eq!(essentials(&back), essentials(&native), "via {format}");
        assert_eq!(back["layers"], native["layers"], "layers via {format}");
        assert_eq!(back["source"], native["source"], "source via {format}");
        assert_eq!(back["distro"], native["distro"], "distro via {format}");
        // Converting the scan's own document gives the same bytes as scanning straight to it.
        let direct = run_ok(&[&source, "-q", "-o", format]);
        assert!(
            direct == std::fs::read(&converted).unwrap(),
            "convert to {format} differs from a direct scan"
        );
    }
}

#[test]
fn convert_rejects_what_it_cannot_read_and_leaves_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.spdx.json");
    let out_arg = format!("spdx-json={}", out.display());
    let not_json = tmp.path().join("notes.txt");
    std::fs::write(&not_json, "hello").unwrap();
    let unknown = tmp.path().join("other.json");
    std::fs::write(&unknown, r#"{"hello": "world"}"#).unwrap();
    let missing = tmp.path().join("missing.json");
    for (input, expected) in [
        (&not_json, "not JSON"),
        (&unknown, "neither an sbomgen, SPDX"),
        (&missing, "cannot read"),
    ] {
        let input = input.to_str().unwrap();
        let stderr = failure(&["convert", input, "-o", &out_arg]);
        assert!(stderr.contains(input), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!out.exists(), "partial output left behind for {input}");
    }
}
