//! Recognising a secret without revealing it.
//!
//! A fingerprint is `PREFIX/LENGTH/HASH`: up to 4 leading characters (fewer for short values:
//! a quarter of the value at most, so an 8-character password shows 2), the value's length in
//! bytes, and the first 12 hex digits of its SHA-256. Enough to tell which key to rotate and to
//! allow-list one accepted value; the value itself is never stored, printed or written.

use sha2::{Digest, Sha256};

/// The fingerprint of `value` (see the module docs).
pub fn fingerprint(value: &[u8]) -> String {
    let shown = if value.len() >= 16 {
        4
    } else {
        value.len() / 4
    };
    let prefix: String = value[..shown]
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                char::from(b)
            } else {
                '_'
            }
        })
        .collect();
    let hash = Sha256::digest(value);
    format!("{prefix}/{}/{}", value.len(), &hex::encode(hash)[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_a_prefix_length_and_hash_only() {
        let fp = fingerprint(b"AKIAZ7Q3EXAMPLEKEY42");
        assert!(fp.starts_with("AKIA/20/"), "{fp}");
        assert_eq!(fp.len(), "AKIA/20/".len() + 12);
        assert!(!fp.contains("EXAMPLEKEY"));
    }

    #[test]
    fn short_values_show_at_most_a_quarter() {
        assert!(fingerprint(b"hunter22").starts_with("hu/8/"));
        assert!(fingerprint(b"abc").starts_with("/3/"));
        assert_ne!(fingerprint(b"hunter22"), fingerprint(b"hunter23"));
    }
}
