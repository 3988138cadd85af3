//! The CycloneDX encodings against the official schemas, their determinism, where removed
//! packages go, the peer aliases, and the round trip through the reader. The reader on Syft's
//! and Trivy's documents is in `read_tests.rs`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use sbomgen_model::{Distro, HiddenFile, LayerSummary, Location, Package, Sbom, SourceInfo};
use sbomgen_testkit::schema::{self, Schema};

use super::test_schema::{validate_json_1_7, validate_xml_1_7};
use super::*;
use crate::test_fixtures::{self, digest};
use crate::DocumentInfo;

/// A layer whose command needs escaping in XML.
fn layer(index: usize, digest_char: char, diff_char: char) -> LayerSummary {
    LayerSummary {
        created_by: Some(format!("RUN step {index} && echo \"<done>\" & true")),
        ..test_fixtures::layer(index, digest_char, diff_char)
    }
}

/// A Debian package with a CPE-escaped version and the metadata the components carry.
fn deb(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
    Package {
        cpes: vec![format!(
            "cpe:2.3:a:{name}:{name}:{}:*:*:*:*:*:*:*",
            version.replace('+', "\\+")
        )],
        metadata: json!({
            "maintainer": "Debian Maintainers <debian@example.org>",
            "homepage": "https://example.org/",
            "description": format!("the {name} package"),
        }),
        ..test_fixtures::deb(name, version, introduced, removed)
    }
}

/// Every case the encodings must carry: removed and replaced packages, a non-SPDX licence,
/// several licences, twins, an rpm with an epoch, an apk with a pull checksum, a non-OS
/// package, dependencies, CPEs the XML pattern refuses, text needing escapes.
pub(super) fn sample() -> Sbom {
    let mut curl_old = deb("curl", "7.88.1-10+deb12u4", 0, Some(2));
    curl_old.replaced_by = Some("7.88.1-10+deb12u5".into());
    curl_old.licenses = vec!["curl".into(), "BSD-3-Clause".into()];
    curl_old.depends_on = vec!["libc6".into(), "missing".into()];
    let mut curl_new = deb("curl", "7.88.1-10+deb12u5", 2, None);
    curl_new.licenses = vec!["Some custom licence text".into(), "MIT".into()];
    curl_new.depends_on = vec!["libc6".into()];
    curl_new.locations.push(Location {
        path: "var/lib/dpkg/status".into(),
        layer_index: 2,
    });
    let mut libc = deb("libc6", "2.36-9", 0, None);
    libc.licenses = vec!["GPL-2.0-or-later OR LGPL-2.1-or-later".into(), "MIT".into()];
    libc.source_name = Some("glibc".into());
    // Identical twins: same everything, told apart by document order.
    let twin = deb("twin", "1.0", 1, None);
    let mut unicode = deb("caf\u{e9}", "1\u{2013}0", 1, None);
    unicode.cpes = vec![
        "cpe:2.3:a:caf\u{e9}:caf\u{e9}:1:*:*:*:*:*:*:*".into(),
        "cpe:2.3:a:cafe:cafe:1:*:*:*:*:*:*:*".into(),
    ];
    unicode.metadata =
        json!({"description": "tab\there <&> \"quoted\"\ncontrol\u{1}", "maintainer": "nobody"});
    let rpm = Package {
        name: "openssl-libs".into(),
        version: "1.0.2k-16.el7".into(),
        kind: "rpm".into(),
        purl: Some(
            "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7".into(),
        ),
        arch: Some("x86_64".into()),
        licenses: vec!["OpenSSL".into()],
        introduced_in: Some(1),
        locations: vec![Location {
            path: "var/lib/rpm/Packages".into(),
            layer_index: 1,
        }],
        metadata: json!({"vendor": "CentOS", "summary": "A general purpose cryptography library"}),
        ..Package::default()
    };
    let apk = Package {
        name: "musl".into(),
        version: "1.2.3-r0".into(),
        kind: "apk".into(),
        purl: Some("pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64".into()),
        licenses: vec!["MIT".into(), "GPL-2.0-only".into()],
        introduced_in: Some(1),
        metadata: json!({
            "maintainer": "Timo Teräs <timo.teras@iki.fi>",
            "url": "https://musl.libc.org/",
            "pullChecksum": "Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=",
        }),
        ..Package::default()
    };
    let python = Package {
        name: "requests".into(),
        version: "2.31.0".into(),
        kind: "pypi".into(),
        purl: Some("pkg:pypi/requests@2.31.0".into()),
        licenses: vec!["Apache-2.0".into()],
        introduced_in: Some(1),
        ..Package::default()
    };
    Sbom {
        source: SourceInfo {
            kind: "oci-archive".into(),
            path: Some("images/app.tar".into()),
            reference: Some("registry.example/team/app:1.0".into()),
            manifest_digest: digest('a'),
            index_digest: None,
            config_digest: digest('b'),
            platform: "linux/amd64".parse().ok(),
            created: Some("2024-01-02T03:04:05Z".into()),
            name: None,
            version: None,
        },
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
        layers: vec![layer(0, 'c', 'd'), layer(1, 'e', 'f'), layer(2, '1', '2')],
        hidden_files: vec![HiddenFile {
            path: "etc/secret & key".into(),
            size: 12,
            added_in: 0,
            removed_in: 2,
        }],
        packages: vec![
            curl_old,
            curl_new,
            libc,
            twin.clone(),
            twin,
            unicode,
            rpm,
            apk,
            python,
        ],
    }
}

