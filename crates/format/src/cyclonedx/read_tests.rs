//! The reader on other tools' documents: Trivy's and Syft's, real and hand-made, and what it
//! refuses.

use std::path::PathBuf;

use serde_json::{json, Value};

use sbomgen_model::{Digest, Distro, Location};
use sbomgen_testkit::schema::{self, Schema};

use super::tests::{info, properties};
use super::*;
use crate::FormatError;

fn data(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn reads_trivy_documents_with_their_layers() {
    let sbom = read_json(&data("trivy-centos-7.cdx.json")).unwrap();
    assert_eq!(
        sbom.distro,
        Some(Distro {
            id: "centos".into(),
            version_id: Some("7.6.1810".into()),
            pretty_name: None,
        })
    );
    assert_eq!(
        sbom.source.reference.as_deref(),
        Some("ghcr.io/aquasecurity/trivy-test-images:centos-7")
    );
    assert_eq!(
        sbom.source.config_digest.as_ref().map(Digest::as_str),
        Some("sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427")
    );
    assert_eq!(sbom.layers.len(), 1);
    assert_eq!(sbom.packages.len(), 2);
    let openssl = &sbom.packages[1];
    assert_eq!(openssl.name, "openssl-libs");
    assert_eq!(openssl.version, "1.0.2k-16.el7");
    assert_eq!(openssl.kind, "rpm");
    assert_eq!(openssl.arch.as_deref(), Some("x86_64"));
    assert_eq!(openssl.licenses, vec!["OpenSSL+".to_string()]);
    assert_eq!(openssl.introduced_in, Some(0));
    assert_eq!(openssl.source_name.as_deref(), Some("openssl"));
    assert!(openssl.purl.as_deref().unwrap().contains("epoch=1"));
    // And sbomgen writes it out as a valid document.
    let mut out = Vec::new();
    write_json(&sbom, &info(&sbom), SpecVersion::V1_6, &mut out).unwrap();
    schema::validate_json(Schema::CycloneDx16, &serde_json::from_slice(&out).unwrap()).unwrap();
}

#[test]
fn reads_syft_documents() {
    let sbom = read_json(&data("syft-image-snapshot.cdx.json")).unwrap();
    assert_eq!(
        sbom.distro,
        Some(Distro {
            id: "debian".into(),
            version_id: Some("1.2.3".into()),
            pretty_name: Some("debian".into()),
        })
    );
    let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["package-2", "package-1"],
        "in native order: deb before python"
    );
    let deb = &sbom.packages[0];
    assert_eq!(deb.kind, "deb");
    assert_eq!(deb.cpes, ["cpe:2.3:*:some:package:2:*:*:*:*:*:*:*"]);
    // Syft lists no layers (and its snapshot redacts the ids): nothing is guessed.
    assert_eq!(deb.introduced_in, None);
    assert!(deb.locations.is_empty());
    assert_eq!(sbom.packages[1].licenses, ["MIT"]);
}

#[test]
fn syft_locations_resolve_against_known_layers() {
    let diff = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    // Another tool's document naming the layers, in order, in sbomgen's vocabulary.
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "container", "name": "app", "version": diff('a'),
            "properties": [
                {"name": "sbomgen:layer:0:diffId", "value": diff('b')},
                {"name": "sbomgen:layer:1:diffId", "value": diff('c')}
            ]}},
        "components": [{
            "bom-ref": "x", "type": "library", "name": "libfoo", "version": "1",
            "purl": "pkg:deb/debian/libfoo@1?arch=arm64",
            "properties": [
                {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"},
                {"name": "syft:location:0:layerID", "value": diff('c')},
                {"name": "syft:location:1:path", "value": "/usr/share/doc/libfoo/copyright"},
                {"name": "syft:location:1:layerID", "value": diff('b')},
                {"name": "syft:location:2:path", "value": "/elsewhere"},
                {"name": "syft:location:2:layerID", "value": diff('d')},
                {"name": "syft:cpe23", "value": "cpe:2.3:a:foo:libfoo:1:*:*:*:*:*:*:*"}
            ],
            "components": [{"type": "library", "name": "nested", "version": "2"}]
        }, {"type": "file", "name": "/etc/passwd"},
           {"type": "application", "name": "app/composer.lock"}],
        "dependencies": [{"ref": "x", "dependsOn": ["x", "nowhere"]}]
    });
    let sbom = read_json(&doc).unwrap();
    assert_eq!(sbom.source.reference.as_deref(), Some("app"));
    assert_eq!(
        sbom.source
            .manifest_digest
            .as_ref()
            .map(ToString::to_string),
        Some(diff('a'))
    );
    let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["libfoo", "nested"]);
    let libfoo = &sbom.packages[0];
    assert_eq!(libfoo.arch.as_deref(), Some("arm64"));
    assert_eq!(
        libfoo.locations,
        vec![
            Location {
                path: "var/lib/dpkg/status".into(),
                layer_index: 1
            },
            Location {
                path: "usr/share/doc/libfoo/copyright".into(),
                layer_index: 0
            },
        ]
    );
    assert_eq!(libfoo.introduced_in, Some(0));
    assert_eq!(libfoo.cpes, ["cpe:2.3:a:foo:libfoo:1:*:*:*:*:*:*:*"]);
    assert!(
        libfoo.depends_on.is_empty(),
        "no self edge, no dangling edge"
    );
    assert_eq!(sbom.packages[1].kind, "generic");
}

