//! The files a cataloguer sees: path → bytes, as visible at one layer.

use std::collections::BTreeMap;

/// A read-only, sorted view of the kept files matching a cataloguer's patterns, with symlinks
/// already resolved and deleted files absent. Paths are root-relative (`var/lib/dpkg/status`).
#[derive(Debug, Clone, Default)]
pub struct FileView<'a> {
    files: BTreeMap<&'a str, &'a [u8]>,
}

impl<'a> FileView<'a> {
    pub fn new(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        FileView {
            files: files.into_iter().collect(),
        }
    }

    /// The bytes of `path`, if visible.
    pub fn get(&self, path: &str) -> Option<&'a [u8]> {
        self.files.get(path).copied()
    }

    /// Every file, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + '_ {
        self.files.iter().map(|(p, b)| (*p, *b))
    }

    /// The files directly or indirectly under `dir` (no trailing `/`), sorted by path.
    pub fn under<'s>(&'s self, dir: &str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 's {
        let start = format!("{dir}/");
        let end = format!("{dir}0");
        self.files
            .range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Excluded(end.as_str()),
            ))
            .map(|(p, b)| (*p, *b))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_selects_a_subtree_only() {
        let view = FileView::new([
            ("var/lib/dpkg/status", &b"a"[..]),
            ("var/lib/dpkg/status.d/x", &b"b"[..]),
            ("var/lib/dpkg/status.d/y", &b"c"[..]),
            ("var/lib/dpkg/status.d0", &b"d"[..]),
        ]);
        let paths: Vec<&str> = view
            .under("var/lib/dpkg/status.d")
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            paths,
            ["var/lib/dpkg/status.d/x", "var/lib/dpkg/status.d/y"]
        );
        assert_eq!(view.get("var/lib/dpkg/status"), Some(&b"a"[..]));
    }
}
