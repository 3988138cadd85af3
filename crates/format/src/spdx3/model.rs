//! The SPDX 3.0.1 elements sbomgen writes, as the JSON-LD compact form of the official context
//! names them (`software_Package`, `simplelicensing_licenseExpression`, …).
//!
//! Serialised as is: `type` first (the enum tag), then the fields in declaration order, so the
//! output is byte-identical for identical input.

use serde::Serialize;

/// The blank-node id of the one `CreationInfo` every element points at.
pub(crate) const CREATION_INFO: &str = "_:creationinfo";
pub(crate) const SPEC_VERSION: &str = "3.0.1";

#[derive(Debug, Serialize)]
pub(crate) struct Document {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@graph")]
    pub graph: Vec<Node>,
}

/// One object of the `@graph`.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub(crate) enum Node {
    CreationInfo(CreationInfo),
    SoftwareAgent(Agent),
    Tool(Agent),
    Person(Agent),
    Organization(Agent),
    SpdxDocument(SpdxDocument),
    #[serde(rename = "software_Sbom")]
    Sbom(Sbom),
    #[serde(rename = "software_Package")]
    Package(Package),
    #[serde(rename = "simplelicensing_LicenseExpression")]
    LicenseExpression(LicenseExpression),
    #[serde(rename = "simplelicensing_SimpleLicensingText")]
    LicensingText(LicensingText),
    Relationship(Relationship),
    LifecycleScopedRelationship(Relationship),
    Annotation(Annotation),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreationInfo {
    #[serde(rename = "@id")]
    pub id: &'static str,
    pub spec_version: &'static str,
    pub created: String,
    pub created_by: Vec<String>,
    pub created_using: Vec<String>,
}

/// The fields every element has.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Element {
    pub spdx_id: String,
    pub creation_info: &'static str,
}

impl Element {
    pub(super) fn new(spdx_id: String) -> Element {
        Element {
            spdx_id,
            creation_info: CREATION_INFO,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Agent {
    #[serde(flatten)]
    pub element: Element,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_identifier: Vec<ExternalIdentifier>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpdxDocument {
    #[serde(flatten)]
    pub element: Element,
    pub name: String,
    pub profile_conformance: Vec<&'static str>,
    pub data_license: String,
    pub root_element: Vec<String>,
    /// The collection's `element` list.
    #[serde(rename = "element")]
    pub members: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sbom {
    #[serde(flatten)]
    pub element: Element,
    #[serde(rename = "software_sbomType")]
    pub sbom_type: Vec<&'static str>,
    pub root_element: Vec<String>,
    /// The collection's `element` list.
    #[serde(rename = "element")]
    pub members: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Package {
    #[serde(flatten)]
    pub element: Element,
    pub name: String,
    #[serde(
        rename = "software_packageVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    #[serde(
        rename = "software_packageUrl",
        skip_serializing_if = "Option::is_none"
    )]
    pub purl: Option<String>,
    #[serde(
        rename = "software_primaryPurpose",
        skip_serializing_if = "Option::is_none"
    )]
    pub purpose: Option<&'static str>,
    #[serde(rename = "suppliedBy", skip_serializing_if = "Option::is_none")]
    pub supplied_by: Option<String>,
    #[serde(rename = "software_homePage", skip_serializing_if = "Option::is_none")]
    pub home_page: Option<String>,
    #[serde(
        rename = "software_sourceInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "externalIdentifier", skip_serializing_if = "Vec::is_empty")]
    pub external_identifier: Vec<ExternalIdentifier>,
    #[serde(rename = "verifiedUsing", skip_serializing_if = "Vec::is_empty")]
    pub verified_using: Vec<Hash>,
}

impl Package {
    /// A package with only its id and name.
    pub(super) fn named(spdx_id: String, name: String) -> Package {
        Package {
            element: Element::new(spdx_id),
            name,
            version: None,
            purl: None,
            purpose: None,
            supplied_by: None,
            home_page: None,
            source_info: None,
            summary: None,
            description: None,
            comment: None,
            external_identifier: Vec::new(),
            verified_using: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "ExternalIdentifier", rename_all = "camelCase")]
pub(crate) struct ExternalIdentifier {
    /// `cpe23`, `email`, …
    pub external_identifier_type: &'static str,
    pub identifier: String,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "Hash", rename_all = "camelCase")]
pub(crate) struct Hash {
    /// `sha256`, `sha1`, … (the HashAlgorithm vocabulary is lower case).
    pub algorithm: &'static str,
    pub hash_value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct LicenseExpression {
    #[serde(flatten)]
    pub element: Element,
    #[serde(rename = "simplelicensing_licenseExpression")]
    pub expression: String,
    #[serde(rename = "simplelicensing_licenseListVersion")]
    pub list_version: String,
    #[serde(
        rename = "simplelicensing_customIdToUri",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_ids: Vec<DictionaryEntry>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "DictionaryEntry")]
pub(crate) struct DictionaryEntry {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct LicensingText {
    #[serde(flatten)]
    pub element: Element,
    pub name: String,
    #[serde(rename = "simplelicensing_licenseText")]
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Relationship {
    #[serde(flatten)]
    pub element: Element,
    pub from: String,
    pub relationship_type: &'static str,
    pub to: Vec<String>,
    /// Only on `LifecycleScopedRelationship`s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Annotation {
    #[serde(flatten)]
    pub element: Element,
    pub annotation_type: &'static str,
    pub subject: String,
    /// `sbomgen:<name>=<value>`, one [`crate::provenance`] property.
    pub statement: String,
}

impl Node {
    /// The element's spdxId (`None` for the CreationInfo, which is a blank node).
    pub(super) fn spdx_id(&self) -> Option<&str> {
        let element = match self {
            Node::CreationInfo(_) => return None,
            Node::SoftwareAgent(a) | Node::Tool(a) | Node::Person(a) | Node::Organization(a) => {
                &a.element
            }
            Node::SpdxDocument(d) => &d.element,
            Node::Sbom(s) => &s.element,
            Node::Package(p) => &p.element,
            Node::LicenseExpression(l) => &l.element,
            Node::LicensingText(t) => &t.element,
            Node::Relationship(r) | Node::LifecycleScopedRelationship(r) => &r.element,
            Node::Annotation(a) => &a.element,
        };
        Some(&element.spdx_id)
    }
}
