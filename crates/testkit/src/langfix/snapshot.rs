//! Snapshots of a root directory and the layer that turns one snapshot into the next.
//!
//! What `docker build` does with overlayfs, done by comparison: a layer holds every path that
//! is new or changed since the previous snapshot (with all its parent directories, as Docker
//! writes them), a whiteout for each deleted path (only the topmost one: deleting a directory
//! deletes its contents), and for a directory the step declares replaced wholesale, an opaque
//! marker followed by the directory's whole new content. Overlayfs marks a directory opaque
//! when it is removed and created again; a walk cannot see that (inode numbers are reused), so
//! the recipe names such directories.
//!
//! Files compare by content (sha256), not by mtime: npm extracts every file with the same
//! mtime (1985-10-26), so an upgraded package's files can match the old ones in size and time.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::Entry;

/// One path of a tree, compared by what a layer would record.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Dir {
        mode: u32,
    },
    File {
        mode: u32,
        size: u64,
        hash: [u8; 32],
        /// Inode, mtime and ctime: while they and the size are unchanged, the hash is reused.
        stamp: (u64, i64, i64, i64, i64),
    },
    Symlink {
        target: String,
    },
}

impl Node {
    fn same(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Dir { mode: a }, Node::Dir { mode: b }) => a == b,
            (
                Node::File {
                    mode: ma,
                    size: sa,
                    hash: ha,
                    ..
                },
                Node::File {
                    mode: mb,
                    size: sb,
                    hash: hb,
                    ..
                },
            ) => ma == mb && sa == sb && ha == hb,
            (Node::Symlink { target: a }, Node::Symlink { target: b }) => a == b,
            _ => false,
        }
    }

    fn is_dir(&self) -> bool {
        matches!(self, Node::Dir { .. })
    }
}

/// Every path under a root (relative, `/`-separated, no leading `/`), in byte order, so that a
/// directory comes before its contents.
pub(crate) type Tree = BTreeMap<String, Node>;

/// Walks `root`; files whose stamp matches their entry in `previous` keep its hash unread.
/// Sockets, devices and names that are not UTF-8 are skipped: no package manager writes them.
pub(crate) fn scan(root: &Path, previous: &Tree) -> io::Result<Tree> {
    let mut tree = Tree::new();
    walk(root, "", previous, &mut tree)?;
    Ok(tree)
}

fn walk(dir: &Path, rel: &str, previous: &Tree, tree: &mut Tree) -> io::Result<()> {
    for child in fs::read_dir(dir)? {
        let child = child?;
        let Some(name) = child.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = fs::symlink_metadata(child.path())?;
        let mode = meta.permissions().mode() & 0o7777;
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = fs::read_link(child.path())?;
            let target = target.to_string_lossy().into_owned();
            tree.insert(path, Node::Symlink { target });
        } else if kind.is_dir() {
            tree.insert(path.clone(), Node::Dir { mode });
            walk(&child.path(), &path, previous, tree)?;
        } else if kind.is_file() {
            let stamp = (
                meta.ino(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
            );
            let size = meta.len();
            let hash = match previous.get(&path) {
                Some(Node::File {
                    size: s,
                    hash,
                    stamp: t,
                    ..
                }) if *s == size && *t == stamp => *hash,
                _ => hash_file(&child.path())?,
            };
            tree.insert(
                path,
                Node::File {
                    mode,
                    size,
                    hash,
                    stamp,
                },
            );
        }
    }
    Ok(())
}

fn hash_file(path: &Path) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    io::copy(&mut fs::File::open(path)?, &mut hasher)?;
    Ok(hasher.finalize().into())
}

/// What one layer holds, before its files are copied aside.
#[derive(Debug, Default)]
pub(crate) struct Diff {
    /// Paths to write, with the node they hold now (parents included), in byte order.
    pub adds: BTreeMap<String, Node>,
    /// Topmost deleted paths (and directories replaced by a file or link).
    pub whiteouts: BTreeSet<String>,
    /// Directories replaced wholesale.
    pub opaque: BTreeSet<String>,
}

impl Diff {
    /// Whether the layer touches `dir` or anything under it.
    pub(super) fn touches(&self, dir: &str) -> bool {
        let under = |p: &String| p == dir || p.starts_with(&format!("{dir}/"));
        // `dir` itself re-added as a parent of something else changes nothing below it.
        self.adds
            .iter()
            .any(|(p, n)| under(p) && !(n.is_dir() && p == dir))
            || self.whiteouts.iter().any(under)
            || self.opaque.iter().any(under)
    }

    /// The layer's entries, in tar order: for each path, its whiteout, then its own entry,
    /// then (for an opaque directory) the marker. `source` gives the file a `File` entry
    /// streams from.
    pub(super) fn entries(&self, source: impl Fn(&str) -> std::path::PathBuf) -> Vec<Entry> {
        let paths: BTreeSet<&String> = self
            .adds
            .keys()
            .chain(&self.whiteouts)
            .chain(&self.opaque)
            .collect();
        let mut out = Vec::new();
        for path in paths {
            if self.whiteouts.contains(path) {
                out.push(Entry::whiteout(path));
            }
            match self.adds.get(path) {
                Some(Node::Dir { mode }) => out.push(Entry::Dir {
                    path: path.clone(),
                    mode: *mode,
                }),
                Some(Node::File { mode, .. }) => out.push(Entry::DiskFile {
                    path: path.clone(),
                    source: source(path),
                    mode: *mode,
                }),
                Some(Node::Symlink { target }) => out.push(Entry::symlink(path, target)),
                None => {}
            }
            if self.opaque.contains(path) {
                out.push(Entry::opaque(path));
            }
        }
        out
    }
}

fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(p, _)| p)
}

fn is_under(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

/// The layer from `prev` to `cur`; each of `opaque` must be a directory in `cur`.
pub(crate) fn diff(prev: &Tree, cur: &Tree, opaque: &[&str]) -> Result<Diff, String> {
    let mut d = Diff::default();
    for dir in opaque {
        if !cur.get(*dir).is_some_and(Node::is_dir) {
            return Err(format!("opaque {dir} is no directory after the step"));
        }
        d.opaque.insert((*dir).to_string());
    }
    let in_opaque = |p: &str| opaque.iter().any(|o| p == *o || is_under(p, o));
    for (path, node) in cur {
        if in_opaque(path) {
            d.adds.insert(path.clone(), node.clone());
            continue;
        }
        match prev.get(path) {
            Some(old) if old.same(node) => {}
            Some(old) => {
                // A directory that became a file or link: its lower contents must go too.
                if old.is_dir() && !node.is_dir() {
                    d.whiteouts.insert(path.clone());
                }
                d.adds.insert(path.clone(), node.clone());
            }
            None => {
                d.adds.insert(path.clone(), node.clone());
            }
        }
    }
    for path in prev.keys() {
        if cur.contains_key(path) || opaque.iter().any(|o| is_under(path, o)) {
            continue;
        }
        // Only the topmost deleted path: its parent still exists as a directory.
        let parent_kept = match parent(path) {
            None => true,
            Some(p) => cur.get(p).is_some_and(Node::is_dir),
        };
        if parent_kept {
            d.whiteouts.insert(path.clone());
        }
    }
    // Parents of everything written, as Docker writes them (with their current mode).
    let touched: Vec<String> = d
        .adds
        .keys()
        .chain(&d.whiteouts)
        .chain(&d.opaque)
        .cloned()
        .collect();
    for path in touched {
        let mut p = path.as_str();
        while let Some(up) = parent(p) {
            if d.adds.contains_key(up) {
                break;
            }
            let node = cur.get(up).cloned().unwrap_or(Node::Dir { mode: 0o755 });
            d.adds.insert(up.to_string(), node);
            p = up;
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(items: &[(&str, Option<&str>)]) -> Tree {
        items
            .iter()
            .map(|(p, content)| {
                let node = match content {
                    None => Node::Dir { mode: 0o755 },
                    Some(c) => Node::File {
                        mode: 0o644,
                        size: c.len() as u64,
                        hash: Sha256::digest(c.as_bytes()).into(),
                        stamp: (0, 0, 0, 0, 0),
                    },
                };
                (p.to_string(), node)
            })
            .collect()
    }

    fn names(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Dir { path, .. } => format!("{path}/"),
                Entry::DiskFile { path, .. } => path.clone(),
                Entry::Whiteout { path } => format!("wh {path}"),
                Entry::Opaque { dir } => format!("opq {dir}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn changed_new_and_deleted_paths_with_parents() {
        let prev = tree(&[
            ("a", None),
            ("a/keep", Some("1")),
            ("a/edit", Some("1")),
            ("a/gone", None),
            ("a/gone/x", Some("1")),
            ("b", None),
        ]);
        let cur = tree(&[
            ("a", None),
            ("a/keep", Some("1")),
            ("a/edit", Some("2")),
            ("a/new", None),
            ("a/new/y", Some("1")),
            ("b", None),
        ]);
        let d = diff(&prev, &cur, &[]).unwrap();
        let entries = d.entries(|p| p.into());
        assert_eq!(
            names(&entries),
            ["a/", "a/edit", "wh a/gone", "a/new/", "a/new/y"]
        );
        assert!(d.touches("a/new") && d.touches("a") && !d.touches("b"));
    }

    #[test]
    fn opaque_directory_is_written_whole() {
        let prev = tree(&[
            ("app", None),
            ("app/nm", None),
            ("app/nm/old", Some("1")),
            ("app/nm/same", Some("1")),
        ]);
        let cur = tree(&[("app", None), ("app/nm", None), ("app/nm/same", Some("1"))]);
        let d = diff(&prev, &cur, &["app/nm"]).unwrap();
        assert_eq!(
            names(&d.entries(|p| p.into())),
            ["app/", "app/nm/", "opq app/nm", "app/nm/same"]
        );
        assert!(diff(&prev, &cur, &["app/missing"]).is_err());
    }

    #[test]
    fn directory_replaced_by_a_file() {
        let prev = tree(&[("d", None), ("d/x", Some("1"))]);
        let cur = tree(&[("d", Some("now a file"))]);
        let d = diff(&prev, &cur, &[]).unwrap();
        assert_eq!(names(&d.entries(|p| p.into())), ["wh d", "d"]);
    }
}
