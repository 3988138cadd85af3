//! Bundler's `Gemfile.lock`: the gems under each source's `specs:`.
//!
//! Sources are unindented section names (`GEM` for a gem server, `GIT`, `PATH`, `PLUGIN
//! SOURCE`), with two-space `remote:` and `specs:` fields; a spec is a four-space
//! `name (version)` line and its dependencies are six-space `name (constraints)` lines below
//! it. Other sections (`PLATFORMS`, `DEPENDENCIES`, `CHECKSUMS`, `BUNDLED WITH`) are not specs,
//! though `CHECKSUMS` has four-space `name (version)` lines too. `GIT` and `PATH` gems are
//! kept, as Syft does: what the application runs, wherever it comes from.
//!
//! A platform gem's version carries its platform (`nokogiri (1.16.2-x86_64-linux)`); like
//! Bundler's own parser, the version is what precedes the first `-` and the rest is the
//! platform. One version locked for several platforms is one record, its platforms listed in
//! metadata, so the record and purl name the gem's version.

use std::collections::BTreeMap;

use serde::Serialize;

use super::common::{purl, quote, Found, Package};
use crate::Ecosystem;

/// Sections that list specs.
const SOURCES: &[&str] = &["GEM", "GIT", "PATH", "PLUGIN SOURCE"];

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    /// `gem`, `git`, `path` or `plugin source`.
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    platforms: Vec<&'a str>,
}

/// A spec line, read, with its dependency lines.
#[derive(Debug)]
struct Spec<'t> {
    name: &'t str,
    version: &'t str,
    platforms: Vec<&'t str>,
    section: &'t str,
    remote: Option<&'t str>,
    depends_on: Vec<String>,
}

/// Parses one `Gemfile.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    let mut specs: BTreeMap<(&str, &str), Spec<'_>> = BTreeMap::new();
    read_specs(found, text, &mut specs);
    for spec in specs.into_values() {
        found.add(Package {
            ecosystem: Ecosystem::Gem,
            name: spec.name,
            version: spec.version,
            purl: Some(purl(Ecosystem::Gem, None, spec.name, spec.version)),
            depends_on: spec.depends_on,
            metadata: Metadata {
                lockfile: "Gemfile.lock",
                source: spec.section.to_ascii_lowercase(),
                remote: spec.remote,
                platforms: spec.platforms,
            },
        });
    }
}

fn read_specs<'t>(
    found: &mut Found<'_>,
    text: &'t str,
    specs: &mut BTreeMap<(&'t str, &'t str), Spec<'t>>,
) {
    let mut section = "";
    let mut remote = None;
    let mut current: Option<Spec<'_>> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            add(specs, current.take());
            section = content.trim_end();
            remote = None;
            continue;
        }
        if !SOURCES.contains(&section) {
            continue;
        }
        match indent {
            2 => {
                if let Some(value) = content.strip_prefix("remote:") {
                    remote = Some(value.trim());
                }
            }
            4 => {
                add(specs, current.take());
                match spec_line(content) {
                    Some((name, version)) => {
                        let (version, platform) = match version.split_once('-') {
                            Some((version, platform)) => (version, Some(platform)),
                            None => (version, None),
                        };
                        current = Some(Spec {
                            name,
                            version,
                            platforms: platform.into_iter().collect(),
                            section,
                            remote,
                            depends_on: Vec::new(),
                        });
                    }
                    None => found.problems.push(format_args!(
                        "line {}: not a `name (version)` spec: {}",
                        index + 1,
                        quote(content)
                    )),
                }
            }
            6 => {
                if let Some(spec) = current.as_mut() {
                    let name = content.split([' ', '(']).next().unwrap_or_default();
                    if !name.is_empty() {
                        spec.depends_on.push(name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    add(specs, current);
}

/// `name (version)` → name and version.
fn spec_line(content: &str) -> Option<(&str, &str)> {
    let (name, rest) = content.trim_end().split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    (!name.is_empty() && !name.contains(' ')).then_some((name, version))
}

/// Keeps a spec; the same version for another platform adds its platform and dependencies.
fn add<'t>(specs: &mut BTreeMap<(&'t str, &'t str), Spec<'t>>, spec: Option<Spec<'t>>) {
    let Some(mut spec) = spec else { return };
    match specs.get_mut(&(spec.name, spec.version)) {
        Some(known) => {
            known.platforms.append(&mut spec.platforms);
            known.depends_on.append(&mut spec.depends_on);
        }
        None => {
            specs.insert((spec.name, spec.version), spec);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::find;
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("app/Gemfile.lock", text, parse)
    }

    /// Bundler 2.5 output for a Rails-style app: git and path sources, platform gems, and a
    /// `CHECKSUMS` section (whose lines look like specs).
    const SAMPLE: &str = include_str!("../../tests/data/lockfile/Gemfile.lock");

    #[test]
    fn specs_of_every_source() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        let summary: Vec<String> = findings
            .packages
            .iter()
            .map(|p| format!("{} {}", p.purl.as_deref().unwrap(), p.metadata["source"]))
            .collect();
        assert_eq!(
            summary,
            [
                "pkg:gem/actionpack@7.1.3 \"gem\"",
                "pkg:gem/billing@0.1.0 \"path\"",
                "pkg:gem/mini_portile2@2.8.5 \"gem\"",
                "pkg:gem/nokogiri@1.16.2 \"gem\"",
                "pkg:gem/racc@1.7.3 \"gem\"",
                "pkg:gem/rack@3.0.9.1 \"gem\"",
                "pkg:gem/rack-session@2.0.0 \"gem\"",
                "pkg:gem/sprockets@4.2.1 \"gem\"",
                "pkg:gem/sprockets-rails@3.5.0 \"git\"",
            ]
        );
        let actionpack = &findings.packages[0];
        assert!(actionpack.declared);
        assert_eq!(actionpack.depends_on, ["rack", "rack-session"]);
        assert_eq!(actionpack.metadata["remote"], "https://rubygems.org/");
        assert_eq!(actionpack.metadata["lockfile"], "Gemfile.lock");
        let nokogiri = &findings.packages[3];
        assert_eq!(nokogiri.version, "1.16.2");
        assert_eq!(
            nokogiri.metadata["platforms"],
            serde_json::json!(["x86_64-linux", "aarch64-linux"])
        );
        assert_eq!(nokogiri.depends_on, ["racc"]);
        assert_eq!(findings.packages[7].depends_on, ["concurrent-ruby", "rack"]);
    }

    #[test]
    fn malformed_lines() {
        let text = "GEM\n  specs:\n    good (1.0)\n    bad line\n    (1.0)\n    worse (\n      dep\n\u{0}\u{1}\n";
        let findings = read(text);
        assert_eq!(findings.packages.len(), 1);
        assert_eq!(findings.packages[0].depends_on, Vec::<String>::new());
        assert_eq!(findings.warnings.len(), 3, "{:?}", findings.warnings);
        assert!(read("").warnings.is_empty());
    }
}
