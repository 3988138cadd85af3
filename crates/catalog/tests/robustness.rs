//! Fuzz-style robustness: every real fixture, truncated at many lengths and with bytes
//! overwritten, is catalogued without a panic, and what comes out still holds the records'
//! invariants. Deterministic (a fixed LCG), and fast enough for every `cargo test`.

mod common;

use common::{glob_match, Tree};
use sbomgen_catalog::apk::ApkCataloguer;
use sbomgen_catalog::dpkg::DpkgCataloguer;
use sbomgen_catalog::{Cataloguer, FileView, CATALOGUERS};

/// Bytes that matter to the parsers: separators, continuation, UTF-8 and NUL.
const NASTY: &[u8] = b"\n\r :|(,/*\t\0\xff\xc3P";
/// Truncations, and mutations, per file: every check parses the whole tree, so the count
/// shrinks as the tree grows to keep each test well under a second in debug builds (never
/// fewer than 25, never more than 250: every length of a small file).
fn attempts(tree: &Tree) -> usize {
    let bytes: usize = tree.files.iter().map(|(_, b)| b.len()).sum();
    (3_000_000 / (bytes * tree.files.len()).max(1)).clamp(25, 250)
}

/// A deterministic generator: Knuth's MMIX LCG.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize // 31 bits
    }
}

/// Runs `cataloguer` on `tree` with `path`'s bytes replaced, and checks the invariants.
fn check(cataloguer: &dyn Cataloguer, tree: &Tree, path: &str, bytes: &[u8]) {
    let view = FileView::new(tree.files.iter().map(|(p, b)| {
        let b = if p == path { bytes } else { b.as_slice() };
        (p.as_str(), b)
    }));
    let found = cataloguer.catalog(&view);
    for record in &found.packages {
        assert!(
            !record.name.is_empty() && !record.version.is_empty(),
            "{record:?}"
        );
        assert!(view.get(&record.database).is_some(), "{record:?}");
        assert!(
            record.files.iter().all(|f| !f.starts_with('/')),
            "{record:?}"
        );
    }
    let key = |r: &sbomgen_catalog::PackageRecord| {
        (
            r.name.clone(),
            r.version.clone(),
            r.arch.clone(),
            r.database.clone(),
        )
    };
    assert!(
        found.packages.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "sorted"
    );
}

fn mangle(cataloguer: &dyn Cataloguer, name: &str, tree: &Tree) {
    let mut rng = Lcg(0x5eed ^ name.len() as u64);
    let attempts = attempts(tree);
    for (path, bytes) in &tree.files {
        let len = bytes.len();
        let step = (len / attempts).max(1);
        for cut in (0..=len).step_by(step) {
            check(cataloguer, tree, path, &bytes[..cut]);
        }
        if len == 0 {
            continue;
        }
        let mut copy = bytes.clone();
        for _ in 0..attempts {
            let at = rng.next() % len;
            let value = NASTY[rng.next() % NASTY.len()];
            copy[at] = value;
            check(cataloguer, tree, path, &copy);
            // Half the time keep the damage, so mutations accumulate.
            if rng.next() & 1 == 0 {
                copy[at] = bytes[at];
            }
        }
    }
}

#[test]
fn dpkg_fixtures_survive_truncation_and_byte_flips() {
    for (name, tree) in Tree::all("dpkg", &DpkgCataloguer) {
        mangle(&DpkgCataloguer, &name, &tree);
    }
}

#[test]
fn apk_fixtures_survive_truncation_and_byte_flips() {
    for (name, tree) in Tree::all("apk", &ApkCataloguer) {
        mangle(&ApkCataloguer, &name, &tree);
    }
}

/// The dpkg side files have no real fixture here, so a synthetic tree covers them.
#[test]
fn dpkg_side_files_survive_truncation_and_byte_flips() {
    let files: Vec<(String, Vec<u8>)> = [
        (
            "var/lib/dpkg/status",
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n\
             Source: glibc (2.36-1)\nDepends: libgcc-s1, a (>= 1) | b:any [amd64]\n\
             Description: x\n y\n\nPackage: zlib1g\nVersion: 1:1.2\n",
        ),
        (
            "var/lib/dpkg/info/libc6:amd64.list",
            "/.\n/lib\n/lib/libc.so.6\n",
        ),
        (
            "var/lib/dpkg/info/zlib1g.md5sums",
            "0123abcd  lib/libz.so.1\nff *usr/x\n",
        ),
        (
            "usr/share/doc/libc6/copyright",
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
             Files: *\nLicense: LGPL-2.1+ or GPL-2+\n\nLicense: LGPL-2.1+\n text\n .\n more\n",
        ),
        (
            "usr/share/doc/zlib1g/copyright",
            "See /usr/share/common-licenses/GPL-2. and /usr/share/common-licenses/Zlib\n",
        ),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
    .collect();
    let tree = Tree { files };
    assert_eq!(DpkgCataloguer.catalog(&tree.view()).packages.len(), 2);
    mangle(&DpkgCataloguer, "synthetic", &tree);
}

#[test]
fn cataloguers_are_registered_in_order_with_patterns_the_fixtures_match() {
    let names: Vec<&str> = CATALOGUERS.iter().map(|c| c.name()).collect();
    let apk = names
        .iter()
        .position(|n| *n == "apk")
        .expect("apk registered");
    let dpkg = names
        .iter()
        .position(|n| *n == "dpkg")
        .expect("dpkg registered");
    assert!(apk < dpkg, "{names:?}");
    for (ecosystem, cataloguer) in [
        ("apk", &ApkCataloguer as &dyn Cataloguer),
        ("dpkg", &DpkgCataloguer),
    ] {
        for (name, tree) in Tree::all(ecosystem, cataloguer) {
            assert!(
                !tree.files.is_empty(),
                "{ecosystem}/{name} has no matching file"
            );
        }
    }
}

#[test]
fn glob_dialect_of_the_test_loader() {
    assert!(glob_match(
        "var/lib/dpkg/info/*.list",
        "var/lib/dpkg/info/libc6:amd64.list"
    ));
    assert!(!glob_match(
        "var/lib/dpkg/info/*.list",
        "var/lib/dpkg/info/a/b.list"
    ));
    assert!(glob_match(
        "var/lib/dpkg/status.d/*",
        "var/lib/dpkg/status.d/x.md5sums"
    ));
    assert!(!glob_match("lib/apk/db/installed", "etc/alpine-release"));
}
