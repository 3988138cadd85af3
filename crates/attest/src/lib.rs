//! The cryptographic and format core of cosign-compatible SBOM attestations. No I/O and no
//! registry code: `sbomgen-attach` moves the bytes, the CLI reads the files.
//!
//! - [`keys`]: ECDSA P-256 keys, cosign's encrypted key files, PKIX public keys, key hints.
//! - [`dsse`]: the DSSE pre-authentication encoding and envelope JSON.
//! - [`statement`]: in-toto Statements and cosign's predicate type names.
//! - [`bundle`]: Sigstore bundles v0.3 (written) and v0.1–v0.3 (read).
//! - [`verify`]: one envelope checked against a key and an image digest.
//!
//! ```
//! use sbomgen_attest::dsse::{Envelope, PAYLOAD_TYPE_IN_TOTO};
//! use sbomgen_attest::keys::SigningKey;
//! use sbomgen_attest::statement::{Statement, PREDICATE_SPDX};
//! use sbomgen_attest::verify::verify_envelope;
//! use sbomgen_model::Digest;
//!
//! let key = SigningKey::generate();
//! let digest: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
//!     .parse()
//!     .unwrap();
//! let statement = Statement::new("registry.example/app", &digest, PREDICATE_SPDX, serde_json::json!({}));
//! let envelope = Envelope::sign(PAYLOAD_TYPE_IN_TOTO, statement.to_json(), &key);
//! let checked = verify_envelope(&envelope, &key.public_key(), &digest, Some(PREDICATE_SPDX)).unwrap();
//! assert_eq!(checked, statement);
//! ```

mod b64;
pub mod bundle;
pub mod dsse;
mod json;
mod keyfile;
pub mod keys;
mod pem;
pub mod statement;
pub mod verify;

pub use bundle::{bundle_hint, bundle_json, envelope_from_bundle, BundleError, MEDIA_BUNDLE_V03};
pub use dsse::{pae, Envelope, EnvelopeError, Signature, PAYLOAD_TYPE_IN_TOTO};
pub use keys::{pem_is_encrypted, KeyAlgorithm, KeyError, PublicKey, SigningKey};
pub use statement::{
    predicate_type_uri, Statement, StatementError, Subject, PREDICATE_CYCLONEDX, PREDICATE_SPDX,
    STATEMENT_V01, STATEMENT_V1,
};
pub use verify::{verify_envelope, VerifyError};
