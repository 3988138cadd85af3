//! The CycloneDX encodings against the official schemas, their determinism, the round trip
//! through the reader, and the reader on Syft's and Trivy's documents.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};

use sbomgen_model::{Distro, HiddenFile, LayerSummary, Location, Package, Sbom, SourceInfo};
use sbomgen_testkit::schema::{self, Schema};

use super::*;
use crate::DocumentInfo;

fn digest(c: char) -> Option<sbomgen_model::Digest> {
    format!("sha256:{}", c.to_string().repeat(64)).parse().ok()
}

fn layer(index: usize, digest_char: char, diff_char: char) -> LayerSummary {
    LayerSummary {
        index,
        digest: digest(digest_char),
        diff_id: digest(diff_char),
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        size: Some(100 + index as u64),
        created_by: Some(format!("RUN step {index} && echo \"<done>\" & true")),
        added: 3,
        modified: 1,
        deleted: index as u64,
    }
}

fn deb(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        kind: "deb".into(),
        purl: Some(format!(
            "pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12"
        )),
        cpes: vec![format!(
            "cpe:2.3:a:{name}:{name}:{}:*:*:*:*:*:*:*",
            version.replace('+', "\\+")
        )],
        arch: Some("amd64".into()),
        introduced_in: Some(introduced),
        removed_in: removed,
        locations: vec![Location {
            path: "var/lib/dpkg/status".into(),
            layer_index: introduced,
        }],
        files: 4,
        files_present: if removed.is_some() { 0 } else { 4 },
        metadata: json!({
            "maintainer": "Debian Maintainers <debian@example.org>",
            "homepage": "https://example.org/",
            "description": format!("the {name} package"),
        }),
        ..Package::default()
    }
}

/// Every case the encodings must carry: removed and replaced packages, a non-SPDX licence,
/// several licences, twins, an rpm with an epoch, an apk with a pull checksum, a non-OS
/// package, dependencies, CPEs the XML pattern refuses, text needing escapes.
fn sample() -> Sbom {
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

fn info(sbom: &Sbom) -> DocumentInfo {
    DocumentInfo::resolve(sbom, None).unwrap()
}

fn json_bytes(sbom: &Sbom, version: SpecVersion) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(sbom, &info(sbom), version, &mut out).unwrap();
    out
}

fn json_doc(sbom: &Sbom, version: SpecVersion) -> Value {
    serde_json::from_slice(&json_bytes(sbom, version)).unwrap()
}

fn xml_bytes(sbom: &Sbom, version: SpecVersion) -> Vec<u8> {
    let mut out = Vec::new();
    write_xml(sbom, &info(sbom), version, &mut out).unwrap();
    out
}

fn component<'a>(doc: &'a Value, name: &str, version: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["version"] == version)
        .unwrap_or_else(|| panic!("no component {name} {version}"))
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

#[test]
fn json_is_valid_against_the_strict_schemas() {
    for sbom in [sample(), Sbom::default()] {
        schema::validate_json(Schema::CycloneDx16, &json_doc(&sbom, SpecVersion::V1_6))
            .unwrap_or_else(|e| panic!("{e}"));
        schema::validate_json(Schema::CycloneDx15, &json_doc(&sbom, SpecVersion::V1_5))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(json_doc(&sample(), SpecVersion::V1_5)["specVersion"], "1.5");
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
    }
}

#[test]
fn output_is_deterministic_and_ends_with_a_newline() {
    let sbom = sample();
    for version in [SpecVersion::V1_5, SpecVersion::V1_6] {
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
fn the_distro_reaches_its_installed_packages_and_the_image_the_rest() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let os = &doc["components"][0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");
    assert_eq!(os["description"], "Debian GNU/Linux 12 (bookworm)");
    let components = doc["components"].as_array().unwrap();
    let refs: BTreeSet<&str> = components
        .iter()
        .chain([&doc["metadata"]["component"]])
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), components.len() + 1, "bom-refs are unique");
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
    // Removed packages hang off the image, not the distro.
    let python = component(&doc, "requests", "2.31.0");
    let mut image_deps = vec![os["bom-ref"].clone(), python["bom-ref"].clone()];
    for p in sbom.packages.iter().filter(|p| p.removed_in.is_some()) {
        image_deps.push(component(&doc, &p.name, &p.version)["bom-ref"].clone());
    }
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
    assert_eq!(
        props,
        crate::provenance::package_properties(&sbom, &sbom.packages[0])
    );
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
fn json_and_xml_describe_the_same_components() {
    let sbom = sample();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    let xml = String::from_utf8(xml_bytes(&sbom, SpecVersion::V1_6)).unwrap();
    for c in doc["components"].as_array().unwrap() {
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
        doc["components"].as_array().unwrap().len() + 2,
        "the components, the image and the tool"
    );
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

#[test]
fn sbomgen_documents_round_trip() {
    let sbom = sample();
    for version in [SpecVersion::V1_5, SpecVersion::V1_6] {
        let back = read_json(&json_doc(&sbom, version)).unwrap();
        assert_eq!(essentials(&back), essentials(&sbom), "{version:?}");
        assert_eq!(back.source, sbom.source);
        assert_eq!(back.layers, sbom.layers);
        assert_eq!(back.hidden_files, sbom.hidden_files);
        assert_eq!(back.distro, sbom.distro);
        // Dependencies come back as the names of resolved targets.
        assert_eq!(back.packages[0].depends_on, vec!["libc6".to_string()]);
        assert_eq!(back.packages[1].depends_on, vec!["libc6".to_string()]);
        // Metadata that standard fields carry comes back under its native keys, the removal
        // note taken back out of the description.
        assert_eq!(
            back.packages[0].metadata,
            json!({
                "description": "the curl package",
                "maintainer": "Debian Maintainers <debian@example.org>",
                "homepage": "https://example.org/",
            })
        );
        assert_eq!(back.packages[6].metadata, sbom.packages[6].metadata);
        assert_eq!(back.packages[7].metadata, sbom.packages[7].metadata);
        // And the document it gives is the same again.
        assert_eq!(json_bytes(&back, version), json_bytes(&sbom, version));
    }
}

#[test]
fn the_empty_document_round_trips() {
    let sbom = Sbom::default();
    let doc = json_doc(&sbom, SpecVersion::V1_6);
    assert_eq!(doc["dependencies"], json!([{"ref": "image"}]));
    assert_eq!(read_json(&doc).unwrap(), sbom);
}

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
        sbom.source.config_digest.as_ref().map(|d| d.as_str()),
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
    assert_eq!(names, ["package-1", "package-2"]);
    let deb = &sbom.packages[1];
    assert_eq!(deb.kind, "deb");
    assert_eq!(deb.cpes, ["cpe:2.3:*:some:package:2:*:*:*:*:*:*:*"]);
    // Syft lists no layers (and its snapshot redacts the ids): nothing is guessed.
    assert_eq!(deb.introduced_in, None);
    assert!(deb.locations.is_empty());
    assert_eq!(sbom.packages[0].licenses, ["MIT"]);
}

#[test]
fn syft_locations_resolve_against_known_layers() {
    let diff = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "container", "name": "app", "version": diff('a'),
            "properties": [
                {"name": "aquasecurity:trivy:DiffID", "value": diff('b')},
                {"name": "aquasecurity:trivy:DiffID", "value": diff('c')}
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
        sbom.source.manifest_digest.as_ref().map(|d| d.to_string()),
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
                assert_eq!(problem, expected, "{doc}")
            }
            other => panic!("{doc}: expected Unreadable, got {other:?}"),
        }
    }
}
