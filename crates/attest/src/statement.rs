//! in-toto Statements, the payload of an attestation: which artifact (by digest) a predicate is
//! about, and cosign's names for predicate types.

use std::collections::BTreeMap;

use sbomgen_model::Digest;
use serde::{Deserialize, Serialize};

use crate::json::{classify, JsonProblem};

/// `_type` of in-toto Statement v1, what sbomgen writes.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of in-toto Statement v0.1, which cosign's `attest --predicate` still writes.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// predicateType of SPDX documents.
pub const PREDICATE_SPDX: &str = "https://spdx.dev/Document";
/// predicateType of CycloneDX documents.
pub const PREDICATE_CYCLONEDX: &str = "https://cyclonedx.org/bom";

/// cosign's `--type` names and the predicateType URIs it maps them to
/// (cosign `cmd/cosign/cli/options/predicate.go`).
const PREDICATE_NAMES: [(&str, &str); 10] = [
    ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("link", "https://in-toto.io/Link/v1"),
    ("spdx", PREDICATE_SPDX),
    ("spdxjson", PREDICATE_SPDX),
    ("cyclonedx", PREDICATE_CYCLONEDX),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
];

/// Why a predicate type name or a statement is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("unknown predicate type {name:?}: use one of {accepted}, or a URI")]
    UnknownPredicateType { name: String, accepted: String },
    #[error("statement JSON is truncated: {0}")]
    Truncated(String),
    #[error("statement is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("JSON is not an in-toto statement: {0}")]
    NotAStatement(String),
    #[error("unsupported statement _type {0:?} (expected {STATEMENT_V1} or {STATEMENT_V01})")]
    UnsupportedType(String),
}

impl From<JsonProblem> for StatementError {
    fn from(problem: JsonProblem) -> Self {
        match problem {
            JsonProblem::Truncated(m) => StatementError::Truncated(m),
            JsonProblem::Syntax(m) => StatementError::InvalidJson(m),
            JsonProblem::Shape(m) => StatementError::NotAStatement(m),
        }
    }
}

