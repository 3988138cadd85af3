//! Several named files in one fuzz input.
//!
//! A bundle is a sequence of sections separated by [`SEPARATOR`]; a section is a root-relative
//! path, a newline, then the file's bytes. An input without a separator is one section. The
//! separator is unlikely in real files and easy for the fuzzer to keep, since every seed with
//! more than one file carries it.

/// Separates the files of a bundle.
pub const SEPARATOR: &[u8] = b"\0=FILE=\0";

/// The `(path, bytes)` sections of `data`, in input order. Sections whose path is empty or not
/// UTF-8 are dropped: the layer reader never hands such a path to a parser.
pub fn split(data: &[u8]) -> Vec<(&str, &[u8])> {
    let mut files = Vec::new();
    let mut rest = data;
    loop {
        let (section, next) = match find(rest, SEPARATOR) {
            Some(at) => (&rest[..at], Some(&rest[at + SEPARATOR.len()..])),
            None => (rest, None),
        };
        let (path, bytes) = match section.iter().position(|&b| b == b'\n') {
            Some(newline) => (&section[..newline], &section[newline + 1..]),
            None => (section, &section[section.len()..]),
        };
        if let Ok(path) = std::str::from_utf8(path) {
            if !path.is_empty() {
                files.push((path, bytes));
            }
        }
        match next {
            Some(next) => rest = next,
            None => return files,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sections_and_drops_nameless_ones() {
        let data = b"a/b\nhello\0=FILE=\0c\n\0=FILE=\0\nnameless\0=FILE=\0d\nx\ny";
        let files = split(data);
        assert_eq!(files, [("a/b", &b"hello"[..]), ("c", b""), ("d", b"x\ny")]);
        assert_eq!(split(b"only-a-path"), [("only-a-path", &b""[..])]);
    }
}
