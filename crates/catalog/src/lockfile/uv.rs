//! `uv.lock`: every `[[package]]` uv resolved, except the project's own.
//!
//! Format: <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>. Skipped: the
//! project and its workspace members (`source = { editable = … }` or `{ virtual = … }`: local
//! code, not dependencies), and local directories locked without a version (dynamic ones). uv records development groups only on the project
//! (`[package.dev-dependencies]`), not per package, so nothing is marked `dev`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{Found, Package};
use super::toml_lock;
use crate::python::normalize_name;

#[derive(Debug, Deserialize)]
struct UvPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    /// One key: `registry`, `git`, `url`, `path`, `directory`, `editable` or `virtual`.
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDependency>,
}

#[derive(Debug, Deserialize)]
struct UvDependency {
    name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<&'a str>,
}

/// Parses one `uv.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    for package in toml_lock::packages::<UvPackage>(&mut found.problems, text) {
        if package.source.contains_key("editable") || package.source.contains_key("virtual") {
            continue;
        }
        // A local directory with a dynamic version is locked without one: local code too.
        let local = package.source.contains_key("directory") || package.source.contains_key("path");
        if package.version.is_empty() && local {
            continue;
        }
        let source = package.source.iter().next();
        found.add(Package::python(
            &package.name,
            &package.version,
            package
                .dependencies
                .iter()
                .map(|d| normalize_name(&d.name))
                .collect(),
            Metadata {
                lockfile: "uv.lock",
                source_type: source.map(|(kind, _)| kind.as_str()),
                source_url: source.and_then(|(_, url)| url.as_str()),
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::find;
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("app/uv.lock", text, parse)
    }

    /// Written by uv for a project with two pins and a dev group; wheel lists trimmed.
    const SAMPLE: &str = include_str!("../../tests/data/lockfile/uv.lock");

    #[test]
    fn project_skipped_dependencies_kept() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        let purls: Vec<&str> = findings
            .packages
            .iter()
            .map(|p| p.purl.as_deref().unwrap())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:pypi/certifi@2026.10.19.post1",
                "pkg:pypi/charset-normalizer@3.5.3",
                "pkg:pypi/idna@3.21",
                "pkg:pypi/iniconfig@2.0.0",
                "pkg:pypi/requests@2.31.0",
                "pkg:pypi/setuptools@84.2.1",
                "pkg:pypi/urllib3@2.8.0",
                "pkg:pypi/zope-interface@6.2",
            ],
            "demo-app (editable) skipped"
        );
        let requests = &findings.packages[4];
        assert!(requests.declared);
        assert_eq!(
            requests.depends_on,
            ["certifi", "charset-normalizer", "idna", "urllib3"]
        );
        assert_eq!(requests.metadata["sourceType"], "registry");
        assert_eq!(requests.metadata["sourceUrl"], "https://pypi.org/simple");
    }

    #[test]
    fn virtual_root_and_git_source() {
        let text = r#"version = 1
requires-python = ">=3.12"

[manifest]
members = ["lib", "root"]

[[package]]
name = "root"
version = "0.1.0"
source = { virtual = "." }

[[package]]
name = "lib"
version = "0.2.0"
source = { editable = "packages/lib" }

[[package]]
name = "dynamic"
source = { directory = "../dynamic" }

[[package]]
name = "Flask_Login"
version = "0.7.0.dev0"
source = { git = "https://github.com/maxcountryman/flask-login?rev=main#0f3c2a8b" }
"#;
        let findings = read(text);
        assert_eq!(findings.warnings, Vec::<String>::new());
        assert_eq!(findings.packages.len(), 1);
        let login = &findings.packages[0];
        assert_eq!(login.name, "Flask_Login");
        assert_eq!(
            login.purl.as_deref(),
            Some("pkg:pypi/flask-login@0.7.0.dev0")
        );
        assert_eq!(login.metadata["sourceType"], "git");
    }
}
