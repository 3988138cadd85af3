//! The manifests an attestation or SBOM becomes, built without touching the network.
//!
//! Kept pure so the exact shapes cosign, Trivy and `oras` expect are unit-tested byte by byte;
//! [`crate::publish`] only uploads what these functions return.

use std::collections::BTreeMap;

use sbomgen_attest::bundle::MEDIA_BUNDLE_V03;
use sbomgen_model::Digest;
use sbomgen_registry::{
    Descriptor, ImageManifest, EMPTY_JSON, MEDIA_OCI_EMPTY, MEDIA_OCI_MANIFEST,
};

use crate::error::AttachError;

/// A DSSE envelope as a layer of cosign's `.att` manifests.
pub const MEDIA_DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const MEDIA_SPDX_JSON: &str = "application/spdx+json";
pub const MEDIA_CYCLONEDX_JSON: &str = "application/vnd.cyclonedx+json";
pub const MEDIA_OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// The `.att` layer annotation naming the statement's predicate type.
pub const ANNOTATION_PREDICATE_TYPE: &str = "predicateType";
/// cosign marks every `.att` layer with an empty signature annotation (the signature is
/// inside the envelope) and reads only layers that have it.
pub const ANNOTATION_COSIGN_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
pub const ANNOTATION_BUNDLE_CONTENT: &str = "dev.sigstore.bundle.content";
pub const ANNOTATION_BUNDLE_PREDICATE_TYPE: &str = "dev.sigstore.bundle.predicateType";
/// cosign refuses to read `.att` manifests with more layers than this.
pub const MAX_ATT_LAYERS: usize = 1000;

/// A manifest and the blobs it references, in upload order.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub manifest: ImageManifest,
    pub blobs: Vec<Vec<u8>>,
}

/// The empty `{}` config OCI 1.1 artifacts carry.
pub fn empty_config() -> Descriptor {
    Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON)
}

/// cosign v3's referrer for a Sigstore bundle holding a DSSE envelope.
pub fn bundle_referrer(subject: &Descriptor, bundle: &[u8], predicate_type: &str) -> Artifact {
    let annotations = BTreeMap::from([
        (
            ANNOTATION_BUNDLE_CONTENT.to_string(),
            "dsse-envelope".to_string(),
        ),
        (
            ANNOTATION_BUNDLE_PREDICATE_TYPE.to_string(),
            predicate_type.to_string(),
        ),
    ]);
    referrer(subject, MEDIA_BUNDLE_V03, bundle, annotations)
}

/// An unsigned SBOM as a referrer whose artifactType is the document's media type.
pub fn sbom_referrer(subject: &Descriptor, sbom: &[u8], media_type: &str) -> Artifact {
    referrer(subject, media_type, sbom, BTreeMap::new())
}

fn referrer(
    subject: &Descriptor,
    media_type: &str,
    content: &[u8],
    annotations: BTreeMap<String, String>,
) -> Artifact {
    let manifest = ImageManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.to_string()),
        artifact_type: Some(media_type.to_string()),
        config: empty_config(),
        layers: vec![Descriptor::of(media_type, content)],
        subject: Some(bare(subject)),
        annotations,
        extra: serde_json::Map::new(),
    };
    Artifact {
        manifest,
        blobs: vec![EMPTY_JSON.to_vec(), content.to_vec()],
    }
}

/// A subject descriptor carries only what identifies the image.
fn bare(subject: &Descriptor) -> Descriptor {
    Descriptor {
        media_type: subject.media_type.clone(),
        digest: subject.digest.clone(),
        size: subject.size,
        artifact_type: None,
        annotations: BTreeMap::new(),
        platform: None,
        extra: serde_json::Map::new(),
    }
}

/// cosign's tag for `suffix` artifacts of `digest`: `sha256-<hex>.att`.
pub fn legacy_tag(digest: &Digest, suffix: &str) -> String {
    format!("{}-{}.{suffix}", digest.algorithm(), digest.hex())
}

