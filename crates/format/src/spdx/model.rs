//! The SPDX 2.3 document both encodings serialise, and how an [`Sbom`] becomes one.
//!
//! Field order and names are those of the SPDX JSON encoding (the types derive `Serialize`);
//! the tag-value writer reads the same fields. Everything is derived from the `Sbom` and the
//! [`DocumentInfo`], so identical input gives identical documents.

use base64::Engine as _;
use serde::Serialize;

use sbomgen_model::{Package as NativePackage, Sbom};

use super::cpe;
use super::license::{self, ExtractedLicense, Licenses, NOASSERTION};
use crate::meta::{TOOL_NAME, TOOL_VERSION};
use crate::{ids, provenance, DocumentInfo};

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
    pub fn tag_value(self) -> &'static str {
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
    /// `<name>=<value>`, one [`provenance`] property.
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
    /// The document for `sbom`.
    pub fn build(sbom: &Sbom, info: &DocumentInfo) -> Document {
        let identity = ids::image_identity(sbom);
        let annotate = |properties: Vec<provenance::Property>| -> Vec<Annotation> {
            properties
                .into_iter()
                .map(|(name, value)| Annotation {
                    annotator: tool(),
                    annotation_date: info.created.clone(),
                    annotation_type: "OTHER",
                    comment: format!("{name}={value}"),
                })
                .collect()
        };

        let mut packages = vec![image_package(sbom, &identity)];
        packages[0].annotations = annotate(provenance::image_properties(sbom));
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
            let mut package = package(sbom, native, id, &mut licenses);
            package.annotations = annotate(provenance::package_properties(sbom, native));
            packages.push(package);
            // The distro holds the OS packages still installed; removed ones hang off the image
            // (its lower layers still ship them), as in the CycloneDX documents, so consumers
            // that read OS packages through the distro see what the final filesystem runs.
            let parent = match &os_id {
                Some(os) if ids::is_os_package(native) && native.removed_in.is_none() => {
                    os.as_str()
                }
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

        Document {
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
        }
    }
}

impl Package {
    /// A package with only the fields SPDX requires of every package.
    fn bare(spdx_id: String) -> Package {
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
            primary_package_purpose: None,
            annotations: Vec::new(),
        }
    }
}

/// The comment of the OTHER relationship from an OS package to a language package whose
/// metadata file it installed.
pub(crate) const OWNED_BY_COMMENT: &str =
    "sbomgen:ownedBy: the OS package's file list holds this package's metadata file";

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_string(),
        relationship_type: kind,
        related_spdx_element: to.to_string(),
        comment: None,
    }
}

fn purl_ref(purl: &str) -> ExternalRef {
    ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl.to_string(),
    }
}

