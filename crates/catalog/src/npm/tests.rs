//! The npm cataloguer's specification: which manifests count, and what a record holds.

use serde_json::json;

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/npm/");

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_default()
}

fn parse(path: &str, json: &str) -> FileFindings {
    NpmCataloguer.parse(path, json.as_bytes())
}

const MINIMAL: &str = r#"{"name":"x","version":"1.0.0"}"#;

#[test]
fn package_roots() {
    let cases = [
        ("node_modules/debug/package.json", true),
        ("srv/app/node_modules/debug/package.json", true),
        ("srv/app/node_modules/@babel/code-frame/package.json", true),
        ("srv/app/node_modules/a/node_modules/b/package.json", true),
        (
            "srv/app/node_modules/a/node_modules/@s/b/package.json",
            true,
        ),
        (
            "app/node_modules/.pnpm/ms@2.0.0/node_modules/ms/package.json",
            true,
        ),
        ("usr/local/lib/node_modules/npm/package.json", true),
        ("usr/share/nodejs/debug/package.json", true),
        ("usr/share/nodejs/@types/node/package.json", true),
        ("usr/lib/nodejs/yarn/package.json", true),
        (
            "usr/lib/x86_64-linux-gnu/nodejs/bufferutil/package.json",
            true,
        ),
        // Stubs and export maps inside a package.
        (
            "srv/app/node_modules/firebase/firestore/package.json",
            false,
        ),
        (
            "srv/app/node_modules/@firebase/app/dist/package.json",
            false,
        ),
        ("usr/share/nodejs/debug/src/package.json", false),
        ("usr/share/nodejs/package.json", false),
        // The application's own manifest and other non-packages.
        ("package.json", false),
        ("srv/app/package.json", false),
        ("node_modules/package.json", false),
        ("node_modules/@scope/package.json", false),
        ("node_modules/@/x/package.json", false),
        ("node_modules/.bin/package.json", false),
        ("node_modules/x/not-package.json", false),
        ("node_modules/x/package.json.bak", false),
        ("opt/share/nodejs/debug/package.json", false),
        ("home/u/usr/share/nodejs/debug/package.json", false),
        ("node_modules//package.json", false),
    ];
    for (path, want) in cases {
        assert_eq!(is_package_root(path), want, "{path}");
    }
}

#[test]
fn real_npm_install_output() {
    let path = "srv/app/node_modules/@babel/code-frame/package.json";
    let found = NpmCataloguer.parse(path, &fixture(path));
    assert_eq!(found.warnings, Vec::<String>::new());
    let [record] = found.packages.as_slice() else {
        panic!("{found:?}");
    };
    assert_eq!(
        (record.name.as_str(), record.version.as_str()),
        ("@babel/code-frame", "7.29.17")
    );
    assert_eq!(
        record.purl.as_deref(),
        Some("pkg:npm/%40babel/code-frame@7.29.17")
    );
    assert_eq!(record.licenses, ["MIT"]);
    assert_eq!(record.database, path);
    assert_eq!(
        record.depends_on,
        [
            "@babel/helper-validator-identifier",
            "js-tokens",
            "picocolors"
        ]
    );
    assert_eq!(
        record.metadata["author"],
        json!("The Babel Team (https://babel.dev/team)")
    );
    assert_eq!(
        record.metadata["repository"],
        json!("https://github.com/babel/babel.git")
    );
    assert!(!record.metadata.contains_key("private"));

    let path = "srv/app/node_modules/utils-merge/package.json";
    let record = &NpmCataloguer.parse(path, &fixture(path)).packages[0];
    assert_eq!(record.licenses, ["MIT"]);
    assert!(record.depends_on.is_empty());
    assert_eq!(
        record.metadata["author"],
        json!("Jared Hanson <jaredhanson@gmail.com> (http://www.jaredhanson.net/)")
    );

    let path = "srv/app/node_modules/send/node_modules/ms/package.json";
    let record = &NpmCataloguer.parse(path, &fixture(path)).packages[0];
    assert_eq!(record.purl.as_deref(), Some("pkg:npm/ms@2.0.0"));
    assert_eq!(record.metadata["repository"], json!("zeit/ms"));
}

#[test]
fn debian_module_and_alias_directory() {
    let found = parse(
        "usr/share/nodejs/debug/package.json",
        r#"{"name":"debug","version":"4.3.4","license":"MIT","dependencies":{"ms":"2.1.2"}}"#,
    );
    assert_eq!(found.packages[0].depends_on, ["ms"]);
    // `npm i lodash-es@npm:lodash` writes lodash's manifest under the alias's directory.
    let found = parse(
        "node_modules/lodash-es/package.json",
        r#"{"name":"lodash","version":"4.17.21"}"#,
    );
    assert_eq!(found.packages[0].name, "lodash");
}

