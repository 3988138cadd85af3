//! The header block of a core-metadata file (`METADATA`, `PKG-INFO`), read leniently.
//!
//! The format is RFC 822-like (<https://packaging.python.org/en/latest/specifications/core-metadata/>):
//! `Key: value` lines, continuation lines starting with a space or tab, and an empty line
//! before the description body. Real files carry CRLF endings, stray bytes that are not UTF-8,
//! and sometimes junk; this reader never fails, takes linear time, and keeps only the fields
//! the cataloguer uses, so a huge `Description:` costs nothing but a scan.

/// The longest value kept for one field. Real values are far shorter (a GPL text pasted into
/// `License:` is ~35 KiB); longer ones are dropped rather than stored.
pub(super) const MAX_VALUE_BYTES: usize = 64 * 1024;

/// The fields of a core-metadata header block that the cataloguer uses. Single-valued fields
/// keep their first occurrence (as Python's `email` parser and Go's `textproto` do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Headers {
    pub name: Option<String>,
    pub version: Option<String>,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub home_page: Option<String>,
    pub license: Option<String>,
    pub license_expression: Option<String>,
    pub requires_python: Option<String>,
    pub platforms: Vec<String>,
    pub classifiers: Vec<String>,
    pub requires_dist: Vec<String>,
    pub project_urls: Vec<String>,
    /// Lines that were neither `Key: value` nor a continuation.
    pub skipped_lines: usize,
    /// Names of fields dropped for exceeding [`MAX_VALUE_BYTES`].
    pub overlong: Vec<&'static str>,
}

/// A field the cataloguer keeps, or one it reads past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Version,
    Summary,
    Author,
    AuthorEmail,
    HomePage,
    License,
    LicenseExpression,
    RequiresPython,
    Platform,
    Classifier,
    RequiresDist,
    ProjectUrl,
    Ignored,
}

const FIELDS: &[(&str, Field)] = &[
    ("Name", Field::Name),
    ("Version", Field::Version),
    ("Summary", Field::Summary),
    ("Author", Field::Author),
    ("Author-email", Field::AuthorEmail),
    ("Home-page", Field::HomePage),
    ("License", Field::License),
    ("License-Expression", Field::LicenseExpression),
    ("Requires-Python", Field::RequiresPython),
    ("Platform", Field::Platform),
    ("Classifier", Field::Classifier),
    ("Requires-Dist", Field::RequiresDist),
    ("Project-URL", Field::ProjectUrl),
];

impl Field {
    /// Header names are case-insensitive (`email.message` compares them so).
    fn from_key(key: &[u8]) -> Field {
        FIELDS
            .iter()
            .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(key))
            .map_or(Field::Ignored, |(_, field)| *field)
    }

    fn label(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(_, field)| *field == self)
            .map_or("?", |(name, _)| name)
    }
}

/// The field being read: its value grows with each continuation line until the next key.
struct Open {
    field: Field,
    value: String,
    overlong: bool,
}

/// Reads the header block of `bytes`: up to the first empty line after a header, or the end.
pub(super) fn parse(bytes: &[u8]) -> Headers {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut headers = Headers::default();
    let mut open: Option<Open> = None;
    let mut started = false;
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            // Leading empty lines are tolerated (Syft does too); after a header, an empty line
            // starts the description body. A whitespace-only line is a continuation, as in
            // Python's `email` parser: PKG-INFO 1.x indents blank description lines.
            if started {
                break;
            }
            continue;
        }
        if matches!(line[0], b' ' | b'\t') {
            match open.as_mut() {
                Some(open) => append(open, line),
                None => headers.skipped_lines += 1,
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            headers.skipped_lines += 1;
            continue;
        };
        let key = line[..colon].trim_ascii();
        if key.is_empty() {
            headers.skipped_lines += 1;
            continue;
        }
        if let Some(done) = open.take() {
            headers.store(&done);
        }
        started = true;
        let field = Field::from_key(key);
        let mut next = Open {
            field,
            value: String::new(),
            overlong: false,
        };
        set_first(&mut next, line[colon + 1..].trim_ascii());
        open = Some(next);
    }
    if let Some(done) = open.take() {
        headers.store(&done);
    }
    headers
}

