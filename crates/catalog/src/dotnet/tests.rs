//! The .NET cataloguer's specification, on a self-contained app's deps.json.

use serde_json::json;

use super::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/dotnet/app/WebApp.deps.json"
);

fn parse(json: &str) -> FileFindings {
    DotnetCataloguer.parse("app/x.deps.json", json.as_bytes())
}

fn keys(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|r| format!("{}/{}", r.name, r.version))
        .collect()
}

#[test]
fn self_contained_app() {
    let bytes = std::fs::read(FIXTURE).unwrap_or_default();
    let found = DotnetCataloguer.parse("app/WebApp.deps.json", &bytes);
    assert_eq!(found.warnings, Vec::<String>::new());
    // Not the projects (WebApp, Shared), not the runtime pack, not the packages that claim
    // no runtime asset (Microsoft.Data.Sqlite, a meta package; System.Memory).
    assert_eq!(
        keys(&found),
        [
            "Microsoft.Data.Sqlite.Core/8.0.0",
            "Newtonsoft.Json/13.0.3",
            "SQLitePCLRaw.bundle_e_sqlite3/2.1.6",
            "SQLitePCLRaw.core/2.1.6",
            "SQLitePCLRaw.lib.e_sqlite3/2.1.6",
            "Serilog.AspNetCore/8.0.0",
            "Serilog/3.1.1",
        ]
    );
    let newtonsoft = &found.packages[1];
    assert_eq!(
        newtonsoft.purl.as_deref(),
        Some("pkg:nuget/Newtonsoft.Json@13.0.3")
    );
    assert_eq!(newtonsoft.database, "app/WebApp.deps.json");
    assert_eq!(
        newtonsoft.metadata,
        json::metadata_map(&json!({
            "sha512": "sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==",
            "path": "newtonsoft.json/13.0.3",
            "hashPath": "newtonsoft.json.13.0.3.nupkg.sha512",
        }))
    );
    let bundle = &found.packages[2];
    assert_eq!(
        bundle.depends_on,
        [
            "SQLitePCLRaw.lib.e_sqlite3",
            "SQLitePCLRaw.provider.e_sqlite3"
        ]
    );
}

#[test]
fn without_a_target_entry_packages_are_kept() {
    let libraries =
        r#""libraries":{"A/1.0":{"type":"package"},"B/2.0":{"type":"Package","sha512":""}}"#;
    let cases = [
        // No targets at all.
        format!("{{{libraries}}}"),
        // The runtime target is absent from `targets`.
        format!(
            r#"{{"runtimeTarget":{{"name":"net8.0"}},"targets":{{"other":{{"A/1.0":{{}}}}}},{libraries}}}"#
        ),
        // The target exists but has no entry for them.
        format!(r#"{{"runtimeTarget":{{"name":"t"}},"targets":{{"t":{{}}}},{libraries}}}"#),
        // Malformed target shapes read as missing.
        format!(r#"{{"runtimeTarget":"t","targets":{{"a":[],"b":[]}},{libraries}}}"#),
        format!(
            r#"{{"runtimeTarget":{{"name":"t"}},"targets":{{"t":{{"A/1.0":[],"B/2.0":7}}}},{libraries}}}"#
        ),
    ];
    for json in &cases {
        let found = parse(json);
        assert_eq!(keys(&found), ["A/1.0", "B/2.0"], "{json}");
        assert!(found.packages[1].metadata.is_empty());
    }
}

#[test]
fn the_only_target_stands_in_for_a_missing_runtime_target() {
    let found = parse(
        r#"{"targets":{"t":{"A/1.0":{"runtime":{}},"B/2.0":{"native":{"b.so":{}},"dependencies":{"A":"1.0"}}}},
            "libraries":{"A/1.0":{"type":"package"},"B/2.0":{"type":"package"}}}"#,
    );
    assert_eq!(keys(&found), ["B/2.0"]);
    assert_eq!(found.packages[0].depends_on, ["A"]);
}

#[test]
fn bad_entries_warn_and_others_survive() {
    let found = parse(
        r#"{"libraries":{"A/1.0":{"type":"package"},"B":{"type":"package"},"C/":{"type":"package"},
            "D/1/2":{"type":"package"},"E/1.0":"package","F/1.0":{"type":7},"G/1.0":{}}}"#,
    );
    assert_eq!(keys(&found), ["A/1.0"]);
    assert_eq!(
        found.warnings,
        [
            "app/x.deps.json: library key \"B\" is not Name/Version",
            "app/x.deps.json: library key \"C/\" is not Name/Version",
            "app/x.deps.json: library key \"D/1/2\" is not Name/Version",
            "app/x.deps.json: library \"E/1.0\" is not an object",
        ]
    );
}

#[test]
fn unreadable_files_warn() {
    for bad in ["", "[]", "{", "\u{0}", r#"{"libraries":"#, "\"deps\""] {
        let found = parse(bad);
        let [warning] = found.warnings.as_slice() else {
            panic!("{bad}: {found:?}");
        };
        assert!(
            warning.starts_with("app/x.deps.json: unreadable deps.json"),
            "{warning}"
        );
    }
    assert_eq!(parse("{}"), FileFindings::default());
    // A byte-order mark, as some Windows tools write one.
    let found = parse("\u{feff}{\"libraries\":{\"A/1\":{\"type\":\"package\"}}}");
    assert_eq!(keys(&found), ["A/1"]);
}

#[test]
fn truncations_never_panic() {
    let bytes = std::fs::read(FIXTURE).unwrap_or_default();
    for cut in (0..bytes.len()).step_by(11) {
        let found = DotnetCataloguer.parse("app/WebApp.deps.json", &bytes[..cut]);
        assert!(
            found.packages.is_empty() && found.warnings.len() == 1,
            "{cut}"
        );
    }
}
