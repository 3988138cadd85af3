//! Signing and verification keys as cosign uses them: ECDSA P-256 over SHA-256 with ASN.1 DER
//! signatures, private keys in cosign's encrypted PEM files (or plain PKCS#8 / SEC1), public
//! keys as PKIX `PUBLIC KEY` PEM, and the key hint Sigstore bundles carry.

use std::fmt;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::der::Decode as _;
use p256::pkcs8::{EncodePrivateKey as _, ObjectIdentifier, PrivateKeyInfo};
use rand_core::OsRng;
use sha2::{Digest as _, Sha256};

use crate::{keyfile, pem};

/// PEM label of the encrypted private key files cosign (v1.12+) writes.
pub const PEM_SIGSTORE_PRIVATE_KEY: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label of the encrypted private key files older cosign versions wrote; same body.
pub const PEM_COSIGN_PRIVATE_KEY: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// PEM label of an unencrypted PKCS#8 private key.
pub const PEM_PRIVATE_KEY: &str = "PRIVATE KEY";
/// PEM label of an unencrypted SEC1 EC private key (`openssl ecparam -genkey`).
pub const PEM_EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";
/// PEM label of a PKIX public key.
pub const PEM_PUBLIC_KEY: &str = "PUBLIC KEY";

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// The DER of a P-256 `SubjectPublicKeyInfo` up to the uncompressed point: SEQUENCE {
/// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, BIT STRING (66 bytes: 0 unused bits +
/// the 65-byte point) }. Go's `x509.MarshalPKIXPublicKey` writes exactly these bytes, and the
/// bundle key hint hashes them, so they are spelled out instead of left to an encoder.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Why a key file or signature could not be used. Callers prefix the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a PEM file")]
    NotPem,
    #[error("malformed PEM: {0}")]
    MalformedPem(String),
    #[error("unsupported key type {0}")]
    UnsupportedKeyType(String),
    #[error("expected a private key, found PEM \"{0}\"")]
    NotAPrivateKey(String),
    #[error("expected a public key (PEM \"PUBLIC KEY\"), found PEM \"{0}\"")]
    NotAPublicKey(String),
    #[error("malformed key: {0}")]
    MalformedKey(String),
    #[error("malformed encrypted key: {0}")]
    MalformedEncryptedKey(String),
    #[error("unsupported KDF \"{0}\" (cosign key files use scrypt)")]
    UnsupportedKdf(String),
    #[error("unsupported KDF parameters scrypt N={n} r={r} p={p} (cosign uses N=32768 or 65536, r=8, p=1)")]
    UnsupportedKdfParams { n: u64, r: u64, p: u64 },
    #[error("unsupported cipher \"{0}\" (cosign key files use nacl/secretbox)")]
    UnsupportedCipher(String),
    #[error("wrong password or corrupted key")]
    WrongPassword,
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    #[error("cannot encode the key: {0}")]
    Encoding(String),
    #[error("signature is neither ASN.1 DER nor 64 raw bytes (r||s)")]
    MalformedSignature,
    #[error("signature does not verify with this key")]
    BadSignature,
}

/// The key algorithms sbomgen signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 over SHA-256, cosign's default (`ECDSA_P256_SHA256_ASN1`).
    EcdsaP256,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::EcdsaP256 => f.write_str("ECDSA P-256"),
        }
    }
}

/// Whether `pem` is a cosign/sigstore encrypted private key, i.e. needs a password.
pub fn pem_is_encrypted(pem: &[u8]) -> bool {
    matches!(
        pem::first_label(pem).as_deref(),
        Some(PEM_SIGSTORE_PRIVATE_KEY | PEM_COSIGN_PRIVATE_KEY)
    )
}

