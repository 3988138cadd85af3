//! The one error type of the cache crate: which store, which entry, what went wrong.

use std::path::PathBuf;

/// A cache failure. None of these fail a scan: the caller warns and computes the layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// Reading or writing a file of the local store failed.
    #[error("cache I/O on {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The store could not be reached (connection refused, timeout, DNS).
    #[error("cache store {store} unreachable: {reason}")]
    Unreachable {
        /// `describe()` of the store.
        store: String,
        /// Why.
        reason: String,
    },
    /// The store answered something unexpected.
    #[error("cache store {store} protocol error: {reason}")]
    Protocol {
        /// `describe()` of the store.
        store: String,
        /// What was wrong.
        reason: String,
    },
    /// An entry failed to decode: bad magic, version, checksum or a truncated payload.
    #[error("cache entry {key} is corrupt: {reason}")]
    Corrupt {
        /// The entry's key.
        key: String,
        /// What was wrong.
        reason: String,
    },
    /// A `--cache-backend` value that is not a store address.
    #[error("bad cache backend {url:?}: {reason}")]
    BadUrl {
        /// The value as given, its password redacted ([`redact_url`](crate::redact_url)).
        url: String,
        /// What was wrong.
        reason: String,
    },
}
