//! Broken and hostile input: never a panic, every limit enforced, and a warning only once the
//! build info magic says the file is a Go binary.

use super::testbin::{self, CPU_AMD64, ELF_DATA};
use super::tests::{expected, inline_elf, scan, scan_with, summary, MODINFO, PATH, VERSION};
use super::Limits;
use crate::FileFindings;

#[test]
fn section_table_past_the_end_falls_back_with_a_warning() {
    let mut bytes = inline_elf();
    bytes[40..48].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let found = scan(&bytes);
    assert_eq!(summary(&found), expected());
    assert_eq!(found.warnings.len(), 1);
    assert!(found.warnings[0].starts_with(PATH), "{:?}", found.warnings);
    assert!(
        found.warnings[0].contains("section table"),
        "{:?}",
        found.warnings
    );
    // The same damage on a C library stays silent.
    let mut c = testbin::elf(&[0u8; 256], Some(".data"));
    c[40..48].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert_eq!(scan(&c), FileFindings::default());
}

#[test]
fn truncated_go_binaries_warn_only_once_the_magic_is_seen() {
    let bytes = inline_elf();
    let blob_at = 0x1000;
    // Cut inside the module info: the magic is there, the strings are not.
    let found = scan(&bytes[..blob_at + 64]);
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(found.warnings[0].starts_with(PATH));
    // Cut before the data segment: nothing says it was a Go binary.
    assert_eq!(scan(&bytes[..blob_at - 1]), FileFindings::default());
}

#[test]
fn a_length_of_two_to_the_63_is_refused() {
    let mut blob = testbin::inline_blob(VERSION, b"");
    blob.truncate(32 + 1 + VERSION.len());
    blob.extend(testbin::uleb128(1 << 63));
    blob.resize(256, 0);
    let found = scan(&testbin::elf(&blob, Some(".go.buildinfo")));
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0].contains("9223372036854775808 bytes"),
        "{:?}",
        found.warnings
    );
    // A pointer-format string header claiming 2^63 bytes, likewise.
    let mut blob = testbin::pointer_blob(VERSION, b"", ELF_DATA, 8, false);
    blob[40..48].copy_from_slice(&(1u64 << 63).to_le_bytes());
    let found = scan(&testbin::elf(&blob, Some(".go.buildinfo")));
    assert_eq!((found.packages.len(), found.warnings.len()), (0, 1));
}

#[test]
fn garbage_and_other_binaries_are_silent() {
    let mut random = b"\x7fELF\x02\x01\x01".to_vec();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        random.push(state.to_le_bytes()[0]);
    }
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("elf magic only", b"\x7fELF".to_vec()),
        ("elf random", random.clone()),
        ("pe garbage", [b"MZ".as_slice(), &random[4..]].concat()),
        (
            "macho garbage",
            [b"\xcf\xfa\xed\xfe".as_slice(), &random[4..]].concat(),
        ),
        (
            "fat garbage",
            [b"\xca\xfe\xba\xbe\0\0\0\x02".as_slice(), &random[8..]].concat(),
        ),
        ("c library", testbin::elf(&[0x55; 512], Some(".data"))),
        ("stripped c program", testbin::elf(&[0x55; 512], None)),
        ("pe without go", testbin::pe(&[0x55; 512])),
        (
            "macho without go",
            testbin::macho(&[0x55; 512], CPU_AMD64, true),
        ),
    ];
    for (name, bytes) in inputs {
        assert_eq!(scan(&bytes), FileFindings::default(), "{name}");
    }
}

