//! PEM armour, read and written as Go's `encoding/pem` does for cosign's key files: text
//! around the block is ignored, line endings may be CRLF, lines are 64 characters when written.

use zeroize::Zeroizing;

use crate::keys::KeyError;

/// One decoded PEM block. The body is zeroized on drop because it may be a private key.
pub(crate) struct Block {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// Finds `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The label of the first PEM block, without decoding its body: enough to tell key kinds apart.
pub(crate) fn first_label(input: &[u8]) -> Option<String> {
    let start = find(input, BEGIN, 0)? + BEGIN.len();
    let end = find(input, DASHES, start)?;
    let label = input.get(start..end)?;
    // A label is one line of printable text; anything else means this was not a BEGIN line.
    if label.iter().any(|b| !(b' '..=b'~').contains(b)) {
        return None;
    }
    String::from_utf8(label.to_vec()).ok()
}

/// Decodes the first PEM block of `input`.
pub(crate) fn decode(input: &[u8]) -> Result<Block, KeyError> {
    let label = first_label(input).ok_or(KeyError::NotPem)?;
    // The BEGIN line is found again to know where the body starts (after its line end).
    let begin_at = find(input, BEGIN, 0).ok_or(KeyError::NotPem)?;
    let after_label = begin_at + BEGIN.len() + label.len() + DASHES.len();
    let end_marker = format!("-----END {label}-----");
    let end_at = find(input, end_marker.as_bytes(), after_label)
        .ok_or_else(|| KeyError::MalformedPem(format!("no \"{end_marker}\" line")))?;
    let body = input.get(after_label..end_at).unwrap_or_default();
    if body.contains(&b':') {
        // Go's encoding/pem headers ("Proc-Type: 4,ENCRYPTED") mark OpenSSL's legacy encryption,
        // which neither cosign nor sbomgen reads.
        return Err(KeyError::UnsupportedKeyType(format!(
            "{label} with PEM headers (OpenSSL legacy encryption)"
        )));
    }
    let compact: Zeroizing<Vec<u8>> = Zeroizing::new(
        body.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    let text = std::str::from_utf8(&compact)
        .map_err(|_| KeyError::MalformedPem(format!("{label} body is not base64 text")))?;
    let der = crate::b64::decode_standard(text)
        .map_err(|e| KeyError::MalformedPem(format!("{label} body is not valid base64: {e}")))?;
    Ok(Block {
        label,
        der: Zeroizing::new(der),
    })
}

/// Encodes `der` as a PEM block with 64-character lines and a final newline, as Go writes it.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = Zeroizing::new(crate::b64::encode(der));
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // Base64 text is ASCII, so byte chunks are character chunks.
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_surrounding_text_and_crlf() {
        let der: Vec<u8> = (0u8..100).collect();
        let pem = encode("TEST THING", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let noisy = format!("comment line\r\n{}", pem.replace('\n', "\r\n"));
        let block = decode(noisy.as_bytes()).unwrap();
        assert_eq!(block.label, "TEST THING");
        assert_eq!(*block.der, der);
    }

    #[test]
    fn errors() {
        assert_eq!(decode(b"hello").err(), Some(KeyError::NotPem));
        assert!(matches!(
            decode(b"-----BEGIN X-----\nAAAA\n"),
            Err(KeyError::MalformedPem(m)) if m.contains("-----END X-----")
        ));
        assert!(matches!(
            decode(b"-----BEGIN X-----\n!!!!\n-----END X-----\n"),
            Err(KeyError::MalformedPem(_))
        ));
        assert_eq!(
            first_label(b"x -----BEGIN PUBLIC KEY-----\n"),
            Some("PUBLIC KEY".into())
        );
    }
}
