//! Content checks for the small documents read whole: digest and descriptor size.

use sha2::{Digest as _, Sha256, Sha512};

use sbomgen_model::Digest;

use crate::error::SourceError;

/// The digest of `bytes` under the same algorithm as `like` (sha256 or sha512).
pub(crate) fn digest_like(like: &Digest, bytes: &[u8]) -> Digest {
    if like.algorithm() == "sha512" {
        return Digest::sha512_from_bytes(&Sha512::digest(bytes).into());
    }
    sha256(bytes)
}

pub(crate) fn sha256(bytes: &[u8]) -> Digest {
    Digest::sha256_from_bytes(&Sha256::digest(bytes).into())
}

/// Checks `bytes` against a descriptor's digest and (if given) size; `what` names the blob.
pub(crate) fn check(
    bytes: &[u8],
    expected: &Digest,
    size: Option<u64>,
    what: &str,
) -> Result<(), SourceError> {
    if let Some(size) = size {
        if size != bytes.len() as u64 {
            return Err(SourceError::SizeMismatch {
                what: what.to_string(),
                expected: size,
                actual: bytes.len() as u64,
            });
        }
    }
    let actual = digest_like(expected, bytes);
    if &actual != expected {
        return Err(SourceError::DigestMismatch {
            what: what.to_string(),
            expected: expected.clone(),
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY256: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn checks_digest_and_size() {
        let empty: Digest = EMPTY256.parse().unwrap();
        check(b"", &empty, Some(0), "x").unwrap();
        let err = check(b"a", &empty, None, "blob x").unwrap_err().to_string();
        assert!(
            err.starts_with("blob x: digest mismatch, expected sha256:e3b0"),
            "{err}"
        );
        let err = check(b"", &empty, Some(3), "blob x")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "blob x: size mismatch, descriptor says 3 bytes, found 0"
        );
    }

    #[test]
    fn sha512_is_supported() {
        let hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
        let empty: Digest = format!("sha512:{hex}").parse().unwrap();
        check(b"", &empty, None, "x").unwrap();
    }
}
