//! The npm cataloguer on its fixture tree (`tests/data/npm/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

use std::path::Path;

use sbomgen_catalog::npm::NpmCataloguer;
use sbomgen_catalog::{FileCataloguer, FileFindings};

const SUFFIX: &str = "package.json";

/// Every file under `tests/data/npm`, root-relative, that the cataloguer's pattern names.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).expect("readable fixture directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.to_string_lossy().ends_with(SUFFIX) {
                let relative = path.strip_prefix(root).expect("under root");
                let relative = relative.to_string_lossy().replace('\\', "/");
                out.push((relative, std::fs::read(&path).expect("readable fixture")));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/npm");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// What every parse must hold, however broken the bytes: a record names its file and has a
/// name, a version and a purl of the right type; a warning names its file.
fn check(path: &str, bytes: &[u8]) -> FileFindings {
    let found = NpmCataloguer.parse(path, bytes);
    for record in &found.packages {
        assert!(
            !record.name.trim().is_empty() && !record.version.trim().is_empty(),
            "{record:?}"
        );
        assert_eq!(record.database, path);
        let purl = record.purl.as_deref().unwrap_or_default();
        assert!(purl.starts_with("pkg:npm/"), "{purl}");
        assert!(record
            .files
            .iter()
            .all(|f| !f.starts_with('/') && !f.contains("..")));
    }
    for warning in &found.warnings {
        assert!(warning.starts_with(&format!("{path}: ")), "{warning}");
    }
    found
}

/// Knuth's MMIX LCG: deterministic mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    const NASTY: &[u8] = b"\0\xff\xc3\\\"'{}[]:,\n/u#%<";
    let mut rng = Lcg(0x5eed);
    for (path, bytes) in fixtures() {
        let step = (bytes.len() / 200).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            check(&path, &bytes[..cut]);
        }
        for _ in 0..300 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = rng.next() % mutated.len().max(1);
                if let Some(byte) = mutated.get_mut(at) {
                    *byte = NASTY[rng.next() % NASTY.len()];
                }
            }
            check(&path, &mutated);
        }
    }
}

/// `name@version path` of every record the tree yields, and no warnings.
fn catalogue() -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in fixtures() {
        let found = check(&path, &bytes);
        assert_eq!(found.warnings, Vec::<String>::new());
        out.extend(
            found
                .packages
                .iter()
                .map(|r| format!("{}@{} {path}", r.name, r.version)),
        );
    }
    out
}

#[test]
fn only_package_roots_are_packages() {
    // Not the application's manifest, the firestore export-map stub, or the VS Code
    // extension; both copies of debug (npm's and Debian's) and the nested ms.
    assert_eq!(
        catalogue(),
        [
            "@babel/code-frame@7.29.17 srv/app/node_modules/@babel/code-frame/package.json",
            "debug@2.6.9 srv/app/node_modules/debug/package.json",
            "firebase@10.7.1 srv/app/node_modules/firebase/package.json",
            "ms@2.0.0 srv/app/node_modules/send/node_modules/ms/package.json",
            "utils-merge@1.0.1 srv/app/node_modules/utils-merge/package.json",
            "debug@4.3.4 usr/share/nodejs/debug/package.json",
        ]
    );
}
