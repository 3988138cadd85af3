//! The Composer cataloguer's specification, on both `installed.json` shapes.

use serde_json::json;

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/composer/");

fn parse_fixture(path: &str) -> FileFindings {
    let bytes = std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_default();
    ComposerCataloguer.parse(path, &bytes)
}

fn parse(json: &str) -> FileFindings {
    ComposerCataloguer.parse("vendor/composer/installed.json", json.as_bytes())
}

#[test]
fn composer2_vendor_directory() {
    let path = "var/www/html/vendor/composer/installed.json";
    let found = parse_fixture(path);
    assert_eq!(found.warnings, Vec::<String>::new());
    let names: Vec<(&str, &str)> = found
        .packages
        .iter()
        .map(|r| (r.name.as_str(), r.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("monolog/monolog", "3.5.0"),
            ("psr/log", "3.0.0"),
            ("symfony/polyfill-mbstring", "v1.28.0"),
            ("myclabs/deep-copy", "1.11.1"),
        ]
    );
    let monolog = &found.packages[0];
    assert_eq!(
        monolog.purl.as_deref(),
        Some("pkg:composer/monolog/monolog@3.5.0")
    );
    assert_eq!(monolog.licenses, ["MIT"]);
    assert_eq!(monolog.depends_on, ["psr/log"]);
    assert_eq!(monolog.database, path);
    assert_eq!(
        monolog.metadata,
        json::metadata_map(&json!({
            "type": "library",
            "description": "Sends your logs to files, sockets, inboxes, databases and various web services",
            "homepage": "https://github.com/Seldaek/monolog",
            "sourceUrl": "https://github.com/Seldaek/monolog.git",
            "sourceReference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448",
            "distUrl": "https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448",
        }))
    );
    let polyfill = &found.packages[2];
    assert_eq!(
        polyfill.purl.as_deref(),
        Some("pkg:composer/symfony/polyfill-mbstring@v1.28.0")
    );
    assert_eq!(
        polyfill.metadata["description"],
        json!("Symfony polyfill for the Mbstring extension \u{1F6E0}")
    );
    // The lone `\ud83d` (trivy #8557) costs one character, not the file.
    let deep_copy = &found.packages[3];
    assert_eq!(
        deep_copy.metadata["description"],
        json!("Create deep copies (clones) of your objects \u{FFFD}")
    );
    assert_eq!(deep_copy.metadata["dev"], json!(true));
    assert!(!monolog.metadata.contains_key("dev"));
}

#[test]
fn composer1_array() {
    let found = parse_fixture("srv/legacy/vendor/composer/installed.json");
    assert_eq!(found.warnings, Vec::<String>::new());
    let guzzle = &found.packages[0];
    assert_eq!(
        guzzle.purl.as_deref(),
        Some("pkg:composer/guzzlehttp/guzzle@6.5.5")
    );
    assert_eq!(
        guzzle.depends_on,
        [
            "guzzlehttp/promises",
            "guzzlehttp/psr7",
            "symfony/polyfill-intl-idn"
        ]
    );
    assert_eq!(found.packages.len(), 2);
}

#[test]
fn package_urls() {
    let cases = [
        (
            "monolog/monolog",
            "3.5.0",
            "pkg:composer/monolog/monolog@3.5.0",
        ),
        ("a/b/c", "1", "pkg:composer/a/b-c@1"),
        (
            "Vendor/Name",
            "dev-main",
            "pkg:composer/Vendor/Name@dev-main",
        ),
        ("solo", "1.0", "pkg:composer/solo@1.0"),
        ("a/b", "1.0+x", "pkg:composer/a/b@1.0%2Bx"),
    ];
    for (name, version, want) in cases {
        assert_eq!(package_url(name, version), want);
    }
}

#[test]
fn license_shapes() {
    let found = parse(
        r#"[{"name":"a/b","version":"1","license":"GPL-2.0-or-later"},
            {"name":"a/c","version":"1","license":["MIT",1,"","(BSD-3-Clause or GPL-2.0)"]},
            {"name":"a/d","version":"1","license":{"type":"MIT"}}]"#,
    );
    let licenses: Vec<&[String]> = found
        .packages
        .iter()
        .map(|r| r.licenses.as_slice())
        .collect();
    assert_eq!(
        licenses,
        [
            &["GPL-2.0-or-later".to_string()][..],
            &["MIT".into(), "(BSD-3-Clause or GPL-2.0)".into()],
            &[]
        ]
    );
}

#[test]
fn bad_entries_warn_and_others_survive() {
    let found = parse(
        r#"{"packages":[{"name":"a/b","version":"1"},"x",["a/c","1"],{"name":"a/d"},
            {"name":"a b","version":"1"},{"name":"a/e","version":"1","require":["php"],"source":"s"}],
            "dev-package-names":"a/b"}"#,
    );
    let names: Vec<&str> = found.packages.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a/b", "a/e"]);
    assert_eq!(
        found.warnings,
        [
            "vendor/composer/installed.json: package 1 is not an object",
            "vendor/composer/installed.json: package 2 is not an object",
            "vendor/composer/installed.json: package 3 has no name or no version",
            "vendor/composer/installed.json: package 4 has an invalid name \"a b\"",
        ]
    );
}

#[test]
fn unreadable_files_warn() {
    for bad in [
        "",
        "{",
        "{}",
        r#"{"packages":{}}"#,
        "7",
        "\u{0}garbage",
        r#"{"packages":"#,
    ] {
        let found = parse(bad);
        assert!(found.packages.is_empty(), "{bad}");
        let [warning] = found.warnings.as_slice() else {
            panic!("{bad}: {found:?}");
        };
        assert!(
            warning.starts_with("vendor/composer/installed.json: unreadable"),
            "{warning}"
        );
    }
    // Empty vendor directories are fine.
    assert_eq!(
        parse(r#"{"packages":[],"dev":true,"dev-package-names":[]}"#),
        FileFindings::default()
    );
    assert_eq!(parse("[]"), FileFindings::default());
}

#[test]
fn truncations_never_panic() {
    let path = "var/www/html/vendor/composer/installed.json";
    let bytes = std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_default();
    for cut in (0..bytes.len()).step_by(7) {
        let found = ComposerCataloguer.parse(path, &bytes[..cut]);
        assert!(
            found.packages.is_empty() && found.warnings.len() == 1,
            "{cut}"
        );
    }
}