/// The described image: name, manifest digest as version and checksum, `pkg:oci` purl.
fn image_package(sbom: &Sbom, identity: &ids::ImageIdentity) -> Package {
    let digest = sbom.source.manifest_digest.as_ref();
    Package {
        name: identity.name.clone(),
        version_info: digest
            .map(ToString::to_string)
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

/// One catalogued package.
fn package(sbom: &Sbom, native: &NativePackage, id: &str, licenses: &mut Licenses) -> Package {
    let text = |key: &str| {
        native
            .metadata
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut external_refs: Vec<ExternalRef> = native
        .purl
        .as_deref()
        .filter(|purl| is_purl(purl))
        .map(purl_ref)
        .into_iter()
        .collect();
    external_refs.extend(
        native
            .cpes
            .iter()
            .filter_map(|cpe| cpe::formatted(cpe))
            .map(|cpe| ExternalRef {
                reference_category: "SECURITY",
                reference_type: "cpe23Type",
                reference_locator: cpe,
            }),
    );
    Package {
        name: native.name.clone(),
        version_info: Some(native.version.clone()).filter(|v| !v.is_empty()),
        supplier: Some(supplier(native).unwrap_or_else(|| NOASSERTION.to_string())),
        checksums: apk_checksum(native).into_iter().collect(),
        homepage: text("homepage")
            .or_else(|| text("url"))
            .filter(|url| looks_like_url(url)),
        source_info: source_info(native),
        license_concluded: Some(NOASSERTION.to_string()),
        license_declared: Some(licenses.declared(&native.licenses)),
        copyright_text: Some(NOASSERTION.to_string()),
        summary: text("summary"),
        description: text("description"),
        comment: provenance::removal_note(sbom, native),
        external_refs,
        ..Package::bare(id.to_string())
    }
}

/// Who distributed the package: the distro maintainer (deb, apk) or the rpm vendor. Supplier
/// rather than originator: these are the packagers, not the upstream authors.
fn supplier(native: &NativePackage) -> Option<String> {
    let field = |key: &str| {
        native
            .metadata
            .get(key)
            .and_then(|v| v.as_str())
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    if let Some(vendor) = field("vendor") {
        return Some(format!("Organization: {vendor}"));
    }
    let maintainer = field("maintainer")?;
    // `Name <email>` → `Name (email)`, the SPDX actor syntax.
    let person = match maintainer.split_once('<') {
        Some((name, rest)) if rest.ends_with('>') => {
            let (name, email) = (name.trim(), rest.trim_end_matches('>').trim());
            match (name.is_empty(), email.is_empty()) {
                (false, false) => format!("{name} ({email})"),
                (false, true) => name.to_string(),
                (true, _) => email.to_string(),
            }
        }
        _ => maintainer,
    };
    Some(format!("Person: {person}"))
}

/// apk's `C:` field is `Q1` + base64 of the package's SHA-1: the one checksum a package
/// database gives for the package itself.
fn apk_checksum(native: &NativePackage) -> Option<Checksum> {
    let encoded = native
        .metadata
        .get("pullChecksum")?
        .as_str()?
        .strip_prefix("Q1")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    (bytes.len() == 20).then(|| Checksum {
        algorithm: "SHA1",
        checksum_value: hex::encode(bytes),
    })
}

/// Trivy's form, `built package from: <source> <version>`, which Trivy parses back into the
/// source package its vulnerability matching uses; otherwise where the record was read.
fn source_info(native: &NativePackage) -> Option<String> {
    if let Some(source) = native.source_name.as_deref().filter(|s| !s.is_empty()) {
        let version = native.source_version.as_deref().unwrap_or(&native.version);
        if !source.contains(char::is_whitespace) && !version.contains(char::is_whitespace) {
            return Some(format!("built package from: {source} {version}"));
        }
    }
    let mut paths: Vec<&str> = native.locations.iter().map(|l| l.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    (!paths.is_empty()).then(|| {
        format!(
            "acquired package info from the {} database: {}",
            native.kind,
            paths.join(", ")
        )
    })
}

/// `pkg:<type>/<name>…` without blanks, the shape SPDX validators require of a purl locator.
/// Documents read from other tools may carry placeholders (Syft's tests write `a-purl-1`);
/// one such locator would make the whole document invalid, so it is left out.
fn is_purl(purl: &str) -> bool {
    purl.strip_prefix("pkg:")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(kind, name)| !kind.is_empty() && !name.is_empty())
        && !purl.contains(char::is_whitespace)
}

/// A plain http(s) URL: anything else would fail validators' URL checks.
fn looks_like_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn native(metadata: serde_json::Value) -> NativePackage {
        NativePackage {
            name: "musl".into(),
            version: "1.2.4-r2".into(),
            kind: "apk".into(),
            metadata,
            ..NativePackage::default()
        }
    }

    #[test]
    fn only_well_formed_purls_are_referenced() {
        assert!(is_purl("pkg:deb/debian/curl@8?arch=amd64"));
        assert!(is_purl("pkg:npm/left-pad@1.3.0"));
        for bad in ["a-purl-1", "pkg:", "pkg:/x", "pkg:npm/", "pkg:npm/a b"] {
            assert!(!is_purl(bad), "{bad}");
        }
    }

    #[test]
    fn suppliers_use_the_spdx_actor_syntax() {
        let deb = native(json!({"maintainer": "Debian  GCC <debian-gcc@lists.debian.org>"}));
        assert_eq!(
            supplier(&deb).as_deref(),
            Some("Person: Debian GCC (debian-gcc@lists.debian.org)")
        );
        let rpm = native(json!({"vendor": "Red Hat, Inc.", "maintainer": "x"}));
        assert_eq!(
            supplier(&rpm).as_deref(),
            Some("Organization: Red Hat, Inc.")
        );
        assert_eq!(
            supplier(&native(json!({"maintainer": "<a@b>"}))).as_deref(),
            Some("Person: a@b")
        );
        assert_eq!(supplier(&native(json!({}))), None);
    }

    #[test]
    fn apk_pull_checksum_becomes_sha1_hex() {
        let p = native(json!({"pullChecksum": "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo="}));
        let checksum = apk_checksum(&p).unwrap();
        assert_eq!(checksum.algorithm, "SHA1");
        assert_eq!(
            checksum.checksum_value,
            "617c3e1e90df6bfb4f9a31b90fd97c6921e3542a"
        );
        assert!(apk_checksum(&native(json!({"pullChecksum": "Q1notbase64!"}))).is_none());
        assert!(apk_checksum(&native(json!({"pullChecksum": "Q1AAAA"}))).is_none());
    }

    #[test]
    fn source_info_speaks_trivy_when_the_source_is_known() {
        let mut p = native(json!({}));
        p.locations = vec![sbomgen_model::Location {
            path: "lib/apk/db/installed".into(),
            layer_index: 0,
        }];
        assert_eq!(
            source_info(&p).as_deref(),
            Some("acquired package info from the apk database: lib/apk/db/installed")
        );
        p.source_name = Some("musl-src".into());
        assert_eq!(
            source_info(&p).as_deref(),
            Some("built package from: musl-src 1.2.4-r2")
        );
    }
}
