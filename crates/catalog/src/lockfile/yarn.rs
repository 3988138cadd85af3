//! `yarn.lock`, both the classic v1 format and Yarn Berry's (v2+) YAML, with one line parser.
//!
//! The two share a shape: an unindented, `:`-terminated header listing the ranges an entry
//! satisfies, two-space fields, four-space dependency lines. v1 writes `version "1.2.3"` and
//! `"a@^1", a@~1.2:`; Berry writes `version: 1.2.3` and `"a@npm:^1, a@npm:~1.2":` and starts
//! with a `__metadata:` entry. Berry is YAML, but only this subset of it: a YAML library would
//! buy nothing and cost a dependency.
//!
//! Names: v1 takes the header's first range (`npm:` aliases resolve to the real package);
//! Berry takes `resolution:` (`name@npm:1.2.3`), which names the real package already.
//! Skipped: `__metadata`, local code (`workspace:`, `link:`, `portal:`, `file:` protocols, or
//! `linkType: soft`), and `patch:` entries (a patched copy of an npm entry listed beside it).
//! Dev dependencies are not marked: only the `package.json` beside the lock says which
//! ranges are dev ones (Syft reads it), and a cataloguer sees one file at a time.

use serde::Serialize;

use super::common::{quote, Found, Package};
use super::npm::{npm_purl, split_spec};
use crate::Ecosystem;

/// Protocols of local code, not of a package fetched from somewhere.
const LOCAL_PROTOCOLS: &[&str] = &["workspace:", "link:", "portal:", "file:", "patch:"];

/// One entry's lines, as read.
#[derive(Debug, Default)]
struct Entry<'t> {
    line: usize,
    header: &'t str,
    version: Option<&'t str>,
    resolved: Option<&'t str>,
    integrity: Option<&'t str>,
    resolution: Option<&'t str>,
    checksum: Option<&'t str>,
    soft_link: bool,
    depends_on: Vec<&'t str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    /// v1: the tarball URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    integrity: Option<&'a str>,
    /// Berry: `name@npm:1.2.3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'a str>,
}

/// Parses one `yarn.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    let mut current: Option<Entry<'_>> = None;
    // Whether four-space lines are currently dependency names (`dependencies:`,
    // `optionalDependencies:`) rather than `peerDependencies:`, `bin:` or other maps.
    let mut in_dependencies = false;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        match line.len() - content.len() {
            0 => {
                if let Some(entry) = current.take() {
                    add(found, &entry);
                }
                in_dependencies = false;
                match content.trim_end().strip_suffix(':') {
                    Some(header) => {
                        current = Some(Entry {
                            line: index + 1,
                            header,
                            ..Entry::default()
                        });
                    }
                    None => found.problems.push(format_args!(
                        "line {}: not an entry header: {}",
                        index + 1,
                        quote(content)
                    )),
                }
            }
            2 => {
                let Some(entry) = current.as_mut() else {
                    continue;
                };
                let (key, value) = field(content);
                in_dependencies = matches!(key, "dependencies" | "optionalDependencies");
                let value = Some(value).filter(|v| !v.is_empty());
                match key {
                    "version" => entry.version = value,
                    "resolved" => entry.resolved = value,
                    "integrity" => entry.integrity = value,
                    "resolution" => entry.resolution = value,
                    "checksum" => entry.checksum = value,
                    "linkType" => entry.soft_link = value == Some("soft"),
                    _ => {}
                }
            }
            4 if in_dependencies => {
                if let Some(entry) = current.as_mut() {
                    entry.depends_on.push(field(content).0);
                }
            }
            _ => {}
        }
    }
    if let Some(entry) = current {
        add(found, &entry);
    }
}

/// Splits `key value` (v1) or `key: value` (Berry); a key or value may be double-quoted.
fn field(content: &str) -> (&str, &str) {
    let (key, rest) = match content.strip_prefix('"') {
        Some(quoted) => match quoted.find('"') {
            Some(end) => (&quoted[..end], &quoted[end + 1..]),
            None => (quoted, ""),
        },
        None => {
            let end = content.find([' ', ':']).unwrap_or(content.len());
            (&content[..end], &content[end..])
        }
    };
    let value = rest.strip_prefix(':').unwrap_or(rest).trim();
    (key, unquote(value))
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

fn add(found: &mut Found<'_>, entry: &Entry<'_>) {
    if entry.header == "__metadata" || entry.soft_link {
        return;
    }
    // `"a@^1", a@~1.2` (v1) or `"a@npm:^1, a@npm:~1.2"` (Berry): the first range names it.
    let first = entry.header.split(',').next().unwrap_or_default();
    let first = first.trim().trim_matches('"');
    let Some((name, range)) = entry.resolution.or(Some(first)).and_then(split_spec) else {
        return found.problems.push(format_args!(
            "line {}: no package name in {}; skipped",
            entry.line,
            quote(entry.header)
        ));
    };
    if LOCAL_PROTOCOLS.iter().any(|p| range.starts_with(p)) {
        return;
    }
    // A v1 alias, `foo@npm:bar@^1`, installs `bar` (Berry's resolution names `bar` already).
    let name = match range.strip_prefix("npm:").and_then(split_spec) {
        Some((real, _)) => real,
        None => name,
    };
    let version = entry.version.unwrap_or_default();
    found.add(Package {
        ecosystem: Ecosystem::Npm,
        name,
        version,
        purl: Some(npm_purl(name, version)),
        depends_on: entry.depends_on.iter().map(ToString::to_string).collect(),
        metadata: Metadata {
            lockfile: "yarn.lock",
            resolved: entry.resolved,
            integrity: entry.integrity,
            resolution: entry.resolution,
            checksum: entry.checksum,
        },
    });
}

#[cfg(test)]
#[path = "yarn_tests.rs"]
mod tests;
