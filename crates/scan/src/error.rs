//! The pipeline's error: which stage failed, on what.

use sbomgen_layer::LayerError;
use sbomgen_source::SourceError;

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Source(Box<SourceError>),
    #[error("layer {index} ({name}): {source}")]
    Layer {
        index: usize,
        /// The layer's digest, or a description of where it lives when no digest is known.
        name: String,
        #[source]
        source: LayerError,
    },
    #[error("cannot open layer {index} ({name}): {source}")]
    OpenLayer {
        index: usize,
        name: String,
        #[source]
        source: Box<SourceError>,
    },
    /// An image-wide limit, found when the named layer brought the total over it.
    #[error("layer {index} ({name}): limit exceeded: {what} reach {total} (limit {limit}; raise it with --limit {flag}=N)")]
    ImageLimit {
        index: usize,
        name: String,
        what: &'static str,
        flag: &'static str,
        total: u64,
        limit: u64,
    },
    #[error("limit exceeded: the image has {count} layers (limit {limit}; raise it with --limit layers-per-image=N)")]
    TooManyLayers { count: u64, limit: u64 },
    #[error("layer {layer}: limit exceeded: the {cataloguer} databases list {count} packages (limit {limit}; raise it with --limit packages-per-database=N)")]
    TooManyPackages {
        layer: usize,
        cataloguer: &'static str,
        count: u64,
        limit: u64,
    },
    #[error("unknown cataloguer {0:?} (known: {1})")]
    UnknownCataloguer(String, String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<SourceError> for ScanError {
    fn from(error: SourceError) -> Self {
        ScanError::Source(Box::new(error))
    }
}