pub(super) fn info(sbom: &Sbom) -> DocumentInfo {
    DocumentInfo::resolve(sbom, None).unwrap()
}

pub(super) fn json_bytes(sbom: &Sbom, version: SpecVersion) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(sbom, &info(sbom), version, &mut out).unwrap();
    out
}

pub(super) fn json_doc(sbom: &Sbom, version: SpecVersion) -> Value {
    serde_json::from_slice(&json_bytes(sbom, version)).unwrap()
}

fn xml_bytes(sbom: &Sbom, version: SpecVersion) -> Vec<u8> {
    let mut out = Vec::new();
    write_xml(sbom, &info(sbom), version, &mut out).unwrap();
    out
}

/// The top-level components and the removed ones in `formulation`.
fn all_components(doc: &Value) -> Vec<&Value> {
    let removed = doc["formulation"][0]["components"].as_array();
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .chain(removed.into_iter().flatten())
        .collect()
}

fn component<'a>(doc: &'a Value, name: &str, version: &str) -> &'a Value {
    all_components(doc)
        .into_iter()
        .find(|c| c["name"] == name && c["version"] == version)
        .unwrap_or_else(|| panic!("no component {name} {version}"))
}

pub(super) fn properties(component: &Value) -> Vec<(String, String)> {
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

#[test]
fn json_is_valid_against_the_strict_schemas() {
    for sbom in [sample(), Sbom::default()] {
        schema::validate_json(Schema::CycloneDx16, &json_doc(&sbom, SpecVersion::V1_6))
            .unwrap_or_else(|e| panic!("{e}"));
        schema::validate_json(Schema::CycloneDx15, &json_doc(&sbom, SpecVersion::V1_5))
            .unwrap_or_else(|e| panic!("{e}"));
        validate_json_1_7(&json_doc(&sbom, SpecVersion::V1_7)).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(json_doc(&sample(), SpecVersion::V1_5)["specVersion"], "1.5");
    let doc = json_doc(&sample(), SpecVersion::V1_7);
    assert_eq!(doc["specVersion"], "1.7");
    assert_eq!(
        doc["$schema"],
        "http://cyclonedx.org/schema/bom-1.7.schema.json"
    );
}

#[test]
fn the_1_7_validator_rejects_what_it_should() {
    let mut doc = json_doc(&sample(), SpecVersion::V1_7);
    doc["formulation"][0]["components"][0]["type"] = "no-such-type".into();
    let err = validate_json_1_7(&doc).unwrap_err();
    assert!(err.contains("/formulation/0/components/0/type"), "{err}");
}

#[test]
fn xml_is_valid_against_the_xsd() {
    for sbom in [sample(), Sbom::default()] {
        match schema::validate_cyclonedx_xml(&xml_bytes(&sbom, SpecVersion::V1_6)) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
                return;
            }
            Err(e) => panic!("{e}"),
        }
        if let Some(result) = validate_xml_1_7(&xml_bytes(&sbom, SpecVersion::V1_7)) {
            result.unwrap_or_else(|e| panic!("1.7: {e}"));
        }
    }
    let broken = String::from_utf8(xml_bytes(&sample(), SpecVersion::V1_7))
        .unwrap()
        .replace("</formulation>", "<nonsense/></formulation>");
    if let Some(result) = validate_xml_1_7(broken.as_bytes()) {
        assert!(result.is_err(), "an unknown element must be refused");
    }
}

