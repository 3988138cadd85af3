//! Independent verification of what sbomgen signs: `scripts/verify_dsse.py` checks envelopes
//! and bundles with Python's securesystemslib (pyca/cryptography underneath, so neither the
//! DSSE code nor the ECDSA code is shared with sbomgen).
//!
//! Without securesystemslib the tests say so and skip, except under `CI`, where they fail
//! (the policy of `sbomgen_testkit::registry::registry_tests_can_run`). `scripts/test.sh`
//! installs it into `target/pyvenv`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sbomgen_attest::bundle::bundle_json;
use sbomgen_attest::dsse::{Envelope, PAYLOAD_TYPE_IN_TOTO};
use sbomgen_attest::keys::SigningKey;
use sbomgen_attest::statement::{Statement, PREDICATE_CYCLONEDX};
use sbomgen_model::Digest;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The interpreter scripts/test.sh sets up, else the system's.
fn python() -> PathBuf {
    let venv = workspace_root().join("target/pyvenv/bin/python");
    if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// Whether the script can run here; prints why not, or panics under `CI`.
fn python_tests_can_run() -> bool {
    let python = python();
    let probe = Command::new(&python)
        .args([
            "-c",
            "import cryptography, securesystemslib.dsse, securesystemslib.signer",
        ])
        .output();
    let why = match probe {
        Ok(output) if output.status.success() => return true,
        Ok(output) => format!(
            "{} cannot import securesystemslib[crypto]: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(error) => format!("cannot run {}: {error}", python.display()),
    };
    let why =
        format!("{why} (scripts/test.sh installs securesystemslib[crypto] into target/pyvenv)");
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the Python DSSE cross-check: {why}"
    );
    eprintln!("skipping: {why}");
    false
}

fn digest() -> Digest {
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        .parse()
        .unwrap()
}

/// Writes the key and document, runs the script, returns its output.
fn run_script(dir: &Path, public_pem: &str, document: &[u8], bundle: bool) -> Output {
    let key_path = dir.join("key.pub");
    let document_path = dir.join("document.json");
    std::fs::write(&key_path, public_pem).unwrap();
    std::fs::write(&document_path, document).unwrap();
    let mut command = Command::new(python());
    command
        .arg(workspace_root().join("scripts/verify_dsse.py"))
        .arg(&key_path)
        .arg(&document_path);
    if bundle {
        command.arg("--bundle");
    }
    command.output().unwrap()
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
    if !python_tests_can_run() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate();
    let public_pem = key.public_key().to_pem();
    let envelope = signed_statement(&key);

    let output = run_script(dir.path(), &public_pem, &envelope.to_json(), false);
    assert_valid(&output, PREDICATE_CYCLONEDX);

    let mut tampered = envelope.clone();
    // Flip one character of the payload (inside the subject digest).
    let at = tampered.payload.len() / 2;
    tampered.payload[at] ^= 0x01;
    let output = run_script(dir.path(), &public_pem, &tampered.to_json(), false);
    assert_invalid(&output, "signature does not verify");

    let by_other_key = signed_statement(&SigningKey::generate());
    let output = run_script(dir.path(), &public_pem, &by_other_key.to_json(), false);
    assert_invalid(&output, "signature does not verify");
}

#[test]
fn securesystemslib_verifies_sbomgen_bundles() {
    if !python_tests_can_run() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate();
    let public_pem = key.public_key().to_pem();
    let envelope = signed_statement(&key);

    // The script also checks the bundle's key hint against the key.
    let output = run_script(
        dir.path(),
        &public_pem,
        &bundle_json(&envelope, &key.public_key()),
        true,
    );
    assert_valid(&output, PREDICATE_CYCLONEDX);

    let other = SigningKey::generate();
    let output = run_script(
        dir.path(),
        &public_pem,
        &bundle_json(&envelope, &other.public_key()),
        true,
    );
    assert_invalid(&output, "hint");

    let mut not_in_toto = envelope.clone();
    not_in_toto.payload_type = "text/plain".into();
    let output = run_script(dir.path(), &public_pem, &not_in_toto.to_json(), false);
    assert_invalid(&output, "payloadType");
}
