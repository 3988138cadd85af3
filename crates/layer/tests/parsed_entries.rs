//! Files an [`EntryParser`] wants are parsed as the layer streams; only findings are kept.

use std::sync::Arc;

use sbomgen_layer::{read_layer, EntryParser, Expected, Limits, PathMatcher};
use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use sbomgen_testkit::{layer_tar, Compression, Entry, LayerSpec};

/// Reports one package per `package.json`, named after its content.
struct Manifests;

impl EntryParser for Manifests {
    fn wants(&self, path: &str) -> bool {
        path.ends_with("package.json")
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let text = String::from_utf8_lossy(bytes);
        FileFindings {
            packages: vec![PackageRecord::new(Ecosystem::Npm, &text, "1", path)],
            ..FileFindings::default()
        }
    }
}

fn read(spec: &LayerSpec, matcher: &PathMatcher, limits: &Limits) -> sbomgen_layer::LayerReport {
    read_layer(&layer_tar(spec)[..], &Expected::default(), matcher, limits).unwrap()
}

#[test]
fn wanted_files_are_parsed_once_and_not_kept() {
    let spec = LayerSpec::new(Compression::Gzip)
        .entry(Entry::file("app/node_modules/a/package.json", "first"))
        .entry(Entry::file("app/node_modules/b/package.json", "b"))
        .entry(Entry::symlink(
            "app/node_modules/c/package.json",
            "../b/package.json",
        ))
        .entry(Entry::file("app/README", "not wanted"))
        // Written twice in one tar: the last copy wins, as extraction would.
        .entry(Entry::file("app/node_modules/a/package.json", "second"));
    let matcher = PathMatcher::new(["etc/os-release"])
        .unwrap()
        .with_parser(Arc::new(Manifests));
    let report = read(&spec, &matcher, &Limits::default());
    let parsed = &report.files.parsed;
    assert_eq!(parsed.len(), 2, "regular files only: {parsed:?}");
    assert_eq!(
        parsed["app/node_modules/a/package.json"].packages[0].name,
        "second"
    );
    assert_eq!(
        parsed["app/node_modules/b/package.json"].packages[0].name,
        "b"
    );
    assert!(report.files.captured.is_empty(), "parsed bytes are dropped");
}

#[test]
fn a_file_both_kept_and_parsed_is_read_once_for_both() {
    let spec = LayerSpec::new(Compression::None).entry(Entry::file("x/package.json", "kept"));
    let matcher = PathMatcher::new(["x/package.json"])
        .unwrap()
        .with_parser(Arc::new(Manifests));
    let report = read(&spec, &matcher, &Limits::default());
    assert_eq!(report.files.captured["x/package.json"], b"kept");
    assert_eq!(
        report.files.parsed["x/package.json"].packages[0].name,
        "kept"
    );
}

#[test]
fn a_file_over_the_parse_cap_is_a_warning_finding() {
    let spec = LayerSpec::new(Compression::None)
        .entry(Entry::file("x/package.json", vec![b'x'; 5000]))
        .entry(Entry::file("y/package.json", "small"));
    let matcher = PathMatcher::empty().with_parser(Arc::new(Manifests));
    let limits = Limits {
        max_parsed_file: 1000,
        ..Limits::default()
    };
    let report = read(&spec, &matcher, &limits);
    let big = &report.files.parsed["x/package.json"];
    assert!(big.packages.is_empty());
    assert!(
        big.warnings[0].contains("above the 1000-byte cap"),
        "{big:?}"
    );
    assert_eq!(
        report.files.parsed["y/package.json"].packages.len(),
        1,
        "the stream goes on"
    );
}
