//! Tests of the package-lock parser, on npm-written samples.

use super::super::common::{find, name_version_purl as summary};
use super::*;
use crate::FileFindings;

fn read(text: &str) -> FileFindings {
    find("app/package-lock.json", text, |found, text| {
        parse(found, "package-lock.json", text);
    })
}

/// Written by npm 11 (`npm install --package-lock-only`) for a workspace with a dev dependency,
/// a scoped package, a nested copy and an alias (`str` → `string-width`).
const V3: &str = include_str!("../../tests/data/lockfile/package-lock.json");

#[test]
fn v3_packages_map() {
    let findings = read(V3);
    assert_eq!(findings.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&findings),
        [
            "@sindresorhus/is@4.6.0 pkg:npm/%40sindresorhus/is@4.6.0",
            "ansi-regex@5.0.1 pkg:npm/ansi-regex@5.0.1",
            "debug@2.6.9 pkg:npm/debug@2.6.9",
            "emoji-regex@8.0.0 pkg:npm/emoji-regex@8.0.0",
            "is-fullwidth-code-point@3.0.0 pkg:npm/is-fullwidth-code-point@3.0.0",
            "lru-cache@6.0.0 pkg:npm/lru-cache@6.0.0",
            "ms@2.0.0 pkg:npm/ms@2.0.0",
            "ms@2.1.3 pkg:npm/ms@2.1.3",
            "semver@7.6.0 pkg:npm/semver@7.6.0",
            "string-width@4.2.3 pkg:npm/string-width@4.2.3",
            "strip-ansi@6.0.1 pkg:npm/strip-ansi@6.0.1",
            "yallist@4.0.0 pkg:npm/yallist@4.0.0",
        ],
        "root, workspace member and link skipped; alias under its real name"
    );
    let by_name = |name: &str, version: &str| {
        findings
            .packages
            .iter()
            .find(|p| p.name == name && p.version == version)
            .unwrap()
    };
    let semver = by_name("semver", "7.6.0");
    assert!(semver.declared);
    assert_eq!(semver.metadata["dev"], true);
    assert_eq!(semver.metadata["lockfile"], "package-lock.json");
    assert_eq!(semver.depends_on, ["lru-cache"]);
    let ms = by_name("ms", "2.1.3");
    assert!(!ms.metadata.contains_key("dev"));
    assert_eq!(
        ms.metadata["resolved"],
        "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"
    );
    assert!(ms.metadata["integrity"]
        .as_str()
        .unwrap()
        .starts_with("sha512-"));
    assert_eq!(ms.database, "app/package-lock.json");
    assert_eq!(
        by_name("string-width", "4.2.3").depends_on,
        ["emoji-regex", "is-fullwidth-code-point", "strip-ansi"]
    );
}

/// npm 6 (lockfile v1) style: nested copies, an alias, a dev dependency, a `file:` link.
const V1: &str = include_str!("../../tests/data/lockfile/npm-v1/package-lock.json");

#[test]
fn v1_dependency_tree_recurses() {
    let findings = read(V1);
    assert_eq!(findings.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&findings),
        [
            "@types/node@14.18.63 pkg:npm/%40types/node@14.18.63",
            "debug@2.6.9 pkg:npm/debug@2.6.9",
            "ms@2.0.0 pkg:npm/ms@2.0.0",
            "ms@2.1.3 pkg:npm/ms@2.1.3",
            "string-width@4.2.3 pkg:npm/string-width@4.2.3",
        ]
    );
    assert_eq!(findings.packages[0].metadata["dev"], true);
    assert_eq!(findings.packages[1].depends_on, ["ms"]);
}

#[test]
fn bad_entries_are_warnings_not_failures() {
    let text = r#"{"lockfileVersion": 3, "packages": {
        "node_modules/a": {"version": 1},
        "node_modules/b": "nonsense",
        "node_modules/c": {"version": "1.0.0", "dependencies": []},
        "node_modules/d": {},
        "node_modules/e": {"version": "2.0.0"}
    }}"#;
    let findings = read(text);
    assert_eq!(summary(&findings), ["e@2.0.0 pkg:npm/e@2.0.0"]);
    assert_eq!(findings.warnings.len(), 4, "{:?}", findings.warnings);
    assert!(findings
        .warnings
        .iter()
        .all(|w| w.starts_with("app/package-lock.json: ")));
}

#[test]
fn malformed_documents_warn() {
    for text in [
        "",
        "{\"packages\": {\"node_modules/a\": {\"vers",
        "[]",
        "\u{0}\u{1}garbage",
        "42",
    ] {
        let findings = read(text);
        assert!(findings.packages.is_empty());
        assert_eq!(findings.warnings.len(), 1, "{text:?}");
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(read(&deep).warnings.len(), 1);
}

#[test]
fn spec_and_purl_helpers() {
    assert_eq!(split_spec("@scope/a@^1"), Some(("@scope/a", "^1")));
    assert_eq!(split_spec("a@1"), Some(("a", "1")));
    assert_eq!(split_spec("a"), None);
    assert_eq!(split_spec(""), None);
    assert_eq!(
        npm_purl("@Scope/A", "1.0.0-rc.1"),
        "pkg:npm/%40Scope/A@1.0.0-rc.1"
    );
    assert_eq!(
        name_from_key("node_modules/a/node_modules/@s/b"),
        Some("@s/b")
    );
    assert_eq!(name_from_key("packages/foo"), None);
}
