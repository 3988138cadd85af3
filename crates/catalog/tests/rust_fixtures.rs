//! The rust-binary cataloguer on real binaries: rustsec's cargo-audit test binaries in the
//! shared corpus (`cargo-auditable/bin/`), which must give exactly the facts of its README;
//! and truncated copies of them, which must never panic.

mod common;

use std::fs::File;
use std::io::{Cursor, Read};

use sbomgen_catalog::rust::RustBinaryCataloguer;
use sbomgen_catalog::{Ecosystem, FileCataloguer, FileFindings};

/// Reads `bin/<name>` as the scan would: sniffed by its head, then parsed from the spooled
/// file. `None` (with a message) when the corpus is absent.
fn read(name: &str) -> Option<(FileFindings, Vec<u8>)> {
    let path = common::corpus()?.join("cargo-auditable/bin").join(name);
    let mut file = File::open(&path).expect("fixture binary");
    let size = file.metadata().expect("metadata").len();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("readable fixture");
    assert!(
        RustBinaryCataloguer.sniff(&bytes[..64]),
        "{name} is an ELF file"
    );
    let spooled = RustBinaryCataloguer.parse_content(&format!("usr/bin/{name}"), &mut file, size);
    let in_memory = RustBinaryCataloguer.parse_content(
        &format!("usr/bin/{name}"),
        &mut Cursor::new(&bytes),
        size,
    );
    assert_eq!(
        spooled, in_memory,
        "{name}: the same from a file and from memory"
    );
    Some((spooled, bytes))
}

/// `name version source root depends_on purl` per record.
fn summary(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.ecosystem, Ecosystem::Cargo);
            format!(
                "{} {} {} root={} deps=[{}] {}",
                p.name,
                p.version,
                p.metadata["source"].as_str().unwrap_or("?"),
                p.metadata["root"],
                p.depends_on.join(","),
                p.purl.as_deref().unwrap_or("-"),
            )
        })
        .collect()
}

#[test]
fn rust_binary_with_audit_info() {
    let Some((found, _)) = read("binary-with-audit-info") else {
        return;
    };
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found),
        ["hello-world 0.1.0 local root=true deps=[] -"]
    );
    assert_eq!(found.packages[0].database, "usr/bin/binary-with-audit-info");
}

#[test]
fn rust_binary_with_vuln() {
    let Some((found, _)) = read("binary-with-vuln") else {
        return;
    };
    assert_eq!(found.warnings, Vec::<String>::new());
    assert_eq!(
        summary(&found),
        [
            "rustsec-example-crate 0.0.1 crates.io root=false deps=[] pkg:cargo/rustsec-example-crate@0.0.1",
            "vulnerable-binary 0.1.0 local root=true deps=[rustsec-example-crate] -",
        ]
    );
}

#[test]
fn rust_binary_without_audit_info_yields_nothing() {
    let Some((found, _)) = read("binary-without-audit-info") else {
        return;
    };
    assert_eq!(found, FileFindings::default());
}

#[test]
fn rust_binary_truncated_and_corrupted_copies_never_panic() {
    let Some((_, bytes)) = read("binary-with-vuln") else {
        return;
    };
    let path = "usr/bin/broken";
    let check = |bytes: &[u8]| {
        let found =
            RustBinaryCataloguer.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64);
        for warning in &found.warnings {
            assert!(warning.starts_with("usr/bin/broken: "), "{warning}");
        }
        found
    };
    for cut in (0..bytes.len()).step_by(997) {
        check(&bytes[..cut]);
    }
    // The section headers are the last bytes: losing any of them loses the section, quietly.
    assert_eq!(check(&bytes[..bytes.len() - 1]), FileFindings::default());
    // Flipping bytes anywhere: no panic, and records only with a name and a version.
    let mut state = 7u64;
    for _ in 0..200 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut copy = bytes.clone();
        let at = (state >> 33) as usize % copy.len();
        copy[at] ^= (state >> 7).to_le_bytes()[0] | 1;
        for record in check(&copy).packages {
            assert!(!record.name.is_empty() && !record.version.is_empty());
        }
    }
}
