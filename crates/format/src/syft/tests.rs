//! syft-json against Syft's vendored schema, the round trip through the reader, determinism,
//! and the reader on a document Syft 1.18.1 wrote.

use std::sync::OnceLock;

use serde_json::{json, Value};

use sbomgen_model::{Distro, HiddenFile, Location, Package, Platform, Sbom, SourceInfo};

use super::*;
use crate::read::{detect, InputKind};
use crate::test_fixtures::{self, digest, layer};

/// A Debian package with the metadata Syft's dpkg entry carries.
fn deb(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
    Package {
        metadata: json!({"maintainer": "Debian <debian@example.org>", "installedSize": 12}),
        ..test_fixtures::deb(name, version, introduced, removed)
    }
}

/// Removed and replaced packages, a database rewritten by a later layer, a non-SPDX licence,
/// an rpm with an epoch, language packages with dependencies and an owner.
fn sample() -> Sbom {
    let mut curl = deb("curl", "7.88.1-10+deb12u4", 0, Some(2));
    curl.replaced_by = Some("7.88.1-10+deb12u5".into());
    curl.depends_on = vec!["libc6".into()];
    let mut libc = deb("libc6", "2.36-9", 0, None);
    libc.licenses = vec![
        "GPL-2.0-or-later OR LGPL-2.1-or-later".into(),
        "custom".into(),
    ];
    libc.source_name = Some("glibc".into());
    libc.locations.push(Location {
        path: "var/lib/dpkg/status".into(),
        layer_index: 2,
    });
    let mut yaml_deb = deb("python3-yaml", "6.0-3", 1, None);
    yaml_deb.depends_on = vec!["libc6".into()];
    let mut bash = Package {
        name: "bash".into(),
        version: "1:5.1.8-2.fc35".into(),
        kind: "rpm".into(),
        arch: Some("x86_64".into()),
        introduced_in: Some(1),
        locations: vec![Location {
            path: "var/lib/rpm/rpmdb.sqlite".into(),
            layer_index: 1,
        }],
        metadata: json!({"epoch": 1, "release": "2.fc35", "sourceRpm": "bash-5.1.8-2.fc35.src.rpm"}),
        ..Package::default()
    };
    bash.purl = Some("pkg:rpm/fedora/bash@5.1.8-2.fc35?arch=x86_64&epoch=1".into());
    let site = "usr/lib/python3/dist-packages";
    let pypi = |name: &str, depends: &[&str]| Package {
        name: name.into(),
        version: "6.0".into(),
        kind: "pypi".into(),
        purl: Some(format!("pkg:pypi/{}@6.0", name.to_lowercase())),
        introduced_in: Some(1),
        locations: vec![Location {
            path: format!("{site}/{name}-6.0.dist-info/METADATA"),
            layer_index: 1,
        }],
        depends_on: depends.iter().map(ToString::to_string).collect(),
        metadata: json!({"author": "someone", "sitePackagesRootPath": site}),
        ..Package::default()
    };
    let mut yaml = pypi("PyYAML", &["six"]);
    yaml.owned_by = yaml_deb.purl.clone();
    let mut sbom = Sbom {
        source: SourceInfo {
            kind: "oci-archive".into(),
            path: Some("fixtures/demo.oci.tar".into()),
            reference: Some("demo:1.0".into()),
            manifest_digest: digest('a'),
            config_digest: digest('c'),
            platform: Some(Platform::new("linux", "amd64", None)),
            created: Some("2024-01-01T00:00:00Z".into()),
            ..SourceInfo::default()
        },
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
        layers: vec![layer(0, '0', '1'), layer(1, '2', '3'), layer(2, '4', '5')],
        hidden_files: vec![HiddenFile {
            path: "srv/.env".into(),
            size: 42,
            added_in: 1,
            removed_in: 2,
        }],
        packages: vec![curl, libc, yaml_deb, bash, yaml, pypi("six", &[])],
    };
    sbom.sort_packages();
    sbom
}

fn write(sbom: &Sbom) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(sbom, &mut out).unwrap();
    out
}

fn document(sbom: &Sbom) -> Value {
    serde_json::from_slice(&write(sbom)).unwrap()
}

