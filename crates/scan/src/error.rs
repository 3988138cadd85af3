//! The pipeline's error: which stage failed, on what.

use sbomgen_layer::LayerError;
use sbomgen_source::SourceError;

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Source(#[from] SourceError),
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
        source: SourceError,
    },
    #[error("internal: {0}")]
    Internal(String),
}
