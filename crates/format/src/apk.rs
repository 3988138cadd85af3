//! apk's package checksum: the `C:` field (`Q1` + base64 of a SHA-1) that every format carries
//! as the package's SHA-1 hash, and back.

use base64::Engine as _;

/// The SHA-1, in hex, that a `Q1…` field spells; anything else gives nothing rather than a
/// guess.
pub(crate) fn sha1_hex(pull_checksum: &str) -> Option<String> {
    let encoded = pull_checksum.strip_prefix("Q1")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    (bytes.len() == 20).then(|| hex::encode(bytes))
}

/// The `Q1…` field a SHA-1 in hex stands for: the inverse of [`sha1_hex`].
pub(crate) fn pull_checksum(sha1_hex: &str) -> Option<String> {
    let bytes = hex::decode(sha1_hex).ok()?;
    (bytes.len() == 20).then(|| {
        format!(
            "Q1{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_round_trip_and_reject_other_lengths() {
        let field = "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo=";
        let hex = sha1_hex(field).unwrap();
        assert_eq!(hex, "617c3e1e90df6bfb4f9a31b90fd97c6921e3542a");
        assert_eq!(pull_checksum(&hex).as_deref(), Some(field));
        assert_eq!(sha1_hex("Q2abc="), None);
        assert_eq!(sha1_hex("Q1AAAA"), None, "not 20 bytes");
        assert_eq!(pull_checksum("abc"), None);
        assert_eq!(pull_checksum("00ff"), None, "not 20 bytes");
    }
}
