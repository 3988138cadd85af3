//! Packages a later layer removed: carried in annotations of the image package, never as SPDX
//! package elements.
//!
//! Trivy counts every package element as installed, whatever its relationships (dropping or
//! changing their `CONTAINS` edges changed nothing), and so does Syft; a vulnerability matcher
//! would then report software the container does not run. So a removed package is one `OTHER`
//! annotation on `SPDXRef-Image` whose comment is `sbomgen:removedPackage=` followed by the
//! native package as compact JSON: every field (provenance, locations, dependencies, metadata)
//! comes back exactly when sbomgen reads the document, and consumers see an image annotation.
//!
//! Compact JSON has no line break, and `</` is written `<\/` (the same string to a JSON
//! parser), so the comment survives a tag-value `<text>` block unchanged.

use sbomgen_model::{Package, Sbom};

use crate::FormatError;

/// The property name of one removed package on the image.
pub(crate) const PROPERTY: &str = "sbomgen:removedPackage";

/// `sbom` without its removed packages, and those packages in document order.
///
/// Ids, dependency edges and ownership are then derived from the first, so no relationship
/// names a package that is not an element; ids are unchanged (they hash `removedIn`, so a
/// removed package never shares a live one's id stem).
pub(crate) fn split(sbom: &Sbom) -> (Sbom, Vec<&Package>) {
    let (removed, live): (Vec<&Package>, Vec<&Package>) =
        sbom.packages.iter().partition(|p| p.removed_in.is_some());
    let live = Sbom {
        source: sbom.source.clone(),
        distro: sbom.distro.clone(),
        layers: sbom.layers.clone(),
        hidden_files: sbom.hidden_files.clone(),
        packages: live.into_iter().cloned().collect(),
    };
    (live, removed)
}

/// The annotation comment carrying `package`.
pub(crate) fn encode(package: &Package) -> Result<String, FormatError> {
    let json = serde_json::to_string(package)?.replace("</", "<\\/");
    Ok(format!("{PROPERTY}={json}"))
}

/// The removed packages among the image package's annotation comments, in document order.
pub(crate) fn decode<'a>(
    notes: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Package>, FormatError> {
    notes
        .into_iter()
        .filter_map(|note| note.strip_prefix(PROPERTY)?.strip_prefix('='))
        .enumerate()
        .map(|(n, json)| {
            serde_json::from_str(json).map_err(|e| {
                crate::json_view::unreadable(
                    "SPDX document",
                    format!("the image's {PROPERTY} annotation {n} is not a native package: {e}"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::Location;
    use serde_json::json;

    fn removed() -> Package {
        Package {
            name: "curl".into(),
            version: "7.88.1-10+deb12u4".into(),
            kind: "deb".into(),
            purl: Some("pkg:deb/debian/curl@7.88.1-10%2Bdeb12u4?arch=amd64".into()),
            cpes: vec!["cpe:2.3:a:curl:curl:7.88.1:*:*:*:*:*:*:*".into()],
            licenses: vec!["curl".into(), "BSD-3-Clause".into()],
            arch: Some("amd64".into()),
            source_name: Some("curl".into()),
            source_version: Some("7.88.1-10+deb12u4".into()),
            introduced_in: Some(0),
            removed_in: Some(2),
            replaced_by: Some("8.0".into()),
            locations: vec![Location {
                path: "var/lib/dpkg/status".into(),
                layer_index: 0,
            }],
            files: 12,
            files_present: 3,
            depends_on: vec!["libc6".into(), "libcurl4".into()],
            owned_by: Some("pkg:deb/debian/x@1".into()),
            declared: true,
            metadata: json!({
                "description": "line one\nline two </text> and <b>tags</b>: \"quoted\"",
                "installedSize": 100,
                "maintainer": "Debian <d@example.org>",
            }),
        }
    }

    #[test]
    fn every_field_comes_back_exactly() {
        let package = removed();
        let comment = encode(&package).unwrap();
        assert!(comment.starts_with("sbomgen:removedPackage={\"name\":\"curl\""));
        // Safe in a tag-value <text> block and on one line.
        assert!(
            !comment.contains("</") && !comment.contains('\n'),
            "{comment}"
        );
        let back = decode([
            "sbomgen:layer:0:diffId=x",
            comment.as_str(),
            "LayerDiffID: y",
        ])
        .unwrap();
        assert_eq!(back, [package]);
    }

    #[test]
    fn split_keeps_live_packages_in_order() {
        let sbom = Sbom {
            packages: vec![
                Package {
                    name: "a".into(),
                    ..Package::default()
                },
                removed(),
                Package {
                    name: "b".into(),
                    ..Package::default()
                },
            ],
            ..Sbom::default()
        };
        let (live, removed) = split(&sbom);
        let names: Vec<&str> = live.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(removed, [&sbom.packages[1]]);
    }

    #[test]
    fn a_malformed_package_is_unreadable() {
        let err = decode(["sbomgen:removedPackage={\"name\": 3}"]).unwrap_err();
        assert!(
            err.to_string()
                .contains("sbomgen:removedPackage annotation 0 is not a native package"),
            "{err}"
        );
        // Another property sharing the prefix is not one.
        assert!(decode(["sbomgen:removedPackages=[]"]).unwrap().is_empty());
    }
}
