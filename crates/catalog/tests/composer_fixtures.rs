//! The composer cataloguer on its fixture tree (`tests/data/composer/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

use std::path::Path;

use sbomgen_catalog::composer::ComposerCataloguer;
use sbomgen_catalog::{FileCataloguer, FileFindings};

const SUFFIX: &str = "installed.json";

/// Every file under `tests/data/composer`, root-relative, that the cataloguer's pattern names.
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/composer");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

/// What every parse must hold, however broken the bytes: a record names its file and has a
/// name, a version and a purl of the right type; a warning names its file.
fn check(path: &str, bytes: &[u8]) -> FileFindings {
    let found = ComposerCataloguer.parse(path, bytes);
    for record in &found.packages {
        assert!(
            !record.name.trim().is_empty() && !record.version.trim().is_empty(),
            "{record:?}"
        );
        assert_eq!(record.database, path);
        let purl = record.purl.as_deref().unwrap_or_default();
        assert!(purl.starts_with("pkg:composer/"), "{purl}");
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

#[test]
fn both_installed_json_shapes() {
    let mut purls = Vec::new();
    for (path, bytes) in fixtures() {
        let found = check(&path, &bytes);
        assert_eq!(found.warnings, Vec::<String>::new());
        purls.extend(found.packages.into_iter().filter_map(|r| r.purl));
    }
    assert_eq!(
        purls,
        [
            "pkg:composer/guzzlehttp/guzzle@6.5.5",
            "pkg:composer/guzzlehttp/promises@1.4.1",
            "pkg:composer/monolog/monolog@3.5.0",
            "pkg:composer/psr/log@3.0.0",
            "pkg:composer/symfony/polyfill-mbstring@v1.28.0",
            "pkg:composer/myclabs/deep-copy@1.11.1",
        ]
    );
}
