//! Shared fixture loading for the cataloguer tests: reads a fixture directory of the shared
//! corpus into memory, as the layer reader would keep it, and builds a `FileView` over it.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

use sbomgen_catalog::{Cataloguer, FileView};

/// The shared corpus, outside the repository (never copied into it).
pub fn corpus() -> Option<PathBuf> {
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
pub struct Tree {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Tree {
    /// Reads `dir` (relative to the corpus) or returns `None`, with a message, when the corpus
    /// is absent. A missing directory inside a present corpus is a broken corpus: panic.
    pub fn load(dir: &str, cataloguer: &dyn Cataloguer) -> Option<Tree> {
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

    pub fn view(&self) -> FileView<'_> {
        FileView::new(self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
    }

    /// Every fixture directory under `ecosystem/` of the corpus, by name.
    pub fn all(ecosystem: &str, cataloguer: &dyn Cataloguer) -> Vec<(String, Tree)> {
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

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
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
pub fn glob_match(pattern: &str, path: &str) -> bool {
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
