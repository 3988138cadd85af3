//! A content-addressed blob cache on disk, so a second scan of an image, or of another image
//! sharing its base layers, reads layers from disk instead of the network.
//!
//! Layout: `DIR/<algorithm>/<hex>`. A blob is written to a temporary file in the same
//! directory and renamed to its digest name only after the bytes were verified against that
//! digest, so a name always holds exactly the bytes it names (a crash leaves only a temporary
//! file, never a wrong blob). Readers of a cached blob still hash it as they read (the layer
//! reader does), so a file damaged on disk later is caught too.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sbomgen_model::Digest;

/// Prefix of in-progress files; never a digest name.
const TEMP_PREFIX: &str = ".partial-";

/// A blob cache rooted at one directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BlobCache {
    dir: PathBuf,
}

impl BlobCache {
    /// A cache in `dir`, created on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the blob `digest` is (or would be) stored.
    pub fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(digest.algorithm()).join(digest.hex())
    }

    /// The cached blob, if present with the expected size. A file of the wrong size cannot
    /// hold the blob and is removed so the next download replaces it.
    pub fn open(&self, digest: &Digest, size: Option<u64>) -> Option<File> {
        let path = self.path(digest);
        let file = File::open(&path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        if size.is_some_and(|s| s != meta.len()) {
            drop(file);
            let _ = fs::remove_file(&path);
            return None;
        }
        // The size policy (`sbomgen cache prune`, the cap applied after scans) evicts the least
        // recently used blobs by modification time: a hit marks the blob as used. Best effort.
        if let Ok(writable) = File::options().append(true).open(&path) {
            let _ = writable.set_modified(std::time::SystemTime::now());
        }
        Some(file)
    }

    /// Starts writing the blob `digest`; nothing is visible under its name until
    /// [`CacheWriter::commit`].
    pub fn writer(&self, digest: &Digest) -> io::Result<CacheWriter> {
        let target = self.path(digest);
        let parent = target.parent().unwrap_or(&self.dir);
        fs::create_dir_all(parent)?;
        let file = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(parent)?;
        Ok(CacheWriter {
            file: BufWriter::with_capacity(256 << 10, file),
            target,
            digest: digest.clone(),
        })
    }

    /// Removes temporary files older than `age`: a run killed mid-download (Ctrl-C skips
    /// destructors) leaves its partial file behind.
    pub fn sweep(&self, age: Duration) {
        let Ok(algorithms) = fs::read_dir(&self.dir) else {
            return;
        };
        for algorithm in algorithms.flatten() {
            let Ok(entries) = fs::read_dir(algorithm.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let stale = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                    && entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().is_ok_and(|e| e > age));
                if stale {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }

    /// Drops a cached blob found to be damaged.
    pub fn remove(&self, digest: &Digest) {
        let _ = fs::remove_file(self.path(digest));
    }
}

/// A blob being written to the cache. Dropped without [`commit`](Self::commit), its temporary
/// file is deleted.
#[derive(Debug)]
pub struct CacheWriter {
    file: BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
    digest: Digest,
}

impl CacheWriter {
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)
    }

    /// Renames the file to its digest name, if `actual` (the digest of everything written) is
    /// the digest it is for; otherwise deletes it and fails.
    pub fn commit(self, actual: &Digest) -> io::Result<()> {
        if actual != &self.digest {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not caching blob {}: content digest is {actual}",
                    self.digest
                ),
            ));
        }
        let file = self
            .file
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        // No fsync: it cost seconds per large layer, and a file that a crash leaves short or
        // damaged under its name is caught when read (size check on open, digest at the end)
        // and removed.
        // Another scan may have stored the same blob meanwhile: the rename replaces it with
        // identical bytes, atomically.
        file.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::hashing::digest_like;

    fn sha(bytes: &[u8]) -> Digest {
        let any: Digest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
        digest_like(&any, bytes)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in walk(dir) {
            out.push(entry.strip_prefix(dir).unwrap().display().to_string());
        }
        out.sort();
        out
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    #[test]
    fn put_then_get() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(tmp.path().join("blobs"));
        let digest = sha(b"hello");
        assert!(cache.open(&digest, None).is_none());

        let mut w = cache.writer(&digest).unwrap();
        w.write(b"hel").unwrap();
        w.write(b"lo").unwrap();
        w.commit(&digest).unwrap();

        let mut text = String::new();
        cache
            .open(&digest, Some(5))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "hello");
        assert_eq!(names(cache.dir()), vec![format!("sha256/{}", digest.hex())]);

        // A hit marks the blob as recently used, for the size policy.
        let long_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let file = File::options()
            .append(true)
            .open(cache.path(&digest))
            .unwrap();
        file.set_modified(long_ago).unwrap();
        cache.open(&digest, Some(5)).unwrap();
        let used = fs::metadata(cache.path(&digest))
            .unwrap()
            .modified()
            .unwrap();
        assert!(used > long_ago + Duration::from_secs(3000));
    }

    #[test]
    fn nothing_is_visible_before_commit_and_nothing_remains_after_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(tmp.path());
        let digest = sha(b"hello");
        let mut w = cache.writer(&digest).unwrap();
        w.write(b"hello").unwrap();
        assert!(cache.open(&digest, None).is_none(), "not visible mid-write");
        assert_eq!(names(tmp.path()).len(), 1, "one temporary file");
        assert!(names(tmp.path())[0].contains(TEMP_PREFIX));
        drop(w);
        assert!(names(tmp.path()).is_empty(), "temporary file removed");
    }

    #[test]
    fn a_blob_whose_digest_differs_is_never_stored() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(tmp.path());
        let digest = sha(b"hello");
        let mut w = cache.writer(&digest).unwrap();
        w.write(b"jello").unwrap();
        let err = w.commit(&sha(b"jello")).unwrap_err();
        assert!(err.to_string().contains(digest.as_str()), "{err}");
        assert!(cache.open(&digest, None).is_none());
        assert!(names(tmp.path()).is_empty());
    }

    #[test]
    fn sweep_removes_only_old_temporary_files() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(tmp.path());
        let digest = sha(b"hello");
        let mut w = cache.writer(&digest).unwrap();
        w.write(b"hello").unwrap();
        w.commit(&digest).unwrap();
        let left = cache.writer(&sha(b"other")).unwrap();
        // Keep the temporary file as a killed run would.
        let (_, kept) = left.file.into_inner().unwrap().keep().unwrap();
        cache.sweep(Duration::from_secs(3600));
        assert!(
            kept.exists(),
            "a recent partial file may belong to a running scan"
        );
        std::thread::sleep(Duration::from_millis(20));
        cache.sweep(Duration::from_millis(1));
        assert!(!kept.exists());
        assert!(cache.open(&digest, Some(5)).is_some());
    }

    #[test]
    fn a_file_of_the_wrong_size_is_a_miss_and_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(tmp.path());
        let digest = sha(b"hello");
        fs::create_dir_all(cache.path(&digest).parent().unwrap()).unwrap();
        fs::write(cache.path(&digest), b"hell").unwrap();
        assert!(cache.open(&digest, Some(5)).is_none());
        assert!(!cache.path(&digest).exists());
    }
}