/// A private signing key. The secret scalar is zeroized on drop (by `p256`), and `Debug` shows
/// only the algorithm and the public key hint.
#[derive(Clone)]
pub struct SigningKey {
    inner: p256::ecdsa::SigningKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &KeyAlgorithm::EcdsaP256)
            .field("public_key_hint", &self.public_key().hint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new ECDSA P-256 key from the operating system's random number generator (which is
    /// assumed to work: `getrandom` failing means the system is unusable for any cryptography).
    pub fn generate() -> SigningKey {
        SigningKey {
            inner: p256::ecdsa::SigningKey::random(&mut OsRng),
        }
    }

    /// Reads a private key PEM: cosign/sigstore encrypted (`ENCRYPTED SIGSTORE PRIVATE KEY`,
    /// `ENCRYPTED COSIGN PRIVATE KEY`), unencrypted PKCS#8 `PRIVATE KEY`, or SEC1
    /// `EC PRIVATE KEY`. `password` is used only for encrypted ones.
    pub fn from_pem(pem: &[u8], password: &[u8]) -> Result<SigningKey, KeyError> {
        let block = pem::decode(pem)?;
        match block.label.as_str() {
            PEM_SIGSTORE_PRIVATE_KEY | PEM_COSIGN_PRIVATE_KEY => {
                let der = keyfile::decrypt(&block.der, password)?;
                // cosign seals PKCS#8; some early cosign files sealed SEC1 instead (cosign's
                // own test data has one), which reads just as well.
                match Self::from_pkcs8_der(&der) {
                    Err(KeyError::MalformedKey(pkcs8_problem)) => match Self::from_sec1_der(&der) {
                        Err(KeyError::MalformedKey(_)) => Err(KeyError::MalformedKey(pkcs8_problem)),
                        sec1_result => sec1_result,
                    },
                    pkcs8_result => pkcs8_result,
                }
            }
            PEM_PRIVATE_KEY => Self::from_pkcs8_der(&block.der),
            PEM_EC_PRIVATE_KEY => Self::from_sec1_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::UnsupportedKeyType(
                "ENCRYPTED PRIVATE KEY (PKCS#8 password-based encryption; `cosign import-key-pair` converts it)".into(),
            )),
            label if label.ends_with("PRIVATE KEY") => {
                Err(KeyError::UnsupportedKeyType(label.to_string()))
            }
            label => Err(KeyError::NotAPrivateKey(label.to_string())),
        }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo`, refusing every algorithm but P-256 by name.
    fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, KeyError> {
        let info = PrivateKeyInfo::from_der(der)
            .map_err(|e| KeyError::MalformedKey(format!("PKCS#8: {e}")))?;
        let curve = info.algorithm.parameters_oid().ok();
        if info.algorithm.oid != OID_EC_PUBLIC_KEY || curve != Some(OID_P256) {
            return Err(KeyError::UnsupportedKeyType(describe_algorithm(
                info.algorithm.oid,
                curve,
            )));
        }
        let secret = p256::SecretKey::from_sec1_der(info.private_key)
            .map_err(|e| KeyError::MalformedKey(format!("P-256 private key: {e}")))?;
        Ok(SigningKey {
            inner: secret.into(),
        })
    }

    /// Reads a SEC1 `ECPrivateKey`; its optional curve parameter must be P-256.
    fn from_sec1_der(der: &[u8]) -> Result<SigningKey, KeyError> {
        if let Some(curve) = sec1_named_curve(der) {
            if curve != OID_P256 {
                return Err(KeyError::UnsupportedKeyType(describe_algorithm(
                    OID_EC_PUBLIC_KEY,
                    Some(curve),
                )));
            }
        }
        let secret = p256::SecretKey::from_sec1_der(der)
            .map_err(|e| KeyError::MalformedKey(format!("P-256 private key: {e}")))?;
        Ok(SigningKey {
            inner: secret.into(),
        })
    }

    /// The key as cosign's `generate-key-pair` writes `cosign.key`: label
    /// `ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt N=32768 r=8 p=1 with a random 32-byte salt,
    /// nacl/secretbox with a random 24-byte nonce, over the PKCS#8 DER of the key.
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<String, KeyError> {
        let der = self
            .inner
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encoding(e.to_string()))?;
        let body = keyfile::encrypt(der.as_bytes(), password)?;
        Ok(pem::encode(PEM_SIGSTORE_PRIVATE_KEY, &body))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: *self.inner.verifying_key(),
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::EcdsaP256
    }

    /// Signs `message`: ECDSA over its SHA-256, as an ASN.1 DER signature (what cosign writes).
    /// Nonces are deterministic (RFC 6979), so signing needs no randomness.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: p256::ecdsa::Signature = self.inner.sign(message);
        signature.to_der().as_bytes().to_vec()
    }
}

