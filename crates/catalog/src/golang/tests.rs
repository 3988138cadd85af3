//! The cataloguer on executables built in code ([`super::testbin`]): every format, both blob
//! layouts, the fallbacks. Broken and hostile input is in `hostile_tests`.

use std::io::Cursor;

use ::object::ReadCache;

use super::testbin::{self, CPU_AMD64, CPU_ARM64, ELF_DATA, MACHO_DATA};
use super::{catalog, sniff, GoBinaryCataloguer, Limits};
use crate::{FileCataloguer, FileFindings};

pub(super) const PATH: &str = "usr/local/bin/app";
pub(super) const VERSION: &str = "go1.22.3 X:loopvar";
pub(super) const MODINFO: &str = "path\texample.com/app/cmd/app\n\
    mod\texample.com/app\t(devel)\t\n\
    dep\tgithub.com/Acme/Lib/v2\tv2.1.0\th1:lib=\n\
    dep\texample.com/dep\tv1.2.3\n\
    =>\texample.com/fork\tv1.0.1\th1:fork=\n\
    build\t-ldflags=\"-s -w\"\n\
    build\tGOARCH=arm64\n\
    build\tvcs.revision=0123456789abcdef0123\n\
    build\tvcs.time=2024-05-01T10:20:30Z\n";

pub(super) fn scan(bytes: &[u8]) -> FileFindings {
    let mut content = Cursor::new(bytes.to_vec());
    GoBinaryCataloguer.parse_content(PATH, &mut content, bytes.len() as u64)
}

pub(super) fn scan_with(bytes: &[u8], limits: &Limits) -> FileFindings {
    catalog(PATH, &ReadCache::new(Cursor::new(bytes)), limits)
}

/// `name@version` (purl) per record, in output order.
pub(super) fn summary(found: &FileFindings) -> Vec<String> {
    let purl = |r: &crate::PackageRecord| r.purl.clone().unwrap_or_default();
    found
        .packages
        .iter()
        .map(|r| format!("{}@{} {}", r.name, r.version, purl(r)))
        .collect()
}

pub(super) fn expected() -> Vec<&'static str> {
    vec![
        "github.com/Acme/Lib/v2@v2.1.0 pkg:golang/github.com/Acme/Lib/v2@v2.1.0",
        "example.com/fork@v1.0.1 pkg:golang/example.com/fork@v1.0.1",
        "example.com/app@v0.0.0-20240501102030-0123456789ab \
         pkg:golang/example.com/app@v0.0.0-20240501102030-0123456789ab",
        "stdlib@go1.22.3 pkg:golang/stdlib@1.22.3",
    ]
}

pub(super) fn inline_elf() -> Vec<u8> {
    testbin::elf(
        &testbin::inline_blob(VERSION, &testbin::framed(MODINFO)),
        Some(".go.buildinfo"),
    )
}

pub(super) fn quiet(found: &FileFindings) {
    assert_eq!(found.warnings, Vec::<String>::new());
}

#[test]
fn inline_elf_gives_every_module() {
    let found = scan(&inline_elf());
    quiet(&found);
    assert_eq!(summary(&found), expected());
    let main = &found.packages[2];
    assert_eq!(main.database, PATH);
    assert_eq!(
        main.depends_on,
        ["example.com/fork", "github.com/Acme/Lib/v2", "stdlib"]
    );
    assert_eq!(main.metadata["mainModuleVersionRaw"], "(devel)");
    assert_eq!(main.metadata["architecture"], "arm64");
    assert_eq!(main.metadata["goCompiledVersion"], VERSION);
    assert_eq!(
        main.metadata["goExperiments"],
        serde_json::json!(["loopvar"])
    );
    assert_eq!(main.metadata["buildSettings"]["-ldflags"], "-s -w");
    let fork = &found.packages[1];
    assert_eq!(fork.depends_on, ["stdlib"]);
    assert_eq!(fork.metadata["h1Digest"], "h1:fork=");
    assert_eq!(fork.metadata["mainModule"], "example.com/app");
    assert_eq!(
        fork.metadata["replaces"],
        serde_json::json!({"path": "example.com/dep", "version": "v1.2.3"})
    );
    assert!(!fork.metadata.contains_key("buildSettings"));
    assert!(found
        .packages
        .iter()
        .all(|r| r.ecosystem == crate::Ecosystem::Golang));
}

#[test]
fn pointer_blobs_of_both_widths_and_byte_orders() {
    for (size, big) in [(8, false), (4, true), (4, false), (8, true)] {
        let blob = testbin::pointer_blob(VERSION, &testbin::framed(MODINFO), ELF_DATA, size, big);
        let found = scan(&testbin::elf(&blob, Some(".go.buildinfo")));
        quiet(&found);
        assert_eq!(summary(&found), expected(), "{size} {big}");
    }
}