#[test]
fn malformed_documents_are_unreadable_with_a_path() {
    for (doc, expected) in [
        (
            json!({"bomFormat": "CycloneDX", "components": {}}),
            "$.components is not an array",
        ),
        (
            json!({"bomFormat": "CycloneDX", "components": [{"type": "library"}]}),
            "$.components[0].name is missing",
        ),
        (
            json!({"bomFormat": "CycloneDX", "components": [{"type": "library", "name": "x",
                "properties": [{"name": "a", "value": 1}]}]}),
            "$.components[0].properties[0].value is not a string",
        ),
        (
            json!({"bomFormat": "CycloneDX", "metadata": {"component": []}}),
            "$.metadata.component is not a JSON object",
        ),
        (
            json!({"bomFormat": "CycloneDX", "dependencies": [{"dependsOn": []}]}),
            "$.dependencies[0].ref is missing",
        ),
        (json!([1, 2]), "$ is not a JSON object"),
    ] {
        match read_json(&doc) {
            Err(FormatError::Unreadable { problem, .. }) => {
                assert_eq!(problem, expected, "{doc}");
            }
            other => panic!("{doc}: expected Unreadable, got {other:?}"),
        }
    }
}

/// Trivy 0.76's document for the demo image (`trivy image --format cyclonedx`), trimmed to
/// what the reader looks at. Its image lists the three layers sorted by digest: layer 0
/// (`2430…`), then layer 2 (`57fe…`), then layer 1 (`9be8…`).
fn trivy_demo() -> Value {
    let layer0 = "sha256:24302eea80af637d41d0bf07c2e6b75b82d4917872939a75ce060b5dfc155809";
    let layer1 = "sha256:9be8e5d2372669037ffe34685dda8a6247265317bc9cfcd61f0cd21f74b0bd54";
    let layer2 = "sha256:57fee8dda818099c397ec55f5c837ee1593efa614566e02e033b3a390c42d728";
    let blob0 = "sha256:bfb5b291f6001ff95eafe39d4de7e70aff5e44d302d59cf040f1045b8463aafe";
    let trivy = |name: &str, value: &str| json!({"name": format!("aquasecurity:trivy:{name}"), "value": value});
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "metadata": {
            "tools": {"components": [{"type": "application", "group": "aquasecurity", "name": "trivy", "version": "0.76.0"}]},
            "component": {"bom-ref": "f1951929", "type": "container", "name": "demo-oci",
                "properties": [trivy("DiffID", layer0), trivy("DiffID", layer2), trivy("DiffID", layer1),
                    trivy("ImageID", "sha256:01513a04451c09ae2f884897208223987c5d11122e9308b07aba6f9431aa0e0e")]}
        },
        "components": [
            {"bom-ref": "165ab42a", "type": "operating-system", "name": "debian", "version": "12.5"},
            {"bom-ref": "pkg:deb/debian/base-files@12.5?arch=amd64&distro=debian-12.5", "type": "library",
             "name": "base-files", "version": "12.5",
             "purl": "pkg:deb/debian/base-files@12.5?arch=amd64&distro=debian-12.5",
             "properties": [trivy("LayerDiffID", layer0), trivy("LayerDigest", blob0),
                trivy("SrcName", "base-files"), trivy("SrcVersion", "12.5")]},
            {"bom-ref": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5", "type": "library",
             "name": "libssl3", "version": "3.0.11-1~deb12u2",
             "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5",
             "properties": [trivy("LayerDiffID", layer2), trivy("LayerDigest", layer2),
                trivy("SrcName", "openssl")]}
        ],
        "dependencies": [
            {"ref": "165ab42a", "dependsOn": ["pkg:deb/debian/base-files@12.5?arch=amd64&distro=debian-12.5",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5"]},
            {"ref": "f1951929", "dependsOn": ["165ab42a"]}
        ]
    })
}