/// A public verification key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: p256::ecdsa::VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("hint", &self.hint())
            .finish()
    }
}

impl PublicKey {
    /// Reads a PKIX `PUBLIC KEY` PEM (what `cosign generate-key-pair` writes to `cosign.pub`).
    pub fn from_pem(pem: &[u8]) -> Result<PublicKey, KeyError> {
        let block = pem::decode(pem)?;
        if block.label != PEM_PUBLIC_KEY {
            return Err(KeyError::NotAPublicKey(block.label.clone()));
        }
        Self::from_der(&block.der)
    }

    /// Reads a DER `SubjectPublicKeyInfo`, refusing every algorithm but P-256 by name.
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let info = p256::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::MalformedKey(format!("SubjectPublicKeyInfo: {e}")))?;
        let curve = info.algorithm.parameters_oid().ok();
        if info.algorithm.oid != OID_EC_PUBLIC_KEY || curve != Some(OID_P256) {
            return Err(KeyError::UnsupportedKeyType(describe_algorithm(
                info.algorithm.oid,
                curve,
            )));
        }
        let point = info.subject_public_key.as_bytes().ok_or_else(|| {
            KeyError::MalformedKey("public key bit string has unused bits".into())
        })?;
        let inner = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map_err(|_| KeyError::MalformedKey("not a point on P-256".into()))?;
        Ok(PublicKey { inner })
    }

    /// The DER `SubjectPublicKeyInfo`, byte for byte what Go's `x509.MarshalPKIXPublicKey`
    /// writes (uncompressed point).
    pub fn to_der(&self) -> Vec<u8> {
        let point = self.inner.to_encoded_point(false);
        let mut der = Vec::with_capacity(P256_SPKI_PREFIX.len() + point.len());
        der.extend_from_slice(&P256_SPKI_PREFIX);
        der.extend_from_slice(point.as_bytes());
        der
    }

    /// The PEM `PUBLIC KEY` form, as cosign writes `cosign.pub`.
    pub fn to_pem(&self) -> String {
        pem::encode(PEM_PUBLIC_KEY, &self.to_der())
    }

    /// Checks `signature` over `message` (ECDSA over SHA-256). Accepts ASN.1 DER, what cosign
    /// writes, and the raw 64-byte r||s form some other signers write.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
        let mut candidates = Vec::with_capacity(2);
        if let Ok(der) = p256::ecdsa::Signature::from_der(signature) {
            candidates.push(der);
        }
        // A DER signature can itself be 64 bytes long, so the raw reading is tried as well
        // rather than only when DER parsing fails.
        if signature.len() == 64 {
            if let Ok(raw) = p256::ecdsa::Signature::from_slice(signature) {
                candidates.push(raw);
            }
        }
        if candidates.is_empty() {
            return Err(KeyError::MalformedSignature);
        }
        if candidates
            .iter()
            .any(|candidate| self.inner.verify(message, candidate).is_ok())
        {
            Ok(())
        } else {
            Err(KeyError::BadSignature)
        }
    }

    /// What cosign v3 and sigstore-go write as `verificationMaterial.publicKey.hint` in a
    /// bundle: standard base64 of the SHA-256 of the PKIX DER (cosign `internal/key/svkeypair.go`).
    pub fn hint(&self) -> String {
        crate::b64::encode(&Sha256::digest(self.to_der()))
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        KeyAlgorithm::EcdsaP256
    }
}

