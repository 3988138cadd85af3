//! The layer cache as the pipeline uses it: look a layer up before reading it, store what a
//! read produced after.
//!
//! Only layers the source identifies completely are cached: a blob with a descriptor digest
//! and a diff_id, both of which the read verifies (the layer reader fails on a mismatch, so a
//! report that exists was verified). `dir:` sources and docker archives' unnamed layers are
//! always read. Cache trouble never fails a scan: it becomes a warning and the layer is read.

use std::sync::{Arc, Mutex};

use sbomgen_cache::{Classes, KeyContext, LayerCache, LayerId, Store};
use sbomgen_layer::{LayerReport, Limits};
use sbomgen_source::{LayerContent, LayerSource};

use crate::pipeline::Selection;
use crate::ScanError;

/// One scan's use of the layer cache.
#[derive(Debug)]
pub(crate) struct ScanCache {
    cache: LayerCache,
    /// Warnings by layer index, in the order they happened.
    warnings: Mutex<Vec<(usize, String)>>,
}

impl ScanCache {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        selection: &Selection,
        declared: bool,
        limits: &Limits,
    ) -> Self {
        let names: Vec<&str> = (selection.os.iter().map(|c| c.name()))
            .chain(selection.files.iter().map(|c| c.name()))
            .collect();
        let context = KeyContext::new(&names, declared, limits);
        let classes = Classes::new(sbomgen_catalog::binary::classes());
        ScanCache {
            cache: LayerCache::new(store, context, classes),
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// `layer`'s report from the cache, else from `read` (stored for next time).
    pub(crate) fn read(
        &self,
        layer: &LayerSource,
        read: impl FnOnce() -> Result<LayerReport, ScanError>,
    ) -> Result<LayerReport, ScanError> {
        let Some(id) = identity(layer) else {
            return read();
        };
        let key = self.cache.key(&id);
        let lookup = self.cache.get(&key);
        self.warn(layer.index, lookup.warning);
        if let Some(report) = lookup.report {
            return Ok(report);
        }
        let report = read()?;
        // The reader checked both against `layer`; this only guards against a source that
        // stops passing them as expectations.
        let verified = report.digest.as_ref() == Some(id.digest)
            && report.diff_id.as_ref() == Some(id.diff_id);
        if verified {
            self.warn(layer.index, self.cache.put(&key, &report));
        }
        Ok(report)
    }

    fn warn(&self, index: usize, warning: Option<String>) {
        if let Some(warning) = warning {
            let mut warnings = self
                .warnings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            warnings.push((index, warning));
        }
    }

    /// Whether the store failed during the scan: nothing more is written to it.
    pub(crate) fn gave_up(&self) -> bool {
        self.cache.gave_up()
    }

    /// The warnings, `layer N: …`, in layer order.
    pub(crate) fn into_warnings(self) -> Vec<String> {
        let mut warnings = self
            .warnings
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        warnings.sort_by_key(|(index, _)| *index);
        warnings
            .into_iter()
            .map(|(index, w)| format!("layer {index}: {w}"))
            .collect()
    }
}

/// The identity a layer is cached under, when the source states all of it.
fn identity(layer: &LayerSource) -> Option<LayerId<'_>> {
    match (&layer.content, &layer.digest, &layer.diff_id) {
        (LayerContent::Blob(_), Some(digest), Some(diff_id)) => Some(LayerId {
            diff_id,
            digest,
            media_type: layer.media_type.as_deref(),
        }),
        _ => None,
    }
}
