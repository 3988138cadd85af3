//! Verification of one attestation envelope against a public key and an image digest, with
//! the checks ordered so the error names the first real problem.

use sbomgen_model::Digest;

use crate::dsse::{Envelope, PAYLOAD_TYPE_IN_TOTO};
use crate::keys::PublicKey;
use crate::statement::Statement;

/// Why an envelope is not a valid attestation for the image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("envelope payloadType is {found:?}, expected {PAYLOAD_TYPE_IN_TOTO:?}")]
    WrongPayloadType { found: String },
    #[error("envelope has no signatures")]
    NoSignatures,
    #[error("no signature verifies with the given key ({count} checked)")]
    SignatureInvalid { count: usize },
    #[error("signed payload: {0}")]
    NotAStatement(String),
    #[error("statement is not about {expected}; its subjects are [{}]", found.join(", "))]
    SubjectMismatch {
        expected: Digest,
        found: Vec<String>,
    },
    #[error("statement predicateType is {found:?}, expected {expected:?}")]
    PredicateTypeMismatch { expected: String, found: String },
}

/// Checks one envelope against `key` for image `digest`, in this order: payloadType is
/// in-toto; at least one signature verifies over the PAE with `key`; the payload is an in-toto
/// Statement (v1 or v0.1); a subject carries `digest`; and, when `predicate_type` is given, the
/// statement's predicateType equals it. Nothing of the payload is trusted before the signature
/// check passed.
pub fn verify_envelope(
    envelope: &Envelope,
    key: &PublicKey,
    digest: &Digest,
    predicate_type: Option<&str>,
) -> Result<Statement, VerifyError> {
    if envelope.payload_type != PAYLOAD_TYPE_IN_TOTO {
        return Err(VerifyError::WrongPayloadType {
            found: envelope.payload_type.clone(),
        });
    }
    if envelope.signatures.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    let pae = envelope.pae();
    // keyid is only a hint (cosign leaves it empty), so every signature is tried.
    if !envelope
        .signatures
        .iter()
        .any(|signature| key.verify(&pae, &signature.sig).is_ok())
    {
        return Err(VerifyError::SignatureInvalid {
            count: envelope.signatures.len(),
        });
    }
    // The statement error already says what the payload is not.
    let statement = Statement::from_json(&envelope.payload)
        .map_err(|e| VerifyError::NotAStatement(e.to_string()))?;
    if !statement.names_digest(digest) {
        return Err(VerifyError::SubjectMismatch {
            expected: digest.clone(),
            found: statement.subject_digests(),
        });
    }
    if let Some(expected) = predicate_type {
        if statement.predicate_type != expected {
            return Err(VerifyError::PredicateTypeMismatch {
                expected: expected.to_string(),
                found: statement.predicate_type,
            });
        }
    }
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsse::EnvelopeError;
    use crate::keys::SigningKey;
    use crate::statement::{PREDICATE_CYCLONEDX, PREDICATE_SPDX};

    fn digest(fill: char) -> Digest {
        format!("sha256:{}", fill.to_string().repeat(64))
            .parse()
            .unwrap()
    }

    fn signed(key: &SigningKey, about: &Digest) -> Envelope {
        let statement = Statement::new(
            "app",
            about,
            PREDICATE_SPDX,
            serde_json::json!({"spdxVersion": "SPDX-2.3"}),
        );
        Envelope::sign(PAYLOAD_TYPE_IN_TOTO, statement.to_json(), key)
    }

    #[test]
    fn accepts_a_good_envelope() {
        let key = SigningKey::generate();
        let envelope = signed(&key, &digest('a'));
        let statement = verify_envelope(
            &envelope,
            &key.public_key(),
            &digest('a'),
            Some(PREDICATE_SPDX),
        )
        .unwrap();
        assert_eq!(statement.predicate_type, PREDICATE_SPDX);
        // Also after a JSON round trip, as read back from a registry.
        let reread = Envelope::from_json(&envelope.to_json()).unwrap();
        assert!(verify_envelope(&reread, &key.public_key(), &digest('a'), None).is_ok());
    }

    #[test]
    fn rejects_a_tampered_payload() {
        let key = SigningKey::generate();
        let mut envelope = signed(&key, &digest('a'));
        // Re-point the statement at another image, as an attacker would.
        let text = String::from_utf8(envelope.payload.clone()).unwrap();
        envelope.payload = text.replace(&"a".repeat(64), &"b".repeat(64)).into_bytes();
        let error = verify_envelope(&envelope, &key.public_key(), &digest('b'), None).unwrap_err();
        assert_eq!(error, VerifyError::SignatureInvalid { count: 1 });
        assert_eq!(
            error.to_string(),
            "no signature verifies with the given key (1 checked)"
        );
    }

    #[test]
    fn rejects_a_signature_by_another_key() {
        let envelope = signed(&SigningKey::generate(), &digest('a'));
        let key = SigningKey::generate();
        assert_eq!(
            verify_envelope(&envelope, &key.public_key(), &digest('a'), None),
            Err(VerifyError::SignatureInvalid { count: 1 })
        );
    }

    #[test]
    fn any_of_several_signatures_may_verify() {
        let key = SigningKey::generate();
        let mut envelope = signed(&SigningKey::generate(), &digest('a'));
        let good = signed(&key, &digest('a'));
        envelope.signatures.extend(good.signatures);
        assert!(verify_envelope(&envelope, &key.public_key(), &digest('a'), None).is_ok());
        envelope.signatures.pop();
        envelope.signatures.push(envelope.signatures[0].clone());
        assert_eq!(
            verify_envelope(&envelope, &key.public_key(), &digest('a'), None),
            Err(VerifyError::SignatureInvalid { count: 2 })
        );
    }

    #[test]
    fn rejects_a_statement_for_another_digest() {
        let key = SigningKey::generate();
        let envelope = signed(&key, &digest('a'));
        let error = verify_envelope(&envelope, &key.public_key(), &digest('c'), None).unwrap_err();
        assert_eq!(
            error,
            VerifyError::SubjectMismatch {
                expected: digest('c'),
                found: vec![digest('a').to_string()],
            }
        );
        assert!(error.to_string().contains(&digest('a').to_string()));
    }

    #[test]
    fn rejects_wrong_payload_type_before_the_signature() {
        let key = SigningKey::generate();
        let mut envelope = signed(&key, &digest('a'));
        envelope.payload_type = "application/json".into();
        envelope.signatures.clear();
        assert_eq!(
            verify_envelope(&envelope, &key.public_key(), &digest('a'), None),
            Err(VerifyError::WrongPayloadType {
                found: "application/json".into()
            })
        );
    }

    #[test]
    fn rejects_no_signatures() {
        let key = SigningKey::generate();
        let mut envelope = signed(&key, &digest('a'));
        envelope.signatures.clear();
        assert_eq!(
            verify_envelope(&envelope, &key.public_key(), &digest('a'), None),
            Err(VerifyError::NoSignatures)
        );
    }

    #[test]
    fn rejects_a_signed_payload_that_is_no_statement() {
        let key = SigningKey::generate();
        let envelope = Envelope::sign(PAYLOAD_TYPE_IN_TOTO, b"{\"hello\":1}".to_vec(), &key);
        assert!(matches!(
            verify_envelope(&envelope, &key.public_key(), &digest('a'), None),
            Err(VerifyError::NotAStatement(m)) if m.contains("_type")
        ));
    }

    #[test]
    fn filters_by_predicate_type() {
        let key = SigningKey::generate();
        let envelope = signed(&key, &digest('a'));
        assert_eq!(
            verify_envelope(
                &envelope,
                &key.public_key(),
                &digest('a'),
                Some(PREDICATE_CYCLONEDX)
            ),
            Err(VerifyError::PredicateTypeMismatch {
                expected: PREDICATE_CYCLONEDX.into(),
                found: PREDICATE_SPDX.into(),
            })
        );
    }

    #[test]
    fn truncated_envelope_json_is_named() {
        let key = SigningKey::generate();
        let json = signed(&key, &digest('a')).to_json();
        let error = Envelope::from_json(&json[..json.len() / 2]).unwrap_err();
        assert!(matches!(error, EnvelopeError::Truncated(_)), "{error}");
        assert!(error.to_string().starts_with("envelope JSON is truncated"));
    }
}
