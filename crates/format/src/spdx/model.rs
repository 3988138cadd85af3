//! The SPDX 2.3 document both encodings serialise, and how an [`Sbom`] becomes one.
//!
//! Field order and names are those of the SPDX JSON encoding (the types derive `Serialize`);
//! the tag-value writer reads the same fields. Everything is derived from the `Sbom` and the
//! [`DocumentInfo`], so identical input gives identical documents.

use serde::Serialize;

use sbomgen_model::Sbom;

use super::license::{self, ExtractedLicense, Licenses, NOASSERTION};
use super::package::{self, purl_ref};
use super::{removed, trivy};
use crate::meta::{TOOL_NAME, TOOL_VERSION};
use crate::{ids, provenance, DocumentInfo, FormatError};

pub(crate) const SPDX_VERSION: &str = "SPDX-2.3";
pub(crate) const DATA_LICENSE: &str = "CC0-1.0";
pub(crate) const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
pub(crate) const IMAGE_ID: &str = "SPDXRef-Image";
/// Trivy tells the OS component by this id prefix, not by its purpose.
pub(crate) const OS_ID_PREFIX: &str = "SPDXRef-OperatingSystem-";
pub(crate) const PACKAGE_ID_PREFIX: &str = "SPDXRef-Package-";
const NAMESPACE_BASE: &str = "https://sbomgen.dev/spdxdocs/";

