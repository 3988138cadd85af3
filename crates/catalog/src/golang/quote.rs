//! Go string literals, undone: `strconv.QuotedPrefix` + `strconv.Unquote` for the keys and
//! values of `build` lines, which `runtime/debug` quotes when they hold a space, a tab, a
//! quote or a backquote (e.g. `-ldflags="-X main.version=1.2.3 -s -w"`).

/// The quoted literal at the start of `s` (`"…"` or `` `…` ``), unquoted, and its length in
/// `s`. `None` if `s` does not start with a valid literal.
pub(super) fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    match s.as_bytes().first()? {
        b'`' => {
            let end = 1 + s[1..].find('`')?;
            // Go drops carriage returns from raw strings.
            Some((s[1..end].replace('\r', ""), end + 1))
        }
        b'"' => interpreted(s),
        _ => None,
    }
}

/// The whole of `s` as one literal.
pub(super) fn unquote(s: &str) -> Option<String> {
    unquote_prefix(s).and_then(|(value, used)| (used == s.len()).then_some(value))
}

fn interpreted(s: &str) -> Option<(String, usize)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 1)),
            b'\n' => return None,
            b'\\' => {
                let (used, decoded) = escape(&bytes[i + 1..])?;
                match decoded {
                    Decoded::Byte(b) => out.push(b),
                    Decoded::Char(c) => {
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                }
                i += 1 + used;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
}

enum Decoded {
    /// `\xHH` and octal escapes give one byte, possibly not UTF-8 on its own.
    Byte(u8),
    Char(char),
}

/// The escape after a backslash: bytes consumed and what they mean (Go's `UnquoteChar` for a
/// double-quoted string).
fn escape(rest: &[u8]) -> Option<(usize, Decoded)> {
    let simple = |c: char| Some((1, Decoded::Char(c)));
    match *rest.first()? {
        b'a' => simple('\x07'),
        b'b' => simple('\x08'),
        b'f' => simple('\x0c'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b't' => simple('\t'),
        b'v' => simple('\x0b'),
        b'\\' => simple('\\'),
        b'"' => simple('"'),
        b'x' => {
            let value = hex(rest.get(1..3)?)?;
            Some((3, Decoded::Byte(u8::try_from(value).ok()?)))
        }
        b'u' => Some((5, Decoded::Char(char::from_u32(hex(rest.get(1..5)?)?)?))),
        b'U' => Some((9, Decoded::Char(char::from_u32(hex(rest.get(1..9)?)?)?))),
        b'0'..=b'7' => {
            let digits = rest.get(..3)?;
            let mut value = 0u32;
            for &d in digits {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                value = value * 8 + u32::from(d - b'0');
            }
            Some((3, Decoded::Byte(u8::try_from(value).ok()?)))
        }
        _ => None,
    }
}

fn hex(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_literals() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#""-X main.version=1.2.3 -s -w""#,
                Some("-X main.version=1.2.3 -s -w"),
            ),
            (r#""a\tb\"c\\d""#, Some("a\tb\"c\\d")),
            (r#""\u00e9\U0001F600\x41\101""#, Some("é😀AA")),
            ("`raw \\n\r`", Some("raw \\n")),
            (r#""é""#, Some("é")),
            (r#""""#, Some("")),
            // Invalid: unterminated, bad escapes, surrogate, octal over 255, raw newline.
            (r#""abc"#, None),
            (r#""\q""#, None),
            (r#""\'""#, None),
            (r#""\uD800""#, None),
            (r#""\400""#, None),
            (r#""\x4""#, None),
            ("\"a\nb\"", None),
            ("plain", None),
            ("", None),
            // Trailing bytes after the literal: not one literal.
            (r#""a"b"#, None),
        ];
        for (input, want) in cases {
            assert_eq!(unquote(input).as_deref(), *want, "{input:?}");
        }
    }

    #[test]
    fn prefix_reports_its_length() {
        assert_eq!(unquote_prefix(r#""a b"=c"#), Some(("a b".into(), 5)));
        assert_eq!(unquote_prefix("`k`=v"), Some(("k".into(), 3)));
        // A lone \xff is kept as U+FFFD rather than dropped.
        assert_eq!(unquote(r#""\xff""#).as_deref(), Some("\u{fffd}"));
    }
}
