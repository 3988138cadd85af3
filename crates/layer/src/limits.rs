//! Explicit bounds on what one untrusted layer may cost.

/// Limits applied while reading a layer. Exceeding a limit is an error
/// ([`crate::LayerError::LimitExceeded`]), except `max_captured_file`, which only skips that file
/// with a warning (a huge file must not abort the whole scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single file whose bytes are kept for a consumer. Default 64 MiB: the largest rpm
    /// databases seen in the wild are tens of MiB.
    pub max_captured_file: u64,
    /// Largest file an [`crate::EntryParser`] gets in memory; larger wanted files are spooled
    /// to a temporary file (binaries and archives need random access, and must not be held
    /// whole in memory). Default 32 MiB.
    pub max_in_memory_file: u64,
    /// Largest file spooled for an [`crate::EntryParser`]; a larger one is skipped with a
    /// warning. Default 4 GiB.
    pub max_spooled_file: u64,
    /// Total bytes kept per layer. Default 256 MiB.
    pub max_captured_total: u64,
    /// Entries per layer. Default 5 million (real images have at most a few hundred thousand).
    pub max_entries: u64,
    /// Uncompressed bytes per layer, against decompression bombs. Default 256 GiB.
    pub max_uncompressed: u64,
    /// Largest GNU long-name/long-link record or PAX extended header, which the tar parser
    /// holds in memory whole: exceeding it is an error. Default 1 MiB (real ones are a few
    /// hundred bytes).
    pub max_extension_header: u64,
    /// Longest entry name or link target, in bytes: a longer entry is skipped with a warning,
    /// as `tar -x` fails on it (`ENAMETOOLONG`). Default 4096, Linux's `PATH_MAX`.
    pub max_path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_captured_file: 64 << 20,
            max_in_memory_file: 32 << 20,
            max_spooled_file: 4 << 30,
            max_captured_total: 256 << 20,
            max_entries: 5_000_000,
            max_uncompressed: 256 << 30,
            max_extension_header: 1 << 20,
            max_path_bytes: 4096,
        }
    }
}
