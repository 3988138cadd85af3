//! The size policy shared by the local layer cache and the registry blob cache: both stay
//! under one cap together, the least recently used files going first.
//!
//! "Used" is the modification time: writers create files, and hits refresh it (the layer
//! store on every hit, the blob cache when it serves a blob), since many file systems keep no
//! access times (`noatime`) or update them lazily (`relatime`). Eviction only unlinks files,
//! so a scan that is reading an evicted entry keeps reading it; no lock is needed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::local::TEMP_PREFIX;

/// The default cap on the two caches together.
pub const DEFAULT_MAX_SIZE: u64 = 5 << 30;
/// Sets the cap, like `--cache-size` (`K`, `M`, `G`, `T` suffixes are powers of 1024).
pub const ENV_CACHE_SIZE: &str = "SBOMGEN_CACHE_SIZE";
/// A temporary file older than this belongs to a run that died; a younger one may be another
/// run's write in progress.
const STALE_TEMP: Duration = Duration::from_secs(60 * 60);
/// Cache directories are flat (layers) or one level deep (`blobs/sha256/…`); nothing deeper
/// is walked.
const MAX_DEPTH: usize = 3;

/// Entries and bytes of a cache directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub entries: u64,
    pub bytes: u64,
}

/// What [`prune`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Entries removed and their bytes.
    pub removed: Usage,
    /// What remains, in all directories together.
    pub kept: Usage,
}

/// Parses a size such as `5G`, `500M`, `1048576` (a suffix may be followed by `B` or `iB`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("{text:?}: unknown size suffix {c:?} (K, M, G, T)")),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("{text:?} is not a size (e.g. 5G, 500M, 1048576)"))
}

/// The entries under `dir` (none when it does not exist), temporary files left out.
pub fn usage(dir: &Path) -> Usage {
    let mut usage = Usage::default();
    for file in entries(dir) {
        usage.entries += 1;
        usage.bytes += file.bytes;
    }
    usage
}

/// Removes the least recently used entries of `dirs`, taken together, until they hold at most
/// `max_bytes`; stale temporary files go too. Files that vanish meanwhile (another process
/// pruning) are skipped.
pub fn prune(dirs: &[&Path], max_bytes: u64) -> Pruned {
    let mut files: Vec<File> = dirs.iter().flat_map(|dir| entries(dir)).collect();
    // Oldest first; ties by path, so the choice does not depend on directory order.
    files.sort_by(|a, b| (a.used, &a.path).cmp(&(b.used, &b.path)));
    let mut kept = Usage {
        entries: files.len() as u64,
        bytes: files.iter().map(|f| f.bytes).sum(),
    };
    let mut removed = Usage::default();
    for file in files {
        if kept.bytes <= max_bytes {
            break;
        }
        if fs::remove_file(&file.path).is_ok() {
            removed.entries += 1;
            removed.bytes += file.bytes;
        }
        kept.entries -= 1;
        kept.bytes -= file.bytes;
    }
    Pruned { removed, kept }
}

/// Removes every entry and temporary file under `dir`, and the directories they leave empty
/// (`dir` itself stays). Returns what was removed.
pub fn clean(dir: &Path) -> io::Result<Usage> {
    let mut removed = Usage::default();
    clean_in(dir, 0, &mut removed)?;
    Ok(removed)
}

