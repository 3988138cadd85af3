//! Files written by cosign and sigstore-go themselves (see tests/data/README.md for their
//! sources): cosign's test key files and CI key, and real Sigstore bundles.

use std::path::PathBuf;

use sbomgen_attest::bundle::{bundle_hint, envelope_from_bundle, BundleError};
use sbomgen_attest::keys::{pem_is_encrypted, KeyAlgorithm, KeyError, PublicKey, SigningKey};
use sbomgen_attest::statement::STATEMENT_V01;
use sbomgen_attest::verify::{verify_envelope, VerifyError};
use sbomgen_model::Digest;

fn data(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The password of the keys in cosign's pkg/cosign/keys_test.go.
const COSIGN_TEST_PASSWORD: &[u8] = b"hello";

fn assert_signs_and_verifies(key: &SigningKey) {
    let signature = key.sign(b"payload");
    assert_eq!(key.public_key().verify(b"payload", &signature), Ok(()));
}

#[test]
fn cosign_sigstore_labelled_key_loads() {
    let pem = data("cosign-keys-test-sigstore.key");
    assert!(pem_is_encrypted(&pem));
    let key = SigningKey::from_pem(&pem, COSIGN_TEST_PASSWORD).unwrap();
    assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
    assert_signs_and_verifies(&key);
    assert_eq!(
        SigningKey::from_pem(&pem, b"hell0").unwrap_err(),
        KeyError::WrongPassword
    );
}

#[test]
fn cosign_labelled_ec_key_with_n_65536_loads() {
    // Older go-securesystemslib wrote N=65536; this file also seals SEC1 rather than PKCS#8
    // (cosign itself now refuses it for that reason; sbomgen reads it).
    let pem = data("cosign-keys-test-cosign-ec.key");
    assert!(pem_is_encrypted(&pem));
    let key = SigningKey::from_pem(&pem, COSIGN_TEST_PASSWORD).unwrap();
    assert_signs_and_verifies(&key);
}

#[test]
fn cosign_labelled_key_loads() {
    // The legacy `ENCRYPTED COSIGN PRIVATE KEY` label. (keys_test.go calls it an RSA key; its
    // 138-byte plaintext is a P-256 PKCS#8 key, which cosign's own test loads as such.)
    let pem = data("cosign-keys-test-cosign.key");
    assert!(pem.starts_with(b"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"));
    assert!(pem_is_encrypted(&pem));
    let key = SigningKey::from_pem(&pem, COSIGN_TEST_PASSWORD).unwrap();
    assert_signs_and_verifies(&key);
}

#[test]
fn cosign_ci_key_files_parse() {
    // cosign's own CI signing key; its password is a CI secret, so this checks everything up
    // to the secretbox tag (PEM, JSON, KDF parameters, cipher) and the public key.
    let pem = data("cosign-ci-test.key");
    assert!(pem_is_encrypted(&pem));
    assert_eq!(
        SigningKey::from_pem(&pem, b"not the password").unwrap_err(),
        KeyError::WrongPassword
    );
    let public = PublicKey::from_pem(&data("cosign-ci-test.pub")).unwrap();
    assert_eq!(public.algorithm(), KeyAlgorithm::EcdsaP256);
    assert_eq!(
        PublicKey::from_pem(public.to_pem().as_bytes()).unwrap(),
        public
    );
}

#[test]
fn cosign_v03_bundle_verifies() {
    // A DSSE attestation bundle cosign wrote (certificate-based, with a Rekor entry); the key
    // is the one in its Fulcio certificate.
    let bundle = data("cosign-oci-attestation.sigstore.json");
    let envelope = envelope_from_bundle(&bundle).unwrap();
    assert_eq!(envelope.signatures.len(), 1);
    assert_eq!(envelope.signatures[0].keyid, "");
    assert_eq!(bundle_hint(&bundle), None);
    let key = PublicKey::from_pem(&data("cosign-oci-attestation.cert-key.pub")).unwrap();
    let digest: Digest = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        .parse()
        .unwrap();
    let statement = verify_envelope(
        &envelope,
        &key,
        &digest,
        Some("https://cosign.sigstore.dev/attestation/v1"),
    )
    .unwrap();
    assert_eq!(statement.type_, STATEMENT_V01);
    assert_eq!(statement.predicate["Data"], "{\"foo\": \"bar\"}\n");

    let mut tampered = envelope.clone();
    tampered.payload[10] ^= 1;
    assert_eq!(
        verify_envelope(&tampered, &key, &digest, None),
        Err(VerifyError::SignatureInvalid { count: 1 })
    );
}

#[test]
fn sigstore_go_v01_bundle_with_sha512_subject_verifies() {
    let bundle = data("sigstore-go-dsse.sigstore.json");
    let envelope = envelope_from_bundle(&bundle).unwrap();
    let key = PublicKey::from_pem(&data("sigstore-go-dsse.cert-key.pub")).unwrap();
    let digest: Digest = "sha512:bbfd372fc9beeb777fe35d05bb10c0c70a9733d366a75fed7dd18866c7391de3ee7e88ba74dd47abf3e15c845e547fcf0e5c3da80854c751554224d3a6d4e55f"
        .parse()
        .unwrap();
    let statement = verify_envelope(
        &envelope,
        &key,
        &digest,
        Some("https://slsa.dev/provenance/v0.2"),
    )
    .unwrap();
    assert_eq!(statement.subject[0].name, "slsa-provenance-0.0.7.tgz");
}

#[test]
fn sigstore_go_public_key_bundle_hint_and_message_signature() {
    // A key-based v0.3 bundle from sigstore-go: its hint is our hint of its key, and it holds
    // a message signature, which is no attestation.
    let bundle = data("sigstore-go-public-key-validity.sigstore.json");
    let key = PublicKey::from_pem(&data("sigstore-go-public-key-validity.pem")).unwrap();
    assert_eq!(bundle_hint(&bundle), Some(key.hint()));
    assert_eq!(key.hint(), "IpekKjxVkmTfB4YqY8q5sGEAeVtF9x3m7jHdhAxpgjQ=");
    assert_eq!(
        envelope_from_bundle(&bundle),
        Err(BundleError::MessageSignature)
    );
}
