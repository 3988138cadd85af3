//! Errors of the layer reader. Callers add which layer it was.

use sbomgen_model::Digest;

/// Why a layer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("unsupported layer media type {0:?} (supported: OCI and Docker layer tars, uncompressed, gzip or zstd)")]
    UnsupportedMediaType(String),
    /// Compressions of the tar format no OCI or Docker layer media type allows, named by their
    /// magic bytes rather than left to fail as a malformed tar.
    #[error("unsupported layer compression: {0} (supported: uncompressed, gzip, zstd)")]
    UnsupportedCompression(&'static str),
    /// A digest algorithm the layer reader does not compute: named, so a mismatch is not
    /// reported where there is none.
    #[error(
        "unsupported digest algorithm for {what}: {digest} (sbomgen verifies sha256 layer digests)"
    )]
    UnsupportedDigest { what: &'static str, digest: Digest },
    #[error("cannot read the layer blob: {0}")]
    Read(#[source] std::io::Error),
    #[error("cannot decompress the layer ({compression}): {source}")]
    Decompress {
        compression: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("malformed tar stream: {0}")]
    Tar(#[source] std::io::Error),
    #[error("blob digest mismatch: expected {expected}, computed {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error(
        "diff_id mismatch: the config says {expected}, the uncompressed layer hashes to {actual}"
    )]
    DiffIdMismatch { expected: Digest, actual: Digest },
    #[error("blob size mismatch: expected {expected} bytes, read {actual}")]
    SizeMismatch { expected: u64, actual: u64 },
    #[error("limit exceeded: {what} (limit {limit}; raise it with --limit {name}=N)")]
    LimitExceeded {
        what: &'static str,
        /// The limit's name for `--limit NAME=VALUE`.
        name: &'static str,
        limit: u64,
    },
    #[error("cannot read directory {path}: {source}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
