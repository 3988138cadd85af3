//! Content digests in the OCI `algorithm:encoded` form.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a digest sbomgen can verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("digest {0:?} has no `algorithm:` prefix")]
    NoAlgorithm(String),
    #[error("digest {0:?} uses unsupported algorithm (sha256 and sha512 are supported)")]
    UnsupportedAlgorithm(String),
    #[error("digest {0:?} does not have the expected number of lowercase hex characters")]
    BadEncoding(String),
}

/// A validated content digest: `sha256:` + 64 lowercase hex, or `sha512:` + 128.
///
/// Parsing is the only way to build one, so a `Digest` in hand is always well formed
/// (the OCI image spec's `digest` grammar restricted to the registered algorithms).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    /// Builds a sha256 digest from raw hash bytes.
    pub fn sha256_from_bytes(bytes: &[u8; 32]) -> Self {
        Self::from_hash("sha256", bytes)
    }

    /// Builds a sha512 digest from raw hash bytes.
    pub fn sha512_from_bytes(bytes: &[u8; 64]) -> Self {
        Self::from_hash("sha512", bytes)
    }

    /// A registered algorithm and a hash of its length are well formed by construction.
    fn from_hash(algorithm: &str, bytes: &[u8]) -> Self {
        let mut s = String::with_capacity(algorithm.len() + 1 + 2 * bytes.len());
        s.push_str(algorithm);
        s.push(':');
        for b in bytes {
            let _ = write!(s, "{b:02x}"); // a String never fails to grow
        }
        Digest(s)
    }

    /// The algorithm part, e.g. `sha256`.
    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or_default()
    }

    /// The hex part after the colon.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or_default()
    }

    /// The full `algorithm:hex` string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A short form for humans: the first 12 hex characters.
    pub fn short(&self) -> &str {
        let hex = self.hex();
        &hex[..hex.len().min(12)]
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algorithm, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::NoAlgorithm(s.to_string()))?;
        let expected_len = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(DigestError::UnsupportedAlgorithm(s.to_string())),
        };
        let lower_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if hex.len() != expected_len || !hex.chars().all(lower_hex) {
            return Err(DigestError::BadEncoding(s.to_string()));
        }
        Ok(Digest(s.to_string()))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.0)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_valid_sha256() {
        let d: Digest = EMPTY.parse().unwrap();
        assert_eq!(d.algorithm(), "sha256");
        assert_eq!(d.short(), "e3b0c44298fc");
        assert_eq!(d.to_string(), EMPTY);
    }

    #[test]
    fn rejects_malformed() {
        assert!(matches!(
            "abc".parse::<Digest>(),
            Err(DigestError::NoAlgorithm(_))
        ));
        assert!(matches!(
            "md5:abc".parse::<Digest>(),
            Err(DigestError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            "sha256:abc".parse::<Digest>(),
            Err(DigestError::BadEncoding(_))
        ));
        let upper = EMPTY.to_uppercase().replace("SHA256", "sha256");
        assert!(matches!(
            upper.parse::<Digest>(),
            Err(DigestError::BadEncoding(_))
        ));
    }

    #[test]
    fn from_bytes_round_trips() {
        let d = Digest::sha256_from_bytes(&[0xab; 32]);
        assert_eq!(d.hex(), "ab".repeat(32));
        assert_eq!(d.as_str().parse::<Digest>().unwrap(), d);
        let d = Digest::sha512_from_bytes(&[0x0f; 64]);
        assert_eq!(d.as_str(), format!("sha512:{}", "0f".repeat(64)));
        assert_eq!(d.as_str().parse::<Digest>().unwrap(), d);
    }
}