/// The vendored schema Syft 1.18.1 publishes for its documents.
fn validate(document: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let path = sbomgen_testkit::schema::schemas_dir()
            .join(format!("syft/schema-{SCHEMA_VERSION}.json"));
        let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .unwrap()
    });
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn artifact<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no artifact {name}"))
}

#[test]
fn the_document_satisfies_syfts_schema() {
    let doc = document(&sample());
    validate(&doc).unwrap();
    assert_eq!(doc["schema"]["version"], SCHEMA_VERSION);
    assert!(doc["schema"]["url"]
        .as_str()
        .unwrap()
        .ends_with("schema-16.0.18.json"));
    let err = validate(&json!({"artifacts": [{"name": "x"}]})).unwrap_err();
    assert!(err.contains("required"), "{err}");
    validate(&document(&Sbom::default())).unwrap();
}

#[test]
fn removed_packages_are_not_artifacts_but_are_kept() {
    let sbom = sample();
    let doc = document(&sbom);
    let names: Vec<&str> = doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let installed = sbom.packages.iter().filter(|p| p.removed_in.is_none());
    assert_eq!(names.len(), installed.count());
    assert!(!names.contains(&"curl"), "{names:?}");
    let kept = &doc["descriptor"]["configuration"]["sbomgen"]["removedPackages"];
    assert_eq!(kept[0]["name"], "curl");
    assert_eq!(kept[0]["removedIn"], 2);
    // No edge may name a package that is not an artifact.
    let ids: Vec<&Value> = doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    for edge in doc["artifactRelationships"].as_array().unwrap() {
        assert!(ids.contains(&&edge["child"]), "{edge}");
        assert!(
            ids.contains(&&edge["parent"]) || edge["parent"] == doc["source"]["id"],
            "{edge}"
        );
    }
}

#[test]
fn locations_name_the_introducing_layer_by_diff_id() {
    let doc = document(&sample());
    let libc = artifact(&doc, "libc6");
    let layer0 = digest('1').unwrap().to_string();
    assert_eq!(
        libc["locations"],
        json!([{"path": "/var/lib/dpkg/status", "layerID": layer0,
                "accessPath": "/var/lib/dpkg/status", "annotations": {"evidence": "primary"}}]),
        "one location per path, in the layer that introduced it"
    );
    let layers = &doc["source"]["metadata"]["layers"];
    assert_eq!(
        layers[0]["digest"], layer0,
        "source layers are listed by diff_id"
    );
    assert_eq!(layers.as_array().unwrap().len(), 3);
    assert_eq!(doc["source"]["id"], "a".repeat(64));
    assert_eq!(
        doc["source"]["metadata"]["imageID"],
        digest('c').unwrap().to_string()
    );
    assert_eq!(doc["source"]["metadata"]["architecture"], "amd64");
    assert_eq!(doc["distro"]["versionID"], "12");
}

#[test]
fn artifacts_carry_syft_types_and_the_metadata_grype_reads() {
    let doc = document(&sample());
    let libc = artifact(&doc, "libc6");
    assert_eq!(
        (&libc["type"], &libc["metadataType"]),
        (&json!("deb"), &json!("dpkg-db-entry"))
    );
    assert_eq!(libc["metadata"]["source"], "glibc");
    assert_eq!(
        libc["licenses"][0]["spdxExpression"],
        "GPL-2.0-or-later OR LGPL-2.1-or-later"
    );
    assert_eq!(libc["licenses"][1]["spdxExpression"], "");
    let bash = artifact(&doc, "bash");
    assert_eq!(bash["metadata"]["epoch"], 1);
    assert_eq!(bash["metadata"]["version"], "5.1.8");
    let yaml = artifact(&doc, "PyYAML");
    assert_eq!(
        (&yaml["type"], &yaml["language"]),
        (&json!("python"), &json!("python"))
    );
    assert_eq!(
        yaml["metadata"]["sitePackagesRootPath"],
        "/usr/lib/python3/dist-packages"
    );
    let id = |name: &str| artifact(&doc, name)["id"].clone();
    let edges = doc["artifactRelationships"].as_array().unwrap();
    let has = |parent: Value, child: Value, kind: &str| {
        edges
            .iter()
            .any(|e| e["parent"] == parent && e["child"] == child && e["type"] == kind)
    };
    assert!(
        has(id("six"), id("PyYAML"), "dependency-of"),
        "a dependency is the parent"
    );
    assert!(has(
        id("python3-yaml"),
        id("PyYAML"),
        "ownership-by-file-overlap"
    ));
    assert!(has(doc["source"]["id"].clone(), id("bash"), "contains"));
    let mut sorted = edges.clone();
    sorted.sort_by_key(|e| (e["parent"].to_string(), e["child"].to_string()));
    assert_eq!(&sorted, edges, "relationships in Syft's order");
}

