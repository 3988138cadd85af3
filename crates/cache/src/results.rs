//! Image results: a whole scan's outcome under one key, so a re-scan of an unchanged image
//! reads its index, manifest and config and nothing else.
//!
//! The scan decides what identifies a result (the image and the options, hashed with
//! [`Fields`](crate::Fields)) and what the payload holds; this module keeps payloads in the
//! layer store beside the layer entries, in the layer codec's envelope under its own magic
//! (`sbomgenR`: checksum, zstd), and, as [`LayerCache`](crate::LayerCache) does, turns every
//! failure into a warning. Layer entries stay useful beside it: another image sharing the
//! layers misses here and hits there.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::codec::{seal, unseal, EntryKind};
use crate::{CacheError, Store};

/// Version of image-result entries: the envelope, the payload's schema, and what the scan
/// makes of layer reports (merge, cataloguing on the merged view, identification, ordering).
/// Bump it with any change that alters a scan's output for the same layers and options; it is
/// part of every result key, so old entries are never asked for again.
pub const RESULT_FORMAT_VERSION: u32 = 2;

const RESULT_ENTRY: EntryKind = EntryKind {
    magic: b"sbomgenR",
    version: RESULT_FORMAT_VERSION,
    name: "an image result entry",
};

/// The image-result side of a store, for one scan.
#[derive(Debug)]
pub struct ResultCache {
    store: Arc<dyn Store>,
    broken: AtomicBool,
}

/// What a lookup found: a payload from a sound entry, and what to tell the user.
#[derive(Debug, Default)]
pub struct ResultLookup {
    pub payload: Option<Vec<u8>>,
    pub warning: Option<String>,
    /// The store itself failed (not one entry): the scan leaves it alone from here on.
    pub store_failed: bool,
}

impl ResultCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        ResultCache {
            store,
            broken: AtomicBool::new(false),
        }
    }

    /// The payload stored under `key`. A damaged entry is a miss with a warning naming it;
    /// the caller scans the layers and [`put`](Self::put)s the result, which replaces it.
    pub fn get(&self, key: &str) -> ResultLookup {
        match self.store.get(key) {
            Ok(None) => ResultLookup::default(),
            Ok(Some(entry)) => match unseal(&RESULT_ENTRY, &entry) {
                Ok(payload) => ResultLookup {
                    payload: Some(payload.into_owned()),
                    ..ResultLookup::default()
                },
                Err(reason) => ResultLookup {
                    warning: Some(self.damaged(key, &reason)),
                    ..ResultLookup::default()
                },
            },
            Err(error) => {
                self.broken.store(true, Ordering::Relaxed);
                ResultLookup {
                    warning: Some(self.failed(&error)),
                    store_failed: true,
                    ..ResultLookup::default()
                }
            }
        }
    }

    /// The warning for an entry under `key` that cannot be used: damaged, or a payload the
    /// scan cannot read back (`reason` says which).
    pub fn damaged(&self, key: &str, reason: &str) -> String {
        let error = CacheError::Corrupt {
            key: key.to_string(),
            reason: reason.to_string(),
        };
        format!(
            "layer cache ({}): {error} (an image result); scanning the image again and replacing it",
            self.store.describe()
        )
    }

    /// Stores `payload` under `key`; a warning when the store failed. Nothing is tried once
    /// a lookup found the store failing.
    pub fn put(&self, key: &str, payload: Vec<u8>) -> Option<String> {
        if self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let entry = seal(&RESULT_ENTRY, payload);
        let error = self.store.put(key, &entry).err()?;
        self.broken.store(true, Ordering::Relaxed);
        Some(self.failed(&error))
    }

    /// Worded as the layer cache's: the user knows one cache, and the scan leaves all of it.
    fn failed(&self, error: &CacheError) -> String {
        format!(
            "layer cache ({}) failed: {error}; continuing without it",
            self.store.describe()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalStore;

    fn cache(dir: &std::path::Path) -> (ResultCache, Arc<LocalStore>) {
        let store = Arc::new(LocalStore::new(dir));
        (ResultCache::new(store.clone()), store)
    }

    #[test]
    fn miss_put_hit() {
        let tmp = tempfile::tempdir().unwrap();
        let (results, _) = cache(tmp.path());
        let lookup = results.get("abc");
        assert!(lookup.payload.is_none() && lookup.warning.is_none() && !lookup.store_failed);
        let payload = br#"{"sbom":{}}"#.repeat(100);
        assert_eq!(results.put("abc", payload.clone()), None);
        assert_eq!(results.get("abc").payload, Some(payload));
    }

    #[test]
    fn a_damaged_entry_is_a_miss_with_a_warning_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (results, store) = cache(tmp.path());
        results.put("abc", b"payload".to_vec());
        let mut entry = store.get("abc").unwrap().unwrap();
        let last = entry.len() - 1;
        entry[last] ^= 1;
        store.put("abc", &entry).unwrap();
        let lookup = results.get("abc");
        assert!(lookup.payload.is_none() && !lookup.store_failed);
        let warning = lookup.warning.unwrap();
        assert!(
            warning.contains("abc") && warning.contains("checksum mismatch"),
            "{warning}"
        );
    }

    #[test]
    fn a_layer_entry_is_not_a_result() {
        let tmp = tempfile::tempdir().unwrap();
        let (results, store) = cache(tmp.path());
        store
            .put(
                "abc",
                &crate::encode(&sbomgen_layer::LayerReport::default()),
            )
            .unwrap();
        let warning = results.get("abc").warning.unwrap();
        assert!(warning.contains("not an image result entry"), "{warning}");
    }

    #[test]
    fn a_failing_store_is_reported_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let (results, _) = cache(&file.join("layers"));
        let lookup = results.get("abc");
        assert!(lookup.store_failed && lookup.payload.is_none());
        assert!(lookup.warning.unwrap().contains("failed"));
        assert_eq!(results.put("abc", b"x".to_vec()), None, "not tried again");
    }
}