/// The `.att` manifest after adding `envelope`, and its new config blob.
///
/// Existing layers are kept (cosign appends; a verifier reads them all), except with `replace`,
/// which drops those whose predicateType annotation equals ours, as `cosign attest --replace`.
/// An envelope already present is not added twice. Returns `None` when nothing changes.
pub fn append_att(
    existing: Option<&ImageManifest>,
    tag: &str,
    envelope: &[u8],
    predicate_type: &str,
    replace: bool,
) -> Result<Option<Artifact>, AttachError> {
    let layer = Descriptor {
        annotations: BTreeMap::from([
            (ANNOTATION_COSIGN_SIGNATURE.to_string(), String::new()),
            (
                ANNOTATION_PREDICATE_TYPE.to_string(),
                predicate_type.to_string(),
            ),
        ]),
        ..Descriptor::of(MEDIA_DSSE_ENVELOPE, envelope)
    };
    let mut manifest = match existing {
        Some(manifest) => manifest.clone(),
        None => ImageManifest {
            schema_version: 2,
            media_type: Some(MEDIA_OCI_MANIFEST.to_string()),
            artifact_type: None,
            config: Descriptor::of(MEDIA_OCI_CONFIG, b"{}"),
            layers: Vec::new(),
            subject: None,
            annotations: BTreeMap::new(),
            extra: serde_json::Map::new(),
        },
    };
    let before = manifest.layers.len();
    if replace {
        manifest.layers.retain(|l| {
            l.annotations
                .get(ANNOTATION_PREDICATE_TYPE)
                .map(String::as_str)
                != Some(predicate_type)
        });
    }
    let present = manifest.layers.iter().any(|l| l.digest == layer.digest);
    if present && manifest.layers.len() == before {
        return Ok(None);
    }
    if !present {
        manifest.layers.push(layer);
    }
    if manifest.layers.len() > MAX_ATT_LAYERS {
        return Err(AttachError::TooManyLayers {
            tag: tag.to_string(),
            count: manifest.layers.len() - 1,
            limit: MAX_ATT_LAYERS,
        });
    }
    let config = att_config(&manifest.layers);
    // A Docker-typed manifest written by an older cosign keeps its config type.
    let config_type = manifest.config.media_type.clone();
    manifest.config = Descriptor::of(&config_type, &config);
    Ok(Some(Artifact {
        manifest,
        blobs: vec![config, envelope.to_vec()],
    }))
}

