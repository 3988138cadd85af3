//! The SPDX 3 document as a whole: official JSON schema, exact round trip, determinism, the
//! place of removed packages, and reading documents sbomgen did not write.

use serde_json::{json, Value};

use sbomgen_model::{Distro, HiddenFile, LayerSummary, Location, Package, Sbom, SourceInfo};

use super::{is_spdx3, read_json, write_json};
use crate::test_fixtures::{self, digest};
use crate::{DocumentInfo, FormatError};

/// A Debian package whose metadata has a doubled space and a continuation line.
fn deb(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
    Package {
        metadata: json!({
            "maintainer": "Debian  Maintainers <debian@example.org>",
            "homepage": "https://example.org/",
            "description": "a package\n with two lines",
            "installedSize": 100
        }),
        ..test_fixtures::deb(name, version, introduced, removed)
    }
}

/// Everything the native model carries: removed and replaced packages, licences that are and
/// are not SPDX expressions, dependencies, an owned and a declared language package, apk and
/// rpm metadata, hidden files, a layer command with a newline, metadata that is not an object.
fn rich() -> Sbom {
    let mut curl = deb("curl", "7.88.1-10+deb12u4", 0, Some(2));
    curl.licenses = vec!["Expat-ish licence".into(), "MIT OR Apache-2.0".into()];
    curl.depends_on = vec!["libssl3".into(), "not-in-the-image".into()];
    curl.files = 12;
    curl.files_present = 3;
    let mut old_ssl = deb("libssl3", "3.0.11-1~deb12u1", 0, Some(2));
    old_ssl.replaced_by = Some("3.0.11-1~deb12u2".into());
    old_ssl.source_name = Some("openssl".into());
    old_ssl.licenses = vec!["Apache-2.0".into()];
    let mut new_ssl = deb("libssl3", "3.0.11-1~deb12u2", 2, None);
    new_ssl.source_name = Some("openssl".into());
    new_ssl.source_version = Some("3.0.11-1~deb12u2".into());
    let mut yaml_deb = deb("python3-yaml", "6.0-3", 1, None);
    yaml_deb.metadata = Value::Null;
    let yaml = Package {
        name: "PyYAML".into(),
        version: "6.0".into(),
        kind: "pypi".into(),
        purl: Some("pkg:pypi/pyyaml@6.0".into()),
        licenses: vec!["GPLv2+ and BSD".into()],
        introduced_in: Some(1),
        locations: vec![Location {
            path: "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA".into(),
            layer_index: 1,
        }],
        owned_by: yaml_deb.purl.clone(),
        metadata: json!({"homepage": "not a url", "author": "Kirill"}),
        ..Package::default()
    };
    let declared = Package {
        name: "left-pad".into(),
        version: "1.3.0".into(),
        kind: "npm".into(),
        purl: Some("pkg:npm/left-pad@1.3.0".into()),
        declared: true,
        locations: vec![Location {
            path: "srv/app/package-lock.json".into(),
            layer_index: 1,
        }],
        metadata: json!({}),
        ..Package::default()
    };
    let musl = Package {
        name: "musl".into(),
        version: "1.2.4-r2".into(),
        kind: "apk".into(),
        purl: Some("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64".into()),
        introduced_in: Some(0),
        metadata: json!({"pullChecksum": "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo=", "url": "https://musl.libc.org/"}),
        ..Package::default()
    };
    let rpm = Package {
        name: "bash".into(),
        version: "5.1-1".into(),
        kind: "rpm".into(),
        introduced_in: Some(0),
        metadata: json!({"vendor": "Red Hat, Inc.", "maintainer": "nobody", "summary": "shell"}),
        ..Package::default()
    };
    let mut sbom = Sbom {
        source: SourceInfo {
            kind: "oci-archive".into(),
            path: Some("demo.tar".into()),
            reference: Some("registry.example/app:1.0".into()),
            manifest_digest: digest('a'),
            config_digest: digest('f'),
            platform: "linux/amd64".parse().ok(),
            created: Some("2024-01-02T03:04:05Z".into()),
            ..SourceInfo::default()
        },
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
        layers: (0..3)
            .map(|index| LayerSummary {
                index,
                digest: digest(['b', 'c', 'd'][index]),
                diff_id: digest(['1', '2', '3'][index]),
                created_by: Some(format!("RUN step {index} \\\n && more")),
                added: 2,
                ..LayerSummary::default()
            })
            .collect(),
        hidden_files: vec![HiddenFile {
            path: "srv/app/.env".into(),
            size: 42,
            added_in: 1,
            removed_in: 2,
        }],
        packages: vec![curl, old_ssl, new_ssl, yaml_deb, yaml, declared, musl, rpm],
    };
    sbom.sort_packages();
    sbom
}

