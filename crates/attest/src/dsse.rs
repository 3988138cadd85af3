//! DSSE envelopes (Dead Simple Signing Envelope, v1): the pre-authentication encoding that is
//! signed, and the envelope JSON exactly as cosign writes it into `.att` layers.

use serde::{Deserialize, Serialize};

use crate::json::{classify, JsonProblem};
use crate::keys::SigningKey;

/// The payloadType of in-toto statements.
pub const PAYLOAD_TYPE_IN_TOTO: &str = "application/vnd.in-toto+json";

/// The bytes a DSSE signature covers:
/// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths in decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// Why bytes are not a DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("envelope JSON is truncated: {0}")]
    Truncated(String),
    #[error("envelope is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("JSON is not a DSSE envelope: {0}")]
    NotAnEnvelope(String),
    #[error("envelope field {field} is not valid base64: {detail}")]
    BadBase64 { field: String, detail: String },
}

impl From<JsonProblem> for EnvelopeError {
    fn from(problem: JsonProblem) -> Self {
        match problem {
            JsonProblem::Truncated(m) => EnvelopeError::Truncated(m),
            JsonProblem::Syntax(m) => EnvelopeError::InvalidJson(m),
            JsonProblem::Shape(m) => EnvelopeError::NotAnEnvelope(m),
        }
    }
}

/// A DSSE envelope with decoded payload and signatures.
///
/// JSON: `{"payloadType":…,"payload":<base64>,"signatures":[{"keyid":…,"sig":<base64>}]}`,
/// written in that order with standard base64 (as go-securesystemslib, hence cosign, writes);
/// read with standard or URL-safe base64, and a missing `keyid` taken as empty.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawEnvelope")]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<Signature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Optional key identifier; cosign writes `""`.
    pub keyid: String,
    /// The raw signature bytes (ASN.1 DER for ECDSA).
    pub sig: Vec<u8>,
}

/// The envelope as read from JSON, base64 still encoded. Also the `dsseEnvelope` of a bundle,
/// hence the protobuf field-name aliases.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawEnvelope {
    #[serde(rename = "payloadType", alias = "payload_type")]
    pub(crate) payload_type: String,
    pub(crate) payload: String,
    /// Protobuf JSON (bundles) leaves out an empty list; verification then reports "no
    /// signatures", which says more than "missing field".
    #[serde(default)]
    pub(crate) signatures: Vec<RawSignature>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawSignature {
    #[serde(default)]
    pub(crate) keyid: String,
    pub(crate) sig: String,
}

/// The envelope as written, borrowing the payload type and keyids: SBOM payloads can be many
/// megabytes, so only the base64 text is allocated.
#[derive(Serialize)]
struct EnvelopeOut<'a> {
    #[serde(rename = "payloadType")]
    payload_type: &'a str,
    payload: String,
    signatures: Vec<SignatureOut<'a>>,
}

#[derive(Serialize)]
struct SignatureOut<'a> {
    keyid: &'a str,
    sig: String,
}

impl Serialize for Envelope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EnvelopeOut {
            payload_type: &self.payload_type,
            payload: crate::b64::encode(&self.payload),
            signatures: self
                .signatures
                .iter()
                .map(|s| SignatureOut {
                    keyid: &s.keyid,
                    sig: crate::b64::encode(&s.sig),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

impl TryFrom<RawEnvelope> for Envelope {
    type Error = EnvelopeError;

    fn try_from(raw: RawEnvelope) -> Result<Self, Self::Error> {
        let payload = crate::b64::decode_lenient(&raw.payload).map_err(|detail| {
            EnvelopeError::BadBase64 {
                field: "payload".into(),
                detail,
            }
        })?;
        let signatures = raw
            .signatures
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let sig = crate::b64::decode_lenient(&s.sig).map_err(|detail| {
                    EnvelopeError::BadBase64 {
                        field: format!("signatures[{i}].sig"),
                        detail,
                    }
                })?;
                Ok(Signature {
                    keyid: s.keyid,
                    sig,
                })
            })
            .collect::<Result<_, EnvelopeError>>()?;
        Ok(Envelope {
            payload_type: raw.payload_type,
            payload,
            signatures,
        })
    }
}

impl Envelope {
    /// Signs `payload` with `key` over its PAE; one signature with an empty keyid, as cosign.
    pub fn sign(payload_type: &str, payload: Vec<u8>, key: &SigningKey) -> Envelope {
        let sig = key.sign(&pae(payload_type, &payload));
        Envelope {
            payload_type: payload_type.to_string(),
            payload,
            signatures: vec![Signature {
                keyid: String::new(),
                sig,
            }],
        }
    }

    /// The bytes the signatures cover.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Compact JSON, fields in cosign's order: payloadType, payload, signatures (keyid, sig).
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings into memory has no failure mode.
        serde_json::to_vec(self).expect("serializing an envelope cannot fail")
    }

    /// Parses envelope JSON, saying whether it is truncated, not JSON, missing a field, or
    /// carrying bad base64.
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        let raw: RawEnvelope =
            serde_json::from_slice(bytes).map_err(|e| EnvelopeError::from(classify(&e)))?;
        Envelope::try_from(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn pae_counts_bytes_not_characters() {
        assert_eq!(pae("t", "é".as_bytes()), "DSSEv1 1 t 2 é".as_bytes());
    }

    #[test]
    fn json_is_cosigns_shape_and_round_trips() {
        let envelope = Envelope {
            payload_type: PAYLOAD_TYPE_IN_TOTO.into(),
            payload: b"{}".to_vec(),
            signatures: vec![Signature {
                keyid: String::new(),
                sig: vec![0xfb, 0xff],
            }],
        };
        let json = envelope.to_json();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"+/8="}]}"#
        );
        assert_eq!(Envelope::from_json(&json).unwrap(), envelope);
        // serde round trip goes through the same representation.
        let via_serde: Envelope =
            serde_json::from_str(&serde_json::to_string(&envelope).unwrap()).unwrap();
        assert_eq!(via_serde, envelope);
    }

    #[test]
    fn reads_missing_keyid_and_url_safe_base64() {
        let envelope = Envelope::from_json(
            br#"{"payload":"e30","payloadType":"x","signatures":[{"sig":"-_8"}]}"#,
        )
        .unwrap();
        assert_eq!(envelope.payload, b"{}");
        assert_eq!(envelope.signatures[0].keyid, "");
        assert_eq!(envelope.signatures[0].sig, vec![0xfb, 0xff]);
    }

    #[test]
    fn errors_name_the_problem() {
        let full = br#"{"payloadType":"x","payload":"e30=","signatures":[]}"#;
        assert!(matches!(
            Envelope::from_json(&full[..full.len() - 5]),
            Err(EnvelopeError::Truncated(_))
        ));
        assert!(matches!(
            Envelope::from_json(b"payload"),
            Err(EnvelopeError::InvalidJson(_))
        ));
        assert!(matches!(
            Envelope::from_json(br#"{"payloadType":"x","signatures":[]}"#),
            Err(EnvelopeError::NotAnEnvelope(m)) if m.contains("payload")
        ));
        assert_eq!(
            Envelope::from_json(
                br#"{"payloadType":"x","payload":"e30=","signatures":[{"sig":"**"}]}"#
            )
            .unwrap_err()
            .to_string()
            .split(':')
            .next(),
            Some("envelope field signatures[0].sig is not valid base64")
        );
    }
}
