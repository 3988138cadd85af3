//! The embedded store: one file per entry in a local directory.
//!
//! Safe with several sbomgen processes at once and no lock: an entry is written to a
//! temporary file in the same directory and renamed over its name, so a reader sees the old
//! entry, the new one or none, never half of one (two writers of one key write the same bytes;
//! the last rename wins). A hit sets the file's modification time, which the size policy
//! ([`crate::policy::prune`]) reads as "last used": many file systems do not keep access times.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use crate::{CacheError, Store};

/// Prefix of in-progress files: never a key (keys are hex).
pub(crate) const TEMP_PREFIX: &str = ".partial-";

/// Entries as files `DIR/<key>`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    dir: PathBuf,
    /// Entries written through this store and its clones, so the caller knows whether the
    /// size policy has anything new to enforce.
    writes: Arc<AtomicU64>,
}

impl LocalStore {
    /// A store in `dir`, created on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalStore {
            dir: dir.into(),
            writes: Arc::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many entries this store (or a clone) has written.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    fn path(&self, key: &str) -> Result<PathBuf, CacheError> {
        // Keys are hex digests; anything else must not become a path (`../x`, `a/b`).
        let plain = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            return Err(CacheError::Io {
                path: self.dir.clone(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{key:?} is not a cache key"),
                ),
            });
        }
        Ok(self.dir.join(key))
    }
}

impl Store for LocalStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let path = self.path(key)?;
        match fs::read(&path) {
            Ok(bytes) => {
                touch(&path);
                Ok(Some(bytes))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(CacheError::Io { path, source }),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
        let path = self.path(key)?;
        let io_error = |source| CacheError::Io {
            path: self.dir.clone(),
            source,
        };
        fs::create_dir_all(&self.dir).map_err(io_error)?;
        let mut file = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)
            .map_err(io_error)?;
        file.write_all(value).map_err(io_error)?;
        // No fsync, as for the blob cache: an entry a crash leaves damaged fails its checksum
        // and is recomputed.
        file.persist(&path).map_err(|e| CacheError::Io {
            path,
            source: e.error,
        })?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn describe(&self) -> String {
        format!("local {}", self.dir.display())
    }
}

/// Marks `path` as just used, for least-recently-used eviction. Best effort: a read-only
/// cache still serves hits.
pub(crate) fn touch(path: &Path) {
    if let Ok(file) = File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn put_get_and_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let store = LocalStore::new(tmp.path().join("layers"));
        assert_eq!(store.get("ab12").unwrap(), None);
        store.put("ab12", b"one").unwrap();
        store.clone().put("ab12", b"two").unwrap();
        assert_eq!(store.writes(), 2);
        assert_eq!(store.get("ab12").unwrap().as_deref(), Some(&b"two"[..]));
        let names: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["ab12"], "no temporary file left behind");
        assert!(store.describe().starts_with("local "));
    }

    #[test]
    fn keys_that_are_not_plain_names_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = LocalStore::new(tmp.path());
        for key in ["", "../x", "a/b", ".partial-x"] {
            assert!(store.put(key, b"x").is_err(), "{key:?}");
            assert!(store.get(key).is_err(), "{key:?}");
        }
    }

    #[test]
    fn a_hit_refreshes_the_modification_time() {
        let tmp = tempfile::tempdir().unwrap();
        let store = LocalStore::new(tmp.path());
        store.put("k", b"v").unwrap();
        let path = tmp.path().join("k");
        let old = SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        store.get("k").unwrap().unwrap();
        let modified = fs::metadata(&path).unwrap().modified().unwrap();
        assert!(modified > old + Duration::from_secs(3000));
    }

    #[test]
    fn an_unwritable_directory_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        fs::write(&file, b"").unwrap();
        let store = LocalStore::new(file.join("layers"));
        let err = store.put("k", b"v").unwrap_err();
        assert!(err.to_string().contains("file/layers"), "{err}");
    }
}