/// The named curve of a SEC1 `ECPrivateKey` (`SEQUENCE { version, privateKey, [0] curve OPTIONAL,
/// [1] publicKey OPTIONAL }`), read ahead of the P-256 parser so another curve is reported by
/// name instead of as a malformed key.
fn sec1_named_curve(der: &[u8]) -> Option<ObjectIdentifier> {
    use p256::pkcs8::der::asn1::{BitStringRef, OctetStringRef};
    use p256::pkcs8::der::{Reader as _, SliceReader, TagMode, TagNumber};

    let mut reader = SliceReader::new(der).ok()?;
    reader
        .sequence(|r| {
            let _version = u8::decode(r)?;
            let _private_key = OctetStringRef::decode(r)?;
            let curve = r.context_specific::<ObjectIdentifier>(TagNumber::N0, TagMode::Explicit)?;
            let _public_key =
                r.context_specific::<BitStringRef<'_>>(TagNumber::N1, TagMode::Explicit)?;
            Ok(curve)
        })
        .ok()?
}

/// A readable name for a key algorithm OID (and EC curve OID), for "unsupported key type".
fn describe_algorithm(oid: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> String {
    match (
        oid.to_string().as_str(),
        curve.map(|c| c.to_string()).as_deref(),
    ) {
        ("1.2.840.10045.2.1", Some("1.3.132.0.34")) => "ECDSA P-384 (1.3.132.0.34)".into(),
        ("1.2.840.10045.2.1", Some("1.3.132.0.35")) => "ECDSA P-521 (1.3.132.0.35)".into(),
        ("1.2.840.10045.2.1", Some("1.3.132.0.10")) => "ECDSA secp256k1 (1.3.132.0.10)".into(),
        ("1.2.840.10045.2.1", Some(other)) => format!("EC key on curve {other}"),
        ("1.2.840.10045.2.1", None) => "EC key without a named curve".into(),
        ("1.2.840.113549.1.1.1", _) => "RSA (1.2.840.113549.1.1.1)".into(),
        ("1.2.840.113549.1.1.10", _) => "RSA-PSS (1.2.840.113549.1.1.10)".into(),
        ("1.3.101.112", _) => "Ed25519 (1.3.101.112)".into(),
        ("1.3.101.113", _) => "Ed448 (1.3.101.113)".into(),
        (other, _) => format!("with algorithm OID {other}"),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::sync::OnceLock;

    use p256::pkcs8::{EncodePrivateKey as _, LineEnding};

    use super::*;

    /// One generated key and its encrypted file, shared: scrypt N=32768 takes seconds in an
    /// unoptimized test build, so each test that needs a file does not make its own.
    fn key_and_file() -> &'static (SigningKey, String) {
        static SHARED: OnceLock<(SigningKey, String)> = OnceLock::new();
        SHARED.get_or_init(|| {
            let key = SigningKey::generate();
            let pem = key.to_encrypted_pem(b"correct horse").unwrap();
            (key, pem)
        })
    }

    /// The JSON body of an encrypted PEM, to tamper with.
    fn body_of(pem: &str) -> serde_json::Value {
        let block = pem::decode(pem.as_bytes()).unwrap();
        serde_json::from_slice(&block.der).unwrap()
    }

    fn pem_with_body(body: &serde_json::Value) -> String {
        pem::encode(PEM_SIGSTORE_PRIVATE_KEY, &serde_json::to_vec(body).unwrap())
    }

    #[test]
    fn sign_and_verify() {
        let key = SigningKey::generate();
        let public = key.public_key();
        let signature = key.sign(b"message");
        // ASN.1 DER: SEQUENCE of two INTEGERs.
        assert_eq!(signature[0], 0x30);
        assert_eq!(public.verify(b"message", &signature), Ok(()));
        assert_eq!(
            public.verify(b"massage", &signature),
            Err(KeyError::BadSignature)
        );
        let other = SigningKey::generate().public_key();
        assert_eq!(
            other.verify(b"message", &signature),
            Err(KeyError::BadSignature)
        );
        assert_eq!(
            public.verify(b"message", b"junk"),
            Err(KeyError::MalformedSignature)
        );
        assert_eq!(public.algorithm(), KeyAlgorithm::EcdsaP256);
    }

    #[test]
    fn verify_accepts_raw_r_s() {
        let key = SigningKey::generate();
        let der = key.sign(b"message");
        let raw = p256::ecdsa::Signature::from_der(&der).unwrap().to_bytes();
        assert_eq!(raw.len(), 64);
        assert_eq!(key.public_key().verify(b"message", &raw), Ok(()));
    }

    #[test]
    fn encrypted_pem_round_trip_with_cosign_labels() {
        let (key, pem) = key_and_file();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        assert!(pem.ends_with("\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|line| line.len() <= 64));
        assert!(pem_is_encrypted(pem.as_bytes()));
        let loaded = SigningKey::from_pem(pem.as_bytes(), b"correct horse").unwrap();
        assert_eq!(loaded.public_key(), key.public_key());
        let body = body_of(pem);
        assert_eq!(body["kdf"]["name"], "scrypt");
        assert_eq!(
            body["kdf"]["params"],
            serde_json::json!({"N": 32768, "r": 8, "p": 1})
        );
        assert_eq!(body["cipher"]["name"], "nacl/secretbox");

        let public_pem = key.public_key().to_pem();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(public_pem.ends_with("\n-----END PUBLIC KEY-----\n"));
        assert_eq!(
            PublicKey::from_pem(public_pem.as_bytes()).unwrap(),
            key.public_key()
        );
        assert!(!pem_is_encrypted(public_pem.as_bytes()));
    }

    #[test]
    fn wrong_password_is_named() {
        let (_, pem) = key_and_file();
        let error = SigningKey::from_pem(pem.as_bytes(), b"wrong").unwrap_err();
        assert_eq!(error, KeyError::WrongPassword);
        assert_eq!(error.to_string(), "wrong password or corrupted key");
    }

    #[test]
    fn corrupted_ciphertext_is_detected() {
        let (_, pem) = key_and_file();
        let mut body = body_of(pem);
        let mut ciphertext =
            crate::b64::decode_standard(body["ciphertext"].as_str().unwrap()).unwrap();
        ciphertext[10] ^= 0x01;
        body["ciphertext"] = crate::b64::encode(&ciphertext).into();
        assert_eq!(
            SigningKey::from_pem(pem_with_body(&body).as_bytes(), b"correct horse").unwrap_err(),
            KeyError::WrongPassword
        );
    }

    #[test]
    fn unsupported_kdf_cipher_and_parameters_are_named() {
        let (_, pem) = key_and_file();
        let mut body = body_of(pem);
        body["kdf"]["name"] = "argon2id".into();
        let error = SigningKey::from_pem(pem_with_body(&body).as_bytes(), b"x").unwrap_err();
        assert_eq!(error, KeyError::UnsupportedKdf("argon2id".into()));
        assert!(error
            .to_string()
            .starts_with("unsupported KDF \"argon2id\""));

        let mut body = body_of(pem);
        body["kdf"]["params"]["N"] = (1u64 << 40).into();
        assert_eq!(
            SigningKey::from_pem(pem_with_body(&body).as_bytes(), b"x").unwrap_err(),
            KeyError::UnsupportedKdfParams {
                n: 1 << 40,
                r: 8,
                p: 1
            }
        );

        let mut body = body_of(pem);
        body["cipher"]["name"] = "aes-gcm".into();
        assert_eq!(
            SigningKey::from_pem(pem_with_body(&body).as_bytes(), b"x").unwrap_err(),
            KeyError::UnsupportedCipher("aes-gcm".into())
        );

        let mut body = body_of(pem);
        body["cipher"]["nonce"] = crate::b64::encode(&[0u8; 12]).into();
        assert!(matches!(
            SigningKey::from_pem(pem_with_body(&body).as_bytes(), b"x"),
            Err(KeyError::MalformedEncryptedKey(m)) if m.contains("nonce")
        ));

        let not_json = pem::encode(PEM_SIGSTORE_PRIVATE_KEY, b"{\"kdf\":");
        assert!(matches!(
            SigningKey::from_pem(not_json.as_bytes(), b"x"),
            Err(KeyError::MalformedEncryptedKey(_))
        ));
    }

    #[test]
    fn unencrypted_pkcs8_and_sec1_read_and_ignore_the_password() {
        let key = SigningKey::generate();
        let pkcs8 = key.inner.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert!(!pem_is_encrypted(pkcs8.as_bytes()));
        let loaded = SigningKey::from_pem(pkcs8.as_bytes(), b"ignored").unwrap();
        assert_eq!(loaded.public_key(), key.public_key());

        let secret = p256::SecretKey::from(key.inner.as_nonzero_scalar());
        let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap();
        assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        let loaded = SigningKey::from_pem(sec1.as_bytes(), b"").unwrap();
        assert_eq!(loaded.public_key(), key.public_key());
    }

    #[test]
    fn wrong_kinds_of_pem_are_named() {
        let public_pem = SigningKey::generate().public_key().to_pem();
        assert_eq!(
            SigningKey::from_pem(public_pem.as_bytes(), b"").unwrap_err(),
            KeyError::NotAPrivateKey("PUBLIC KEY".into())
        );
        let private_pem = pem::encode(PEM_PRIVATE_KEY, b"\x30\x00");
        assert_eq!(
            PublicKey::from_pem(private_pem.as_bytes()).unwrap_err(),
            KeyError::NotAPublicKey("PRIVATE KEY".into())
        );
        assert_eq!(
            SigningKey::from_pem(b"", b"").unwrap_err(),
            KeyError::NotPem
        );
        assert_eq!(
            PublicKey::from_pem(b"ssh-ed25519 AAAA").unwrap_err(),
            KeyError::NotPem
        );
        let openssh = pem::encode("OPENSSH PRIVATE KEY", b"openssh-key-v1\0");
        assert_eq!(
            SigningKey::from_pem(openssh.as_bytes(), b"").unwrap_err(),
            KeyError::UnsupportedKeyType("OPENSSH PRIVATE KEY".into())
        );
        assert!(matches!(
            SigningKey::from_pem(private_pem.as_bytes(), b""),
            Err(KeyError::MalformedKey(_))
        ));
    }

    #[test]
    fn other_algorithms_are_named() {
        // Ed25519 PKCS#8 from cosign's keys_test.go, and an Ed25519 SPKI.
        let ed25519 = "-----BEGIN PRIVATE KEY-----\n\
            MC4CAQAwBQYDK2VwBCIEIALEbo1EFnWFqBK/wC+hhypG/8hXEerwdNetAoFoFVdv\n\
            -----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pem(ed25519.as_bytes(), b"")
                .unwrap_err()
                .to_string(),
            "unsupported key type Ed25519 (1.3.101.112)"
        );
        let ed25519_public = "-----BEGIN PUBLIC KEY-----\n\
            MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n\
            -----END PUBLIC KEY-----\n";
        assert_eq!(
            PublicKey::from_pem(ed25519_public.as_bytes()).unwrap_err(),
            KeyError::UnsupportedKeyType("Ed25519 (1.3.101.112)".into())
        );
        // A P-384 public key: prefix for id-ecPublicKey + secp384r1, then a dummy point.
        let mut p384 = vec![
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00, 0x04,
        ];
        p384.extend_from_slice(&[1u8; 96]);
        assert_eq!(
            PublicKey::from_der(&p384).unwrap_err(),
            KeyError::UnsupportedKeyType("ECDSA P-384 (1.3.132.0.34)".into())
        );
    }

    #[test]
    fn public_key_der_and_hint() {
        use p256::pkcs8::EncodePublicKey as _;
        let public = SigningKey::generate().public_key();
        let der = public.to_der();
        assert_eq!(der.len(), 91);
        // The hand-written SPKI equals the library's own encoding.
        assert_eq!(der, public.inner.to_public_key_der().unwrap().as_bytes());
        assert_eq!(PublicKey::from_der(&der).unwrap(), public);
        let hint = public.hint();
        assert_eq!(
            crate::b64::decode_standard(&hint).unwrap(),
            Sha256::digest(&der).to_vec()
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let key = SigningKey::generate();
        let secret_hex = key.inner.to_bytes().iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let debug = format!("{key:?}");
        assert!(debug.starts_with("SigningKey { algorithm: EcdsaP256, public_key_hint: "));
        assert!(!debug.to_lowercase().contains(&secret_hex));
        assert!(!debug.contains(&format!("{:?}", key.inner.to_bytes().as_slice())));
    }
}
