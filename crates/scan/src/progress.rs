//! How far a scan has got, for progress displays and logs.
//!
//! The pipeline tells a [`ScanObserver`] which layers it will read, then each layer's stored
//! (compressed) bytes as its reader consumes them, then when cataloguing starts. Bytes are
//! counted by a [`Read`] adaptor around the blob, so every source (archive, layout, registry
//! stream) reports the same way without the layer reader knowing. Each finished layer is also
//! logged (`tracing`, target `sbomgen_scan`) with its bytes, entries and time.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use sbomgen_layer::LayerReport;
use sbomgen_model::Digest;
use sbomgen_source::{LayerContent, LayerSource};

/// Bytes read between two reports: often enough for a display redrawn ten times a second,
/// rare enough (a few thousand calls per gigabyte) to cost nothing measurable.
const REPORT_EVERY: u64 = 256 * 1024;

/// One layer a scan is about to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPlan {
    /// 0-based, in manifest order.
    pub index: usize,
    /// The stored blob's digest, when the source names one.
    pub digest: Option<Digest>,
    /// The stored (compressed) size from the manifest, when known.
    pub size: Option<u64>,
    /// A directory (`dir:` sources): read file by file, no byte count.
    pub directory: bool,
}

/// Told how a scan progresses. Methods are called from the layer-reading threads, in any order
/// across layers; each has an empty default.
pub trait ScanObserver: Send + Sync + std::fmt::Debug {
    /// The image is open; these layers will be read.
    fn layers(&self, layers: &[LayerPlan]) {
        let _ = layers;
    }
    /// `read` stored bytes of layer `index` have been read so far.
    fn layer_progress(&self, index: usize, read: u64) {
        let _ = (index, read);
    }
    /// Layer `index` is read (or failed; the scan's error tells).
    fn layer_done(&self, index: usize) {
        let _ = index;
    }
    /// Every layer is read; cataloguers and the overlay merge run now.
    fn cataloguing(&self) {}
}

/// The plan the observer is shown before reading starts.
pub(crate) fn plan(layers: &[LayerSource]) -> Vec<LayerPlan> {
    layers
        .iter()
        .map(|layer| LayerPlan {
            index: layer.index,
            digest: layer.digest.clone(),
            size: layer.size,
            directory: matches!(layer.content, LayerContent::Directory(_)),
        })
        .collect()
}

/// `reader`, counting what it hands out for `observer` when there is one.
pub(crate) fn counted(
    reader: Box<dyn Read + Send>,
    index: usize,
    observer: Option<&Arc<dyn ScanObserver>>,
) -> Box<dyn Read + Send> {
    match observer {
        Some(observer) => Box::new(Counting {
            inner: reader,
            index,
            observer: Arc::clone(observer),
            read: 0,
            reported: 0,
        }),
        None => reader,
    }
}

/// Runs `read` for `layer`, then tells the observer it is done and logs what it took.
pub(crate) fn observed<E>(
    layer: &LayerSource,
    observer: Option<&Arc<dyn ScanObserver>>,
    read: impl FnOnce() -> Result<LayerReport, E>,
) -> Result<LayerReport, E> {
    let started = Instant::now();
    let result = read();
    if let Some(observer) = observer {
        observer.layer_done(layer.index);
    }
    if let Ok(report) = &result {
        tracing::debug!(
            layer = layer.index,
            digest = layer.digest.as_ref().map(tracing::field::display),
            bytes = report.compressed_size.or(layer.size),
            entries = report.files.entries.len(),
            whiteouts = report.files.whiteouts.len(),
            kept = report.files.captured.len(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "layer read"
        );
    }
    result
}

/// A reader that reports its running byte count every [`REPORT_EVERY`] bytes and at the end.
struct Counting {
    inner: Box<dyn Read + Send>,
    index: usize,
    observer: Arc<dyn ScanObserver>,
    read: u64,
    reported: u64,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if n == 0 || self.read - self.reported >= REPORT_EVERY {
            self.reported = self.read;
            self.observer.layer_progress(self.index, self.read);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<(usize, u64)>>);

    impl ScanObserver for Recorder {
        fn layer_progress(&self, index: usize, read: u64) {
            self.0.lock().unwrap().push((index, read));
        }
    }

    #[test]
    fn counting_reports_running_totals_and_the_end() {
        let recorder = Arc::new(Recorder::default());
        let observer: Arc<dyn ScanObserver> = recorder.clone();
        let data = vec![7u8; usize::try_from(REPORT_EVERY).unwrap() * 2 + 10];
        let mut reader = counted(Box::new(std::io::Cursor::new(data)), 3, Some(&observer));
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        let reports = recorder.0.lock().unwrap().clone();
        assert_eq!(reports.last(), Some(&(3, sink.len() as u64)));
        assert!(reports.len() >= 3, "{reports:?}");
        assert!(reports.windows(2).all(|w| w[0].1 <= w[1].1), "{reports:?}");
    }
}