/// `Tool: sbomgen-<version>`, the creator and annotator of every document.
pub(crate) fn tool() -> String {
    format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    pub spdx_version: &'static str,
    pub data_license: &'static str,
    #[serde(rename = "SPDXID")]
    pub spdx_id: &'static str,
    pub name: String,
    pub document_namespace: String,
    pub creation_info: CreationInfo,
    pub packages: Vec<Package>,
    pub relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreationInfo {
    pub license_list_version: String,
    pub creators: Vec<String>,
    pub created: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Package {
    pub name: String,
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    pub download_location: &'static str,
    /// Always false: sbomgen lists packages, not their files (and so has no verification code).
    pub files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_concluded: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_declared: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    /// Trivy's `Key: value` notes again ([`trivy`]): Trivy reads them here when a package has
    /// no annotation of its own, which is what every tag-value document looks like to it (its
    /// tag-value parser files annotations under the document, not the package).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attribution_texts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_package_purpose: Option<Purpose>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Checksum {
    pub algorithm: &'static str,
    pub checksum_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalRef {
    pub reference_category: &'static str,
    pub reference_type: &'static str,
    pub reference_locator: String,
}

/// The purposes sbomgen assigns. JSON spells them with `_`, tag-value with `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Purpose {
    #[serde(rename = "CONTAINER")]
    Container,
    #[serde(rename = "OPERATING_SYSTEM")]
    OperatingSystem,
}

impl Purpose {
    pub(super) fn tag_value(self) -> &'static str {
        match self {
            Purpose::Container => "CONTAINER",
            Purpose::OperatingSystem => "OPERATING-SYSTEM",
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Annotation {
    pub annotator: String,
    pub annotation_date: String,
    pub annotation_type: &'static str,
    /// `<name>=<value>` (one [`provenance`] property, or a [`removed`] package), or Trivy's
    /// `Key: value` ([`trivy`]).
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: &'static str,
    pub related_spdx_element: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Document {
    /// The document for `sbom`: its live packages as elements, its removed ones in annotations
    /// of the image ([`removed`]).
    pub(super) fn build(sbom: &Sbom, info: &DocumentInfo) -> Result<Document, FormatError> {
        let (live, removed) = removed::split(sbom);
        let sbom = &live;
        let identity = ids::image_identity(sbom);
        let annotate = |comments: Vec<String>| -> Vec<Annotation> {
            comments
                .into_iter()
                .map(|comment| Annotation {
                    annotator: tool(),
                    annotation_date: info.created.clone(),
                    annotation_type: "OTHER",
                    comment,
                })
                .collect()
        };

        let mut image_notes = notes(provenance::image_properties(sbom));
        for package in removed {
            image_notes.push(removed::encode(package)?);
        }
        let trivy_notes = trivy::image_notes(sbom);
        image_notes.extend(trivy_notes.iter().cloned());
        let mut packages = vec![image_package(sbom, &identity)];
        packages[0].annotations = annotate(image_notes);
        packages[0].attribution_texts = trivy_notes;
        let mut relationships = vec![relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)];

        let os_id = sbom
            .distro
            .as_ref()
            .filter(|d| !d.id.is_empty())
            .map(|distro| {
                let family = ids::os_family(&distro.id);
                let id = format!("{OS_ID_PREFIX}{}", ids::sanitise(family));
                packages.push(Package {
                    name: family.to_string(),
                    version_info: distro.version_id.clone(),
                    description: distro.pretty_name.clone(),
                    primary_package_purpose: Some(Purpose::OperatingSystem),
                    ..Package::bare(id.clone())
                });
                relationships.push(relationship(IMAGE_ID, "CONTAINS", &id));
                id
            });

        let mut licenses = Licenses::default();
        let package_ids: Vec<String> = ids::package_ids(sbom)
            .into_iter()
            .map(|id| format!("{PACKAGE_ID_PREFIX}{id}"))
            .collect();
        for (native, id) in sbom.packages.iter().zip(&package_ids) {
            let mut package = package::package(sbom, native, id, &mut licenses);
            let mut comments = notes(provenance::package_properties(sbom, native));
            let trivy_notes = trivy::package_notes(sbom, native);
            comments.extend(trivy_notes.iter().cloned());
            package.annotations = annotate(comments);
            package.attribution_texts = trivy_notes;
            packages.push(package);
            // Trivy reads OS packages through the distro, the others hang off the image.
            let parent = match &os_id {
                Some(os) if ids::is_os_package(native) => os.as_str(),
                _ => IMAGE_ID,
            };
            relationships.push(relationship(parent, "CONTAINS", id));
        }
        for (from, targets) in ids::dependency_edges(sbom).iter().enumerate() {
            for &to in targets {
                relationships.push(relationship(
                    &package_ids[from],
                    "DEPENDS_ON",
                    &package_ids[to],
                ));
            }
        }
        // An OS package whose file list holds a language package's metadata: the same
        // software found twice. SPDX 2.3 has no type for that; OTHER with a comment is what
        // Syft writes for its ownership-by-file-overlap too.
        for (owned, owner) in ids::owners(sbom).into_iter().enumerate() {
            if let Some(owner) = owner {
                let mut link = relationship(&package_ids[owner], "OTHER", &package_ids[owned]);
                link.comment = Some(OWNED_BY_COMMENT.to_string());
                relationships.push(link);
            }
        }
        relationships.sort();
        relationships.dedup();

        Ok(Document {
            spdx_version: SPDX_VERSION,
            data_license: DATA_LICENSE,
            spdx_id: DOCUMENT_ID,
            document_namespace: format!(
                "{NAMESPACE_BASE}{}-{}",
                ids::sanitise(&identity.name),
                info.uuid
            ),
            name: identity.name,
            creation_info: CreationInfo {
                license_list_version: license::list_version(),
                creators: vec![tool()],
                created: info.created.clone(),
            },
            packages,
            relationships,
            has_extracted_licensing_infos: licenses.into_extracted(),
        })
    }
}

impl Package {
    /// A package with only the fields SPDX requires of every package.
    pub(super) fn bare(spdx_id: String) -> Package {
        Package {
            name: String::new(),
            spdx_id,
            version_info: None,
            supplier: None,
            download_location: NOASSERTION,
            files_analyzed: false,
            checksums: Vec::new(),
            homepage: None,
            source_info: None,
            license_concluded: None,
            license_declared: None,
            copyright_text: None,
            summary: None,
            description: None,
            comment: None,
            external_refs: Vec::new(),
            attribution_texts: Vec::new(),
            primary_package_purpose: None,
            annotations: Vec::new(),
        }
    }
}

/// The comment of the OTHER relationship from an OS package to a language package whose
/// metadata file it installed.
pub(crate) const OWNED_BY_COMMENT: &str =
    "sbomgen:ownedBy: the OS package's file list holds this package's metadata file";

/// sbomgen's properties as annotation comments, `<name>=<value>`.
fn notes(properties: Vec<provenance::Property>) -> Vec<String> {
    properties
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect()
}

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_string(),
        relationship_type: kind,
        related_spdx_element: to.to_string(),
        comment: None,
    }
}

/// The described image: name, manifest digest as version and checksum, `pkg:oci` purl.
fn image_package(sbom: &Sbom, identity: &ids::ImageIdentity) -> Package {
    let digest = sbom.source.manifest_digest.as_ref();
    Package {
        name: identity.name.clone(),
        version_info: identity
            .version
            .clone()
            .or_else(|| digest.map(ToString::to_string))
            .or_else(|| identity.tag.clone()),
        checksums: digest
            .and_then(|d| {
                let algorithm = match d.algorithm() {
                    "sha256" => "SHA256",
                    "sha512" => "SHA512",
                    _ => return None,
                };
                Some(Checksum {
                    algorithm,
                    checksum_value: d.hex().to_string(),
                })
            })
            .into_iter()
            .collect(),
        external_refs: identity.purl.as_deref().map(purl_ref).into_iter().collect(),
        primary_package_purpose: Some(Purpose::Container),
        ..Package::bare(IMAGE_ID.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{LayerSummary, Package as NativePackage};

    fn deb(name: &str, version: &str, introduced: usize) -> NativePackage {
        NativePackage {
            name: name.into(),
            version: version.into(),
            kind: "deb".into(),
            introduced_in: Some(introduced),
            ..NativePackage::default()
        }
    }

    /// `app` was installed against `lib` 1, which a later layer replaced by `lib` 2.
    fn upgraded() -> Sbom {
        let mut app = deb("app", "1", 0);
        app.depends_on = vec!["lib".into()];
        let mut old = deb("lib", "1", 0);
        old.removed_in = Some(1);
        old.replaced_by = Some("2".into());
        Sbom {
            layers: (0..2)
                .map(|index| LayerSummary {
                    index,
                    diff_id: format!("sha256:{}", index.to_string().repeat(64))
                        .parse()
                        .ok(),
                    ..LayerSummary::default()
                })
                .collect(),
            packages: vec![app, old, deb("lib", "2", 1)],
            ..Sbom::default()
        }
    }

    fn info() -> DocumentInfo {
        DocumentInfo::resolve(&Sbom::default(), None).unwrap()
    }

    #[test]
    fn removed_packages_are_image_annotations_and_no_edge_reaches_them() {
        let sbom = upgraded();
        let doc = Document::build(&sbom, &info()).unwrap();
        let names: Vec<(&str, Option<&str>)> = doc
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version_info.as_deref()))
            .collect();
        assert_eq!(names[1..], [("app", Some("1")), ("lib", Some("2"))]);
        let removed: Vec<&str> = doc.packages[0]
            .annotations
            .iter()
            .filter_map(|a| a.comment.strip_prefix("sbomgen:removedPackage="))
            .collect();
        assert_eq!(removed.len(), 1);
        assert!(removed[0].starts_with(r#"{"name":"lib","version":"1""#));
        // What `app` runs against now is the replacement.
        let depends: Vec<(&str, &str)> = doc
            .relationships
            .iter()
            .filter(|r| r.relationship_type == "DEPENDS_ON")
            .map(|r| (r.spdx_element_id.as_str(), r.related_spdx_element.as_str()))
            .collect();
        assert_eq!(
            depends,
            [(&*doc.packages[1].spdx_id, &*doc.packages[2].spdx_id)]
        );
        let ids: Vec<&str> = doc.packages.iter().map(|p| p.spdx_id.as_str()).collect();
        assert!(doc.relationships.iter().all(|r| {
            (r.spdx_element_id == DOCUMENT_ID || ids.contains(&&*r.spdx_element_id))
                && ids.contains(&&*r.related_spdx_element)
        }));
        // Read back: the removed package exactly, `app` still depends on `lib`.
        let back = super::super::read_json(&serde_json::to_value(&doc).unwrap()).unwrap();
        assert_eq!(back.packages[1], sbom.packages[1]);
        assert_eq!(back.packages[0].depends_on, ["lib"]);
    }

    #[test]
    fn ids_of_installed_packages_do_not_depend_on_removed_ones() {
        let sbom = upgraded();
        let all = ids::package_ids(&sbom);
        let doc = Document::build(&sbom, &info()).unwrap();
        assert_eq!(
            doc.packages[1].spdx_id,
            format!("{PACKAGE_ID_PREFIX}{}", all[0])
        );
        assert_eq!(
            doc.packages[2].spdx_id,
            format!("{PACKAGE_ID_PREFIX}{}", all[2])
        );
    }
}
