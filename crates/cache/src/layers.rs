//! [`LayerCache`]: a store, the scan's key context and the codec, as the scan uses them.
//!
//! Nothing here fails a scan. A miss, a damaged entry or a store that is down all mean the
//! layer is read as if there were no cache; damage and failures come back as warnings. After
//! the store's first failure it is left alone for the rest of the scan, so a server that went
//! away costs one timeout, not one per layer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sbomgen_layer::LayerReport;

use crate::codec::{decode, encode, Classes};
use crate::key::{KeyContext, LayerId};
use crate::{CacheError, Store};

/// The layer cache of one scan.
#[derive(Debug)]
pub struct LayerCache {
    store: Arc<dyn Store>,
    context: KeyContext,
    classes: Classes,
    broken: AtomicBool,
}

/// The result of a lookup: a report when the store held a sound entry, and what to tell the
/// user (a damaged entry, a failing store).
#[derive(Debug, Default)]
pub struct Lookup {
    pub report: Option<LayerReport>,
    pub warning: Option<String>,
}

impl LayerCache {
    pub fn new(store: Arc<dyn Store>, context: KeyContext, classes: Classes) -> Self {
        LayerCache {
            store,
            context,
            classes,
            broken: AtomicBool::new(false),
        }
    }

    /// The key `layer`'s analysis is stored under.
    pub fn key(&self, layer: &LayerId<'_>) -> String {
        self.context.key(layer)
    }

    /// For messages.
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// The report stored under `key`. A damaged entry is a miss with a warning naming it; the
    /// caller recomputes the layer and [`put`](Self::put)s it, which replaces the entry.
    pub fn get(&self, key: &str) -> Lookup {
        if self.broken.load(Ordering::Relaxed) {
            return Lookup::default();
        }
        match self.store.get(key) {
            Ok(None) => Lookup::default(),
            Ok(Some(bytes)) => match decode(&bytes, key, &self.classes) {
                Ok(report) => Lookup {
                    report: Some(report),
                    warning: None,
                },
                Err(error) => Lookup {
                    report: None,
                    warning: Some(format!(
                        "layer cache ({}): {error}; analysing the layer again and replacing it",
                        self.store.describe()
                    )),
                },
            },
            Err(error) => Lookup {
                report: None,
                warning: self.failed(&error),
            },
        }
    }

    /// Stores `report` under `key`; a warning when the store failed.
    pub fn put(&self, key: &str, report: &LayerReport) -> Option<String> {
        if self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let entry = encode(report);
        self.store
            .put(key, &entry)
            .err()
            .and_then(|error| self.failed(&error))
    }

    /// Whether the store failed this scan (and is left alone since).
    pub fn gave_up(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// Marks the store broken; the warning only for the first failure.
    fn failed(&self, error: &CacheError) -> Option<String> {
        let first = !self.broken.swap(true, Ordering::Relaxed);
        first.then(|| {
            format!(
                "layer cache ({}) failed: {error}; continuing without it",
                self.store.describe()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use sbomgen_layer::Limits;
    use sbomgen_model::Digest;

    use super::*;

    #[derive(Debug, Default)]
    struct Memory {
        entries: Mutex<BTreeMap<String, Vec<u8>>>,
        down: AtomicBool,
        calls: Mutex<u32>,
    }

    impl Store for Memory {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
            *self.calls.lock().unwrap() += 1;
            if self.down.load(Ordering::Relaxed) {
                return Err(CacheError::Unreachable {
                    store: self.describe(),
                    reason: "connection refused".into(),
                });
            }
            Ok(self.entries.lock().unwrap().get(key).cloned())
        }

        fn put(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
            self.entries
                .lock()
                .unwrap()
                .insert(key.to_string(), value.to_vec());
            Ok(())
        }

        fn describe(&self) -> String {
            "memory".into()
        }
    }

    fn cache(store: &Arc<Memory>) -> (LayerCache, String) {
        let context = KeyContext::new(&["dpkg"], false, &Limits::default());
        let cache = LayerCache::new(store.clone(), context, Classes::default());
        let (diff_id, digest) = (
            Digest::sha256_from_bytes(&[1; 32]),
            Digest::sha256_from_bytes(&[2; 32]),
        );
        let key = cache.key(&LayerId {
            diff_id: &diff_id,
            digest: &digest,
            media_type: None,
        });
        (cache, key)
    }

    #[test]
    fn miss_put_hit() {
        let store = Arc::new(Memory::default());
        let (cache, key) = cache(&store);
        let lookup = cache.get(&key);
        assert!(lookup.report.is_none() && lookup.warning.is_none());
        let mut report = LayerReport::default();
        report.warnings.push("layer note".into());
        assert_eq!(cache.put(&key, &report), None);
        assert_eq!(cache.get(&key).report, Some(report));
    }

    #[test]
    fn a_damaged_entry_is_a_miss_with_a_warning_naming_it() {
        let store = Arc::new(Memory::default());
        let (cache, key) = cache(&store);
        store.put(&key, b"sbomgenL garbage").unwrap();
        let lookup = cache.get(&key);
        assert!(lookup.report.is_none());
        let warning = lookup.warning.unwrap();
        assert!(
            warning.contains(&key) && warning.contains("corrupt"),
            "{warning}"
        );
        // The store is still used: one bad entry says nothing about the others.
        cache.put(&key, &LayerReport::default());
        assert!(cache.get(&key).report.is_some());
    }

    #[test]
    fn a_failing_store_warns_once_and_is_left_alone() {
        let store = Arc::new(Memory::default());
        let (cache, key) = cache(&store);
        store.down.store(true, Ordering::Relaxed);
        let warning = cache.get(&key).warning.unwrap();
        assert!(warning.contains("connection refused"), "{warning}");
        assert!(cache.get(&key).warning.is_none());
        assert_eq!(cache.put(&key, &LayerReport::default()), None);
        assert_eq!(*store.calls.lock().unwrap(), 1, "no second try this scan");
    }
}
