//! Turns a real directory into layer entries for [`crate::LayerSpec::from_dir`].

use std::fs::{self, File, Metadata};
use std::path::Path;

use crate::Entry;

/// Entries for `root`'s contents under `prefix`, stopping once `max_bytes` of files were added.
pub(crate) fn walk(root: &Path, prefix: &str, max_bytes: u64) -> Vec<Entry> {
    let prefix = prefix.trim_matches('/');
    let mut out = Vec::new();
    // The prefix's own directories come first, as `docker build` would have created them.
    let mut acc = String::new();
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        acc = join(&acc, part);
        out.push(Entry::Dir {
            path: acc.clone(),
            mode: 0o755,
        });
    }
    let mut walker = Walker {
        out,
        added: 0,
        max_bytes,
    };
    walker.dir(root, prefix);
    walker.out
}

struct Walker {
    out: Vec<Entry>,
    added: u64,
    max_bytes: u64,
}

impl Walker {
    /// Adds `dir`'s children (named under `rel`); returns `false` once the budget is spent.
    fn dir(&mut self, dir: &Path, rel: &str) -> bool {
        let Ok(read) = fs::read_dir(dir) else {
            return true;
        };
        let mut children: Vec<_> = read.filter_map(Result::ok).collect();
        // read_dir order depends on the file system; sort for reproducible tars.
        children.sort_by_key(std::fs::DirEntry::file_name);
        for child in children {
            if self.added >= self.max_bytes {
                return false;
            }
            let Some(name) = child.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let Ok(meta) = fs::symlink_metadata(child.path()) else {
                continue;
            };
            let path = join(rel, &name);
            let kind = meta.file_type();
            if kind.is_symlink() {
                let Ok(target) = fs::read_link(child.path()) else {
                    continue;
                };
                let Some(target) = target.to_str() else {
                    continue;
                };
                self.out.push(Entry::Symlink {
                    path,
                    target: target.to_string(),
                });
            } else if kind.is_dir() {
                self.out.push(Entry::Dir {
                    path: path.clone(),
                    mode: mode(&meta, 0o755),
                });
                if !self.dir(&child.path(), &path) {
                    return false;
                }
            } else if kind.is_file() {
                // Checked now so that the budget only counts files that will really be added.
                if File::open(child.path()).is_err() {
                    continue;
                }
                self.added += meta.len();
                self.out.push(Entry::DiskFile {
                    path,
                    source: child.path(),
                    mode: mode(&meta, 0o644),
                });
            }
        }
        true
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

#[cfg(unix)]
fn mode(meta: &Metadata, _default: u32) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(_meta: &Metadata, default: u32) -> u32 {
    default
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{layer_tar, Compression, LayerSpec};

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join("b/sub")).unwrap();
        fs::write(t.path().join("a.txt"), "aaaa").unwrap();
        fs::write(t.path().join("b/sub/c.bin"), vec![7u8; 3000]).unwrap();
        fs::write(t.path().join("z.txt"), "zz").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("a.txt", t.path().join("b/link")).unwrap();
        t
    }

    fn names(layer: &LayerSpec) -> Vec<String> {
        let tar = layer_tar(layer);
        let mut archive = tar::Archive::new(&tar[..]);
        let entries = archive.entries().unwrap();
        entries
            .map(|e| String::from_utf8(e.unwrap().path_bytes().into_owned()).unwrap())
            .collect()
    }

    #[test]
    fn walks_in_name_order_under_prefix() {
        let t = tree();
        let layer = LayerSpec::from_dir(t.path(), "/opt/app/", u64::MAX, Compression::Gzip);
        let mut expected = vec!["opt/", "opt/app/", "opt/app/a.txt", "opt/app/b/"];
        if cfg!(unix) {
            expected.push("opt/app/b/link");
        }
        expected.extend(["opt/app/b/sub/", "opt/app/b/sub/c.bin", "opt/app/z.txt"]);
        assert_eq!(names(&layer), expected);
        let tar = layer_tar(&layer);
        let mut archive = tar::Archive::new(&tar[..]);
        let mut c = archive
            .entries()
            .unwrap()
            .map(Result::unwrap)
            .find(|e| e.size() == 3000)
            .unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut c, &mut data).unwrap();
        assert_eq!(data, vec![7u8; 3000]);
    }

    #[test]
    fn stops_once_the_budget_is_spent() {
        let t = tree();
        let layer = LayerSpec::from_dir(t.path(), "", 1, Compression::None);
        assert_eq!(names(&layer), ["a.txt"]);
        assert!(LayerSpec::from_dir(t.path(), "", 0, Compression::None)
            .entries
            .is_empty());
    }

    #[test]
    fn files_gone_at_build_time_are_skipped() {
        let t = tree();
        let layer = LayerSpec::from_dir(t.path(), "", u64::MAX, Compression::None);
        fs::remove_file(t.path().join("z.txt")).unwrap();
        assert!(!names(&layer).contains(&"z.txt".to_string()));
    }
}
