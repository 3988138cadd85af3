//! Sigstore bundles (v0.3) as cosign v3 writes them for key-based signing without a
//! transparency log, and reading the DSSE envelope back out of any v0.1–v0.3 bundle.
//!
//! Written bytes follow protobuf JSON (what cosign and sigstore-go emit with `protojson`):
//! fields in message order, empty fields (`keyid`, `tlogEntries`) omitted, and no other fields,
//! since sigstore-go's loader rejects unknown ones.

use serde::{Deserialize, Serialize};

use crate::dsse::{Envelope, EnvelopeError, RawEnvelope};
use crate::json::{classify, JsonProblem};
use crate::keys::PublicKey;

/// Media type of the bundles sbomgen writes (cosign v3's default).
pub const MEDIA_BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The media types of the bundle versions read: the v0.3 spelling and the older
/// `+json;version=` ones (sigstore-go's `getBundleVersion`).
const MEDIA_TYPES_READ: [&str; 4] = [
    MEDIA_BUNDLE_V03,
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
];

/// Why bytes are not a bundle sbomgen can take an attestation from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("bundle JSON is truncated: {0}")]
    Truncated(String),
    #[error("bundle is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("JSON is not a Sigstore bundle: {0}")]
    NotABundle(String),
    #[error("unsupported Sigstore bundle media type {0:?} (versions 0.1 to 0.3 are read)")]
    UnsupportedMediaType(String),
    #[error(
        "the bundle holds a message signature (cosign sign-blob), not a DSSE attestation envelope"
    )]
    MessageSignature,
    #[error("the bundle holds no DSSE envelope")]
    NoEnvelope,
    #[error("bundle dsseEnvelope: {0}")]
    Envelope(#[from] EnvelopeError),
}

impl From<JsonProblem> for BundleError {
    fn from(problem: JsonProblem) -> Self {
        match problem {
            JsonProblem::Truncated(m) => BundleError::Truncated(m),
            JsonProblem::Syntax(m) => BundleError::InvalidJson(m),
            JsonProblem::Shape(m) => BundleError::NotABundle(m),
        }
    }
}

/// A bundle as written: only the fields sbomgen fills, in protobuf field order.
#[derive(Serialize)]
struct BundleOut<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    #[serde(rename = "verificationMaterial")]
    verification_material: VerificationMaterialOut,
    #[serde(rename = "dsseEnvelope")]
    dsse_envelope: EnvelopeOut<'a>,
}

#[derive(Serialize)]
struct VerificationMaterialOut {
    #[serde(rename = "publicKey")]
    public_key: PublicKeyOut,
}

#[derive(Serialize)]
struct PublicKeyOut {
    hint: String,
}

/// dsse.Envelope in protobuf field order (payload = 1, payloadType = 2, signatures = 3).
#[derive(Serialize)]
struct EnvelopeOut<'a> {
    payload: String,
    #[serde(rename = "payloadType")]
    payload_type: &'a str,
    signatures: Vec<SignatureOut>,
}

/// dsse.Signature (sig = 1, keyid = 2); protobuf JSON leaves out an empty keyid.
#[derive(Serialize)]
struct SignatureOut {
    sig: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    keyid: String,
}

/// The v0.3 bundle cosign v3 writes for `attest --key` without a transparency log:
/// `{"mediaType":…,"verificationMaterial":{"publicKey":{"hint":…}},"dsseEnvelope":{…}}`.
pub fn bundle_json(envelope: &Envelope, key: &PublicKey) -> Vec<u8> {
    let bundle = BundleOut {
        media_type: MEDIA_BUNDLE_V03,
        verification_material: VerificationMaterialOut {
            public_key: PublicKeyOut { hint: key.hint() },
        },
        dsse_envelope: EnvelopeOut {
            payload: crate::b64::encode(&envelope.payload),
            payload_type: &envelope.payload_type,
            signatures: envelope
                .signatures
                .iter()
                .map(|s| SignatureOut {
                    sig: crate::b64::encode(&s.sig),
                    keyid: s.keyid.clone(),
                })
                .collect(),
        },
    };
    // Strings into memory: no failure mode.
    serde_json::to_vec(&bundle).expect("serializing a bundle cannot fail")
}

