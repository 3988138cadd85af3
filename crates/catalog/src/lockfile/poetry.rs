//! `poetry.lock`: every `[[package]]` Poetry locked.
//!
//! Dev flag: lock format 1.x (Poetry < 1.2) writes `category = "dev"`; format 2.1 (Poetry 2)
//! writes `groups = ["main", "dev"]`, and a package outside `main` is only needed by some
//! other group (dev, test, docs), so it is marked `dev`. Format 2.0 (Poetry 1.2–1.8) writes
//! neither, and nothing is marked. The project itself is never in the lock.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{is_false, Found, Package};
use super::toml_lock;
use crate::python::normalize_name;

#[derive(Debug, Deserialize)]
struct PoetryPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    optional: bool,
    source: Option<PoetrySource>,
    /// Name → constraint (a string, a table, or an array of tables with markers).
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

/// Where a package comes from, when not the default PyPI index (`git`, `url`, `file`,
/// `directory`, `legacy` for another index).
#[derive(Debug, Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "is_false")]
    dev: bool,
    #[serde(skip_serializing_if = "is_false")]
    optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<&'a str>,
}

/// Parses one `poetry.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    for package in toml_lock::packages::<PoetryPackage>(&mut found.problems, text) {
        let dev = match (&package.category, &package.groups) {
            (Some(category), _) => category == "dev",
            (None, Some(groups)) => !groups.is_empty() && !groups.iter().any(|g| g == "main"),
            (None, None) => false,
        };
        let source = package.source.as_ref();
        found.add(Package::python(
            &package.name,
            &package.version,
            package
                .dependencies
                .keys()
                .map(|d| normalize_name(d))
                .collect(),
            Metadata {
                lockfile: "poetry.lock",
                dev,
                optional: package.optional,
                source_type: source.and_then(|s| s.kind.as_deref()),
                source_url: source.and_then(|s| s.url.as_deref()),
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::{find, purl_and_dev};
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("app/poetry.lock", text, parse)
    }

    /// Written by Poetry 2.5.1 (lock format 2.1), `files` and `extras` trimmed.
    const V2_1: &str = include_str!("../../tests/data/lockfile/poetry.lock");

    #[test]
    fn lock_format_2_1() {
        let findings = read(V2_1);
        assert_eq!(findings.warnings, Vec::<String>::new());
        assert_eq!(
            purl_and_dev(&findings),
            [
                "pkg:pypi/certifi@2026.10.19.post1 false",
                "pkg:pypi/charset-normalizer@3.5.3 false",
                "pkg:pypi/idna@3.21 false",
                "pkg:pypi/iniconfig@2.0.0 true",
                "pkg:pypi/requests@2.31.0 false",
                "pkg:pypi/setuptools@84.2.1 false",
                "pkg:pypi/urllib3@2.8.0 false",
                "pkg:pypi/zope-interface@6.2 false",
            ]
        );
        let requests = &findings.packages[4];
        assert!(requests.declared);
        assert_eq!(
            requests.depends_on,
            ["certifi", "charset-normalizer", "idna", "urllib3"]
        );
        assert_eq!(requests.metadata["lockfile"], "poetry.lock");
    }

    /// Lock format 1.1 (Poetry 1.1): `category`, a git source, and a multi-constraint dependency.
    const V1_1: &str = r#"[[package]]
name = "Flask"
version = "2.0.3"
description = "A simple framework for building complex web applications."
category = "main"
optional = false
python-versions = ">=3.6"

[package.dependencies]
click = ">=7.1.2"
itsdangerous = ">=2.0"
Jinja2 = ">=3.0"
Werkzeug = ">=2.0"

[[package]]
name = "pytest"
version = "7.0.1"
description = "pytest: simple powerful testing with Python"
category = "dev"
optional = false
python-versions = ">=3.6"

[package.dependencies]
colorama = {version = "*", markers = "sys_platform == \"win32\""}
importlib-metadata = [
    {version = ">=0.12", markers = "python_version < \"3.8\""},
]

[[package]]
name = "mylib"
version = "0.3.0"
description = ""
category = "main"
optional = true
python-versions = "^3.8"
develop = false

[package.source]
type = "git"
url = "https://github.com/example/mylib.git"
reference = "main"
resolved_reference = "0f3c2a8b9a6f1f5d8e4c2b1a0f9e8d7c6b5a4f3e"

[metadata]
lock-version = "1.1"
python-versions = "^3.8"
content-hash = "abc"

[metadata.files]
flask = [
    {file = "Flask-2.0.3-py3-none-any.whl", hash = "sha256:59da8a3170004800a2837844bfa84d49b022550616070f7cb1a659682b2e7c9f"},
]
"#;

    #[test]
    fn lock_format_1_1() {
        let findings = read(V1_1);
        assert_eq!(findings.warnings, Vec::<String>::new());
        let [flask, mylib, pytest] = &findings.packages[..] else {
            panic!("{:?}", findings.packages)
        };
        assert_eq!(flask.purl.as_deref(), Some("pkg:pypi/flask@2.0.3"));
        assert_eq!(
            flask.depends_on,
            ["click", "itsdangerous", "jinja2", "werkzeug"]
        );
        assert_eq!(pytest.metadata["dev"], true);
        assert_eq!(pytest.depends_on, ["colorama", "importlib-metadata"]);
        assert_eq!(mylib.metadata["sourceType"], "git");
        assert_eq!(mylib.metadata["optional"], true);
    }

    #[test]
    fn wrong_types_cost_one_package() {
        let findings = read("[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = \"dev\"\n\n[[package]]\nname = \"b\"\nversion = \"2\"\n");
        assert_eq!(findings.packages.len(), 1);
        assert_eq!(findings.warnings.len(), 1);
        assert!(findings.warnings[0].starts_with("app/poetry.lock: package 1 \"a\""));
    }
}