fn clean_in(dir: &Path, depth: usize, removed: &mut Usage) -> io::Result<()> {
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for item in listing {
        let item = item?;
        let path = item.path();
        let kind = item.file_type()?;
        if kind.is_dir() && depth + 1 < MAX_DEPTH {
            clean_in(&path, depth + 1, removed)?;
            let _ = fs::remove_dir(&path);
        } else if kind.is_file() {
            let bytes = item.metadata().map_or(0, |m| m.len());
            match fs::remove_file(&path) {
                Ok(()) => {
                    removed.entries += 1;
                    removed.bytes += bytes;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

struct File {
    path: PathBuf,
    bytes: u64,
    used: SystemTime,
}

/// Regular files under `dir`, except temporary ones; stale temporary files are removed on
/// the way.
fn entries(dir: &Path) -> Vec<File> {
    let mut out = Vec::new();
    walk(dir, 0, &mut out);
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<File>) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    for item in listing.flatten() {
        let Ok(meta) = item.metadata() else {
            continue;
        };
        let path = item.path();
        if meta.is_dir() {
            if depth + 1 < MAX_DEPTH {
                walk(&path, depth + 1, out);
            }
            continue;
        }
        if !meta.is_file() {
            continue;
        }
        let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if item.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            if used.elapsed().is_ok_and(|age| age > STALE_TEMP) {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        out.push(File {
            path,
            bytes: meta.len(),
            used,
        });
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File as FsFile;

    use super::*;

    fn write_aged(path: &Path, bytes: usize, age_secs: u64) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, vec![0u8; bytes]).unwrap();
        let when = SystemTime::now() - Duration::from_secs(age_secs);
        FsFile::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("5G"), Ok(5 << 30));
        assert_eq!(parse_size("500MiB"), Ok(500 << 20));
        assert_eq!(parse_size("12k"), Ok(12 << 10));
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size(" 1048576 "), Ok(1 << 20));
        assert!(parse_size("5X").unwrap_err().contains("suffix"));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err(), "overflow");
    }

    #[test]
    fn prune_evicts_least_recently_used_across_both_caches() {
        let tmp = tempfile::tempdir().unwrap();
        let layers = tmp.path().join("layers");
        let blobs = tmp.path().join("blobs");
        write_aged(&layers.join("old"), 100, 300);
        write_aged(&blobs.join("sha256/older"), 100, 400);
        write_aged(&layers.join("new"), 100, 10);
        write_aged(&blobs.join("sha256/newer"), 100, 5);
        assert_eq!(
            usage(&blobs),
            Usage {
                entries: 2,
                bytes: 200
            }
        );

        let pruned = prune(&[&layers, &blobs], 250);
        assert_eq!(
            pruned.removed,
            Usage {
                entries: 2,
                bytes: 200
            }
        );
        assert_eq!(
            pruned.kept,
            Usage {
                entries: 2,
                bytes: 200
            }
        );
        assert!(!blobs.join("sha256/older").exists());
        assert!(!layers.join("old").exists());
        assert!(layers.join("new").exists() && blobs.join("sha256/newer").exists());

        let pruned = prune(&[&layers, &blobs], 1000);
        assert_eq!(
            pruned.removed,
            Usage::default(),
            "under the cap: nothing to do"
        );
        assert_eq!(prune(&[&layers, &blobs], 0).kept, Usage::default());
    }

    #[test]
    fn temporary_files_are_not_entries_and_stale_ones_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join(format!("{TEMP_PREFIX}fresh"));
        let stale = tmp.path().join(format!("{TEMP_PREFIX}stale"));
        write_aged(&fresh, 10, 1);
        write_aged(&stale, 10, 2 * 3600);
        write_aged(&tmp.path().join("entry"), 10, 1);
        assert_eq!(
            usage(tmp.path()),
            Usage {
                entries: 1,
                bytes: 10
            }
        );
        assert!(fresh.exists(), "may be another run's write in progress");
        assert!(!stale.exists());
    }

    #[test]
    fn clean_removes_everything_but_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        write_aged(&tmp.path().join("a"), 10, 1);
        write_aged(&tmp.path().join("sha256/b"), 20, 1);
        assert_eq!(
            clean(tmp.path()).unwrap(),
            Usage {
                entries: 2,
                bytes: 30
            }
        );
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
        assert!(tmp.path().exists());
        assert_eq!(
            clean(&tmp.path().join("missing")).unwrap(),
            Usage::default()
        );
    }
}
