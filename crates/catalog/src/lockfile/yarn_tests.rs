//! Tests of the yarn.lock parser: classic v1 and Berry samples, and damage.

use super::super::common::{find, name_version_purl as summary};
use super::*;
use crate::FileFindings;

fn read(text: &str) -> FileFindings {
    find("srv/yarn.lock", text, parse)
}

/// Classic yarn 1.22 output: scoped and unscoped headers, several ranges per entry, an alias,
/// optional dependencies and a `file:` dependency.
const V1: &str = include_str!("../../tests/data/lockfile/yarn-v1/yarn.lock");

#[test]
fn classic_v1() {
    let findings = read(V1);
    assert_eq!(findings.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&findings),
        [
            "@babel/code-frame@7.12.13 pkg:npm/%40babel/code-frame@7.12.13",
            "@babel/highlight@7.13.10 pkg:npm/%40babel/highlight@7.13.10",
            "chokidar@3.5.1 pkg:npm/chokidar@3.5.1",
            "js-tokens@4.0.0 pkg:npm/js-tokens@4.0.0",
            "string-width@4.2.3 pkg:npm/string-width@4.2.3",
        ]
    );
    let code_frame = &findings.packages[0];
    assert!(code_frame.declared);
    assert_eq!(code_frame.depends_on, ["@babel/highlight"]);
    assert_eq!(code_frame.metadata["lockfile"], "yarn.lock");
    assert!(code_frame.metadata["resolved"]
        .as_str()
        .unwrap()
        .starts_with("https://registry.yarnpkg.com/@babel/code-frame/-/"));
    assert!(code_frame.metadata["integrity"]
        .as_str()
        .unwrap()
        .starts_with("sha512-"));
    assert_eq!(findings.packages[2].depends_on, ["anymatch", "fsevents"]);
}

/// Yarn Berry (lockfile version 8, yarn 4): the project itself as a workspace, a patched
/// builtin, an alias, peer dependencies (not installed by the package) and quoted values.
const BERRY: &str = include_str!("../../tests/data/lockfile/yarn-berry/yarn.lock");

#[test]
fn berry() {
    let findings = read(BERRY);
    assert_eq!(findings.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&findings),
        [
            "@babel/code-frame@7.24.7 pkg:npm/%40babel/code-frame@7.24.7",
            "picocolors@1.0.1 pkg:npm/picocolors@1.0.1",
            "react-dom@18.3.1 pkg:npm/react-dom@18.3.1",
            "string-width@4.2.3 pkg:npm/string-width@4.2.3",
            "typescript@5.4.5 pkg:npm/typescript@5.4.5",
        ],
        "workspace and patch entries skipped, alias under its real name"
    );
    let code_frame = &findings.packages[0];
    assert_eq!(code_frame.depends_on, ["@babel/highlight", "picocolors"]);
    assert_eq!(
        code_frame.metadata["resolution"],
        "@babel/code-frame@npm:7.24.7"
    );
    assert!(code_frame.metadata["checksum"]
        .as_str()
        .unwrap()
        .starts_with("10c0/"));
    assert_eq!(
        findings.packages[2].depends_on,
        ["scheduler"],
        "peers are not dependencies"
    );
    assert!(!findings.packages[4].metadata.contains_key("resolved"));
}

#[test]
fn crlf_and_missing_final_newline() {
    let text = "# yarn lockfile v1\r\n\r\nms@^2.1.3:\r\n  version \"2.1.3\"";
    assert_eq!(summary(&read(text)), ["ms@2.1.3 pkg:npm/ms@2.1.3"]);
}

#[test]
fn garbage_gives_bounded_warnings() {
    let mut text = String::from("ms@^2:\n  version \"2.1.3\"\n");
    for _ in 0..1000 {
        text.push_str("garbage \u{0}\u{fffd} line\n");
    }
    text.push_str(&"x".repeat(10 << 20));
    text.push_str("\nnoversion@^1:\n  resolved \"x\"\n@:\n");
    let findings = read(&text);
    assert_eq!(summary(&findings), ["ms@2.1.3 pkg:npm/ms@2.1.3"]);
    assert_eq!(findings.warnings.len(), 6, "{:?}", findings.warnings);
    assert!(findings.warnings.iter().all(|w| w.len() < 200));
}

#[test]
fn fields() {
    assert_eq!(field("version \"1.2.3\""), ("version", "1.2.3"));
    assert_eq!(field("version: 1.2.3"), ("version", "1.2.3"));
    assert_eq!(
        field("\"@babel/highlight\" \"^7.10.4\""),
        ("@babel/highlight", "^7.10.4")
    );
    assert_eq!(
        field("\"@babel/highlight\": \"npm:^7\""),
        ("@babel/highlight", "npm:^7")
    );
    assert_eq!(field("dependencies:"), ("dependencies", ""));
    assert_eq!(field("\"unterminated"), ("unterminated", ""));
}