/// Starts a value; the length is checked before decoding, so a 10 MB line is never copied.
fn set_first(open: &mut Open, value: &[u8]) {
    if open.field == Field::Ignored {
        return;
    }
    if value.len() > MAX_VALUE_BYTES {
        open.overlong = true;
        return;
    }
    open.value.push_str(&String::from_utf8_lossy(value));
}

fn append(open: &mut Open, line: &[u8]) {
    if open.field == Field::Ignored || open.overlong {
        return;
    }
    let line = line.trim_ascii();
    if open.value.len() + 1 + line.len() > MAX_VALUE_BYTES {
        open.overlong = true;
        open.value = String::new();
        return;
    }
    open.value.push('\n');
    open.value.push_str(&String::from_utf8_lossy(line));
}

impl Headers {
    fn store(&mut self, open: &Open) {
        if open.field == Field::Ignored {
            return;
        }
        if open.overlong {
            self.overlong.push(open.field.label());
            return;
        }
        let value = open.value.trim().to_string();
        let single = match open.field {
            Field::Name => &mut self.name,
            Field::Version => &mut self.version,
            Field::Summary => &mut self.summary,
            Field::Author => &mut self.author,
            Field::AuthorEmail => &mut self.author_email,
            Field::HomePage => &mut self.home_page,
            Field::License => &mut self.license,
            Field::LicenseExpression => &mut self.license_expression,
            Field::RequiresPython => &mut self.requires_python,
            Field::Platform => return self.platforms.push(value),
            Field::Classifier => return self.classifiers.push(value),
            Field::RequiresDist => return self.requires_dist.push(value),
            Field::ProjectUrl => return self.project_urls.push(value),
            Field::Ignored => return,
        };
        if single.is_none() {
            *single = Some(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_stops_at_the_body() {
        let h = parse(
            b"Metadata-Version: 2.1\r\nname: Flask\r\nVersion: 2.0.0\r\nLicense: BSD\r\n\
              Classifier: A\r\nClassifier: B\r\n\r\nName: body-is-not-headers\r\n",
        );
        assert_eq!(h.name.as_deref(), Some("Flask"));
        assert_eq!(h.version.as_deref(), Some("2.0.0"));
        assert_eq!(h.license.as_deref(), Some("BSD"));
        assert_eq!(h.classifiers, ["A", "B"]);
        assert_eq!(h.skipped_lines, 0);
    }

    #[test]
    fn continuation_lines_join_and_whitespace_lines_do_not_end_headers() {
        let h = parse(
            b"Name: x\nDescription: first\n        \n        more\nLicense: line one\n  line two\nVersion: 1\n",
        );
        assert_eq!(h.license.as_deref(), Some("line one\nline two"));
        assert_eq!(h.version.as_deref(), Some("1"));
    }

    #[test]
    fn first_occurrence_wins_and_leading_blank_lines_and_bom_are_skipped() {
        let h = parse(b"\xEF\xBB\xBF\n\nName: a\nName: b\nVersion: 1\n");
        assert_eq!(h.name.as_deref(), Some("a"));
    }

    #[test]
    fn junk_lines_are_counted_not_fatal() {
        let h = parse(
            b"\x00\xff garbage\n continuation-without-field\n: no key\nName: \xffx\nVersion: 1\n",
        );
        assert_eq!(h.skipped_lines, 3);
        assert_eq!(h.name.as_deref(), Some("\u{fffd}x"));
    }

    #[test]
    fn overlong_values_are_dropped_and_named() {
        let mut text = b"Name: ".to_vec();
        text.extend(std::iter::repeat_n(b'a', MAX_VALUE_BYTES + 1));
        text.extend(b"\nVersion: 1\nLicense: x\n");
        text.extend(std::iter::repeat_n(b" y\n", MAX_VALUE_BYTES / 2).flatten());
        let h = parse(&text);
        assert_eq!((h.name, h.license), (None, None));
        assert_eq!(h.overlong, ["Name", "License"]);
        assert_eq!(h.version.as_deref(), Some("1"));
    }

    #[test]
    fn empty_and_binary_inputs_give_nothing() {
        for input in [
            &b""[..],
            b"\n\n\n",
            b"\x00\x01\x02\x03",
            b"\r\r\r",
            b":::\n:",
        ] {
            let h = parse(input);
            assert_eq!((h.name, h.version), (None, None), "{input:?}");
        }
    }
}
