//! SPDX 2.3 output and input through the crate's public API: schema validity, document shape,
//! determinism, the native → SPDX → native round trip, and Syft's and Trivy's documents.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use sbomgen_format::{read, write, DocumentInfo, Format, FormatError};
use sbomgen_model::{Distro, HiddenFile, LayerSummary, Location, Package, Sbom, SourceInfo};

fn digest(c: char) -> sbomgen_model::Digest {
    format!("sha256:{}", c.to_string().repeat(64))
        .parse()
        .unwrap()
}

fn package(kind: &str, name: &str, version: &str, introduced: usize) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        kind: kind.into(),
        purl: Some(format!(
            "pkg:{kind}/debian/{name}@{version}?arch=amd64&distro=debian-12"
        )),
        // Quoted as the scanner quotes them (`+` → `\+`).
        cpes: vec![format!(
            "cpe:2.3:a:{name}:{name}:{}:*:*:*:*:*:*:*",
            version.replace('+', "\\+").replace(':', "\\:")
        )],
        arch: Some("amd64".into()),
        introduced_in: Some(introduced),
        locations: vec![Location {
            path: "var/lib/dpkg/status".into(),
            layer_index: introduced,
        }],
        files: 3,
        files_present: 2,
        ..Package::default()
    }
}

/// An image with everything the SPDX mapping has to carry: removed and replaced packages, a
/// licence outside the SPDX list, twins, an rpm with an epoch, an apk checksum, a non-OS
/// package, dependency edges, a multi-line layer history and a hidden file.
fn sample() -> Sbom {
    let mut old_curl = package("deb", "curl", "7.88.1-10+deb12u4", 0);
    old_curl.removed_in = Some(2);
    old_curl.replaced_by = Some("7.88.1-10+deb12u5".into());
    old_curl.licenses = vec!["curl".into(), "public-domain".into()];
    old_curl.depends_on = vec!["libc6".into(), "not-in-the-image".into()];
    old_curl.metadata = json!({"maintainer": "Alessandro Ghedini <ghedo@debian.org>",
        "homepage": "https://curl.se/", "description": "command line tool for transferring data"});
    let mut new_curl = package("deb", "curl", "7.88.1-10+deb12u5", 2);
    new_curl.depends_on = vec!["libc6".into()];
    new_curl.source_name = Some("curl".into());
    new_curl.licenses = vec!["curl".into(), "public-domain".into()];
    new_curl.metadata = old_curl.metadata.clone();
    let twin = package("deb", "libc6", "2.36-9", 0);
    let mut bash = package("rpm", "bash", "1:5.1.8-6.el9", 1);
    bash.purl = Some("pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&epoch=1&distro=rhel-9.2".into());
    bash.arch = Some("x86_64".into());
    bash.licenses = vec!["GPLv3+".into()];
    bash.source_name = Some("bash".into());
    bash.source_version = Some("1:5.1.8-6.el9".into());
    bash.metadata = json!({"vendor": "Red Hat, Inc.", "summary": "The GNU Bourne Again shell"});
    let mut musl = package("apk", "musl", "1.2.4-r2", 1);
    musl.purl = Some("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4".into());
    musl.arch = Some("x86_64".into());
    musl.licenses = vec![
        "MIT AND BSD-2-Clause".into(),
        "LGPL-2.1-or-later AND SUSE-Public-Domain".into(),
    ];
    musl.metadata = json!({"pullChecksum": "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo=",
        "maintainer": "Timo Teräs <timo.teras@iki.fi>", "url": "https://musl.libc.org/"});
    let mut app = package("npm", "left-pad", "1.3.0", 1);
    app.purl = Some("pkg:npm/left-pad@1.3.0".into());
    app.arch = None;
    app.licenses = vec!["WTFPL OR MIT".into()];
    let packages = vec![old_curl, new_curl, twin.clone(), twin, bash, musl, app];
    let layer = |index: usize, c: char, created_by: &str| LayerSummary {
        index,
        digest: Some(digest(c)),
        diff_id: Some(digest(char::from(b'a' + u8::try_from(index).unwrap()))),
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        size: Some(100 + index as u64),
        created_by: Some(created_by.into()),
        added: 10,
        modified: 1,
        deleted: index as u64,
    };
    let mut sbom = Sbom {
        source: SourceInfo {
            kind: "registry".into(),
            path: None,
            reference: Some("registry.example.com:5000/team/app:1.0".into()),
            manifest_digest: Some(digest('f')),
            index_digest: Some(digest('d')),
            config_digest: Some(digest('e')),
            platform: "linux/arm64/v8".parse().ok(),
            created: Some("2024-02-03T04:05:06.789Z".into()),
            name: None,
            version: None,
        },
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
        layers: vec![
            layer(0, '1', "ADD rootfs.tar /"),
            layer(
                1,
                '2',
                "RUN <<EOF\napt-get update\napt-get install -y curl\nEOF",
            ),
            layer(2, '3', "RUN apt-get upgrade -y # </text> in a comment"),
        ],
        hidden_files: vec![HiddenFile {
            path: "root/.netrc".into(),
            size: 42,
            added_in: 1,
            removed_in: 2,
        }],
        packages,
    };
    sbom.sort_packages();
    sbom
}

