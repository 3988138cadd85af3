//! CPE 2.3 formatted strings as SPDX validators accept them.
//!
//! SPDX checks `cpe23Type` locators against the CPE 2.3 formatted-string grammar (NISTIR 7695
//! §6.2): one malformed CPE makes the whole document invalid. sbomgen's own CPEs are quoted
//! correctly, but converted documents may carry others (`…:7.88.1-10+deb12u4:…`, with the `+`
//! unquoted). Those are repaired by quoting where that is unambiguous, else left out.

/// `cpe` as a valid CPE 2.3 formatted string, quoting unquoted punctuation if needed; `None`
/// when it cannot be made valid.
pub(crate) fn formatted(cpe: &str) -> Option<String> {
    if is_valid(cpe) {
        return Some(cpe.to_string());
    }
    let parts = split_unquoted(cpe);
    if parts.len() != 13 {
        return None;
    }
    let quoted: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(n, part)| if n < 3 { part.to_string() } else { quote(part) })
        .collect();
    let repaired = quoted.join(":");
    is_valid(&repaired).then_some(repaired)
}

/// Whether `cpe` matches the grammar SPDX's validators use.
fn is_valid(cpe: &str) -> bool {
    let parts = split_unquoted(cpe);
    if parts.len() != 13 || parts[0] != "cpe" || parts[1] != "2.3" {
        return false;
    }
    if !matches!(parts[2], "a" | "h" | "o" | "*" | "-") {
        return false;
    }
    parts[3..8].iter().all(|p| is_component(p))
        && is_language(parts[8])
        && parts[9..].iter().all(|p| is_component(p))
}

/// Splits at `:` not preceded by a quoting backslash.
fn split_unquoted(cpe: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in cpe.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ':' => {
                parts.push(&cpe[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&cpe[start..]);
    parts
}

/// `*`, `-`, or a value: optional leading `?`s or one `*`, then unreserved characters or
/// quoted punctuation, then optional trailing `?`s or one `*`.
fn is_component(part: &str) -> bool {
    if part == "*" || part == "-" {
        return true;
    }
    let body = part.trim_start_matches('?');
    let body = if body.len() == part.len() {
        body.strip_prefix('*').unwrap_or(body)
    } else {
        body
    };
    let trimmed = body.trim_end_matches('?');
    let body = if trimmed.len() == body.len() {
        body.strip_suffix('*').unwrap_or(body)
    } else {
        trimmed
    };
    if body.is_empty() {
        return false;
    }
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' => {}
            '\\' => match chars.next() {
                Some(q) if q.is_ascii_punctuation() && !matches!(q, '-' | '.' | '_') => {}
                _ => return false,
            },
            _ => return false,
        }
    }
    true
}

/// `*`, `-`, or an RFC 5646 language tag restricted as the grammar does (`en`, `en-us`).
fn is_language(part: &str) -> bool {
    if part == "*" || part == "-" {
        return true;
    }
    let (language, region) = match part.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (part, None),
    };
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && region.is_none_or(|r| {
            (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
                || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Quotes the punctuation a value may not hold bare; keeps `*`/`-` alone and existing quotes.
fn quote(part: &str) -> String {
    if part == "*" || part == "-" {
        return part.to_string();
    }
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            c if c.is_ascii_punctuation() && !matches!(c, '-' | '.' | '_') => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_whitespace() => out.push('_'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cpes_pass_unchanged() {
        for cpe in [
            "cpe:2.3:a:curl:curl:7.88.1-10\\+deb12u4:*:*:*:*:*:*:*",
            "cpe:2.3:*:some:package:1:*:*:*:*:*:*:*",
            "cpe:2.3:o:debian:debian_linux:12:*:*:en-us:*:*:x86_64:*",
            "cpe:2.3:a:libssl3:libssl3:3.0.11-1\\~deb12u1:*:*:*:*:*:*:*",
            "cpe:2.3:a:vendor:prod*:1.?:-:*:*:*:*:*:*",
        ] {
            assert_eq!(formatted(cpe).as_deref(), Some(cpe), "{cpe}");
        }
    }

    #[test]
    fn unquoted_punctuation_is_quoted_and_garbage_dropped() {
        assert_eq!(
            formatted("cpe:2.3:a:curl:curl:7.88.1-10+deb12u4:*:*:*:*:*:*:*").as_deref(),
            Some("cpe:2.3:a:curl:curl:7.88.1-10\\+deb12u4:*:*:*:*:*:*:*")
        );
        assert_eq!(
            formatted("cpe:/a:curl:curl:7.88"),
            None,
            "CPE 2.2 URI binding"
        );
        assert_eq!(formatted("cpe:2.3:a:curl:curl:1:2:3"), None);
        assert_eq!(formatted("cpe:2.3:x:curl:curl:1:*:*:*:*:*:*:*"), None);
        assert_eq!(formatted(""), None);
    }
}
