//! Independent verification of what sbomgen signs: `scripts/verify_dsse.py` checks envelopes
//! and bundles with Python's securesystemslib (pyca/cryptography underneath, so neither the
//! DSSE code nor the ECDSA code is shared with sbomgen).
//!
//! Without securesystemslib the tests say so and skip, except under `CI`, where they fail
//! (`sbomgen_testkit::python::DsseVerifier::find`). `scripts/test.sh`
//! installs it into `target/pyvenv`.

use std::path::Path;
use std::process::Output;

use sbomgen_attest::bundle::bundle_json;
use sbomgen_attest::dsse::{Envelope, PAYLOAD_TYPE_IN_TOTO};
use sbomgen_attest::keys::SigningKey;
use sbomgen_attest::statement::{Statement, PREDICATE_CYCLONEDX};
use sbomgen_model::Digest;
use sbomgen_testkit::python::DsseVerifier;

fn digest() -> Digest {
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        .parse()
        .unwrap()
}

/// Writes the key, runs the script on `document`, returns its output.
fn run_script(
    verifier: &DsseVerifier,
    dir: &Path,
    public_pem: &str,
    document: &[u8],
    bundle: bool,
) -> Output {
    let key_path = dir.join("key.pub");
    std::fs::write(&key_path, public_pem).unwrap();
    verifier.run(&key_path, document, bundle)
}

fn assert_valid(output: &Output, predicate_type: &str) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        predicate_type
    );
}

fn assert_invalid(output: &Output, reason: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains(reason), "expected {reason:?} in: {stderr}");
}

fn signed_statement(key: &SigningKey) -> Envelope {
    let statement = Statement::new(
        "registry.example/app",
        &digest(),
        PREDICATE_CYCLONEDX,
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6"}),
    );
    Envelope::sign(PAYLOAD_TYPE_IN_TOTO, statement.to_json(), key)
}

#[test]
fn securesystemslib_verifies_sbomgen_envelopes() {
    let Some(verifier) = DsseVerifier::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate();
    let public_pem = key.public_key().to_pem();
    let envelope = signed_statement(&key);

    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &envelope.to_json(),
        false,
    );
    assert_valid(&output, PREDICATE_CYCLONEDX);

    let mut tampered = envelope.clone();
    // Flip one character of the payload (inside the subject digest).
    let at = tampered.payload.len() / 2;
    tampered.payload[at] ^= 0x01;
    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &tampered.to_json(),
        false,
    );
    assert_invalid(&output, "signature does not verify");

    let by_other_key = signed_statement(&SigningKey::generate());
    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &by_other_key.to_json(),
        false,
    );
    assert_invalid(&output, "signature does not verify");
}

#[test]
fn securesystemslib_verifies_sbomgen_bundles() {
    let Some(verifier) = DsseVerifier::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate();
    let public_pem = key.public_key().to_pem();
    let envelope = signed_statement(&key);

    // The script also checks the bundle's key hint against the key.
    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &bundle_json(&envelope, &key.public_key()),
        true,
    );
    assert_valid(&output, PREDICATE_CYCLONEDX);

    let other = SigningKey::generate();
    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &bundle_json(&envelope, &other.public_key()),
        true,
    );
    assert_invalid(&output, "hint");

    let mut not_in_toto = envelope.clone();
    not_in_toto.payload_type = "text/plain".into();
    let output = run_script(
        &verifier,
        dir.path(),
        &public_pem,
        &not_in_toto.to_json(),
        false,
    );
    assert_invalid(&output, "payloadType");
}