fn emit(format: Format, sbom: &Sbom) -> Vec<u8> {
    let info = DocumentInfo::resolve(sbom, None).unwrap();
    let mut out = Vec::new();
    write(format, sbom, &info, &mut out).unwrap();
    out
}

fn spdx_json(sbom: &Sbom) -> Value {
    serde_json::from_slice(&emit(Format::SpdxJson, sbom)).unwrap()
}

fn validate(document: &Value) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/spdx-2.3/spdx-schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

#[test]
fn documents_are_schema_valid() {
    validate(&spdx_json(&sample()));
    validate(&spdx_json(&Sbom::default()));
}

#[test]
fn document_shape() {
    let doc = spdx_json(&sample());
    let info = DocumentInfo::resolve(&sample(), None).unwrap();
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["name"], "registry.example.com:5000/team/app");
    assert_eq!(
        doc["documentNamespace"],
        format!(
            "https://sbomgen.dev/spdxdocs/registry.example.com-5000-team-app-{}",
            info.uuid
        )
    );
    assert_eq!(doc["creationInfo"]["created"], "2024-02-03T04:05:06Z");
    assert_eq!(
        doc["creationInfo"]["creators"],
        json!([format!(
            "Tool: sbomgen-{}",
            sbomgen_format::meta::TOOL_VERSION
        )])
    );

    let packages = doc["packages"].as_array().unwrap();
    let ids: Vec<&str> = packages
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "unique: {ids:?}"
    );
    assert!(ids.iter().all(|id| id["SPDXRef-".len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')));
    let image = &packages[0];
    assert_eq!(image["SPDXID"], "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["versionInfo"], digest('f').to_string());
    assert_eq!(
        image["checksums"],
        json!([{"algorithm": "SHA256", "checksumValue": "f".repeat(64)}])
    );
    assert!(image["externalRefs"][0]["referenceLocator"]
        .as_str()
        .unwrap()
        .starts_with("pkg:oci/app@sha256"));
    let os = &packages[1];
    assert_eq!(os["SPDXID"], "SPDXRef-OperatingSystem-debian");
    assert_eq!(os["primaryPackagePurpose"], "OPERATING_SYSTEM");
    assert_eq!(os["versionInfo"], "12");

    let relationships: HashSet<(String, String, String)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (
                s("spdxElementId"),
                s("relationshipType"),
                s("relatedSpdxElement"),
            )
        })
        .collect();
    for (from, _, to) in &relationships {
        assert!(
            from == "SPDXRef-DOCUMENT" || ids.contains(&from.as_str()),
            "{from}"
        );
        assert!(ids.contains(&to.as_str()), "{to}");
    }
    let has = |from: &str, kind: &str, to: &str| {
        relationships.contains(&(from.into(), kind.into(), to.into()))
    };
    assert!(has("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));
    assert!(has(
        "SPDXRef-Image",
        "CONTAINS",
        "SPDXRef-OperatingSystem-debian"
    ));
    let by_name =
        |name: &str| -> Vec<&Value> { packages.iter().filter(|p| p["name"] == name).collect() };
    // The distro holds the OS packages, all installed: the removed curl is no element.
    for p in by_name("curl")
        .into_iter()
        .chain(by_name("libc6"))
        .chain(by_name("bash"))
    {
        let id = p["SPDXID"].as_str().unwrap();
        assert!(
            has("SPDXRef-OperatingSystem-debian", "CONTAINS", id),
            "{id}"
        );
        assert!(!has("SPDXRef-Image", "CONTAINS", id), "{id}");
        assert!(p.get("comment").is_none(), "{id}");
    }
    let left_pad = by_name("left-pad")[0]["SPDXID"].as_str().unwrap();
    assert!(has("SPDXRef-Image", "CONTAINS", left_pad));
    let curl = by_name("curl");
    assert_eq!(curl.len(), 1, "only the installed curl is an element");
    assert_eq!(curl[0]["versionInfo"], "7.88.1-10+deb12u5");
    let libc6 = by_name("libc6");
    assert_eq!(libc6.len(), 2, "twins are two packages");
    assert_ne!(libc6[0]["SPDXID"], libc6[1]["SPDXID"]);
    let depends: Vec<_> = relationships
        .iter()
        .filter(|r| r.1 == "DEPENDS_ON")
        .collect();
    assert!(
        depends.iter().all(
            |(from, _, to)| curl.iter().any(|c| c["SPDXID"] == from.as_str())
                && libc6.iter().any(|l| l["SPDXID"] == to.as_str())
        ),
        "{depends:?}"
    );
    assert_eq!(depends.len(), 1, "curl depends on one libc6: {depends:?}");
    let sorted: Vec<&Value> = doc["relationships"].as_array().unwrap().iter().collect();
    let key = |r: &&Value| {
        (
            r["spdxElementId"].as_str().unwrap().to_string(),
            r["relationshipType"].as_str().unwrap().to_string(),
            r["relatedSpdxElement"].as_str().unwrap().to_string(),
        )
    };
    assert!(
        sorted.windows(2).all(|w| key(&w[0]) < key(&w[1])),
        "relationships sorted"
    );

    // The removed curl: the native package, whole, in an annotation of the image.
    let notes = |p: &Value| -> Vec<String> {
        p["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                assert_eq!(a["annotationType"], "OTHER");
                assert_eq!(a["annotationDate"], "2024-02-03T04:05:06Z");
                assert!(a["annotator"]
                    .as_str()
                    .unwrap()
                    .starts_with("Tool: sbomgen-"));
                a["comment"].as_str().unwrap().to_string()
            })
            .collect()
    };
    let image_notes = notes(image);
    let removed: Vec<Package> = image_notes
        .iter()
        .filter_map(|n| n.strip_prefix("sbomgen:removedPackage="))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    let sample = sample();
    let old_curl = sample
        .packages
        .iter()
        .find(|p| p.removed_in.is_some())
        .unwrap();
    assert_eq!(removed, std::slice::from_ref(old_curl));
    // Trivy's layer vocabulary beside sbomgen's: the image's layers, each package's
    // introducing layer.
    for layer in &sample.layers {
        let diff_id = layer.diff_id.as_ref().unwrap();
        assert!(image_notes.contains(&format!("DiffID: {diff_id}")));
    }
    assert!(image_notes.contains(&format!("ImageID: {}", digest('e'))));
    for p in &packages[2..] {
        let native = sample
            .packages
            .iter()
            .find(|n| n.name == p["name"] && n.version == p["versionInfo"])
            .unwrap();
        let layer = &sample.layers[native.introduced_in.unwrap()];
        let trivy: Vec<String> = notes(p)
            .into_iter()
            .filter(|n| n.starts_with("Layer"))
            .collect();
        assert_eq!(
            trivy,
            [
                format!("LayerDiffID: {}", layer.diff_id.as_ref().unwrap()),
                format!("LayerDigest: {}", layer.digest.as_ref().unwrap()),
            ],
            "{}",
            native.name
        );
    }
    let curl = curl[0];
    assert_eq!(
        curl["supplier"],
        "Person: Alessandro Ghedini (ghedo@debian.org)"
    );
    assert_eq!(curl["homepage"], "https://curl.se/");
    assert_eq!(curl["licenseConcluded"], "NOASSERTION");
    assert_eq!(curl["licenseDeclared"], "curl AND LicenseRef-public-domain");
    assert!(doc["hasExtractedLicensingInfos"].as_array().unwrap().contains(
        &json!({"licenseId": "LicenseRef-public-domain", "extractedText": "public-domain", "name": "public-domain"})
    ));
    let declared: Vec<String> = packages
        .iter()
        .filter_map(|p| p["licenseDeclared"].as_str())
        .map(str::to_string)
        .collect();
    let extracted: Vec<&str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["licenseId"].as_str().unwrap())
        .collect();
    assert!(
        extracted.windows(2).all(|w| w[0] < w[1]),
        "sorted, deduplicated: {extracted:?}"
    );
    for expression in &declared {
        for word in expression.split([' ', '(', ')']) {
            if word.starts_with("LicenseRef-") {
                assert!(extracted.contains(&word), "{word} declared");
            }
        }
    }
    let bash = by_name("bash")[0];
    assert_eq!(bash["supplier"], "Organization: Red Hat, Inc.");
    assert_eq!(bash["sourceInfo"], "built package from: bash 1:5.1.8-6.el9");
    assert_eq!(bash["versionInfo"], "1:5.1.8-6.el9");
    let musl = by_name("musl")[0];
    assert_eq!(
        musl["checksums"],
        json!([{"algorithm": "SHA1", "checksumValue": "617c3e1e90df6bfb4f9a31b90fd97c6921e3542a"}])
    );
    assert_eq!(
        musl["licenseDeclared"],
        "(MIT AND BSD-2-Clause) AND (LGPL-2.1-or-later AND LicenseRef-SUSE-Public-Domain)"
    );
}

#[test]
fn output_is_byte_identical_for_identical_input() {
    for format in [Format::SpdxJson, Format::SpdxTagValue] {
        let first = emit(format, &sample());
        assert_eq!(first, emit(format, &sample().clone()), "{format:?}");
        assert!(first.ends_with(b"\n"));
    }
}

#[test]
fn tag_value_carries_the_same_content() {
    let doc = spdx_json(&sample());
    let text = String::from_utf8(emit(Format::SpdxTagValue, &sample())).unwrap();
    assert!(
        text.starts_with("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n")
    );
    let count = |tag: &str| text.lines().filter(|l| l.starts_with(tag)).count();
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(count("PackageName: "), packages.len());
    assert_eq!(
        count("Relationship: "),
        doc["relationships"].as_array().unwrap().len()
    );
    let annotations: usize = packages
        .iter()
        .map(|p| p["annotations"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(count("Annotator: Tool: sbomgen-"), annotations);
    assert_eq!(
        count("LicenseID: "),
        doc["hasExtractedLicensingInfos"].as_array().unwrap().len()
    );
    assert!(text.contains("PrimaryPackagePurpose: OPERATING-SYSTEM\n"));
    assert!(text.contains(
        "AnnotationComment: <text>sbomgen:layer:1:createdBy=RUN <<EOF\napt-get update\n"
    ));
    assert!(text.contains("AnnotationComment: <text>sbomgen:removedPackage={\"name\":\"curl\""));
    assert!(text.contains("AnnotationComment: <text>LayerDiffID: sha256:"));
    // Trivy reads tag-value annotations under the document: the same notes as attribution.
    assert_eq!(
        count("PackageAttributionText: <text>LayerDiffID: sha256:"),
        packages.len() - 2
    );
    assert!(
        text.contains("PackageCopyrightText: NOASSERTION\n"),
        "a keyword, not text"
    );
    for p in packages {
        assert!(text.contains(&format!("SPDXID: {}\n", p["SPDXID"].as_str().unwrap())));
    }
}

/// The SPDX reference validator, when installed (`pip install spdx-tools`), checks what the
/// schema cannot: licence expressions, declared refs, relationship targets, actor syntax.
#[test]
fn the_spdx_reference_validator_accepts_both_encodings() {
    if Command::new("pyspdxtools").arg("--help").output().is_err() {
        eprintln!("skipped: pyspdxtools is not installed (pip install spdx-tools)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sbomgen-spdx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The sample, and the other tools' documents as `convert` re-encodes them.
    let mut sboms = vec![("sample", sample())];
    for (name, file) in [
        ("syft", "syft-image-encoder.golden.spdx.json"),
        ("trivy", "trivy-0.58-alpine.spdx.json"),
    ] {
        sboms.push((name, read(&data(file), file).unwrap()));
    }
    let cases = sboms.iter().flat_map(|(name, sbom)| {
        [
            (Format::SpdxJson, format!("{name}.spdx.json"), sbom),
            (Format::SpdxTagValue, format!("{name}.spdx"), sbom),
        ]
    });
    for (format, name, sbom) in cases {
        let path = dir.join(&name);
        std::fs::write(&path, emit(format, sbom)).unwrap();
        let output = Command::new("pyspdxtools")
            .arg("-i")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{name}: {stderr}");
        assert!(!stderr.contains("invalid"), "{name}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn native_spdx_native_round_trip() {
    let sbom = sample();
    let back = read(&emit(Format::SpdxJson, &sbom), "sample.spdx.json").unwrap();
    assert_eq!(back.source, sbom.source);
    assert_eq!(back.distro, sbom.distro);
    assert_eq!(back.layers, sbom.layers);
    assert_eq!(back.hidden_files, sbom.hidden_files);
    assert_eq!(back.packages.len(), sbom.packages.len());
    let names: HashSet<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    for (got, want) in back.packages.iter().zip(&sbom.packages) {
        if want.removed_in.is_some() {
            assert_eq!(got, want, "removed packages come back exactly");
            continue;
        }
        let mut want = want.clone();
        // Only edges to packages in the document survive (`not-in-the-image` has none).
        want.depends_on.retain(|d| names.contains(d.as_str()));
        want.depends_on.sort();
        assert_eq!(
            Package {
                metadata: json!(null),
                ..got.clone()
            },
            Package {
                metadata: json!(null),
                ..want.clone()
            },
            "{}",
            want.name
        );
        for key in [
            "maintainer",
            "vendor",
            "homepage",
            "url",
            "description",
            "summary",
            "pullChecksum",
        ] {
            assert_eq!(
                got.metadata.get(key),
                want.metadata.get(key),
                "{} {key}",
                want.name
            );
        }
    }
    // And again: a second pass changes nothing.
    assert_eq!(emit(Format::SpdxJson, &back), emit(Format::SpdxJson, &sbom));
}

#[test]
fn syft_documents_are_read_best_effort() {
    let sbom = read(&data("syft-image-encoder.golden.spdx.json"), "syft").unwrap();
    let summary: Vec<(&str, &str, &str)> = sbom
        .packages
        .iter()
        .map(|p| (p.kind.as_str(), p.name.as_str(), p.version.as_str()))
        .collect();
    // The invalid placeholder purl `a-purl-1` leaves the type unknown (sorted first).
    assert_eq!(
        summary,
        [("", "package-1", "1.0.1"), ("deb", "package-2", "2.0.1")]
    );
    assert_eq!(sbom.packages[0].licenses, ["MIT"]);
    assert!(sbom.packages[1].licenses.is_empty(), "NOASSERTION");
    assert_eq!(
        sbom.packages[1].cpes,
        ["cpe:2.3:*:some:package:2:*:*:*:*:*:*:*"]
    );
    assert_eq!(
        sbom.source
            .manifest_digest
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("sha256:2731251dc34951c0e50fcc643b4c5f74922dad1a5d98f302b504cf46cd5d9368")
    );
    assert_eq!(sbom.source.reference.as_deref(), Some("user-image-input"));
    assert!(sbom.layers.is_empty() && sbom.packages.iter().all(|p| p.introduced_in.is_none()));
    validate(&spdx_json(&sbom));
}

#[test]
fn trivy_documents_keep_their_layer_provenance() {
    let sbom = read(&data("trivy-0.58-alpine.spdx.json"), "trivy").unwrap();
    let diff_id = "sha256:2879a4821959ab702528e28a1c59cd26c4956112497f6d1dbfd86c8d88003983";
    assert_eq!(sbom.layers.len(), 1);
    assert_eq!(
        sbom.layers[0].diff_id.as_ref().unwrap().to_string(),
        diff_id
    );
    assert_eq!(sbom.source.reference.as_deref(), Some("alpine:3.15"));
    assert_eq!(
        sbom.source.manifest_digest.as_ref().unwrap().to_string(),
        "sha256:19b4bcc4f60e99dd5ebdca0cbce22c503bbcff197549d7e19dab4f22254dc864"
    );
    assert!(sbom.source.config_digest.is_some());
    assert_eq!(
        sbom.source
            .platform
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("linux/amd64")
    );
    assert_eq!(
        sbom.distro,
        Some(Distro {
            id: "alpine".into(),
            version_id: Some("3.15.11".into()),
            pretty_name: None
        })
    );
    let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["alpine-baselayout", "busybox", "musl"]);
    for p in &sbom.packages {
        assert_eq!(
            (p.kind.as_str(), p.arch.as_deref(), p.introduced_in),
            ("apk", Some("x86_64"), Some(0))
        );
        assert_eq!(p.source_name.as_deref(), Some(p.name.as_str()));
        assert!(p.metadata["pullChecksum"]
            .as_str()
            .unwrap()
            .starts_with("Q1"));
    }
    assert_eq!(sbom.packages[0].depends_on, ["busybox", "musl"]);
    assert_eq!(sbom.packages[2].licenses, ["MIT"]);
    // Re-encoded by sbomgen, the provenance becomes sbomgen's own and survives another trip.
    let ours = spdx_json(&sbom);
    validate(&ours);
    let again = read(&emit(Format::SpdxJson, &sbom), "ours").unwrap();
    assert_eq!(again.packages, sbom.packages);
    assert_eq!(again.layers, sbom.layers);
}

/// sbomgen writes Trivy's `LayerDiffID` beside its own provenance: reading its own document,
/// sbomgen's annotations decide; without them, the Trivy annotation is read as Trivy's is.
#[test]
fn trivy_layer_annotations_are_a_duplicate_on_sbomgen_documents() {
    fn musl_annotations(doc: &mut Value) -> &mut Vec<Value> {
        doc["packages"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["name"] == "musl")
            .unwrap()["annotations"]
            .as_array_mut()
            .unwrap()
    }
    let sbom = sample();
    let native_musl = sbom.packages.iter().find(|p| p.name == "musl").unwrap();
    assert_eq!(native_musl.introduced_in, Some(1));
    let diff_id = |i: usize| sbom.layers[i].diff_id.as_ref().unwrap().to_string();
    let mut doc = spdx_json(&sbom);
    let musl_in = |doc: &Value| {
        let back = read(doc.to_string().as_bytes(), "doc").unwrap();
        let musl = back.packages.iter().find(|p| p.name == "musl").unwrap();
        musl.introduced_in
    };
    for a in musl_annotations(&mut doc).iter_mut() {
        if a["comment"].as_str().unwrap().starts_with("LayerDiffID: ") {
            a["comment"] = json!(format!("LayerDiffID: {}", diff_id(0)));
        }
    }
    assert_eq!(musl_in(&doc), Some(1), "sbomgen's own provenance wins");
    // Without sbomgen's annotations, Trivy's says which layer introduced it.
    let annotations = musl_annotations(&mut doc);
    annotations.retain(|a| !a["comment"].as_str().unwrap().starts_with("sbomgen:"));
    assert_eq!(annotations.len(), 2, "LayerDiffID and LayerDigest remain");
    assert_eq!(musl_in(&doc), Some(0));
    musl_annotations(&mut doc)[0]["comment"] = json!(format!("LayerDiffID: {}", diff_id(1)));
    assert_eq!(musl_in(&doc), Some(1));
}

#[test]
fn older_trivy_documents_with_attribution_texts() {
    // The shape Trivy wrote before 0.38/0.52: `DESCRIBE`, `attributionTexts`, the OS known only
    // by its id prefix (cf. trivy integration/testdata/fixtures/sbom/centos-7-spdx.json).
    let document = json!({
        "SPDXID": "SPDXRef-DOCUMENT",
        "creationInfo": {"created": "2022-09-13T13:27:55.874784Z", "creators": ["Tool: trivy", "Organization: aquasecurity"]},
        "dataLicense": "CC0-1.0",
        "name": "centos-7.tar.gz",
        "packages": [
            {"SPDXID": "SPDXRef-ContainerImage-dd5cad897c6263", "name": "centos-7.tar.gz", "filesAnalyzed": false,
             "attributionTexts": ["SchemaVersion: 2", "DiffID: sha256:89169d87dbe2b72ba42bfbb3579c957322baca28e03a1e558076542a1c1b2b4a"]},
            {"SPDXID": "SPDXRef-OperatingSystem-2e91c856c499a371", "name": "centos", "versionInfo": "7.6.1810", "filesAnalyzed": false},
            {"SPDXID": "SPDXRef-Package-e16b1cbaa5186199", "name": "openssl-libs", "versionInfo": "1.0.2k",
             "attributionTexts": ["PkgID: openssl-libs@1.0.2k-16.el7.x86_64",
                                  "LayerDiffID: sha256:89169d87dbe2b72ba42bfbb3579c957322baca28e03a1e558076542a1c1b2b4a"],
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                               "referenceLocator": "pkg:rpm/centos/openssl-libs@1:1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810"}],
             "licenseDeclared": "OpenSSL", "sourceInfo": "built package from: openssl-libs 1:1.0.2k-16.el7"}
        ],
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBE", "relatedSpdxElement": "SPDXRef-ContainerImage-dd5cad897c6263"},
            {"spdxElementId": "SPDXRef-ContainerImage-dd5cad897c6263", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-OperatingSystem-2e91c856c499a371"},
            {"spdxElementId": "SPDXRef-OperatingSystem-2e91c856c499a371", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-Package-e16b1cbaa5186199"}
        ],
        "spdxVersion": "SPDX-2.2"
    });
    let sbom = read(document.to_string().as_bytes(), "old trivy").unwrap();
    assert_eq!(sbom.distro.as_ref().map(|d| d.id.as_str()), Some("centos"));
    assert_eq!(sbom.packages.len(), 1);
    let openssl = &sbom.packages[0];
    assert_eq!(
        (openssl.kind.as_str(), openssl.introduced_in),
        ("rpm", Some(0))
    );
    assert_eq!(openssl.source_version.as_deref(), Some("1:1.0.2k-16.el7"));
    assert_eq!(sbom.source.reference.as_deref(), Some("centos-7.tar.gz"));
}

#[test]
fn malformed_documents_are_errors_not_panics() {
    for (document, expected) in [
        (
            json!({"spdxVersion": 2}),
            "document.spdxVersion is not a string",
        ),
        (
            json!({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "x", "name": 1}]}),
            "packages[0].name is not a string",
        ),
        (
            json!({"spdxVersion": "SPDX-2.3", "relationships": [{"spdxElementId": "a", "relationshipType": "CONTAINS"}]}),
            "relationships[0].relatedSpdxElement is missing",
        ),
        (
            json!({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "x", "name": "n", "checksums": [{"algorithm": "SHA1"}]}]}),
            "packages[0].checksums[0].checksumValue is missing",
        ),
    ] {
        match read(document.to_string().as_bytes(), "bad.json") {
            Err(FormatError::Unreadable { what, problem }) => {
                assert_eq!(what, "bad.json");
                assert!(problem.ends_with(expected), "{problem}");
            }
            other => panic!("{document}: {other:?}"),
        }
    }
    // Odd but well-formed values are tolerated.
    let odd = json!({"spdxVersion": "SPDX-2.3", "packages": [
        {"SPDXID": "SPDXRef-a", "name": "", "licenseDeclared": "((", "externalRefs": [
            {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:"}],
         "annotations": [{"annotator": "x", "annotationDate": "x", "annotationType": "OTHER", "comment": "sbomgen:layer:introduced:index=NaN"}]}],
        "relationships": [{"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"}]});
    let sbom = read(odd.to_string().as_bytes(), "odd.json").unwrap();
    assert_eq!(sbom.packages.len(), 1);
    assert!(sbom.packages[0].depends_on.is_empty());
}