#[test]
fn without_a_section_table_the_writable_segment_is_searched() {
    // Go's fallback; the blob sits 16-aligned after other data, past a misaligned decoy.
    let mut data = vec![0u8; 64];
    data[5..19].copy_from_slice(b"\xff Go buildinf:");
    data.extend(testbin::inline_blob(VERSION, &testbin::framed(MODINFO)));
    let found = scan(&testbin::elf(&data, None));
    quiet(&found);
    assert_eq!(summary(&found), expected());
}

#[test]
fn a_section_table_without_go_buildinfo_means_not_go() {
    // Deliberately cheaper than Go, which would search the data segment anyway: every Go
    // linker since 1.13 names the section, and every C library in an image comes this way.
    let blob = testbin::inline_blob(VERSION, &testbin::framed(MODINFO));
    let found = scan(&testbin::elf(&blob, Some(".data")));
    assert_eq!(found, FileFindings::default());
}

#[test]
fn macho_thin_and_universal() {
    let blob = testbin::inline_blob(VERSION, &testbin::framed(MODINFO));
    for named in [true, false] {
        let found = scan(&testbin::macho(&blob, CPU_AMD64, named));
        quiet(&found);
        assert_eq!(summary(&found), expected(), "named section: {named}");
    }
    // Two slices whose builds differ only in GOARCH: one record each, both architectures.
    let amd64 = MODINFO.replace("GOARCH=arm64", "GOARCH=amd64");
    let slices = [
        (
            CPU_AMD64,
            testbin::macho(
                &testbin::inline_blob(VERSION, &testbin::framed(&amd64)),
                CPU_AMD64,
                true,
            ),
        ),
        (
            CPU_ARM64,
            testbin::macho(
                &testbin::pointer_blob(VERSION, &testbin::framed(MODINFO), MACHO_DATA, 8, false),
                CPU_ARM64,
                true,
            ),
        ),
    ];
    let found = scan(&testbin::fat(&slices, 12));
    quiet(&found);
    assert_eq!(summary(&found), expected());
    for record in &found.packages {
        assert_eq!(
            record.metadata["architectures"],
            serde_json::json!(["amd64", "arm64"])
        );
    }
}

#[test]
fn pe_data_section() {
    let found = scan(&testbin::pe(&testbin::inline_blob(
        VERSION,
        &testbin::framed(MODINFO),
    )));
    quiet(&found);
    assert_eq!(summary(&found), expected());
}

#[test]
fn machine_names_when_goarch_is_not_recorded() {
    let modinfo = testbin::framed("mod\tm\tv1.0.0\t\n");
    let blob = testbin::inline_blob("go1.17", &modinfo);
    let cases = [
        (testbin::elf(&blob, Some(".go.buildinfo")), "x86_64"),
        (testbin::macho(&blob, CPU_ARM64, true), "arm64"),
        (testbin::pe(&blob), "34404"),
    ];
    for (bytes, arch) in cases {
        let found = scan(&bytes);
        assert_eq!(found.packages[0].metadata["architecture"], arch);
    }
}

#[test]
fn spooled_files_read_like_memory() {
    use std::io::{Seek, Write};
    let bytes = inline_elf();
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&bytes).unwrap();
    file.rewind().unwrap();
    let found = GoBinaryCataloguer.parse_content(PATH, &mut file, bytes.len() as u64);
    assert_eq!(found, scan(&bytes));
}

#[test]
fn sniffs_executables_by_magic() {
    let cases: &[(&[u8], bool)] = &[
        (b"\x7fELF\x02\x01\x01", true),
        (b"MZ\x90\x00", true),
        (b"\xfe\xed\xfa\xce", true),
        (b"\xfe\xed\xfa\xcf", true),
        (b"\xce\xfa\xed\xfe", true),
        (b"\xcf\xfa\xed\xfe", true),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", true),
        (b"\xca\xfe\xba\xbf\x00\x00\x00\x01", true),
        // Java class files: major version 45 (1.1), 52 (8), 65 (21) where nfat_arch would be.
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x2d", false),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x34", false),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x41", false),
        (b"\xca\xfe\xba\xbe\x00\x03\x00\x2d", false),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x00", false),
        (b"\xca\xfe\xba\xbe", false),
        (b"\x7fEL", false),
        (b"#!/bin/sh\n", false),
        (b"", false),
    ];
    for (head, want) in cases {
        assert_eq!(sniff(head), *want, "{head:x?}");
    }
    assert!(GoBinaryCataloguer.random_access());
    assert!(GoBinaryCataloguer.patterns().is_empty());
    assert_eq!(
        GoBinaryCataloguer.parse(PATH, b"\x7fELF"),
        FileFindings::default()
    );
}