fn document(sbom: &Sbom) -> Vec<u8> {
    let info = DocumentInfo::resolve(sbom, None).unwrap();
    let mut out = Vec::new();
    write_json(sbom, &info, &mut out).unwrap();
    out
}

fn parsed(sbom: &Sbom) -> Value {
    serde_json::from_slice(&document(sbom)).unwrap()
}

fn graph(document: &Value) -> &Vec<Value> {
    document["@graph"].as_array().unwrap()
}

#[test]
fn documents_validate_against_the_official_json_schema() {
    let path = sbomgen_testkit::schema::schemas_dir().join("spdx-3.0.1/spdx-json-schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for sbom in [rich(), Sbom::default()] {
        let document = parsed(&sbom);
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .take(10)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    // The schema is not a pass-all: a package without creationInfo is rejected.
    let mut broken = parsed(&rich());
    let package = broken["@graph"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["type"] == "software_Package")
        .unwrap();
    package.as_object_mut().unwrap().remove("creationInfo");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sbomgen_documents_read_back_exactly() {
    let sbom = rich();
    let back = read_json(&parsed(&sbom)).unwrap();
    let expected = sbom;
    assert_eq!(back.source, expected.source);
    assert_eq!(back.layers, expected.layers);
    assert_eq!(back.hidden_files, expected.hidden_files);
    assert_eq!(back.distro, expected.distro);
    for (back, expected) in back.packages.iter().zip(&expected.packages) {
        assert_eq!(back, expected, "{}", expected.name);
    }
    assert_eq!(back, expected);
    // Writing what was read gives the same bytes: nothing was lost or added.
    assert_eq!(document(&back), document(&expected));
}

#[test]
fn same_image_same_bytes_other_image_other_ids() {
    let sbom = rich();
    assert_eq!(document(&sbom), document(&sbom));
    let mut other = rich();
    other.source.manifest_digest = digest('e');
    let ids = |sbom: &Sbom| parsed(sbom)["@graph"][1]["spdxId"].clone();
    assert_ne!(ids(&sbom), ids(&other));
    let created = &parsed(&sbom)["@graph"][0]["created"];
    assert_eq!(created, "2024-01-02T03:04:05Z");
}

#[test]
fn removed_packages_are_contained_in_build_scope_only() {
    let document = parsed(&rich());
    let nodes = graph(&document);
    let id_of = |name: &str, version: &str| {
        nodes
            .iter()
            .find(|n| n["name"] == name && n["software_packageVersion"] == version)
            .map(|n| n["spdxId"].as_str().unwrap().to_string())
            .unwrap()
    };
    let contained = |scope: Option<&str>| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| n["relationshipType"] == "contains")
            .filter(|n| n["scope"].as_str() == scope)
            .flat_map(|n| n["to"].as_array().unwrap().iter())
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let removed = [
        id_of("curl", "7.88.1-10+deb12u4"),
        id_of("libssl3", "3.0.11-1~deb12u1"),
    ];
    let build = contained(Some("build"));
    let plain = contained(None);
    assert_eq!(build, removed);
    assert!(plain.contains(&id_of("libssl3", "3.0.11-1~deb12u2")));
    assert!(removed.iter().all(|r| !plain.contains(r)), "{plain:?}");
    let scoped = nodes.iter().find(|n| n["scope"] == "build").unwrap();
    assert_eq!(scoped["type"], "LifecycleScopedRelationship");
    assert!(scoped["from"].as_str().unwrap().ends_with("#image"));
}

#[test]
fn provenance_is_annotated_in_sbomgen_vocabulary() {
    let document = parsed(&rich());
    let statements: Vec<&str> = graph(&document)
        .iter()
        .filter(|n| n["type"] == "Annotation")
        .map(|n| n["statement"].as_str().unwrap())
        .collect();
    for expected in [
        "sbomgen:removed=true",
        "sbomgen:layer:removed:index=2",
        &format!("sbomgen:layer:introduced:diffId=sha256:{}", "1".repeat(64)),
        "sbomgen:layer:0:createdBy=RUN step 0 \\\n && more",
        "sbomgen:hiddenFile:0:path=srv/app/.env",
    ] {
        assert!(
            statements.contains(&expected),
            "{expected} in {statements:?}"
        );
    }
}

#[test]
fn raw_licence_text_is_kept_verbatim() {
    let document = parsed(&rich());
    let nodes = graph(&document);
    let texts: Vec<&str> = nodes
        .iter()
        .filter(|n| n["type"] == "simplelicensing_SimpleLicensingText")
        .map(|n| n["simplelicensing_licenseText"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Expat-ish licence"), "{texts:?}");
    assert!(texts.contains(&"GPLv2+ and BSD"), "{texts:?}");
    let curl = nodes
        .iter()
        .filter_map(|n| n["simplelicensing_licenseExpression"].as_str())
        .find(|e| e.ends_with(" AND (MIT OR Apache-2.0)"))
        .expect("curl's expression");
    assert!(curl.starts_with("LicenseRef-Expat-ish-licence-"), "{curl}");
}

#[test]
fn other_tools_documents_are_read_as_far_as_they_go() {
    let document = json!({
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {"type": "software_Sbom", "spdxId": "urn:x:sbom", "rootElement": ["urn:x:app"]},
            {"type": "software_Package", "spdxId": "urn:x:app", "name": "app"},
            {"type": "software_Package", "spdxId": "urn:x:a", "name": "a",
             "software_packageVersion": "1.0",
             "software_packageUrl": "pkg:deb/debian/a@1.0?arch=arm64",
             "externalIdentifier": [{"type": "ExternalIdentifier",
                "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*"}]},
            {"type": "software_Package", "@id": "urn:x:b", "name": "b"},
            {"type": "Relationship", "spdxId": "urn:x:r1", "from": "urn:x:a",
             "relationshipType": "dependsOn", "to": "urn:x:b"},
            {"type": "simplelicensing_LicenseExpression", "spdxId": "urn:x:l",
             "simplelicensing_licenseExpression": "MIT AND LicenseRef-x"},
            {"type": "Relationship", "spdxId": "urn:x:r2", "from": "urn:x:a",
             "relationshipType": "hasDeclaredLicense", "to": ["urn:x:l"]},
            {"type": "ai_AIPackage", "spdxId": "urn:x:model"}
        ]
    });
    assert!(is_spdx3(&document));
    let sbom = read_json(&document).unwrap();
    let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["b", "a"],
        "the root app is the image, not a package"
    );
    let a = &sbom.packages[1];
    assert_eq!((a.kind.as_str(), a.arch.as_deref()), ("deb", Some("arm64")));
    assert_eq!(a.cpes.len(), 1);
    assert_eq!(a.licenses, ["MIT", "LicenseRef-x"]);
    assert_eq!(a.depends_on, ["b"]);
    assert_eq!(a.introduced_in, None);
}

#[test]
fn spdx3_is_told_by_its_context() {
    assert!(is_spdx3(
        &json!({"@context": "https://spdx.org/rdf/3.0.0/spdx-context.jsonld"})
    ));
    assert!(is_spdx3(
        &json!({"@context": ["https://spdx.org/rdf/3.0.1/spdx-context.jsonld", {"x": "y"}]})
    ));
    assert!(!is_spdx3(&json!({"@context": "https://schema.org"})));
    assert!(!is_spdx3(&json!({"spdxVersion": "SPDX-2.3"})));
    assert_eq!(
        crate::read::detect(&parsed(&Sbom::default())),
        Some(crate::read::InputKind::Spdx3)
    );
}

#[test]
fn malformed_documents_name_the_faulty_path() {
    let problem =
        |graph: Value| match read_json(&json!({"@context": super::CONTEXT, "@graph": graph})) {
            Err(FormatError::Unreadable { problem, .. }) => problem,
            other => panic!("expected Unreadable, got {other:?}"),
        };
    assert_eq!(problem(json!({})), "document.@graph is not an array");
    assert_eq!(problem(json!([7])), "@graph[0] is not a JSON object");
    assert_eq!(
        problem(json!([{"type": "software_Package", "name": "x"}])),
        "@graph[0].@id is missing"
    );
    assert_eq!(
        problem(json!([{"type": "Relationship", "spdxId": "urn:r", "to": []}])),
        "@graph[0].from is missing"
    );
    assert_eq!(
        problem(
            json!([{"type": "Relationship", "spdxId": "urn:r", "from": "urn:a",
            "relationshipType": "contains", "to": [1]}])
        ),
        "@graph[0].to[0] is not a string"
    );
}
