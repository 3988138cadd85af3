//! The OCI image-spec JSON documents the client writes and reads back: descriptors, image
//! manifests and image indexes, as needed to push artifacts and keep the referrers tag.
//!
//! Output is compact and deterministic (fields in a fixed order, annotations and unknown
//! fields sorted), so the same artifact always has the same digest. Fields this crate does not
//! model are kept in `extra` and written back, because the referrers tag index is
//! read-modify-written and other tools' fields in it must survive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use sbomgen_model::Digest;

use crate::error::RegistryError;
use crate::hashing::Hasher;

pub use crate::client::{
    MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};

/// The media type of the empty JSON blob `{}`: the config of artifacts that have none.
pub const MEDIA_OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// The empty JSON blob, [`MEDIA_OCI_EMPTY`]'s content.
pub const EMPTY_JSON: &[u8] = b"{}";

/// A content descriptor: what a manifest's `config`, `layers`, `subject` and an index's
/// `manifests` entries are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Value>,
    /// Fields not modelled above (`urls`, `data`, …), kept as read.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Descriptor {
    /// A descriptor of `bytes` (sha256) with `media_type` and nothing else.
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        let mut hasher = Hasher::sha256();
        hasher.update(bytes);
        Descriptor {
            media_type: media_type.to_string(),
            digest: hasher.finish(),
            size: bytes.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
            platform: None,
            extra: Map::new(),
        }
    }
}

/// An OCI image manifest (also what an OCI 1.1 artifact is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    /// Always written, empty or not: the field is required.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An OCI image index: a multi-platform image, or the referrers list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Always written, empty or not: the field is required.
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ImageManifest {
    /// Compact JSON, fields in a fixed order: the bytes to push and digest.
    pub fn to_json(&self) -> Vec<u8> {
        to_json(self)
    }

    /// Parses an image manifest: schema version 2, and no index media type.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RegistryError> {
        const WHAT: &str = "OCI image manifest";
        let manifest: ImageManifest = from_json(bytes, WHAT)?;
        check_schema(manifest.schema_version, WHAT)?;
        check_media_type(
            manifest.media_type.as_deref(),
            &[MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST],
            WHAT,
        )?;
        Ok(manifest)
    }
}

impl ImageIndex {
    /// An index with no entries, as the referrers tag starts.
    pub fn empty() -> Self {
        ImageIndex {
            schema_version: 2,
            media_type: Some(MEDIA_OCI_INDEX.to_string()),
            artifact_type: None,
            manifests: Vec::new(),
            subject: None,
            annotations: BTreeMap::new(),
            extra: Map::new(),
        }
    }

    /// Compact JSON, fields in a fixed order: the bytes to push and digest.
    pub fn to_json(&self) -> Vec<u8> {
        to_json(self)
    }

    /// Parses an image index: schema version 2, and no manifest media type.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RegistryError> {
        const WHAT: &str = "OCI image index";
        let index: ImageIndex = from_json(bytes, WHAT)?;
        check_schema(index.schema_version, WHAT)?;
        check_media_type(
            index.media_type.as_deref(),
            &[MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST],
            WHAT,
        )?;
        Ok(index)
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // These types hold only strings, integers, string-keyed maps and JSON values, none of
    // which can fail to serialise.
    serde_json::to_vec(value).expect("OCI documents always serialise")
}

fn from_json<'a, T: Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Malformed {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

fn check_schema(version: u32, what: &str) -> Result<(), RegistryError> {
    if version == 2 {
        return Ok(());
    }
    Err(RegistryError::Malformed {
        what: what.to_string(),
        reason: format!("schemaVersion is {version}, not 2"),
    })
}

fn check_media_type(
    found: Option<&str>,
    allowed: &[&str],
    what: &str,
) -> Result<(), RegistryError> {
    match found {
        Some(media_type) if !allowed.contains(&media_type) => Err(RegistryError::Malformed {
            what: what.to_string(),
            reason: format!("its mediaType is {media_type}"),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_DIGEST: &str =
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    #[test]
    fn the_empty_descriptor_matches_the_spec() {
        let d = Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON);
        assert_eq!(d.digest.as_str(), EMPTY_DIGEST);
        assert_eq!(d.size, 2);
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&d).unwrap()).unwrap(),
            format!(r#"{{"mediaType":"{MEDIA_OCI_EMPTY}","digest":"{EMPTY_DIGEST}","size":2}}"#)
        );
    }

    #[test]
    fn a_manifest_is_written_compact_in_a_fixed_order() {
        let mut layer = Descriptor::of("application/spdx+json", b"{\"spdxVersion\":1}");
        layer.annotations.insert("b".into(), "2".into());
        layer.annotations.insert("a".into(), "1".into());
        let manifest = ImageManifest {
            schema_version: 2,
            media_type: Some(MEDIA_OCI_MANIFEST.into()),
            artifact_type: Some("application/spdx+json".into()),
            config: Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON),
            layers: vec![layer.clone()],
            subject: Some(Descriptor::of(MEDIA_OCI_MANIFEST, b"image")),
            annotations: BTreeMap::new(),
            extra: Map::new(),
        };
        let json = String::from_utf8(manifest.to_json()).unwrap();
        assert!(
            json.starts_with(&format!(
                r#"{{"schemaVersion":2,"mediaType":"{MEDIA_OCI_MANIFEST}","artifactType":"application/spdx+json","config":{{"#
            )),
            "{json}"
        );
        assert!(
            json.contains(r#""annotations":{"a":"1","b":"2"}"#),
            "{json}"
        );
        assert!(!json.contains(' ') && !json.contains('\n'));
        assert!(json.find("\"layers\"") < json.find("\"subject\""));
        assert_eq!(ImageManifest::from_json(json.as_bytes()).unwrap(), manifest);
        assert_eq!(manifest.to_json(), manifest.to_json());
    }

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let json = format!(
            r#"{{"schemaVersion":2,"mediaType":"{MEDIA_OCI_INDEX}","manifests":[{{"mediaType":"{MEDIA_OCI_MANIFEST}","digest":"{EMPTY_DIGEST}","size":2,"urls":["u"],"data":"e30="}}],"vendor.x":{{"k":[1,2]}}}}"#
        );
        let index = ImageIndex::from_json(json.as_bytes()).unwrap();
        assert_eq!(index.extra["vendor.x"], serde_json::json!({"k": [1, 2]}));
        assert_eq!(index.manifests[0].extra["urls"], serde_json::json!(["u"]));
        let again: Value = serde_json::from_slice(&index.to_json()).unwrap();
        let original: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(again, original);
    }

    #[test]
    fn empty_index_and_bad_documents() {
        let empty = ImageIndex::empty().to_json();
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            format!(r#"{{"schemaVersion":2,"mediaType":"{MEDIA_OCI_INDEX}","manifests":[]}}"#)
        );
        for bad in [
            &b"not json"[..],
            br#"{"schemaVersion":1,"manifests":[]}"#,
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
            br#"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"md5:1","size":1}]}"#,
        ] {
            let err = ImageIndex::from_json(bad).unwrap_err();
            assert!(matches!(err, RegistryError::Malformed { .. }), "{err:?}");
            assert!(
                err.to_string().starts_with("not a valid OCI image index: "),
                "{err}"
            );
        }
        let err = ImageManifest::from_json(format!(r#"{{"schemaVersion":2,"mediaType":"{MEDIA_OCI_INDEX}","config":{{"mediaType":"x","digest":"{EMPTY_DIGEST}","size":2}}}}"#).as_bytes()).unwrap_err();
        assert!(err.to_string().contains(MEDIA_OCI_INDEX), "{err}");
    }
}