#[test]
fn output_is_deterministic_and_ends_with_a_newline() {
    let sbom = sample();
    for version in [SpecVersion::V1_5, SpecVersion::V1_6, SpecVersion::V1_7] {
        let json = json_bytes(&sbom, version);
        assert_eq!(json, json_bytes(&sbom, version));
        assert!(json.ends_with(b"}\n"));
        let xml = xml_bytes(&sbom, version);
        assert_eq!(xml, xml_bytes(&sbom, version));
        assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1."));
        assert!(xml.ends_with(b"</bom>\n"));
    }
    let xml15 = String::from_utf8(xml_bytes(&sbom, SpecVersion::V1_5)).unwrap();
    assert!(xml15.contains("xmlns=\"http://cyclonedx.org/schema/bom/1.5\""));
    let xml17 = String::from_utf8(xml_bytes(&sbom, SpecVersion::V1_7)).unwrap();
    assert!(xml17.contains("xmlns=\"http://cyclonedx.org/schema/bom/1.7\""));
}

#[test]
fn metadata_names_the_tool_the_time_and_the_image() {
    let sbom = sample();
    let info = info(&sbom);
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["serialNumber"], format!("urn:uuid:{}", info.uuid));
    assert_eq!(doc["metadata"]["timestamp"], info.created);
    assert_eq!(
        doc["metadata"]["tools"]["components"][0],
        json!({"type": "application", "name": "sbomgen", "version": crate::meta::TOOL_VERSION})
    );
    let image = &doc["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example/team/app");
    assert_eq!(image["version"], "1.0");
    assert_eq!(
        image["purl"].as_str(),
        crate::ids::image_identity(&sbom).purl.as_deref()
    );
    assert_eq!(
        image["hashes"],
        json!([{"alg": "SHA-256", "content": "a".repeat(64)}])
    );
    let props = properties(image);
    assert_eq!(props, crate::provenance::image_properties(&sbom));
}

#[test]
fn removed_packages_are_formulation_components_and_the_rest_top_level() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {}", c["name"].as_str().unwrap(), c["version"]))
            .collect()
    };
    let formulation = doc["formulation"].as_array().unwrap();
    assert_eq!(formulation.len(), 1);
    assert_eq!(formulation[0]["bom-ref"], "removed-packages");
    let removed: Vec<String> = sbom
        .packages
        .iter()
        .filter(|p| p.removed_in.is_some())
        .map(|p| format!("{} \"{}\"", p.name, p.version))
        .collect();
    assert_eq!(names(&formulation[0]["components"]), removed);
    let installed: Vec<String> = ["debian \"12\"".to_string()]
        .into_iter()
        .chain(
            sbom.packages
                .iter()
                .filter(|p| p.removed_in.is_none())
                .map(|p| format!("{} \"{}\"", p.name, p.version)),
        )
        .collect();
    assert_eq!(names(&doc["components"]), installed);
    // Removed components keep their provenance and their removal note.
    let old_curl = &formulation[0]["components"][0];
    assert!(properties(old_curl).contains(&("sbomgen:removed".into(), "true".into())));
    assert!(old_curl["description"]
        .as_str()
        .unwrap()
        .starts_with("REMOVED in layer 2"));
    // Nothing removed, no formulation (and the XML has none either).
    let mut live = sample();
    live.packages.retain(|p| p.removed_in.is_none());
    assert!(json_doc(&live, SpecVersion::V1_6)
        .get("formulation")
        .is_none());
    let xml = String::from_utf8(xml_bytes(&live, SpecVersion::V1_6)).unwrap();
    assert!(!xml.contains("formulation"));
}

