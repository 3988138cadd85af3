//! The deb822 ("RFC822-style") stanza format of dpkg's status files and DEP-5 copyright files.
//!
//! A file is a sequence of stanzas separated by blank lines; a stanza is a sequence of
//! `Name: value` fields; a line starting with a space or a tab continues the previous field.
//! See deb822(5). The parser is lenient: a line it cannot read is reported and skipped, so one
//! damaged line costs one field, not the file.

/// One stanza: its fields in recorded order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stanza {
    /// The 1-based line number of the stanza's first line, for diagnostics.
    pub line: usize,
    fields: Vec<(String, String)>,
}

impl Stanza {
    /// The value of field `name`, compared ASCII-case-insensitively (field names are
    /// case-insensitive in deb822). The first occurrence wins: dpkg rejects duplicates, so a
    /// second one is damage, not an update. Continuation lines are joined with `\n`, each
    /// without its leading space.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in recorded order.
    pub(super) fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// The stanzas of a file and the lines that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub stanzas: Vec<Stanza>,
    /// `line N: what was wrong`, in file order.
    pub problems: Vec<String>,
}

/// Splits `text` into stanzas. Never fails; see [`Parsed::problems`].
pub(crate) fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut current: Option<Stanza> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        // CRLF files come from hand-edited or Windows-built images; the `\r` is not content.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // deb822(5): a line of only spaces and tabs also ends a stanza.
        if line.trim_matches([' ', '\t']).is_empty() {
            parsed.stanzas.extend(current.take());
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.as_mut().and_then(|s| s.fields.last_mut()) {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(line[1..].trim_end());
                }
                None => parsed
                    .problems
                    .push(format!("line {number}: continuation line without a field")),
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if is_field_name(name) => {
                let stanza = current.get_or_insert_with(|| Stanza {
                    line: number,
                    fields: Vec::new(),
                });
                stanza
                    .fields
                    .push((name.to_string(), value.trim().to_string()));
            }
            _ => parsed
                .problems
                .push(format!("line {number}: not a `Name: value` field")),
        }
    }
    parsed.stanzas.extend(current);
    parsed
}

/// deb822(5): a field name is printable US-ASCII without spaces or colons, not starting with
/// `#` or `-`.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['#', '-'])
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(parsed: &Parsed) -> Vec<Option<&str>> {
        parsed.stanzas.iter().map(|s| s.get("package")).collect()
    }

    #[test]
    fn stanzas_are_separated_by_blank_or_whitespace_only_lines() {
        let parsed = parse("Package: a\n\n\nPackage: b\n \t\nPackage: c");
        assert_eq!(names(&parsed), [Some("a"), Some("b"), Some("c")]);
        assert_eq!(parsed.stanzas[1].line, 4);
        assert!(parsed.problems.is_empty());
    }

    #[test]
    fn continuation_lines_join_the_previous_field() {
        let parsed = parse("Description: short\n long text  \n .\n\tmore\nDepends: a,\n b\n");
        let stanza = &parsed.stanzas[0];
        assert_eq!(stanza.get("Description"), Some("short\nlong text\n.\nmore"));
        assert_eq!(stanza.get("depends"), Some("a,\nb"));
    }

    #[test]
    fn empty_values_and_case_insensitive_names() {
        let parsed = parse("PACKAGE:\nConffiles:\n /etc/x 123\n");
        assert_eq!(parsed.stanzas[0].get("Package"), Some(""));
        assert_eq!(parsed.stanzas[0].get("conffiles"), Some("\n/etc/x 123"));
    }

    #[test]
    fn first_duplicate_field_wins() {
        let parsed = parse("Package: a\nPackage: b\n");
        assert_eq!(parsed.stanzas[0].get("Package"), Some("a"));
    }

    #[test]
    fn crlf_line_endings_are_accepted() {
        let parsed = parse("Package: a\r\nVersion: 1\r\n\r\nPackage: b\r\n");
        assert_eq!(names(&parsed), [Some("a"), Some("b")]);
        assert_eq!(parsed.stanzas[0].get("Version"), Some("1"));
    }

    #[test]
    fn unreadable_lines_are_reported_and_skipped() {
        let parsed = parse(" orphan\nPackage: a\nno colon here\nbad name: x\nVersion: 1\n");
        assert_eq!(parsed.stanzas.len(), 1);
        assert_eq!(parsed.stanzas[0].get("Version"), Some("1"));
        assert_eq!(
            parsed.problems,
            [
                "line 1: continuation line without a field",
                "line 3: not a `Name: value` field",
                "line 4: not a `Name: value` field",
            ]
        );
    }

    #[test]
    fn empty_input_has_no_stanzas() {
        assert_eq!(parse(""), Parsed::default());
        assert_eq!(parse("\n\n"), Parsed::default());
    }
}
