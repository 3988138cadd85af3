//! The cataloguer end to end on synthetic binaries of every format, healthy and broken.

use std::io::{Cursor, Seek, Write};

use super::testbin::{
    elf, elf64_section_header, fat, macho, pe64, wasm, zlib, CPU_AMD64, SHT_NOBITS, SHT_PROGBITS,
};
use super::*;

const PATH: &str = "usr/bin/demo";
const JSON: &str = r#"{"packages":[{"name":"itoa","version":"1.0.9","source":"crates.io"},{"name":"demo","version":"0.1.0","source":"local","dependencies":[0],"root":true}]}"#;

fn run_with(bytes: &[u8], limits: &Limits) -> FileFindings {
    parse_binary(PATH, &mut Cursor::new(bytes), bytes.len() as u64, limits)
}

fn run(bytes: &[u8]) -> FileFindings {
    run_with(bytes, &Limits::DEFAULT)
}

fn names(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn quiet(found: &FileFindings) -> bool {
    found.packages.is_empty() && found.warnings.is_empty()
}

fn elf_with(name: &str, data: &[u8]) -> Vec<u8> {
    elf(
        true,
        false,
        &[(".text", SHT_PROGBITS, b"\xc3"), (name, SHT_PROGBITS, data)],
    )
}

#[test]
fn sniff_table() {
    let cases: &[(&[u8], bool)] = &[
        (b"\x7fELF\x02\x01\x01", true),
        (b"MZ\x90\x00", true),
        (b"\0asm\x01\0\0\0", true),
        (b"\xcf\xfa\xed\xfe", true),
        (b"\xce\xfa\xed\xfe", true),
        (b"\xfe\xed\xfa\xcf", true),
        (b"\xca\xfe\xba\xbe\0\0\0\x02", true),
        (b"\xca\xfe\xba\xbf\0\0\0\x02", true),
        (b"\xca\xfe\xba\xbe\0\0\0\x2c", true),
        // Java class files: minor 0, major 45 (1.1), 52 (8), 65 (21); and minor 3, major 45.
        (b"\xca\xfe\xba\xbe\0\0\0\x2d", false),
        (b"\xca\xfe\xba\xbe\0\0\0\x34", false),
        (b"\xca\xfe\xba\xbe\0\0\0\x41", false),
        (b"\xca\xfe\xba\xbe\0\x03\0\x2d", false),
        (b"\xca\xfe\xba\xbe\0\0\0\0", false),
        (b"\xca\xfe\xba\xbe", false),
        (b"#!/bin/sh\n", false),
        (b"PK\x03\x04", false),
        (b"", false),
    ];
    for (head, want) in cases {
        assert_eq!(RustBinaryCataloguer.sniff(head), *want, "{head:x?}");
    }
}

#[test]
fn every_format_yields_the_crates() {
    let data = zlib(JSON.as_bytes());
    let thin64 = macho(true, &[("__const", b"x"), (".dep-v0", &data)]);
    let thin32 = macho(false, &[(".dep-v0", &data)]);
    let binaries = [
        ("ELF64 LE", elf_with(".dep-v0", &data)),
        (
            "ELF64 BE",
            elf(true, true, &[(".dep-v0", SHT_PROGBITS, &data)]),
        ),
        (
            "ELF32 LE",
            elf(false, false, &[(".dep-v0", SHT_PROGBITS, &data)]),
        ),
        (
            "ELF32 BE",
            elf(false, true, &[(".dep-v0", SHT_PROGBITS, &data)]),
        ),
        ("PE32+", pe64(&[(".text", b"\xc3"), (".dep-v0", &data)])),
        ("Mach-O 64", thin64.clone()),
        ("Mach-O 32", thin32.clone()),
        (
            "universal",
            fat(&[(CPU_AMD64, &thin64), (CPU_AMD64, &thin32)], 4),
        ),
        (
            "Wasm",
            wasm(&[(1, None, vec![0]), (0, Some(".dep-v0"), data.clone())]),
        ),
    ];
    for (format, bytes) in binaries {
        assert!(
            RustBinaryCataloguer.sniff(&bytes[..64.min(bytes.len())]),
            "{format}"
        );
        let found = run(&bytes);
        assert_eq!(found.warnings, Vec::<String>::new(), "{format}");
        assert_eq!(names(&found), ["itoa@1.0.9", "demo@0.1.0"], "{format}");
        assert_eq!(found.packages[1].depends_on, ["itoa"], "{format}");
        assert_eq!(found.packages[0].database, PATH);
    }
}

#[test]
fn legacy_section_names_and_preference() {
    let data = zlib(JSON.as_bytes());
    for bytes in [
        elf_with(".rust-deps-v0", &data),
        pe64(&[("rdep-v0", &data)]),
        macho(true, &[("rust-deps-v0", &data)]),
    ] {
        assert_eq!(names(&run(&bytes)), ["itoa@1.0.9", "demo@0.1.0"]);
    }
    let other =
        zlib(br#"{"packages":[{"name":"old","version":"1","source":"local","root":true}]}"#);
    let both = elf(
        true,
        false,
        &[
            (".rust-deps-v0", SHT_PROGBITS, &other),
            (".dep-v0", SHT_PROGBITS, &data),
        ],
    );
    assert_eq!(
        names(&run(&both)),
        ["itoa@1.0.9", "demo@0.1.0"],
        ".dep-v0 wins"
    );
}

#[test]
fn binaries_without_audit_data_are_quiet() {
    let mut no_headers = elf_with(".data", b"1234");
    no_headers[0x28..0x30].fill(0); // e_shoff
    no_headers[0x3c..0x3e].fill(0); // e_shnum
    let java = b"\xca\xfe\xba\xbe\0\0\0\x34\0\x0a\x07\0\x02\x01\0\x04Demo".to_vec();
    let binaries = [
        elf_with(".data", b"1234"),
        no_headers,
        pe64(&[(".text", b"\xc3"), (".rdata", b"abc")]),
        macho(true, &[("__const", b"x")]),
        fat(&[(CPU_AMD64, macho(true, &[]))], 4),
        wasm(&[(1, None, vec![0]), (0, Some("name"), vec![0])]),
        b"MZ this is not a PE file, just text that starts with MZ".to_vec(),
        java,
        b"\x7fELF".to_vec(),
    ];
    for bytes in binaries {
        assert!(quiet(&run(&bytes)), "{:x?}", &bytes[..8.min(bytes.len())]);
    }
}

#[test]
fn truncated_binaries_never_panic_and_are_quiet_once_headers_are_gone() {
    let data = zlib(JSON.as_bytes());
    let thin = macho(true, &[(".dep-v0", &data)]);
    let binaries = [
        elf_with(".dep-v0", &data),
        pe64(&[(".dep-v0", &data)]),
        thin.clone(),
        fat(&[(CPU_AMD64, &thin)], 4),
        wasm(&[(0, Some(".dep-v0"), data.clone())]),
    ];
    for bytes in binaries {
        let full = names(&run(&bytes));
        for cut in 0..bytes.len() {
            let found = run(&bytes[..cut]);
            // All or nothing: a cut either spares what the parser needs or loses the list.
            let got = names(&found);
            assert!(got.is_empty() || got == full, "cut {cut}: {got:?}");
            for warning in &found.warnings {
                assert!(warning.starts_with(&format!("{PATH}: ")), "{warning}");
            }
        }
    }
    // ELF keeps its section headers last: a truncated ELF has none left, and is quiet.
    let elf = elf_with(".dep-v0", &data);
    assert!(quiet(&run(&elf[..elf.len() - 10])));
}

#[test]
fn a_section_past_the_end_warns() {
    let mut bytes = elf_with(".dep-v0", &zlib(JSON.as_bytes()));
    let header = elf64_section_header(&bytes, 2);
    bytes[header + 24..header + 32].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let found = run(&bytes);
    assert!(found.packages.is_empty());
    let [warning] = &found.warnings[..] else {
        panic!("{:?}", found.warnings)
    };
    assert!(
        warning.starts_with("usr/bin/demo: cargo-auditable section .dep-v0 lies past the end"),
        "{warning}"
    );
}

#[test]
fn broken_sections_warn_naming_the_path() {
    let cases: [(Vec<u8>, &str); 4] = [
        (
            elf(true, false, &[(".dep-v0", SHT_NOBITS, b"")]),
            "is empty",
        ),
        (
            elf_with(".dep-v0", b"\x78\x9cgarbage"),
            "is not valid zlib data",
        ),
        (
            elf_with(".dep-v0", &zlib(b"{\"packages\":")),
            "invalid audit JSON",
        ),
        (
            elf_with(".dep-v0", &zlib(&vec![b' '; 9 << 20])),
            "decompresses to more than 8388608 bytes",
        ),
    ];
    for (bytes, problem) in cases {
        let found = run(&bytes);
        assert!(found.packages.is_empty(), "{problem}");
        let [warning] = &found.warnings[..] else {
            panic!("{:?}", found.warnings)
        };
        assert!(
            warning.starts_with("usr/bin/demo: cargo-auditable section .dep-v0 "),
            "{warning}"
        );
        assert!(warning.contains(problem), "{warning}");
    }
}

#[test]
fn ten_megabytes_of_garbage_behind_every_magic() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut garbage: Vec<u8> = (0..10 << 20)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect();
    let magics: [&[u8]; 7] = [
        b"\x7fELF\x02\x01\x01\0",
        b"\x7fELF\x01\x02\x01\0",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe\0\0\0\x03",
        b"\0asm\x01\0\0\0",
        b"",
    ];
    for magic in magics {
        garbage[..magic.len()].copy_from_slice(magic);
        let found = run(&garbage);
        assert!(found.packages.is_empty(), "{magic:x?}");
    }
}

#[test]
fn limit_max_header_bytes() {
    let data = zlib(JSON.as_bytes());
    // Small limits, on healthy files: ELF's table is 4 × 64 bytes plus names; Mach-O's load
    // commands are 72 + 80 bytes.
    let small = Limits {
        max_header_bytes: 200,
        ..Limits::DEFAULT
    };
    let thin = macho(true, &[(".dep-v0", &data)]);
    for bytes in [
        elf_with(".dep-v0", &data),
        macho(true, &[("a", b""), ("b", b""), (".dep-v0", &data)]),
    ] {
        let found = run_with(&bytes, &small);
        let [warning] = &found.warnings[..] else {
            panic!("{:?}", found.warnings)
        };
        assert!(warning.contains("above the 200-byte limit"), "{warning}");
    }
    assert_eq!(
        names(&run_with(&thin, &small)).len(),
        2,
        "152 bytes of load commands"
    );
    // The default, against ELF extended numbering: section 0's sh_size claims 300 000
    // sections (19.2 MB of headers, present in the file).
    let mut bytes = elf_with(".dep-v0", &data);
    bytes[0x3c..0x3e].fill(0);
    let zero = elf64_section_header(&bytes, 0);
    bytes[zero + 32..zero + 40].copy_from_slice(&300_000u64.to_le_bytes());
    bytes.resize(zero + 64 * 300_000, 0);
    let found = run(&bytes);
    assert_eq!(
        found.warnings,
        ["usr/bin/demo: 19200000 bytes of headers, above the 16777216-byte limit: not searched for Rust audit data"]
    );
    // And against a Mach-O whose load commands claim 17 MiB.
    let mut bytes = thin.clone();
    bytes[20..24].copy_from_slice(&(17u32 << 20).to_le_bytes());
    bytes.resize(32 + (17 << 20), 0);
    assert!(run(&bytes).warnings[0].contains("above the 16777216-byte limit"));
}

#[test]
fn universal_binaries_merge_their_slices() {
    let arm = zlib(br#"{"packages":[{"name":"itoa","version":"1.0.9","source":"crates.io"},{"name":"neon","version":"0.1.0","source":"crates.io"},{"name":"demo","version":"0.1.0","source":"local","dependencies":[0,1],"root":true}]}"#);
    let x86 = macho(true, &[(".dep-v0", &zlib(JSON.as_bytes()))]);
    let bytes = fat(
        &[
            (CPU_AMD64, x86),
            (CPU_AMD64, macho(true, &[(".dep-v0", &arm)])),
        ],
        4,
    );
    let found = run(&bytes);
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(names(&found), ["itoa@1.0.9", "demo@0.1.0", "neon@0.1.0"]);
    // A slice past the end is skipped; the others are still read.
    let mut broken = bytes.clone();
    broken[8 + 8..8 + 12].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
    assert_eq!(
        names(&run(&broken)),
        ["itoa@1.0.9", "neon@0.1.0", "demo@0.1.0"]
    );
    // The JSON budget is per file: the second slice's list no longer fits.
    let limits = Limits {
        max_json_size: JSON.len() as u64 + 10,
        ..Limits::DEFAULT
    };
    let found = run_with(&bytes, &limits);
    assert_eq!(names(&found), ["itoa@1.0.9", "demo@0.1.0"]);
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0].contains("(universal binary slice 1) decompresses to more than 10"),
        "{:?}",
        found.warnings
    );
}

#[test]
fn reads_a_spooled_file_through_the_trait() {
    let bytes = elf_with(".dep-v0", &zlib(JSON.as_bytes()));
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(&bytes).expect("write");
    file.rewind().expect("rewind");
    let found = RustBinaryCataloguer.parse_content(PATH, &mut file, bytes.len() as u64);
    assert_eq!(names(&found), ["itoa@1.0.9", "demo@0.1.0"]);
    assert_eq!(
        found.packages[0].purl.as_deref(),
        Some("pkg:cargo/itoa@1.0.9")
    );
}
