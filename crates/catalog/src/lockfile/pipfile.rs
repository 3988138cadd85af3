//! Pipenv's `Pipfile.lock`: the `default` section, and `develop` marked `dev`.
//!
//! Syft reads `default` only; `develop` is kept here, flagged, for the same reason npm's and
//! Composer's dev entries are: a declared SBOM should say what the lock says, and a consumer
//! can drop `dev` entries (a package in both sections is not dev). Entries without a
//! `version` (editable or path installs of local code, and VCS checkouts, which pin a commit,
//! not a version) are skipped without a warning.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{is_false, json_document, quote, Found, Package};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Entry {
    /// `==1.2.3`.
    version: Option<String>,
    /// The `_meta.sources` name of the index it comes from.
    index: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Source {
    name: String,
    url: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "is_false")]
    dev: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<&'a str>,
}

/// Parses one `Pipfile.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    let Some(document) = json_document(found, text) else {
        return;
    };
    // The index names entries refer to, resolved to their URLs.
    let sources: BTreeMap<String, String> = document
        .pointer("/_meta/sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|source| Source::deserialize(source).ok())
        .map(|source| (source.name, source.url))
        .collect();
    let mut any_section = false;
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(entries) = document.get(section).and_then(Value::as_object) else {
            continue;
        };
        any_section = true;
        for (name, entry) in entries {
            let entry = match Entry::deserialize(entry) {
                Ok(entry) => entry,
                Err(error) => {
                    found.problems.push(format_args!(
                        "`{section}` entry {}: {error}; skipped",
                        quote(name)
                    ));
                    continue;
                }
            };
            let Some(raw) = entry.version.as_deref() else {
                continue;
            };
            let version = raw
                .strip_prefix("===")
                .or_else(|| raw.strip_prefix("=="))
                .unwrap_or(raw)
                .trim();
            // Pipenv writes exact pins; anything else (`*`, a range) names no one version.
            if version.is_empty() || version.contains(['*', '<', '>', '~', ',', '=']) {
                continue;
            }
            let index = entry
                .index
                .as_deref()
                .map(|index| sources.get(index).map_or(index, String::as_str));
            found.add(Package::python(
                name,
                version,
                Vec::new(),
                Metadata {
                    lockfile: "Pipfile.lock",
                    dev,
                    index,
                },
            ));
        }
    }
    if !any_section {
        found
            .problems
            .push("neither `default` nor `develop`: not a Pipfile.lock");
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::{find, purl_and_dev};
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("app/Pipfile.lock", text, parse)
    }

    const SAMPLE: &str = include_str!("../../tests/data/lockfile/Pipfile.lock");

    #[test]
    fn default_and_develop() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        assert_eq!(
            purl_and_dev(&findings),
            [
                "pkg:pypi/certifi@2024.2.2 false",
                "pkg:pypi/pytest@8.0.2 true",
                "pkg:pypi/requests@2.31.0 false",
                "pkg:pypi/zope-interface@6.2 false",
            ],
            "local and VCS entries skipped; certifi in both sections is not dev"
        );
        assert_eq!(
            findings.packages[2].metadata["index"],
            "https://pypi.org/simple"
        );
        assert!(findings.packages[3].declared);
    }

    #[test]
    fn malformed() {
        assert_eq!(read("{\"default\": ").warnings.len(), 1);
        assert_eq!(read("{}").warnings.len(), 1);
        let findings =
            read(r#"{"default": {"a": {"version": 1}, "b": "x", "c": {"version": "==1"}}}"#);
        assert_eq!(findings.packages.len(), 1);
        assert_eq!(findings.warnings.len(), 2);
        let findings = read(r#"{"default": {"x": {"version": "*"}, "y": {"version": ">=1"}}}"#);
        assert!(findings.packages.is_empty() && findings.warnings.is_empty());
    }
}
