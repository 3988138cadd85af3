//! Cross-checks against the `sigstore` crate (sigstore-rs), an independent implementation of
//! cosign's key file format: each side reads the key files the other writes, and signatures
//! made by one verify with the other.

use sbomgen_attest::dsse::{pae, Envelope, PAYLOAD_TYPE_IN_TOTO};
use sbomgen_attest::keys::{PublicKey, SigningKey};
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, Signature, SigningScheme};

const PASSWORD: &[u8] = b"cross-check password";

#[test]
fn key_file_written_by_sbomgen_loads_in_sigstore() {
    let key = SigningKey::generate();
    let pem = key.to_encrypted_pem(PASSWORD).unwrap();
    let pair = SigStoreKeyPair::from_encrypted_pem(pem.as_bytes(), PASSWORD).unwrap();
    assert!(matches!(pair, SigStoreKeyPair::ECDSA(_)));
    // Same public key, byte for byte in both PEM and DER.
    assert_eq!(pair.public_key_to_der().unwrap(), key.public_key().to_der());
    assert_eq!(pair.public_key_to_pem().unwrap(), key.public_key().to_pem());

    let signer = pair
        .to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .unwrap();
    let signature = signer.sign(b"signed by sigstore").unwrap();
    assert_eq!(
        key.public_key().verify(b"signed by sigstore", &signature),
        Ok(())
    );
}

#[test]
fn key_file_written_by_sigstore_loads_in_sbomgen() {
    let signer = SigningScheme::ECDSA_P256_SHA256_ASN1
        .create_signer()
        .unwrap();
    let pair = signer.to_sigstore_keypair().unwrap();
    let pem = pair.private_key_to_encrypted_pem(PASSWORD).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));

    let key = SigningKey::from_pem(pem.as_bytes(), PASSWORD).unwrap();
    let public = PublicKey::from_pem(pair.public_key_to_pem().unwrap().as_bytes()).unwrap();
    assert_eq!(key.public_key(), public);

    let signature = signer.sign(b"signed by sigstore").unwrap();
    assert_eq!(public.verify(b"signed by sigstore", &signature), Ok(()));
    assert!(public.verify(b"something else", &signature).is_err());
}

#[test]
fn signatures_by_sbomgen_verify_in_sigstore() {
    let key = SigningKey::generate();
    let verifier = CosignVerificationKey::from_pem(
        key.public_key().to_pem().as_bytes(),
        &SigningScheme::ECDSA_P256_SHA256_ASN1,
    )
    .unwrap();

    let signature = key.sign(b"signed by sbomgen");
    verifier
        .verify_signature(Signature::Raw(&signature), b"signed by sbomgen")
        .unwrap();
    assert!(verifier
        .verify_signature(Signature::Raw(&signature), b"tampered")
        .is_err());

    // The DSSE signature, over the PAE as sigstore-rs would compute it.
    let envelope = Envelope::sign(PAYLOAD_TYPE_IN_TOTO, b"{\"a\":1}".to_vec(), &key);
    verifier
        .verify_signature(
            Signature::Raw(&envelope.signatures[0].sig),
            &pae(&envelope.payload_type, &envelope.payload),
        )
        .unwrap();

    let other = SigningKey::generate();
    assert!(verifier
        .verify_signature(
            Signature::Raw(&other.sign(b"signed by sbomgen")),
            b"signed by sbomgen"
        )
        .is_err());
}
