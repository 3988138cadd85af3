//! The `[[package]]` tables of a TOML lockfile (`Cargo.lock`, `poetry.lock`, `uv.lock`), each
//! converted to the caller's typed struct on its own, so one bad entry costs one package.
//!
//! A file that does not parse as a whole (truncated by a size cap, a merge conflict left in)
//! is read again package by package: each `[[package]]` header starts a piece that runs to the
//! next header that is not one of its own sub-tables (`[package.dependencies]`), and each piece
//! is parsed alone. Every byte is parsed at most twice, so time stays linear.

use serde::de::DeserializeOwned;

use super::common::{quote, Problems};

/// Reads every `[[package]]` entry of `text` as `T`; problems name the entry's position.
pub(super) fn packages<T: DeserializeOwned>(problems: &mut Problems<'_>, text: &str) -> Vec<T> {
    let tables = match text.parse::<toml::Table>() {
        Ok(document) => package_array(document),
        Err(error) => {
            problems.push(format_args!(
                "not valid TOML ({}); reading package by package",
                describe(text, 1, &error)
            ));
            salvage(problems, text)
        }
    };
    let mut out = Vec::with_capacity(tables.len());
    for (index, table) in tables.into_iter().enumerate() {
        let name = table
            .get("name")
            .and_then(toml::Value::as_str)
            .map(str::to_owned);
        match toml::Value::Table(table).try_into::<T>() {
            Ok(package) => out.push(package),
            Err(error) => match name {
                Some(name) => problems.push(format_args!(
                    "package {} {}: {}; skipped",
                    index + 1,
                    quote(&name),
                    error.message().trim()
                )),
                None => problems.push(format_args!(
                    "package {}: {}; skipped",
                    index + 1,
                    error.message().trim()
                )),
            },
        }
    }
    out
}

fn package_array(mut document: toml::Table) -> Vec<toml::Table> {
    match document.remove("package") {
        Some(toml::Value::Array(entries)) => entries
            .into_iter()
            .filter_map(|entry| match entry {
                toml::Value::Table(table) => Some(table),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Parses each `[[package]]` piece of an unparsable file alone.
fn salvage(problems: &mut Problems<'_>, text: &str) -> Vec<toml::Table> {
    let mut tables = Vec::new();
    // The open piece: its byte offset and 1-based first line.
    let mut start: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let header = line.trim_start();
        if header.starts_with('[') {
            let own = header.starts_with("[package.") || header.starts_with("[[package.");
            if !own {
                if let Some((begin, first_line)) = start.take() {
                    parse_piece(problems, &text[begin..offset], first_line, &mut tables);
                }
                if header.starts_with("[[package]]") {
                    start = Some((offset, index + 1));
                }
            }
        }
        offset += line.len();
    }
    if let Some((begin, first_line)) = start {
        parse_piece(problems, &text[begin..], first_line, &mut tables);
    }
    tables
}

fn parse_piece(
    problems: &mut Problems<'_>,
    piece: &str,
    first_line: usize,
    tables: &mut Vec<toml::Table>,
) {
    match piece.parse::<toml::Table>() {
        Ok(document) => tables.extend(package_array(document)),
        Err(error) => problems.push(format_args!(
            "unreadable package ({}); skipped",
            describe(piece, first_line, &error)
        )),
    }
}

/// `line N: message`, without the source excerpt the error's `Display` quotes (which could be
/// a 10 MB line). `first_line` is the line `text` starts at in the file.
fn describe(text: &str, first_line: usize, error: &toml::de::Error) -> String {
    match error.span() {
        Some(span) => {
            let at = span.start.min(text.len());
            let line = first_line
                + text.as_bytes()[..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
            format!("line {line}: {}", error.message().trim())
        }
        None => error.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Named {
        name: String,
    }

    fn read(text: &str) -> (Vec<String>, Vec<String>) {
        let mut found = super::super::common::Found::new("x.lock");
        let names = packages::<Named>(&mut found.problems, text)
            .into_iter()
            .map(|n| n.name)
            .collect();
        (names, found.finish().warnings)
    }

    #[test]
    fn whole_file() {
        let (names, warnings) = read(
            "version = 4\n\n[[package]]\nname = \"a\"\n\n[[package]]\nname = 3\n\n[[package]]\nname = \"c\"\n",
        );
        assert_eq!(names, ["a", "c"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("package 2"), "{warnings:?}");
    }

    #[test]
    fn truncated_file_keeps_whole_packages() {
        let text = "[[package]]\nname = \"a\"\n\n[package.dependencies]\nb = \"*\"\n\n[metadata]\nx = 1\n\n[[package]]\nname = \"b\"\n\n[[package]]\nname = \"tru";
        let (names, warnings) = read(text);
        assert_eq!(names, ["a", "b"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("line 14"), "{warnings:?}");
    }

    #[test]
    fn garbage_and_depth() {
        let (names, warnings) = read("\u{0}\u{1}\u{2}[[[");
        assert!(names.is_empty());
        assert_eq!(warnings.len(), 1);
        let deep = format!("[[package]]\nname = {}", "[".repeat(100_000));
        let (names, warnings) = read(&deep);
        assert!(names.is_empty());
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|w| w.len() < 300), "{warnings:?}");
    }
}
