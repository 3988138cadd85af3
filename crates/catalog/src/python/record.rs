//! The files an installer wrote for a package: a wheel's `RECORD`, an egg's
//! `installed-files.txt`, as root-relative paths.
//!
//! `RECORD` (<https://packaging.python.org/en/latest/specifications/recording-installed-packages/>)
//! is CSV as Python's `csv` module writes it (`path,sha256=…,size`; a path with a comma is
//! quoted). Its paths are relative to the site-packages directory, and scripts climb out of it
//! (`../../../bin/flask`). Syft keeps them verbatim, so they never match an image path; we
//! resolve them against the directory, which lets file ownership work. A path that climbs
//! above the image root is dropped: it names nothing in the image.

use sbomgen_model::{FileFindings, Support};

use crate::path::parent;

/// Parses a `RECORD` at `path`; its paths are relative to the dist-info's parent.
pub(super) fn record(path: &str, bytes: &[u8]) -> FileFindings {
    let base = parent(parent(path));
    let text = String::from_utf8_lossy(bytes);
    let mut files = Vec::new();
    let mut malformed = 0usize;
    for row in csv_rows(&text) {
        match row.as_slice() {
            [file, _hash, _size] => files.extend(resolve(base, file)),
            // `csv` gives blank lines as empty rows.
            [] => {}
            [only] if only.trim().is_empty() => {}
            _ => malformed += 1,
        }
    }
    let mut findings = owned(files);
    if malformed > 0 {
        findings.warnings.push(format!(
            "{path}: {malformed} rows without exactly 3 columns (path,hash,size) skipped"
        ));
    }
    findings
}

/// Parses an egg's `installed-files.txt`: one path a line, relative to the egg-info directory.
pub(super) fn installed_files(path: &str, bytes: &[u8]) -> FileFindings {
    let base = parent(path);
    let text = String::from_utf8_lossy(bytes);
    owned(
        text.lines()
            .filter_map(|line| resolve(base, line.trim()))
            .collect(),
    )
}

fn owned(mut files: Vec<String>) -> FileFindings {
    files.sort_unstable();
    files.dedup();
    FileFindings {
        support: Some(Support::OwnedFiles(files)),
        ..FileFindings::default()
    }
}