#[test]
fn skips_silently() {
    let cases = [
        // A stub manifest without a version, below a package root.
        (
            "node_modules/firebase/firestore/package.json",
            r#"{"name":"firestore","main":"x.js"}"#,
        ),
        // An application manifest outside node_modules, even with name and version.
        (
            "srv/app/package.json",
            r#"{"name":"app","version":"1.0.0","private":true}"#,
        ),
        (
            "root/.vscode-server/extensions/ms-python.python-2024.1.0/node_modules/x/package.json",
            r#"{"name":"python","version":"2024.1.0","engines":{"vscode":"^1.82.0"}}"#,
        ),
        (
            "node_modules/ext/package.json",
            r#"{"name":"ext","version":"1.0.0","contributes":{}}"#,
        ),
        (
            "node_modules/com.unity.ugui/package.json",
            r#"{"name":"com.unity.ugui","version":"1.0.0","unity":"2019.1"}"#,
        ),
    ];
    for (path, json) in cases {
        assert_eq!(parse(path, json), FileFindings::default(), "{path}");
    }
}

#[test]
fn private_package_metadata() {
    let found = parse(
        "node_modules/@acme/lib/package.json",
        r#"{"name":"@acme/lib","version":"0.0.1","private":true,"description":" d ","homepage":""}"#,
    );
    let record = &found.packages[0];
    assert_eq!(record.metadata["private"], json!(true));
    assert_eq!(record.metadata["description"], json!("d"));
    assert!(!record.metadata.contains_key("homepage"));
}

#[test]
fn warns_naming_the_path() {
    let path = "node_modules/x/package.json";
    let long_name = format!(r#"{{"name":"{}!","version":"1"}}"#, "a".repeat(10_000));
    let cases: &[(&str, &str)] = &[
        (r#"{"name":"x"}"#, "no name or no version"),
        (r#"{"name":"x","version":""}"#, "no name or no version"),
        (r#"{"name":7,"version":"1"}"#, "no name or no version"),
        (
            r#"{"name":"a b","version":"1"}"#,
            "invalid npm package name",
        ),
        (
            r#"{"name":"@scope","version":"1"}"#,
            "invalid npm package name",
        ),
        (
            r#"{"name":"@/x","version":"1"}"#,
            "invalid npm package name",
        ),
        (&long_name, "invalid npm package name"),
        (r#"{"name":"x","#, "unreadable package.json"),
        ("", "unreadable package.json"),
        ("[]", "unreadable package.json"),
        ("\u{0}\u{1}garbage", "unreadable package.json"),
    ];
    for (json, problem) in cases {
        let found = parse(path, json);
        assert!(found.packages.is_empty(), "{json}");
        let [warning] = found.warnings.as_slice() else {
            panic!("{json}: {found:?}");
        };
        assert!(
            warning.starts_with(path) && warning.contains(problem),
            "{warning}"
        );
        assert!(warning.len() < 300, "{warning}");
    }
}

#[test]
fn hostile_but_readable_inputs() {
    let path = "node_modules/x/package.json";
    let cases = [
        MINIMAL.to_string(),
        format!("{MINIMAL}\n{MINIMAL}"),
        format!("{MINIMAL}garbage"),
        r#"{"name":"x","version":"1.0.0","description":"\ud83d\udee0 tools \ud83d alone"}"#
            .to_string(),
        r#"{"name":"x","version":"1.0.0","license":{"type":["MIT"]},"author":42}"#.to_string(),
        format!(
            r#"{{"name":"x","version":"1.0.0","description":"{}"}}"#,
            "d".repeat(10 << 20)
        ),
        format!(
            r#"{{"name":"x","version":"1.0.0","a":{}1{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        ),
    ];
    for json in &cases {
        let found = parse(path, json);
        assert_eq!(found.warnings, Vec::<String>::new(), "{}", excerpt(json));
        assert_eq!(found.packages[0].name, "x");
    }
    let found = parse(
        path,
        r#"{"name":"x","version":"1.0.0","description":"a\ud83d b"}"#,
    );
    assert_eq!(
        found.packages[0].metadata["description"],
        json!("a\u{FFFD} b")
    );
}

#[test]
fn valid_names() {
    for name in ["a", "A.b_c-d", "@s/n", "@s.x/n-1", "JSONStream"] {
        assert!(is_valid_name(name), "{name}");
    }
    for name in ["", "@s", "@s/", "@/n", "a/b", "@s/n/x", "a b", "é", "a:b"] {
        assert!(!is_valid_name(name), "{name}");
    }
}

#[test]
fn excerpts_are_short() {
    assert_eq!(excerpt("ab"), "\"ab\"");
    assert_eq!(excerpt(&"é".repeat(100)).chars().count(), 83);
}
