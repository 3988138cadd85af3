//! Running the binary and reading its outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub(crate) fn sbomgen(args: &[&str]) -> Output {
    // A scratch cache per run: the user's cache stays untouched, and no run answers from
    // another's layer analyses (a test that damages a blob must see it read).
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_sbomgen"))
        .args(args)
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .expect("the sbomgen binary runs")
}

/// Runs a scan expected to succeed and returns its native JSON. The same run writes every
/// standard document, and each is validated against the official schemas.
pub(crate) fn scan_json(args: &[&str]) -> Value {
    let documents = tempfile::tempdir().unwrap();
    let outputs = crate::documents::output_args(documents.path());
    let mut all = args.to_vec();
    all.extend(["-o", "json", "-q"]);
    all.extend(outputs.iter().map(String::as_str));
    let out = sbomgen(&all);
    assert!(
        out.status.success(),
        "sbomgen {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let native: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    crate::documents::check(documents.path(), args, &native);
    native
}

/// Runs a command expected to fail cleanly and returns its stderr.
pub(crate) fn failure(args: &[&str]) -> String {
    let out = sbomgen(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "sbomgen {args:?} should fail with exit 1: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

/// `../shared/fixtures`, or `None` (after saying so) when this checkout has no shared folder.
pub(crate) fn shared_fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

pub(crate) fn layer_field<'a>(doc: &'a Value, field: &str) -> Vec<&'a Value> {
    doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l[field])
        .collect()
}

pub(crate) fn hidden_paths(doc: &Value) -> Vec<(String, u64, u64)> {
    doc["hiddenFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["path"].as_str().unwrap().to_string(),
                h["addedIn"].as_u64().unwrap(),
                h["removedIn"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The demo image committed in `fixtures/` (what the README's first command scans).
pub(crate) fn demo_image() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(sbomgen_testkit::DEMO_FILE)
        .display()
        .to_string()
}

/// Runs sbomgen expecting success; returns its stdout.
pub(crate) fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = sbomgen(args);
    assert!(
        out.status.success(),
        "sbomgen {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub(crate) fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `convert`s the native document at `native` to `format`, written to `converted`, and that
/// back to the native JSON it returns: what a round trip through `format` keeps.
pub(crate) fn convert_round_trip(native: &Path, format: &str, converted: &Path) -> Value {
    let target = format!("{format}={}", converted.display());
    run_ok(&["convert", native.to_str().unwrap(), "-o", &target]);
    let back = run_ok(&["convert", converted.to_str().unwrap(), "-o", "json"]);
    serde_json::from_slice(&back).expect("convert writes native JSON")
}

/// The demo image scanned once, in a temporary directory, to `native.json` and to each
/// `(file name, -o format)` document.
pub(crate) struct DemoScan {
    pub dir: tempfile::TempDir,
    pub native: Value,
}

impl DemoScan {
    pub(crate) fn new(documents: &[(&str, &str)]) -> DemoScan {
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name).display().to_string();
        let mut args = vec![
            demo_image(),
            "-q".into(),
            "-o".into(),
            format!("json={}", out("native.json")),
        ];
        for (file, format) in documents {
            args.extend(["-o".into(), format!("{format}={}", out(file))]);
        }
        run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let native = read_json(&dir.path().join("native.json"));
        DemoScan { dir, native }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn packages(&self) -> &Vec<Value> {
        self.native["packages"].as_array().unwrap()
    }

    /// The native packages the final filesystem holds: those no later layer removed.
    pub(crate) fn installed(&self) -> impl Iterator<Item = &Value> {
        self.packages().iter().filter(|p| p["removedIn"].is_null())
    }
}
