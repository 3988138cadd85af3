//! Shared fixture loading for the cataloguer tests: reads a fixture directory of the shared
//! corpus into memory, as the layer reader would keep it, and builds a `FileView` over it; and
//! the robustness harness the file cataloguers' fixture tests share (truncated and corrupted
//! copies of every fixture never panic).

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

use sbomgen_catalog::{Cataloguer, FileCataloguer, FileFindings, FileView};

/// The shared corpus, outside the repository (never copied into it).
pub(crate) fn corpus() -> Option<PathBuf> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures"
    ));
    if root.is_dir() {
        Some(root.to_path_buf())
    } else {
        eprintln!("skipping: shared fixtures not found at {}", root.display());
        None
    }
}

/// A fixture directory's files that match a cataloguer's patterns: root-relative path → bytes.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Tree {
    /// Reads `dir` (relative to the corpus) or returns `None`, with a message, when the corpus
    /// is absent. A missing directory inside a present corpus is a broken corpus: panic.
    pub(crate) fn load(dir: &str, cataloguer: &dyn Cataloguer) -> Option<Tree> {
        let root = corpus()?.join(dir);
        assert!(
            root.is_dir(),
            "fixture directory {} missing",
            root.display()
        );
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files.retain(|(path, _)| {
            cataloguer
                .patterns()
                .iter()
                .any(|pattern| glob_match(pattern, path))
        });
        files.sort();
        Some(Tree { files })
    }

    pub(crate) fn view(&self) -> FileView<'_> {
        FileView::new(self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
    }

    /// Every fixture directory under `ecosystem/` of the corpus, by name.
    pub(crate) fn all(ecosystem: &str, cataloguer: &dyn Cataloguer) -> Vec<(String, Tree)> {
        let Some(corpus) = corpus() else {
            return Vec::new();
        };
        let mut names: Vec<String> = std::fs::read_dir(corpus.join(ecosystem))
            .expect("readable fixture directory")
            .map(|entry| entry.expect("directory entry"))
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|name| {
                let tree = Tree::load(&format!("{ecosystem}/{name}"), cataloguer)?;
                Some((name, tree))
            })
            .collect()
    }
}

/// Every file under `dir`, as a path relative to `root` (with `/` separators) and its bytes.
pub(crate) fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("readable fixture directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under root");
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, std::fs::read(&path).expect("readable fixture")));
        }
    }
}

/// The patterns' glob dialect: `*` matches within one path segment.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| segment_match(p.as_bytes(), s.as_bytes()))
}

fn segment_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| segment_match(rest, &text[skip..])),
        Some((c, rest)) => text.first() == Some(c) && segment_match(rest, &text[1..]),
    }
}

/// A file cataloguer's fixture tree under this crate's `tests/data/`, and what every parse of
/// its files must hold however broken the bytes.
pub(crate) struct DataTree {
    pub cataloguer: &'static dyn FileCataloguer,
    /// The directory under `tests/data/`.
    pub dir: &'static str,
    /// How the paths of the files the cataloguer parses end.
    pub suffix: &'static str,
    /// The purl type of every record.
    pub purl_type: &'static str,
}

impl DataTree {
    /// Every file of the tree the cataloguer parses, root-relative and sorted.
    pub(crate) fn files(&self) -> Vec<(String, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(self.dir);
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files.retain(|(path, _)| path.ends_with(self.suffix));
        files.sort();
        files
    }

    /// Parses `bytes` as `path` and checks what every parse must hold: a record names its file
    /// and has a name, a version and a purl of the tree's type, and lists only relative files;
    /// a warning names its file.
    pub(crate) fn check(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let found = self.cataloguer.parse(path, bytes);
        for record in &found.packages {
            assert!(
                !record.name.trim().is_empty() && !record.version.trim().is_empty(),
                "{record:?}"
            );
            assert_eq!(record.database, path);
            let purl = record.purl.as_deref().unwrap_or_default();
            assert!(
                purl.starts_with(&format!("pkg:{}/", self.purl_type)),
                "{purl}"
            );
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

    /// [`Self::check`]s every prefix (in up to 200 steps) of every file, and 300 copies of each
    /// with a few bytes overwritten by awkward ones.
    pub(crate) fn truncated_and_mutated_never_panic(&self) {
        const NASTY: &[u8] = b"\0\xff\xc3\\\"'{}[]:,\n/u#%<";
        let mut rng = Lcg(0x5eed);
        for (path, bytes) in self.files() {
            let step = (bytes.len() / 200).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                self.check(&path, &bytes[..cut]);
            }
            for _ in 0..300 {
                let mut mutated = bytes.clone();
                for _ in 0..=(rng.next() % 4) {
                    let at = rng.next() % mutated.len().max(1);
                    if let Some(byte) = mutated.get_mut(at) {
                        *byte = NASTY[rng.next() % NASTY.len()];
                    }
                }
                self.check(&path, &mutated);
            }
        }
    }

    /// The purls of every record the whole tree yields, file by file; it must yield no
    /// warnings.
    pub(crate) fn purls(&self) -> Vec<String> {
        let mut purls = Vec::new();
        for (path, bytes) in self.files() {
            let found = self.check(&path, &bytes);
            assert_eq!(found.warnings, Vec::<String>::new());
            purls.extend(found.packages.into_iter().filter_map(|r| r.purl));
        }
        purls
    }
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