#[test]
fn the_distro_reaches_its_installed_packages_and_the_image_the_rest() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let os = &doc["components"][0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");
    assert_eq!(os["description"], "Debian GNU/Linux 12 (bookworm)");
    let components = all_components(&doc);
    let refs: BTreeSet<&str> = components
        .iter()
        .copied()
        .chain([&doc["metadata"]["component"]])
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), components.len() + 1, "bom-refs are unique");
    assert!(!refs.contains("removed-packages"), "nor the formula's");
    let dependencies = doc["dependencies"].as_array().unwrap();
    // Every component has an entry, and every edge points at a component.
    let entries: Vec<&str> = dependencies
        .iter()
        .map(|d| d["ref"].as_str().unwrap())
        .collect();
    assert_eq!(entries.iter().copied().collect::<BTreeSet<_>>(), refs);
    for d in dependencies {
        let targets: Vec<&str> = d["dependsOn"]
            .as_array()
            .map(|t| t.iter().map(|r| r.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert!(targets.iter().all(|t| refs.contains(t)), "{d}");
        assert!(targets.windows(2).all(|w| w[0] < w[1]), "sorted: {d}");
    }
    let depends_on = |reference: &Value| -> Vec<Value> {
        dependencies
            .iter()
            .find(|d| d["ref"] == *reference)
            .unwrap()["dependsOn"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let live_os_packages = sbom
        .packages
        .iter()
        .filter(|p| crate::ids::is_os_package(p) && p.removed_in.is_none())
        .count();
    assert_eq!(depends_on(&os["bom-ref"]).len(), live_os_packages);
    // The image reaches the distro and the installed non-OS packages; removed packages are
    // reached from neither.
    let python = component(&doc, "requests", "2.31.0");
    let mut image_deps = vec![os["bom-ref"].clone(), python["bom-ref"].clone()];
    image_deps.sort_by_key(|v| v.as_str().unwrap().to_string());
    let mut actual = depends_on(&doc["metadata"]["component"]["bom-ref"]);
    actual.sort_by_key(|v| v.as_str().unwrap().to_string());
    assert_eq!(actual, image_deps);
    // The old curl depends on the libc of its time; the unknown name is dropped.
    let old_curl = component(&doc, "curl", "7.88.1-10+deb12u4");
    let libc = component(&doc, "libc6", "2.36-9");
    assert_eq!(
        depends_on(&old_curl["bom-ref"]),
        vec![libc["bom-ref"].clone()]
    );
}

#[test]
fn packages_carry_identity_licences_supplier_hashes_and_provenance() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let old_curl = component(&doc, "curl", "7.88.1-10+deb12u4");
    assert_eq!(old_curl["type"], "library");
    let description = old_curl["description"].as_str().unwrap();
    assert!(
        description.starts_with("REMOVED in layer 2 (sha256:222")
            && description.contains("replaced by version 7.88.1-10+deb12u5")
            && description.ends_with(" the curl package"),
        "{description}"
    );
    assert_eq!(
        old_curl["licenses"],
        json!([{"license": {"id": "curl"}}, {"license": {"id": "BSD-3-Clause"}}])
    );
    assert_eq!(
        old_curl["supplier"],
        json!({"name": "Debian Maintainers", "contact": [{"name": "Debian Maintainers", "email": "debian@example.org"}]})
    );
    assert_eq!(
        old_curl["externalReferences"],
        json!([{"url": "https://example.org/", "type": "website"}])
    );
    let props = properties(old_curl);
    let own = crate::provenance::package_properties(&sbom, &sbom.packages[0]);
    assert_eq!(props[..own.len()], own, "sbomgen's vocabulary first");
    assert!(props.contains(&("sbomgen:removed".into(), "true".into())));

    let new_curl = component(&doc, "curl", "7.88.1-10+deb12u5");
    assert_eq!(
        new_curl["licenses"],
        json!([{"license": {"name": "Some custom licence text"}}, {"license": {"id": "MIT"}}])
    );
    assert_eq!(new_curl["description"], "the curl package");
    let libc = component(&doc, "libc6", "2.36-9");
    assert_eq!(
        libc["licenses"],
        json!([{"expression": "(GPL-2.0-or-later OR LGPL-2.1-or-later) AND MIT"}])
    );
    let rpm = component(&doc, "openssl-libs", "1.0.2k-16.el7");
    assert_eq!(rpm["supplier"], json!({"name": "CentOS"}));
    assert_eq!(rpm["description"], "A general purpose cryptography library");
    assert!(rpm["purl"].as_str().unwrap().contains("epoch=1"));
    let apk = component(&doc, "musl", "1.2.3-r0");
    assert_eq!(
        apk["hashes"],
        json!([{"alg": "SHA-1", "content": "cb2316a189ebee5282c4a9bd98794cc2477a74c6"}])
    );
    assert_eq!(apk["supplier"]["contact"][0]["email"], "timo.teras@iki.fi");
    // A CPE the XML pattern refuses is a property, like the extra ones, in document order.
    let unicode = component(&doc, "caf\u{e9}", "1\u{2013}0");
    assert!(unicode.get("cpe").is_none());
    let cpes: Vec<String> = properties(unicode)
        .into_iter()
        .filter(|(n, _)| n == "sbomgen:cpe23")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(cpes, sbom.packages[5].cpes);
    assert_eq!(unicode["supplier"], json!({"name": "nobody"}));
    // Twins are two components.
    let twins = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "twin")
        .count();
    assert_eq!(twins, 2);
}

#[test]
fn every_package_names_its_introducing_layer_in_trivy_and_syft_terms() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    for package in &sbom.packages {
        let layer = &sbom.layers[package.introduced_in.unwrap()];
        let props = properties(component(&doc, &package.name, &package.version));
        let get = |name: &str| -> Vec<&str> {
            props
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        let diff_id = layer.diff_id.as_ref().unwrap().to_string();
        let digest = layer.digest.as_ref().unwrap().to_string();
        assert_eq!(get("aquasecurity:trivy:LayerDiffID"), [diff_id.as_str()]);
        assert_eq!(get("aquasecurity:trivy:LayerDigest"), [digest.as_str()]);
        let expected_path = package.locations.first().map(|l| format!("/{}", l.path));
        match expected_path {
            Some(path) => {
                assert_eq!(get("syft:location:0:layerID"), [diff_id.as_str()]);
                assert_eq!(get("syft:location:0:path"), [path.as_str()]);
            }
            None => assert!(get("syft:location:0:layerID").is_empty()),
        }
        assert!(get("syft:location:1:layerID").is_empty(), "one location");
    }
}

#[test]
fn json_and_xml_describe_the_same_components() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let xml = String::from_utf8(xml_bytes(&sbom, SpecVersion::V1_6)).unwrap();
    for c in all_components(&doc) {
        let reference = c["bom-ref"].as_str().unwrap();
        assert!(
            xml.contains(&format!("bom-ref=\"{reference}\"")),
            "{reference}"
        );
        assert!(
            xml.contains(&format!("<dependency ref=\"{reference}\"")),
            "{reference}"
        );
    }
    assert_eq!(
        xml.matches("<component type=").count(),
        all_components(&doc).len() + 2,
        "the components (removed ones included), the image and the tool"
    );
    assert!(xml.contains(
        "</dependencies>\n  <formulation>\n    <formula bom-ref=\"removed-packages\">\n      <components>\n"
    ));
    assert!(
        xml.contains("<expression>(GPL-2.0-or-later OR LGPL-2.1-or-later) AND MIT</expression>")
    );
    assert!(xml.contains(
        "<description>tab\there &lt;&amp;&gt; \"quoted\"\ncontrol\u{FFFD}</description>"
    ));
    assert!(xml
        .contains("<property name=\"sbomgen:hiddenFile:0:path\">etc/secret &amp; key</property>"));
}

