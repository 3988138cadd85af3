//! The body of cosign's encrypted private key files (`ENCRYPTED SIGSTORE PRIVATE KEY`): JSON
//! naming an scrypt KDF and a NaCl secretbox, sealing the PKCS#8 DER of the key. The format is
//! go-securesystemslib's `encrypted` package, which cosign uses.

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keys::KeyError;

const KDF_SCRYPT: &str = "scrypt";
const CIPHER_SECRETBOX: &str = "nacl/secretbox";
/// What cosign writes. 65536 is what older go-securesystemslib versions wrote; both are read,
/// as cosign and sigstore-rs do. Other values are refused so a hostile file cannot make
/// decryption take arbitrary memory and time.
const SCRYPT_N_WRITTEN: u64 = 32768;
const SCRYPT_N_ACCEPTED: [u64; 2] = [32768, 65536];
const SCRYPT_R: u64 = 8;
const SCRYPT_P: u64 = 1;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// The JSON document, field order as Go's `encoding/json` writes it. `K` is [`Kdf`] when
/// reading and [`ScryptKdf`] when writing.
#[derive(Serialize, Deserialize)]
struct EncryptedKey<K> {
    kdf: K,
    cipher: Cipher,
    ciphertext: String,
}

/// `params` stays loose JSON when reading so a file naming another KDF (with other parameters)
/// is reported as an unsupported KDF rather than as malformed.
#[derive(Deserialize)]
struct Kdf {
    name: String,
    #[serde(default)]
    params: serde_json::Value,
    #[serde(default)]
    salt: String,
}

/// The KDF as written, with typed parameters so they keep Go's field order (N, r, p).
#[derive(Serialize)]
struct ScryptKdf {
    name: &'static str,
    params: ScryptParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u64,
    p: u64,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    #[serde(default)]
    nonce: String,
}

/// Seals `plaintext` under `password` the way cosign does: scrypt N=32768 r=8 p=1 over a
/// random 32-byte salt, then secretbox with a random 24-byte nonce. Returns the JSON body.
pub(crate) fn encrypt(plaintext: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyError> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut salt)
        .and_then(|()| OsRng.try_fill_bytes(&mut nonce))
        .map_err(|e| KeyError::Random(e.to_string()))?;
    let key = derive_key(password, &salt, SCRYPT_N_WRITTEN, SCRYPT_R, SCRYPT_P)?;
    let ciphertext = XSalsa20Poly1305::new(Key::from_slice(&key[..]))
        .encrypt(Nonce::from_slice(&nonce), plaintext)
        .map_err(|_| KeyError::Encoding("secretbox sealing failed".into()))?;
    let document = EncryptedKey {
        kdf: ScryptKdf {
            name: KDF_SCRYPT,
            params: ScryptParams {
                n: SCRYPT_N_WRITTEN,
                r: SCRYPT_R,
                p: SCRYPT_P,
            },
            salt: crate::b64::encode(&salt),
        },
        cipher: Cipher {
            name: CIPHER_SECRETBOX.into(),
            nonce: crate::b64::encode(&nonce),
        },
        ciphertext: crate::b64::encode(&ciphertext),
    };
    serde_json::to_vec(&document).map_err(|e| KeyError::Encoding(e.to_string()))
}

/// Opens a JSON body written by [`encrypt`], cosign or sigstore-rs. Checks run in the order
/// that names the first real problem: shape, KDF, cipher, parameters, then the password.
pub(crate) fn decrypt(body: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let document: EncryptedKey<Kdf> =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not cosign's JSON: {e}")))?;
    if document.kdf.name != KDF_SCRYPT {
        return Err(KeyError::UnsupportedKdf(document.kdf.name));
    }
    if document.cipher.name != CIPHER_SECRETBOX {
        return Err(KeyError::UnsupportedCipher(document.cipher.name));
    }
    let params: ScryptParams = serde_json::from_value(document.kdf.params)
        .map_err(|e| malformed(format!("scrypt params: {e}")))?;
    if !SCRYPT_N_ACCEPTED.contains(&params.n) || params.r != SCRYPT_R || params.p != SCRYPT_P {
        return Err(KeyError::UnsupportedKdfParams {
            n: params.n,
            r: params.r,
            p: params.p,
        });
    }
    let salt = crate::b64::decode_standard(&document.kdf.salt)
        .map_err(|e| malformed(format!("salt: {e}")))?;
    let nonce = crate::b64::decode_standard(&document.cipher.nonce)
        .map_err(|e| malformed(format!("nonce: {e}")))?;
    if nonce.len() != NONCE_LEN {
        return Err(malformed(format!(
            "nonce is {} bytes, secretbox needs {NONCE_LEN}",
            nonce.len()
        )));
    }
    let ciphertext = crate::b64::decode_standard(&document.ciphertext)
        .map_err(|e| malformed(format!("ciphertext: {e}")))?;
    let key = derive_key(password, &salt, params.n, params.r, params.p)?;
    XSalsa20Poly1305::new(Key::from_slice(&key[..]))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map(Zeroizing::new)
        // Secretbox cannot tell a wrong password from a damaged ciphertext: both fail the tag.
        .map_err(|_| KeyError::WrongPassword)
}

fn malformed(detail: String) -> KeyError {
    KeyError::MalformedEncryptedKey(detail)
}

/// scrypt(password, salt) → 32-byte secretbox key. `n` is a power of two (checked by callers
/// against the accepted list).
fn derive_key(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u64,
    p: u64,
) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyError> {
    let unsupported = || KeyError::UnsupportedKdfParams { n, r, p };
    if !n.is_power_of_two() {
        return Err(unsupported());
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| unsupported())?;
    let r32 = u32::try_from(r).map_err(|_| unsupported())?;
    let p32 = u32::try_from(p).map_err(|_| unsupported())?;
    let params = scrypt::Params::new(log_n, r32, p32, KEY_LEN).map_err(|_| unsupported())?;
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    scrypt::scrypt(password, salt, &params, &mut key[..]).map_err(|_| unsupported())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_cosigns_shape_and_field_order() {
        let body = encrypt(b"secret", b"pw").unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(
            text.starts_with(
                r#"{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":""#
            ),
            "{text}"
        );
        assert!(text.contains(r#""cipher":{"name":"nacl/secretbox","nonce":""#));
        let document: EncryptedKey<Kdf> = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            crate::b64::decode_standard(&document.kdf.salt)
                .unwrap()
                .len(),
            32
        );
        assert_eq!(
            crate::b64::decode_standard(&document.cipher.nonce)
                .unwrap()
                .len(),
            24
        );
        // secretbox adds a 16-byte tag.
        assert_eq!(
            crate::b64::decode_standard(&document.ciphertext)
                .unwrap()
                .len(),
            6 + 16
        );
        // (A wrong password is tested in keys.rs; each scrypt run is slow in test builds.)
        assert_eq!(*decrypt(&body, b"pw").unwrap(), b"secret");
    }
}