/// The predicateType URI for a cosign `--type` name (`spdx`, `cyclonedx`, …); a string
/// containing `://` is taken as the URI itself.
pub fn predicate_type_uri(name: &str) -> Result<String, StatementError> {
    if name.contains("://") {
        return Ok(name.to_string());
    }
    PREDICATE_NAMES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, uri)| (*uri).to_string())
        .ok_or_else(|| StatementError::UnknownPredicateType {
            name: name.to_string(),
            accepted: PREDICATE_NAMES
                .iter()
                .map(|(known, _)| *known)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// An in-toto Statement (v1 when written; v1 and v0.1 read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// Optional in in-toto v1; absent reads as `null`.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

/// An artifact a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// A v1 statement about one subject, its digest as `{"<algorithm>": "<hex>"}`.
    pub fn new(
        subject_name: &str,
        digest: &Digest,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Statement {
        Statement {
            type_: STATEMENT_V1.to_string(),
            subject: vec![Subject {
                name: subject_name.to_string(),
                digest: BTreeMap::from([(
                    digest.algorithm().to_string(),
                    digest.hex().to_string(),
                )]),
            }],
            predicate_type: predicate_type.to_string(),
            predicate,
        }
    }

    /// Compact JSON, fields in in-toto v1 order (`_type`, `subject`, `predicateType`,
    /// `predicate`); object keys of the predicate sorted, so equal statements give equal bytes.
    pub fn to_json(&self) -> Vec<u8> {
        // Strings and JSON values serialize into memory without a failure mode.
        serde_json::to_vec(self).expect("serializing a statement cannot fail")
    }

    /// Parses a statement, accepting `_type` v1 and v0.1 only.
    pub fn from_json(bytes: &[u8]) -> Result<Statement, StatementError> {
        let statement: Statement =
            serde_json::from_slice(bytes).map_err(|e| StatementError::from(classify(&e)))?;
        if statement.type_ != STATEMENT_V1 && statement.type_ != STATEMENT_V01 {
            return Err(StatementError::UnsupportedType(statement.type_));
        }
        Ok(statement)
    }

    /// The predicate as a JSON document. cosign `--type spdx` stores the SPDX document as a
    /// JSON *string*; such a string is parsed back into the object (or array) it holds.
    pub fn predicate_document(&self) -> serde_json::Value {
        if let serde_json::Value::String(text) = &self.predicate {
            if let Ok(document @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) =
                serde_json::from_str(text)
            {
                return document;
            }
        }
        self.predicate.clone()
    }

    /// Whether any subject names `digest`: same algorithm, hex compared case-insensitively.
    pub fn names_digest(&self, digest: &Digest) -> bool {
        self.subject.iter().any(|subject| {
            subject.digest.iter().any(|(algorithm, hex)| {
                algorithm.eq_ignore_ascii_case(digest.algorithm())
                    && hex.eq_ignore_ascii_case(digest.hex())
            })
        })
    }

    /// Every subject digest as `algorithm:hex`, for messages.
    pub fn subject_digests(&self) -> Vec<String> {
        self.subject
            .iter()
            .flat_map(|s| s.digest.iter().map(|(a, h)| format!("{a}:{h}")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn digest() -> Digest {
        format!("sha256:{HEX}").parse().unwrap()
    }

    #[test]
    fn predicate_names_map_as_cosign() {
        assert_eq!(predicate_type_uri("spdx").unwrap(), PREDICATE_SPDX);
        assert_eq!(predicate_type_uri("spdxjson").unwrap(), PREDICATE_SPDX);
        assert_eq!(
            predicate_type_uri("cyclonedx").unwrap(),
            PREDICATE_CYCLONEDX
        );
        assert_eq!(
            predicate_type_uri("slsaprovenance").unwrap(),
            "https://slsa.dev/provenance/v0.2"
        );
        assert_eq!(
            predicate_type_uri("slsaprovenance1").unwrap(),
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(
            predicate_type_uri("custom").unwrap(),
            "https://cosign.sigstore.dev/attestation/v1"
        );
        assert_eq!(
            predicate_type_uri("https://example.com/p/v1").unwrap(),
            "https://example.com/p/v1"
        );
        let err = predicate_type_uri("sbom").unwrap_err().to_string();
        assert!(
            err.contains("\"sbom\"") && err.contains("spdx, spdxjson, cyclonedx"),
            "{err}"
        );
    }

    #[test]
    fn new_to_json_is_v1_and_deterministic() {
        let statement = Statement::new("img", &digest(), PREDICATE_SPDX, json!({"b": 1, "a": 2}));
        let text = String::from_utf8(statement.to_json()).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"img","digest":{{"sha256":"{HEX}"}}}}],"predicateType":"https://spdx.dev/Document","predicate":{{"a":2,"b":1}}}}"#
            )
        );
        assert_eq!(Statement::from_json(text.as_bytes()).unwrap(), statement);
    }

    #[test]
    fn accepts_v01_refuses_other_types() {
        let mut statement = Statement::new("img", &digest(), PREDICATE_SPDX, json!({}));
        statement.type_ = STATEMENT_V01.into();
        assert!(Statement::from_json(&statement.to_json()).is_ok());
        statement.type_ = "https://in-toto.io/Statement/v2".into();
        assert_eq!(
            Statement::from_json(&statement.to_json()),
            Err(StatementError::UnsupportedType(
                "https://in-toto.io/Statement/v2".into()
            ))
        );
        assert!(matches!(
            Statement::from_json(br#"{"_type":"x"}"#),
            Err(StatementError::NotAStatement(_))
        ));
        assert!(matches!(
            Statement::from_json(br#"{"_type":"#),
            Err(StatementError::Truncated(_))
        ));
    }

    #[test]
    fn predicate_document_parses_cosign_spdx_strings() {
        let as_string = Statement::new(
            "img",
            &digest(),
            PREDICATE_SPDX,
            json!("{\"spdxVersion\":\"SPDX-2.3\"}"),
        );
        assert_eq!(
            as_string.predicate_document(),
            json!({"spdxVersion": "SPDX-2.3"})
        );
        let plain_string = Statement::new("img", &digest(), PREDICATE_SPDX, json!("hello"));
        assert_eq!(plain_string.predicate_document(), json!("hello"));
        let object = Statement::new("img", &digest(), PREDICATE_SPDX, json!({"a": 1}));
        assert_eq!(object.predicate_document(), json!({"a": 1}));
    }

    #[test]
    fn names_digest_ignores_hex_case() {
        let mut statement = Statement::new("img", &digest(), PREDICATE_SPDX, json!({}));
        assert!(statement.names_digest(&digest()));
        statement.subject[0]
            .digest
            .insert("sha256".into(), HEX.to_uppercase());
        assert!(statement.names_digest(&digest()));
        let other: Digest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
        assert!(!statement.names_digest(&other));
        assert_eq!(
            statement.subject_digests(),
            vec![format!("sha256:{}", HEX.to_uppercase())]
        );
    }
}