#[test]
fn trivy_layers_sorted_by_digest_are_not_read_as_an_order() {
    let doc = trivy_demo();
    let sbom = read_json(&doc).unwrap();
    // The digest-sorted list would put layer 2 at index 1: no index is claimed at all.
    assert!(sbom.layers.is_empty(), "{:?}", sbom.layers);
    let facts: Vec<(&str, Option<usize>, &Value, &Value)> = sbom
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.introduced_in,
                &p.metadata[INTRODUCED_DIFF_ID],
                &p.metadata[INTRODUCED_DIGEST],
            )
        })
        .collect();
    let layer = |n: usize| &doc["components"][n]["properties"][0]["value"];
    let blob = |n: usize| &doc["components"][n]["properties"][1]["value"];
    assert_eq!(
        facts,
        [
            ("base-files", None, layer(1), blob(1)),
            ("libssl3", None, layer(2), blob(2)),
        ]
    );
    assert_eq!(sbom.packages[1].source_name.as_deref(), Some("openssl"));
    // Written again, each package still names its layer to Trivy and Syft.
    let mut out = Vec::new();
    write_json(&sbom, &info(&sbom), SpecVersion::V1_6, &mut out).unwrap();
    let written: Value = serde_json::from_slice(&out).unwrap();
    schema::validate_json(Schema::CycloneDx16, &written).unwrap();
    let base_files = &written["components"][1];
    assert_eq!(base_files["name"], "base-files");
    let props = properties(base_files);
    assert!(props.contains(&(
        "aquasecurity:trivy:LayerDiffID".into(),
        layer(1).as_str().unwrap().into()
    )));
    assert!(props.contains(&(
        "aquasecurity:trivy:LayerDigest".into(),
        blob(1).as_str().unwrap().into()
    )));
    assert!(!props.iter().any(|(n, _)| n.starts_with("sbomgen:layer:")));
}

#[test]
fn one_trivy_layer_is_layer_zero_with_the_blob_digest_its_packages_name() {
    let mut doc = trivy_demo();
    let properties = doc["metadata"]["component"]["properties"]
        .as_array_mut()
        .unwrap();
    properties.retain(|p| {
        p["name"] != "aquasecurity:trivy:DiffID" || p["value"].as_str().unwrap().contains("24302")
    });
    let sbom = read_json(&doc).unwrap();
    assert_eq!(sbom.layers.len(), 1);
    let layer = &sbom.layers[0];
    assert_eq!(layer.index, 0);
    assert_eq!(
        layer.diff_id.as_ref().map(Digest::as_str),
        doc["components"][1]["properties"][0]["value"].as_str()
    );
    assert_eq!(
        layer.digest.as_ref().map(Digest::as_str),
        doc["components"][1]["properties"][1]["value"].as_str()
    );
    let base_files = &sbom.packages[0];
    assert_eq!(base_files.introduced_in, Some(0));
    assert!(base_files.metadata.get(INTRODUCED_DIFF_ID).is_none());
    // libssl3 names a layer the image does not list: no index, its name kept.
    assert_eq!(sbom.packages[1].introduced_in, None);
    assert!(sbom.packages[1].metadata.get(INTRODUCED_DIFF_ID).is_some());
}

#[test]
fn only_formulation_components_sbomgen_marked_removed_are_packages() {
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"bom-ref": "a", "type": "library", "name": "kept", "version": "1"}],
        "formulation": [{"bom-ref": "build", "components": [
            {"bom-ref": "b", "type": "application", "name": "gcc", "version": "12"},
            {"bom-ref": "c", "type": "library", "name": "gone", "version": "2",
             "properties": [{"name": "sbomgen:removed", "value": "true"},
                            {"name": "sbomgen:layer:removed:index", "value": "1"}]}
        ]}],
        "dependencies": [{"ref": "a", "dependsOn": ["c", "b"]}]
    });
    let sbom = read_json(&doc).unwrap();
    let names: Vec<(&str, Option<usize>)> = sbom
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.removed_in))
        .collect();
    assert_eq!(names, [("gone", Some(1)), ("kept", None)]);
    assert_eq!(sbom.packages[1].depends_on, ["gone"]);
    let bad = json!({"bomFormat": "CycloneDX", "formulation": [{"components": {}}]});
    match read_json(&bad) {
        Err(FormatError::Unreadable { problem, .. }) => {
            assert_eq!(problem, "$.formulation[0].components is not an array");
        }
        other => panic!("{other:?}"),
    }
}
