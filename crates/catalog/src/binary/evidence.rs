//! What a hit shows: the matched bytes as short, printable text.
//!
//! Binary matches are mostly NUL-delimited strings (`\x00OpenSSL 3.0.22 …`). Printable ASCII
//! is kept, everything else is written `\xNN` (and `\` as `\\`), so the evidence survives JSON
//! and terminals and can be searched for with `grep -P` in the file. At most
//! [`MAX_EVIDENCE`] characters are kept, always including the version and as much context
//! on each side as fits.

use std::ops::Range;

/// Characters of evidence kept per hit.
pub(super) const MAX_EVIDENCE: usize = 200;

/// `bytes` escaped, cut to [`MAX_EVIDENCE`] characters around `version` (a range of `bytes`).
pub(super) fn render(bytes: &[u8], version: Option<Range<usize>>) -> String {
    let whole = escape(bytes);
    if whole.len() <= MAX_EVIDENCE {
        return whole;
    }
    let version = version
        .filter(|v| v.start <= v.end && v.end <= bytes.len())
        .unwrap_or(0..0);
    let before = escape(&bytes[..version.start]);
    let middle = escape(&bytes[version.clone()]);
    let after = escape(&bytes[version.end..]);
    let budget = MAX_EVIDENCE.saturating_sub(middle.len());
    // Half the remaining budget each side; a side that needs less gives the rest away.
    let mut left = (budget / 2).min(before.len());
    let right = (budget - left).min(after.len());
    left = (budget - right).min(before.len());
    let mut out = String::with_capacity(MAX_EVIDENCE);
    out.push_str(tail(&before, left));
    out.push_str(&middle);
    out.push_str(head(&after, right));
    out
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// The last `n` characters of escaped `s`, not splitting an escape.
fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len() - n.min(s.len());
    while start < s.len() && in_escape(s, start) {
        start += 1;
    }
    &s[start..]
}

/// The first `n` characters of escaped `s`, not splitting an escape.
fn head(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while end > 0 && end < s.len() && in_escape(s, end) {
        end -= 1;
    }
    &s[..end]
}

/// Whether byte `at` of escaped `s` is inside an escape (after its first character).
fn in_escape(s: &str, at: usize) -> bool {
    // Escapes are `\\` or `\xNN`; walk from the start of the string, which is short.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < at {
        let len = match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'x')) => 4,
            (b'\\', _) => 2,
            _ => 1,
        };
        if i + len > at {
            return true;
        }
        i += len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_non_printable_bytes() {
        assert_eq!(
            render(b"\x00OpenSSL 3.0.22\\\xff", None),
            "\\x00OpenSSL 3.0.22\\\\\\xff"
        );
    }

    #[test]
    fn long_evidence_keeps_the_version_and_whole_escapes() {
        let mut bytes = vec![0u8; 300];
        bytes.extend_from_slice(b"v1.2.3");
        bytes.extend(std::iter::repeat_n(b'\x01', 300));
        let version = 301..306;
        let shown = render(&bytes, Some(version));
        assert!(shown.len() <= MAX_EVIDENCE, "{}", shown.len());
        assert!(shown.contains("v1.2.3"), "{shown}");
        assert!(
            shown.starts_with("\\x00") && shown.ends_with("\\x01"),
            "{shown}"
        );
        // Every escape is whole: removing them leaves only the version.
        let rest = shown.replace("\\x00", "").replace("\\x01", "");
        assert_eq!(rest, "v1.2.3");
    }

    #[test]
    fn a_version_near_the_end_takes_the_budget_from_before() {
        let mut bytes = b"x".repeat(500);
        bytes.extend_from_slice(b"9.9.9");
        let shown = render(&bytes, Some(500..505));
        assert_eq!(shown.len(), MAX_EVIDENCE);
        assert!(shown.ends_with("x9.9.9"), "{shown}");
    }
}