/// `relative` resolved against the root-relative directory `base`, normalised; `None` when
/// it is empty, names the root itself, or climbs above it. An absolute path (pip writes one
/// for a file outside site-packages it cannot reach relatively) is already root-based.
pub(super) fn resolve(base: &str, relative: &str) -> Option<String> {
    if relative.is_empty() {
        return None;
    }
    let (start, relative) = match relative.strip_prefix('/') {
        Some(absolute) => ("", absolute),
        None => (base, relative),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in start.split('/').chain(relative.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Rows of CSV in the dialect of Python's `csv` module (`excel`, non-strict): `,` separates,
/// `"` quotes, `""` inside quotes is a quote, quoted fields may span lines. One pass.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        /// At the start of a field (also of a row).
        Start,
        Unquoted,
        Quoted,
        /// Just read a `"` inside a quoted field: a doubled quote or the field's end.
        QuoteInQuoted,
    }
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut state = State::Start;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (state, c) {
            (State::Quoted, '"') => state = State::QuoteInQuoted,
            (State::Quoted, c) => field.push(c),
            (State::QuoteInQuoted, '"') => {
                field.push('"');
                state = State::Quoted;
            }
            (State::Start, '"') => state = State::Quoted,
            (_, ',') => {
                row.push(std::mem::take(&mut field));
                state = State::Start;
            }
            (_, '\n' | '\r') => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                // A line with no field at all is an empty row, as in `csv`.
                if state != State::Start || !row.is_empty() {
                    row.push(std::mem::take(&mut field));
                }
                rows.push(std::mem::take(&mut row));
                state = State::Start;
            }
            (_, c) => {
                // Non-strict `csv` keeps text after a closing quote, and a quote inside an
                // unquoted field, as ordinary characters.
                field.push(c);
                state = State::Unquoted;
            }
        }
    }
    if state != State::Start || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(findings: &FileFindings) -> &[String] {
        match &findings.support {
            Some(Support::OwnedFiles(files)) => files,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resolves_paths() {
        for (base, relative, expected) in [
            (
                "usr/lib/python3/site-packages",
                "yaml/__init__.py",
                Some("usr/lib/python3/site-packages/yaml/__init__.py"),
            ),
            (
                "usr/local/lib/python3.8/site-packages",
                "../../../bin/pygmentize",
                Some("usr/local/bin/pygmentize"),
            ),
            ("usr/lib/x", "./a//b/./c", Some("usr/lib/x/a/b/c")),
            ("usr/lib/x", "/etc/x.conf", Some("etc/x.conf")),
            ("usr/lib/x", "../../../../etc/passwd", None),
            ("", "../x", None),
            ("", "x", Some("x")),
            ("usr", "..", None),
            ("usr", "", None),
        ] {
            assert_eq!(
                resolve(base, relative).as_deref(),
                expected,
                "{base} {relative}"
            );
        }
    }

    #[test]
    fn csv_like_python() {
        for (text, expected) in [
            (
                "a,b,c\r\nd,e,f",
                vec![vec!["a", "b", "c"], vec!["d", "e", "f"]],
            ),
            ("\"a,b\",c,\"\"\"q\"\"\"\n", vec![vec!["a,b", "c", "\"q\""]]),
            (
                "\"multi\nline\",h,1\n\n",
                vec![vec!["multi\nline", "h", "1"], vec![]],
            ),
            ("x\"y,,\n", vec![vec!["x\"y", "", ""]]),
            ("\"ab\"cd,e\n", vec![vec!["abcd", "e"]]),
            ("\"unterminated,x", vec![vec!["unterminated,x"]]),
            ("", vec![]),
        ] {
            assert_eq!(csv_rows(text), expected, "{text:?}");
        }
    }

    #[test]
    fn record_resolves_against_site_packages_and_skips_bad_rows() {
        let path = "usr/local/lib/python3.12/site-packages/Pygments-2.6.1.dist-info/RECORD";
        let text = "../../../bin/pygmentize,sha256=dDhv,220\n\
                    Pygments-2.6.1.dist-info/RECORD,,\n\
                    \"pygments/a,b.py\",sha256=x,1\n\
                    pygments/util.py,sha256=586x,10778\n\
                    just-a-path\n\
                    a,b,c,d\n\
                    ../../../../../../escape,,\n\n";
        let found = record(path, text.as_bytes());
        let site = "usr/local/lib/python3.12/site-packages";
        assert_eq!(
            files(&found),
            [
                "usr/local/bin/pygmentize".to_string(),
                format!("{site}/Pygments-2.6.1.dist-info/RECORD"),
                format!("{site}/pygments/a,b.py"),
                format!("{site}/pygments/util.py"),
            ]
        );
        assert_eq!(
            found.warnings,
            [format!(
                "{path}: 2 rows without exactly 3 columns (path,hash,size) skipped"
            )]
        );
    }

    #[test]
    fn installed_files_are_relative_to_the_egg_info_dir() {
        let path = "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/installed-files.txt";
        let found = installed_files(
            path,
            b"../yaml/__init__.py\r\n./PKG-INFO\n\n../../../../../../x\n",
        );
        assert_eq!(
            files(&found),
            [
                "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO",
                "usr/lib/python3/dist-packages/yaml/__init__.py",
            ]
        );
        assert!(found.warnings.is_empty());
    }

    #[test]
    fn junk_never_panics() {
        let junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let _ = record("a/b.dist-info/RECORD", &junk);
        let _ = installed_files("a.egg-info/installed-files.txt", &junk);
        let _ = record("RECORD", b"\"\"\"");
    }
}