/// The fields a round trip must keep, per package.
fn essentials(sbom: &Sbom) -> Vec<Value> {
    sbom.packages
        .iter()
        .map(|p| {
            json!([
                p.name,
                p.version,
                p.purl,
                p.licenses,
                p.introduced_in,
                p.removed_in,
                p.replaced_by,
                p.locations,
                p.kind,
                p.arch,
                p.cpes,
                p.source_name,
                p.files,
                p.files_present
            ])
        })
        .collect()
}

/// The sample in the order every producer lists packages (a scan sorts them; so does the
/// reader, which gets removed packages from a separate list).
fn sorted_sample() -> Sbom {
    let mut sbom = sample();
    sbom.sort_packages();
    sbom
}

fn find<'a>(sbom: &'a Sbom, name: &str, version: &str) -> &'a Package {
    sbom.packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap()
}

#[test]
fn sbomgen_documents_round_trip() {
    let sbom = sorted_sample();
    for version in [SpecVersion::V1_5, SpecVersion::V1_6, SpecVersion::V1_7] {
        let back = read_json(&json_doc(&sbom, version)).unwrap();
        assert_eq!(essentials(&back), essentials(&sbom), "{version:?}");
        assert_eq!(back.source, sbom.source);
        assert_eq!(back.layers, sbom.layers);
        assert_eq!(back.hidden_files, sbom.hidden_files);
        assert_eq!(back.distro, sbom.distro);
        // Removed packages come back from `formulation`, where they were written.
        let old_curl = find(&back, "curl", "7.88.1-10+deb12u4");
        assert_eq!(old_curl.removed_in, Some(2));
        assert_eq!(old_curl.replaced_by.as_deref(), Some("7.88.1-10+deb12u5"));
        // Dependencies come back as the names of resolved targets, removed packages' too.
        assert_eq!(old_curl.depends_on, vec!["libc6".to_string()]);
        assert_eq!(
            find(&back, "curl", "7.88.1-10+deb12u5").depends_on,
            vec!["libc6".to_string()]
        );
        // Metadata that standard fields carry comes back under its native keys, the removal
        // note taken back out of the description.
        assert_eq!(
            old_curl.metadata,
            json!({
                "description": "the curl package",
                "maintainer": "Debian Maintainers <debian@example.org>",
                "homepage": "https://example.org/",
            })
        );
        for (name, version) in [("openssl-libs", "1.0.2k-16.el7"), ("musl", "1.2.3-r0")] {
            assert_eq!(
                find(&back, name, version).metadata,
                find(&sbom, name, version).metadata
            );
        }
        // And the document it gives is the same again.
        assert_eq!(json_bytes(&back, version), json_bytes(&sbom, version));
    }
}