#[test]
fn mutated_binaries_never_panic() {
    let blob = testbin::inline_blob(VERSION, &testbin::framed(MODINFO));
    let pointers = testbin::pointer_blob(VERSION, &testbin::framed(MODINFO), ELF_DATA, 8, false);
    let samples = [
        inline_elf(),
        testbin::elf(&pointers, Some(".go.buildinfo")),
        testbin::elf(&blob, None),
        testbin::macho(&blob, CPU_AMD64, true),
        testbin::pe(&blob),
        testbin::fat(&[(CPU_AMD64, testbin::macho(&blob, CPU_AMD64, false))], 12),
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for sample in &samples {
        for cut in (0..sample.len()).step_by(7) {
            scan(&sample[..cut]);
        }
        for _ in 0..1000 {
            let mut bytes = sample.clone();
            for _ in 0..4 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let at = (state >> 33) as usize % bytes.len();
                bytes[at] = (state >> 20).to_le_bytes()[0];
            }
            let found = scan(&bytes);
            assert!(found.warnings.iter().all(|w| w.starts_with(PATH)));
        }
    }
}

#[test]
fn every_limit_is_enforced() {
    let default = Limits::DEFAULT;
    let bytes = inline_elf();
    let warned = |limits: Limits| {
        let found = scan_with(&bytes, &limits);
        (found.packages.is_empty(), found.warnings.len())
    };
    assert_eq!(
        warned(Limits {
            max_modinfo: 64,
            ..default
        }),
        (true, 1)
    );
    assert_eq!(
        warned(Limits {
            max_version: 4,
            ..default
        }),
        (true, 1)
    );
    // A section table over the limit is treated as unreadable: the segment search finds the
    // blob and the damage is reported.
    assert_eq!(
        warned(Limits {
            max_headers: 2,
            ..default
        }),
        (false, 1)
    );
    assert_eq!(
        warned(Limits {
            max_section_names: 4,
            ..default
        }),
        (false, 1)
    );
    // A blob beyond the search window is not found.
    let mut late = vec![0u8; 128];
    late.extend(testbin::inline_blob(VERSION, &testbin::framed(MODINFO)));
    let late = testbin::elf(&late, Some(".go.buildinfo"));
    let window = Limits {
        search_window: 128,
        ..default
    };
    assert_eq!(scan_with(&late, &window), FileFindings::default());
    assert_eq!(summary(&scan_with(&late, &default)), expected());
    // Mach-O load commands and universal slices.
    let macho = testbin::macho(
        &testbin::inline_blob(VERSION, &testbin::framed(MODINFO)),
        CPU_AMD64,
        true,
    );
    let commands = Limits {
        max_load_commands: 100,
        ..default
    };
    assert_eq!(scan_with(&macho, &commands), FileFindings::default());
    let fat = testbin::fat(&[(CPU_AMD64, macho.clone()), (CPU_AMD64, macho)], 12);
    assert_eq!(
        scan_with(
            &fat,
            &Limits {
                max_fat_arches: 1,
                ..default
            }
        ),
        FileFindings::default()
    );
    assert_eq!(summary(&scan_with(&fat, &default)), expected());
}

#[test]
fn module_info_problems_warn_but_keep_the_rest() {
    let text = format!("{MODINFO}dep\tbroken\n");
    let found = scan(&testbin::elf(
        &testbin::inline_blob(VERSION, &testbin::framed(&text)),
        Some(".go.buildinfo"),
    ));
    assert_eq!(summary(&found), expected());
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0].contains("line 10"),
        "{:?}",
        found.warnings
    );
}

#[test]
fn addresses_at_the_top_of_the_address_space() {
    // The data segment and `.go.buildinfo` moved to the last 64 bytes of the address space: the
    // module info would end past 2^64.
    let mut bytes = inline_elf();
    let top = u64::MAX - 0x3f;
    bytes[64 + 56 + 16..64 + 56 + 24].copy_from_slice(&top.to_le_bytes());
    let sections = usize::try_from(u64::from_le_bytes(bytes[40..48].try_into().unwrap())).unwrap();
    bytes[sections + 64 + 16..sections + 64 + 24].copy_from_slice(&top.to_le_bytes());
    let found = scan(&bytes);
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0].contains("overflows"),
        "{:?}",
        found.warnings
    );
}
