//! The syft-json document as Syft 1.18 writes it (syft/format/syftjson/model, schema
//! 16.0.18): field names, order and which empty fields are still written follow Syft's Go
//! structs, because Grype and `syft convert` decode into exactly those.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The whole document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    pub artifacts: Vec<Artifact>,
    pub artifact_relationships: Vec<Relationship>,
    pub source: Source,
    pub distro: LinuxRelease,
    pub descriptor: Descriptor,
    pub schema: SchemaRef,
}

/// A package (`artifacts[]`). Every field but the metadata pair is written even when empty,
/// as Syft does: its schema requires them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Artifact {
    pub id: String,
    pub name: String,
    pub version: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub found_by: String,
    pub locations: Vec<SyftLocation>,
    pub licenses: Vec<License>,
    pub language: String,
    pub cpes: Vec<Cpe>,
    pub purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A file location: `layerID` is the diff_id of the layer holding the file.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SyftLocation {
    pub path: String,
    #[serde(rename = "layerID", skip_serializing_if = "Option::is_none")]
    pub layer_id: Option<String>,
    #[serde(rename = "accessPath")]
    pub access_path: String,
    /// `evidence: primary`: the file the package was read from, as Syft marks it.
    pub annotations: BTreeMap<&'static str, &'static str>,
}

impl SyftLocation {
    /// The primary-evidence location of root-relative `path` in the layer `layer_id`.
    pub(super) fn primary(path: &str, layer_id: Option<String>) -> Self {
        let path = format!("/{}", path.trim_start_matches('/'));
        SyftLocation {
            access_path: path.clone(),
            path,
            layer_id,
            annotations: BTreeMap::from([("evidence", "primary")]),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct License {
    pub value: String,
    /// The value when it is a valid SPDX expression, else empty (Syft's convention).
    pub spdx_expression: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub urls: Vec<String>,
    pub locations: Vec<SyftLocation>,
}

#[derive(Debug, Serialize)]
pub(super) struct Cpe {
    pub cpe: String,
}

#[derive(Debug, PartialEq, Serialize)]
pub(super) struct Relationship {
    pub parent: String,
    pub child: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// What was scanned: `type` `image` (metadata [`ImageMetadata`]) or `directory`.
#[derive(Debug, Serialize)]
pub(super) struct Source {
    pub id: String,
    pub name: String,
    pub version: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub metadata: SourceMetadata,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum SourceMetadata {
    Image(ImageMetadata),
    Directory { path: String },
}

/// Syft's `source.ImageMetadata`, without the raw manifest and config (sbomgen keeps only
/// their digests).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImageMetadata {
    pub user_input: String,
    #[serde(rename = "imageID")]
    pub image_id: String,
    pub manifest_digest: String,
    pub tags: Vec<String>,
    pub image_size: u64,
    pub layers: Vec<LayerMetadata>,
    pub repo_digests: Vec<String>,
    pub architecture: String,
    #[serde(
        rename = "architectureVariant",
        skip_serializing_if = "Option::is_none"
    )]
    pub variant: Option<String>,
    pub os: String,
}

/// One layer, in manifest order. `digest` is the diff_id: the id locations name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LayerMetadata {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

/// The distro, from os-release; Syft writes `{}` when there is none.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LinuxRelease {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "versionID", skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// The tool that wrote the document; `configuration` is free-form (Syft puts its options
/// there, sbomgen what the standard fields cannot carry).
#[derive(Debug, Serialize)]
pub(super) struct Descriptor {
    pub name: &'static str,
    pub version: &'static str,
    pub configuration: Value,
}

#[derive(Debug, Serialize)]
pub(super) struct SchemaRef {
    pub version: &'static str,
    pub url: &'static str,
}