/// The image config cosign's `.att` images carry (go-containerregistry's empty image with
/// layers appended): the layers are stored uncompressed, so each diff_id is its digest.
fn att_config(layers: &[Descriptor]) -> Vec<u8> {
    const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
    let diff_ids: Vec<String> = layers.iter().map(|l| format!("\"{}\"", l.digest)).collect();
    let history: Vec<String> = layers
        .iter()
        .map(|_| format!("{{\"created\":\"{ZERO_TIME}\"}}"))
        .collect();
    format!(
        "{{\"architecture\":\"\",\"created\":\"{ZERO_TIME}\",\"history\":[{}],\"os\":\"\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{}]}},\"config\":{{}}}}",
        history.join(","),
        diff_ids.join(",")
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Descriptor {
        Descriptor::of(MEDIA_OCI_MANIFEST, br#"{"schemaVersion":2}"#)
    }

    #[test]
    fn bundle_referrer_has_cosign_v3_shape() {
        let a = bundle_referrer(&subject(), b"{\"bundle\":1}", "https://spdx.dev/Document");
        let json: serde_json::Value = serde_json::from_slice(&a.manifest.to_json()).unwrap();
        assert_eq!(json["artifactType"], MEDIA_BUNDLE_V03);
        assert_eq!(json["mediaType"], MEDIA_OCI_MANIFEST);
        assert_eq!(json["config"]["mediaType"], MEDIA_OCI_EMPTY);
        assert_eq!(
            json["config"]["digest"],
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(json["config"]["size"], 2);
        assert_eq!(json["layers"][0]["mediaType"], MEDIA_BUNDLE_V03);
        assert_eq!(json["subject"]["digest"], subject().digest.to_string());
        assert_eq!(
            json["annotations"][ANNOTATION_BUNDLE_CONTENT],
            "dsse-envelope"
        );
        assert_eq!(
            json["annotations"][ANNOTATION_BUNDLE_PREDICATE_TYPE],
            "https://spdx.dev/Document"
        );
        assert_eq!(a.blobs, vec![b"{}".to_vec(), b"{\"bundle\":1}".to_vec()]);
    }

    #[test]
    fn sbom_referrer_names_the_document_type() {
        let a = sbom_referrer(&subject(), b"{}", MEDIA_CYCLONEDX_JSON);
        assert_eq!(
            a.manifest.artifact_type.as_deref(),
            Some(MEDIA_CYCLONEDX_JSON)
        );
        assert_eq!(a.manifest.layers[0].media_type, MEDIA_CYCLONEDX_JSON);
        assert!(a.manifest.annotations.is_empty());
    }

    #[test]
    fn att_appends_deduplicates_and_replaces() {
        let spdx = "https://spdx.dev/Document";
        let cdx = "https://cyclonedx.org/bom";
        let first = append_att(None, "t", b"one", spdx, false).unwrap().unwrap();
        assert_eq!(first.manifest.layers.len(), 1);
        let layer = &first.manifest.layers[0];
        assert_eq!(layer.media_type, MEDIA_DSSE_ENVELOPE);
        assert_eq!(layer.annotations[ANNOTATION_COSIGN_SIGNATURE], "");
        assert_eq!(layer.annotations[ANNOTATION_PREDICATE_TYPE], spdx);

        let second = append_att(Some(&first.manifest), "t", b"two", cdx, false)
            .unwrap()
            .unwrap();
        assert_eq!(second.manifest.layers.len(), 2);
        let config: serde_json::Value = serde_json::from_slice(&second.blobs[0]).unwrap();
        assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
        assert_eq!(config["history"].as_array().unwrap().len(), 2);
        assert_eq!(
            second.manifest.config.digest,
            Descriptor::of(MEDIA_OCI_CONFIG, &second.blobs[0]).digest
        );

        assert!(append_att(Some(&second.manifest), "t", b"two", cdx, false)
            .unwrap()
            .is_none());

        let replaced = append_att(Some(&second.manifest), "t", b"three", spdx, true)
            .unwrap()
            .unwrap();
        let types: Vec<&str> = replaced
            .manifest
            .layers
            .iter()
            .map(|l| l.annotations[ANNOTATION_PREDICATE_TYPE].as_str())
            .collect();
        assert_eq!(types, [cdx, spdx]);
    }

    #[test]
    fn att_refuses_the_thousand_and_first_layer() {
        let mut manifest = append_att(None, "t", b"0", "p", false)
            .unwrap()
            .unwrap()
            .manifest;
        for i in 1..MAX_ATT_LAYERS {
            let layer = Descriptor::of(MEDIA_DSSE_ENVELOPE, i.to_string().as_bytes());
            manifest.layers.push(layer);
        }
        let err = append_att(Some(&manifest), "sha256-x.att", b"new", "p", false).unwrap_err();
        assert!(err.to_string().contains("cosign's limit is 1000"), "{err}");
        // Replacing makes room.
        assert!(append_att(Some(&manifest), "sha256-x.att", b"new", "p", true).is_ok());
    }

    #[test]
    fn legacy_tags() {
        let d: Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
        assert_eq!(
            legacy_tag(&d, "att"),
            format!("sha256-{}.att", "a".repeat(64))
        );
    }
}
