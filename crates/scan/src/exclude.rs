//! `--exclude`: paths left out of the file index and of cataloguing, as Syft's `--exclude`.
//!
//! Applied to each layer's files after the layer is read (or taken from the layer cache), so
//! cached analyses stay valid whatever is excluded: an excluded path is as if no layer held it.

use sbomgen_layer::PathMatcher;
use sbomgen_model::{LayerFiles, Whiteout};

/// The compiled `--exclude` globs.
#[derive(Debug, Clone)]
pub struct Exclusions {
    matcher: PathMatcher,
    /// The globs as compiled, in order: what an image result's key records of them.
    patterns: Vec<String>,
}

impl Default for Exclusions {
    fn default() -> Self {
        Exclusions {
            matcher: PathMatcher::empty(),
            patterns: Vec::new(),
        }
    }
}

impl Exclusions {
    /// Compiles globs as users write them (`./usr/share/doc/**`, `/tmp/*`, `**/*.pyc`): a
    /// leading `./` or `/` is dropped, as layer paths have none, and a pattern also covers what
    /// lies below what it matches, so `usr/share/doc` leaves out the whole directory. An invalid
    /// or empty pattern is an error naming it.
    pub fn new<I, S>(globs: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut patterns = Vec::new();
        for glob in globs {
            let glob = glob.as_ref();
            let relative = normalise(glob);
            if relative.is_empty() {
                return Err(format!(
                    "exclude pattern {glob:?} names no path (use ** to exclude everything)"
                ));
            }
            patterns.push(format!("{relative}/**"));
            patterns.push(relative.to_string());
        }
        Ok(Exclusions {
            matcher: PathMatcher::new(&patterns)?,
            patterns,
        })
    }

    /// The compiled globs, in order (two per pattern given).
    pub(crate) fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `path` (normalised, no leading `/`) is left out.
    pub fn excludes(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }

    /// Removes the excluded paths from one layer's files: its index, the contents kept for the
    /// OS cataloguers and what the file cataloguers parsed.
    pub(crate) fn apply(&self, files: &mut LayerFiles) {
        files.entries.retain(|path, _| !self.excludes(path));
        files.captured.retain(|path, _| !self.excludes(path));
        files.parsed.retain(|path, _| !self.excludes(path));
        files.whiteouts.retain(|w| match w {
            Whiteout::File(path) => !self.excludes(path),
            Whiteout::Opaque(_) => true,
        });
    }
}

/// `./a/b`, `/a/b`, `.//a/b` → `a/b`.
fn normalise(glob: &str) -> &str {
    let mut rest = glob.trim();
    loop {
        let next = rest
            .strip_prefix("./")
            .or_else(|| rest.strip_prefix('/'))
            .unwrap_or(rest);
        if next.len() == rest.len() {
            break;
        }
        rest = next;
    }
    rest.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{FileEntry, FileKind};

    #[test]
    fn user_globs_match_layer_paths() {
        let x =
            Exclusions::new(["./usr/share/doc/**", "/tmp", "**/*.pyc", "var/lib/dpkg/"]).unwrap();
        for path in [
            "usr/share/doc/nano/copyright",
            "tmp",
            "tmp/a/b",
            "usr/lib/python3/x/__pycache__/m.cpython-311.pyc",
            "var/lib/dpkg/status",
        ] {
            assert!(x.excludes(path), "{path}");
        }
        for path in [
            "usr/share/docs",
            "usr/share",
            "tmpfile",
            "a.py",
            "var/lib/dpkgx",
        ] {
            assert!(!x.excludes(path), "{path}");
        }
        assert!(!Exclusions::default().excludes("etc/passwd"));
    }

    #[test]
    fn bad_patterns_are_named() {
        assert!(Exclusions::new(["./"]).unwrap_err().contains("\"./\""));
        assert!(Exclusions::new(["a/[b"]).unwrap_err().contains("a/[b"));
    }

    #[test]
    fn apply_drops_entries_contents_and_whiteouts() {
        let mut files = LayerFiles::default();
        for path in ["etc/os-release", "var/lib/dpkg/status"] {
            let entry = FileEntry {
                kind: FileKind::Regular,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: 1,
                link_target: None,
            };
            files.entries.insert(path.into(), entry);
            files.captured.insert(path.into(), b"x".to_vec());
        }
        files.whiteouts = vec![
            Whiteout::File("var/lib/dpkg/old".into()),
            Whiteout::File("etc/gone".into()),
            Whiteout::Opaque("var/lib/dpkg".into()),
        ];
        Exclusions::new(["var/lib/dpkg"]).unwrap().apply(&mut files);
        assert_eq!(files.entries.keys().collect::<Vec<_>>(), ["etc/os-release"]);
        assert_eq!(
            files.captured.keys().collect::<Vec<_>>(),
            ["etc/os-release"]
        );
        assert_eq!(files.whiteouts.len(), 2);
    }
}
