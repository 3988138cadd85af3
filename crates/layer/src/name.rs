//! Tar names are bytes, paths in sbomgen are `String`s: this turns one into the other without
//! losing information, so two different names never become one path.
//!
//! A lossy conversion maps every invalid byte to U+FFFD: a file `x\xfe` and a whiteout
//! `.wh.x\xff` would name the same path, and the file would be reported deleted although a real
//! unpack keeps it. Here an invalid byte `b` becomes two characters from Unicode's plane-16
//! private use area, an escape `U+10FFFF` followed by `U+10FE00 + b`; a name that really
//! contains one of those reserved characters (`U+10FE00..=U+10FEFF`, `U+10FFFF`) gets two
//! escapes before it. The mapping is injective (after an escape comes either a byte character
//! or a second escape), keeps ASCII (so `/`, `.wh.` and `..` mean what they mean in bytes), and
//! leaves every valid UTF-8 name without those characters (every real one) unchanged.

use std::borrow::Cow;

const ESCAPE: char = '\u{10FFFF}';
const BYTE_BASE: u32 = 0x10FE00;

/// The path text for the name `bytes`.
pub fn name_from_bytes(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(is_reserved) => Cow::Borrowed(text),
        _ => Cow::Owned(escape(bytes)),
    }
}

fn is_reserved(c: char) -> bool {
    c == ESCAPE || (BYTE_BASE..BYTE_BASE + 0x100).contains(&u32::from(c))
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_reserved(c) {
                out.push(ESCAPE);
                out.push(ESCAPE);
            }
            out.push(c);
        }
        for &byte in chunk.invalid() {
            out.push(ESCAPE);
            out.push(char::from_u32(BYTE_BASE + u32::from(byte)).unwrap_or(ESCAPE));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_unchanged_and_invalid_bytes_stay_distinct() {
        assert_eq!(name_from_bytes(b"usr/bin/ls"), "usr/bin/ls");
        assert_eq!(name_from_bytes("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(
            name_from_bytes(b"dev-disk-by\\x2duuid.device"),
            "dev-disk-by\\x2duuid.device"
        );
        let fe = name_from_bytes(b"x\xfe");
        let ff = name_from_bytes(b"x\xff");
        assert_ne!(fe, ff);
        assert!(fe.starts_with('x'));
        let whiteout = name_from_bytes(b"dir/.wh.x\xff");
        assert!(whiteout.starts_with("dir/.wh.x"));
        assert_eq!(whiteout.strip_prefix("dir/.wh."), Some(&*ff));
    }

    #[test]
    fn the_mapping_is_injective_even_on_reserved_characters() {
        let literal = format!("x{}", char::from_u32(BYTE_BASE + 0xfe).unwrap());
        assert_ne!(
            name_from_bytes(literal.as_bytes()),
            name_from_bytes(b"x\xfe")
        );
        let escape_itself = format!("x{ESCAPE}");
        assert_ne!(
            name_from_bytes(escape_itself.as_bytes()),
            name_from_bytes(b"x\xff")
        );
        // A truncated multi-byte sequence is bytes, not a character.
        let cut = name_from_bytes(b"a\xc3");
        assert_eq!(cut.chars().count(), 3);
    }
}
