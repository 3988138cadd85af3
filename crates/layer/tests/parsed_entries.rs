//! Files an [`EntryParser`] wants are parsed as the layer streams; only findings are kept.

use std::sync::Arc;

use sbomgen_layer::{read_layer, Content, EntryParser, Expected, Limits, PathMatcher};
use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use sbomgen_testkit::{layer_tar, Compression, Entry, LayerSpec};

/// Reports one package per `package.json`, named after its content.
struct Manifests;

impl EntryParser for Manifests {
    fn wants(&self, path: &str) -> bool {
        path.ends_with("package.json")
    }

    fn sniffing(&self) -> bool {
        true
    }

    /// ELF files, whatever their name.
    fn sniffs(&self, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }

    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings {
        let (text, spooled) = match content {
            Content::Memory(bytes) => (String::from_utf8_lossy(bytes).into_owned(), false),
            Content::Spooled { file, size } => {
                let mut text = String::new();
                std::io::Read::read_to_string(file, &mut text).unwrap();
                assert_eq!(text.len() as u64, size);
                (text, true)
            }
        };
        let name = if text.starts_with("\x7fELF") {
            format!("elf:{}:{spooled}", text.len())
        } else {
            text
        };
        FileFindings {
            packages: vec![PackageRecord::new(Ecosystem::Npm, &name, "1", path)],
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
fn files_are_sniffed_by_content_and_large_ones_spooled() {
    let mut big = b"\x7fELF".to_vec();
    big.resize(5000, b'x');
    let spec = LayerSpec::new(Compression::Gzip)
        .entry(Entry::file("opt/app/server", big.clone()))
        .entry(Entry::file("opt/app/small.data", "\x7fELF and more"))
        .entry(Entry::file("opt/app/notes.txt", "plain text"))
        .entry(Entry::file("opt/app/huge", vec![0u8; 9000]));
    let matcher = PathMatcher::empty().with_parser(Arc::new(Manifests));
    let limits = Limits {
        max_in_memory_file: 1000,
        max_spooled_file: 8000,
        ..Limits::default()
    };
    let report = read(&spec, &matcher, &limits);
    let parsed = &report.files.parsed;
    let name = |path: &str| parsed[path].packages[0].name.clone();
    assert_eq!(name("opt/app/server"), "elf:5000:true", "spooled, whole");
    assert_eq!(name("opt/app/small.data"), "elf:13:false", "in memory");
    assert!(!parsed.contains_key("opt/app/notes.txt"), "not wanted");
    assert!(!parsed.contains_key("opt/app/huge"), "not ELF");

    let limits = Limits {
        max_in_memory_file: 1000,
        max_spooled_file: 4000,
        ..Limits::default()
    };
    let report = read(&spec, &matcher, &limits);
    let server = &report.files.parsed["opt/app/server"];
    assert!(server.packages.is_empty());
    assert!(
        server.warnings[0].contains("above the 4000-byte cap"),
        "{server:?}"
    );
    assert_eq!(
        report.files.parsed["opt/app/small.data"].packages.len(),
        1,
        "the stream goes on"
    );
}