/// A bundle as read: unknown fields (certificates, tlog entries, timestamps) are ignored, and
/// protobuf JSON's original field names are accepted as aliases, as `protojson` does.
#[derive(Deserialize)]
struct BundleIn {
    #[serde(rename = "mediaType", alias = "media_type", default)]
    media_type: String,
    #[serde(
        rename = "verificationMaterial",
        alias = "verification_material",
        default
    )]
    verification_material: Option<VerificationMaterialIn>,
    #[serde(rename = "dsseEnvelope", alias = "dsse_envelope", default)]
    dsse_envelope: Option<RawEnvelope>,
    #[serde(rename = "messageSignature", alias = "message_signature", default)]
    message_signature: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct VerificationMaterialIn {
    #[serde(rename = "publicKey", alias = "public_key", default)]
    public_key: Option<PublicKeyIn>,
}

#[derive(Deserialize)]
struct PublicKeyIn {
    #[serde(default)]
    hint: String,
}

fn parse(bytes: &[u8]) -> Result<BundleIn, BundleError> {
    serde_json::from_slice(bytes).map_err(|e| BundleError::from(classify(&e)))
}

/// The DSSE envelope of a bundle (media types v0.1 to v0.3). Fails on a bundle holding a
/// message signature (`cosign sign-blob`) instead, naming that.
pub fn envelope_from_bundle(bytes: &[u8]) -> Result<Envelope, BundleError> {
    let bundle = parse(bytes)?;
    if !MEDIA_TYPES_READ.contains(&bundle.media_type.as_str()) {
        return Err(BundleError::UnsupportedMediaType(bundle.media_type));
    }
    match (bundle.dsse_envelope, bundle.message_signature) {
        (Some(raw), _) => Ok(Envelope::try_from(raw)?),
        (None, Some(_)) => Err(BundleError::MessageSignature),
        (None, None) => Err(BundleError::NoEnvelope),
    }
}

/// The public key hint of a bundle (`verificationMaterial.publicKey.hint`), when it has one.
pub fn bundle_hint(bytes: &[u8]) -> Option<String> {
    parse(bytes)
        .ok()?
        .verification_material?
        .public_key
        .map(|k| k.hint)
        .filter(|hint| !hint.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsse::PAYLOAD_TYPE_IN_TOTO;
    use crate::keys::SigningKey;

    #[test]
    fn written_bundle_has_protojson_shape() {
        let key = SigningKey::generate();
        let envelope = Envelope::sign(PAYLOAD_TYPE_IN_TOTO, b"{}".to_vec(), &key);
        let json = String::from_utf8(bundle_json(&envelope, &key.public_key())).unwrap();
        let sig = crate::b64::encode(&envelope.signatures[0].sig);
        assert_eq!(
            json,
            format!(
                r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"publicKey":{{"hint":"{}"}}}},"dsseEnvelope":{{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{{"sig":"{sig}"}}]}}}}"#,
                key.public_key().hint()
            )
        );
        assert_eq!(envelope_from_bundle(json.as_bytes()).unwrap(), envelope);
        assert_eq!(bundle_hint(json.as_bytes()), Some(key.public_key().hint()));
    }

    #[test]
    fn keeps_a_non_empty_keyid() {
        let key = SigningKey::generate();
        let mut envelope = Envelope::sign("t", b"x".to_vec(), &key);
        envelope.signatures[0].keyid = "k1".into();
        let json = bundle_json(&envelope, &key.public_key());
        assert!(String::from_utf8_lossy(&json).contains(r#","keyid":"k1"}"#));
        assert_eq!(envelope_from_bundle(&json).unwrap(), envelope);
    }

    #[test]
    fn reads_older_media_types_and_refuses_others() {
        let body =
            r#""dsseEnvelope":{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AA=="}]}"#;
        for media in [
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
        ] {
            let json = format!(r#"{{"mediaType":"{media}",{body}}}"#);
            assert!(envelope_from_bundle(json.as_bytes()).is_ok(), "{media}");
        }
        let json =
            format!(r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.4+json",{body}}}"#);
        assert!(matches!(
            envelope_from_bundle(json.as_bytes()),
            Err(BundleError::UnsupportedMediaType(m)) if m.contains("v0.4")
        ));
        let none = format!(r#"{{"mediaType":"{MEDIA_BUNDLE_V03}"}}"#);
        assert_eq!(
            envelope_from_bundle(none.as_bytes()),
            Err(BundleError::NoEnvelope)
        );
        assert!(matches!(
            envelope_from_bundle(b"{\"mediaType\":"),
            Err(BundleError::Truncated(_))
        ));
        assert_eq!(bundle_hint(b"{}"), None);
    }
}