#[test]
fn sbomgen_documents_are_read_by_their_own_vocabulary_not_the_aliases() {
    let sbom = sorted_sample();
    let mut doc = json_doc(&sbom, SpecVersion::V1_6);
    // Point every alias at another layer: sbomgen's own properties still decide.
    let elsewhere = sbom.layers[1].diff_id.as_ref().unwrap().to_string();
    let rewrite = |component: &mut Value| {
        for property in component["properties"].as_array_mut().into_iter().flatten() {
            let name = property["name"].as_str().unwrap();
            if name.starts_with("aquasecurity:trivy:") || name.starts_with("syft:location:") {
                property["value"] = if name.ends_with(":path") {
                    "/elsewhere".into()
                } else {
                    elsewhere.clone().into()
                };
            }
        }
    };
    for component in doc["components"].as_array_mut().unwrap() {
        rewrite(component);
    }
    for component in doc["formulation"][0]["components"].as_array_mut().unwrap() {
        rewrite(component);
    }
    let back = read_json(&doc).unwrap();
    assert_eq!(essentials(&back), essentials(&sbom));
    assert!(back.packages.iter().all(|p| p
        .metadata
        .get(crate::cyclonedx::INTRODUCED_DIFF_ID)
        .is_none()));
}

#[test]
fn a_package_whose_layer_has_no_position_keeps_its_trivy_name_through_a_round_trip() {
    let diff_id = format!("sha256:{}", "9".repeat(64));
    let sbom = Sbom {
        packages: vec![Package {
            name: "adduser".into(),
            version: "3.134".into(),
            kind: "deb".into(),
            metadata: json!({crate::cyclonedx::INTRODUCED_DIFF_ID: diff_id}),
            ..Package::default()
        }],
        ..Sbom::default()
    };
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    assert!(properties(&doc["components"][0])
        .contains(&("aquasecurity:trivy:LayerDiffID".into(), diff_id.clone())));
    let back = read_json(&doc).unwrap();
    assert_eq!(back.packages[0].introduced_in, None);
    assert_eq!(back.packages[0].metadata, sbom.packages[0].metadata);
}

#[test]
fn the_empty_document_round_trips() {
    let sbom = Sbom::default();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    assert_eq!(doc["dependencies"], json!([{"ref": "image"}]));
    assert_eq!(read_json(&doc).unwrap(), sbom);
}