#[test]
fn round_trip_is_lossless_and_deterministic() {
    let sbom = sample();
    let bytes = write(&sbom);
    assert_eq!(bytes, write(&sbom), "same input, same bytes");
    let parsed: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(detect(&parsed), Some(InputKind::SyftJson));
    let back = read_json(&parsed).unwrap();
    assert_eq!(back, sbom);
    assert_eq!(write(&back), bytes);
    // `syft convert` sorts licences and keeps the descriptor: still the same packages.
    let mut resorted = parsed.clone();
    for artifact in resorted["artifacts"].as_array_mut().unwrap() {
        if let Some(licenses) = artifact["licenses"].as_array_mut() {
            licenses.reverse();
        }
    }
    assert_ne!(
        resorted, parsed,
        "the sample has a package with two licences"
    );
    assert_eq!(read_json(&resorted).unwrap(), sbom);
    let squashed = Sbom {
        packages: sbom
            .packages
            .iter()
            .filter(|p| p.removed_in.is_none())
            .cloned()
            .collect(),
        ..sbom
    };
    assert_eq!(read_json(&document(&squashed)).unwrap(), squashed);
}

/// A trimmed `syft oci-archive:fixtures/demo.oci.tar --scope all-layers -o syft-json`
/// (Syft 1.18.1), with a dependency edge added.
const SYFT_DOCUMENT: &str = r#"{
 "artifacts": [
  {"id": "2226626aa86d534e", "name": "base-files", "version": "12.5", "type": "deb",
   "foundBy": "dpkg-db-cataloger",
   "locations": [
    {"path": "/var/lib/dpkg/status", "layerID": "sha256:24302eea80af637d41d0bf07c2e6b75b82d4917872939a75ce060b5dfc155809", "accessPath": "/var/lib/dpkg/status", "annotations": {"evidence": "primary"}},
    {"path": "/var/lib/dpkg/status", "layerID": "sha256:57fee8dda818099c397ec55f5c837ee1593efa614566e02e033b3a390c42d728", "accessPath": "/var/lib/dpkg/status", "annotations": {"evidence": "primary"}}],
   "licenses": [], "language": "",
   "cpes": [{"cpe": "cpe:2.3:a:base-files:base-files:12.5:*:*:*:*:*:*:*", "source": "syft-generated"}],
   "purl": "pkg:deb/debian/base-files@12.5?arch=amd64&distro=debian-12&upstream=base-files",
   "metadataType": "dpkg-db-entry",
   "metadata": {"package": "base-files", "source": "base-files", "version": "12.5", "sourceVersion": "", "architecture": "amd64", "maintainer": "Debian Maintainers <debian@example.org>", "installedSize": 100, "files": []}},
  {"id": "40e1744c15a64c2e", "name": "libssl3", "version": "3.0.11-1~deb12u2", "type": "deb",
   "foundBy": "dpkg-db-cataloger",
   "locations": [{"path": "/var/lib/dpkg/status", "layerID": "sha256:57fee8dda818099c397ec55f5c837ee1593efa614566e02e033b3a390c42d728", "accessPath": "/var/lib/dpkg/status"}],
   "licenses": [{"value": "Apache-2.0", "spdxExpression": "Apache-2.0", "type": "declared", "urls": [], "locations": []}],
   "language": "", "cpes": [],
   "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
   "metadataType": "dpkg-db-entry",
   "metadata": {"package": "libssl3", "source": "openssl", "version": "3.0.11-1~deb12u2", "sourceVersion": "", "architecture": "amd64", "maintainer": "Debian Maintainers <debian@example.org>", "installedSize": 100, "files": []}}],
 "artifactRelationships": [
  {"parent": "40e1744c15a64c2e", "child": "2226626aa86d534e", "type": "dependency-of"},
  {"parent": "e8bf06274c0b01a11bd9a73290237de67b9f6953c702f1874336fca7fac4f40c", "child": "40e1744c15a64c2e", "type": "contains"}],
 "source": {"id": "e8bf06274c0b01a11bd9a73290237de67b9f6953c702f1874336fca7fac4f40c", "name": "fixtures/demo.oci.tar",
  "version": "sha256:e8bf06274c0b01a11bd9a73290237de67b9f6953c702f1874336fca7fac4f40c", "type": "image",
  "metadata": {"userInput": "fixtures/demo.oci.tar", "imageID": "sha256:01513a04451c09ae2f884897208223987c5d11122e9308b07aba6f9431aa0e0e",
   "manifestDigest": "sha256:e8bf06274c0b01a11bd9a73290237de67b9f6953c702f1874336fca7fac4f40c",
   "mediaType": "application/vnd.oci.image.manifest.v1+json", "tags": [], "imageSize": 5513,
   "layers": [
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:24302eea80af637d41d0bf07c2e6b75b82d4917872939a75ce060b5dfc155809", "size": 4945},
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": "sha256:9be8e5d2372669037ffe34685dda8a6247265317bc9cfcd61f0cd21f74b0bd54", "size": 97},
    {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:57fee8dda818099c397ec55f5c837ee1593efa614566e02e033b3a390c42d728", "size": 471}],
   "repoDigests": [], "architecture": "amd64", "os": "linux"}},
 "distro": {"prettyName": "Debian GNU/Linux 12 (bookworm)", "name": "Debian GNU/Linux", "id": "debian", "version": "12 (bookworm)", "versionID": "12", "versionCodename": "bookworm"},
 "descriptor": {"name": "syft", "version": "1.18.1", "configuration": {"search": {"scope": "all-layers"}}},
 "schema": {"version": "16.0.18", "url": "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.18.json"}
}"#;

#[test]
fn reads_what_syft_wrote() {
    let document: Value = serde_json::from_str(SYFT_DOCUMENT).unwrap();
    validate(&document).unwrap();
    assert_eq!(detect(&document), Some(InputKind::SyftJson));
    let sbom = read_json(&document).unwrap();
    assert_eq!(
        sbom.distro,
        Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        })
    );
    assert_eq!(sbom.layers.len(), 3);
    assert_eq!(
        sbom.layers[2].diff_id.as_ref().unwrap().short(),
        "57fee8dda818"
    );
    assert_eq!(
        sbom.source.config_digest.as_ref().unwrap().short(),
        "01513a04451c"
    );
    assert_eq!(
        sbom.source.platform,
        Some(Platform::new("linux", "amd64", None))
    );
    let base = &sbom.packages[0];
    assert_eq!(
        (base.name.as_str(), base.kind.as_str()),
        ("base-files", "deb")
    );
    let layers: Vec<usize> = base.locations.iter().map(|l| l.layer_index).collect();
    assert_eq!(
        layers,
        [0, 2],
        "layer ids resolve through source.metadata.layers"
    );
    assert_eq!(base.locations[0].path, "var/lib/dpkg/status");
    assert_eq!(base.introduced_in, Some(0));
    assert_eq!(base.source_name, None, "its own source");
    assert_eq!(base.arch.as_deref(), Some("amd64"));
    assert_eq!(
        base.depends_on,
        ["libssl3"],
        "dependency-of points at the dependant"
    );
    assert_eq!(
        base.metadata["maintainer"],
        "Debian Maintainers <debian@example.org>"
    );
    assert!(base.metadata.get("files").is_none());
    let ssl = &sbom.packages[1];
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    assert_eq!(ssl.introduced_in, Some(2));
    assert_eq!(ssl.licenses, ["Apache-2.0"]);
    assert_eq!(base.cpes.len(), 1);
}

#[test]
fn malformed_documents_name_the_place() {
    let mut document: Value = serde_json::from_str(SYFT_DOCUMENT).unwrap();
    document["artifacts"][1]["locations"][0]["path"] = json!(7);
    let err = read_json(&document).unwrap_err().to_string();
    assert!(err.contains("$.artifacts[1].locations[0].path"), "{err}");
    let mut ours = self::document(&sample());
    ours["descriptor"]["configuration"]["sbomgen"]["removedPackages"] = json!("curl");
    let err = read_json(&ours).unwrap_err().to_string();
    assert!(err.contains("descriptor.configuration.sbomgen"), "{err}");
}
