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
    /// Entries per layer. Default 1 million (real images have at most a few hundred thousand;
    /// each entry costs a few hundred bytes while the image is merged).
    pub max_entries: u64,
    /// Entries of all layers together, checked as each layer is read. Default 1 million.
    pub max_entries_per_image: u64,
    /// Bytes kept from all layers together (package databases and metadata files), checked as
    /// each layer is read: a database copied into every layer costs once per layer. Default
    /// 256 MiB.
    pub max_captured_per_image: u64,
    /// Packages one OS package database may list (as one layer sees it). Default 50,000: the
    /// largest real images list a few thousand, and a 100,000-stanza database costs hundreds
    /// of MB of records and document.
    pub max_packages_per_database: u64,
    /// Uncompressed bytes per layer, against decompression bombs. Default 256 GiB.
    pub max_uncompressed: u64,
    /// Largest GNU long-name/long-link record or PAX extended header, which the tar parser
    /// holds in memory whole: exceeding it is an error. Default 1 MiB (real ones are a few
    /// hundred bytes).
    pub max_extension_header: u64,
    /// Layers one image may have. Default 500: Docker's overlay2 driver refuses to run more
    /// than 125, and every layer that rewrites a package database is parsed again (linear, but
    /// a thousand rewrites of a large database cost minutes).
    pub max_layers: u64,
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
            max_entries: 1_000_000,
            max_entries_per_image: 1_000_000,
            max_captured_per_image: 256 << 20,
            max_packages_per_database: 50_000,
            max_uncompressed: 256 << 30,
            max_extension_header: 1 << 20,
            max_layers: 500,
            max_path_bytes: 4096,
        }
    }
}

impl Limits {
    /// Every limit's name as `--limit NAME=VALUE` takes it, with its default.
    pub fn names() -> Vec<(&'static str, u64)> {
        let d = Limits::default();
        vec![
            ("captured-file", d.max_captured_file),
            ("in-memory-file", d.max_in_memory_file),
            ("spooled-file", d.max_spooled_file),
            ("captured-per-layer", d.max_captured_total),
            ("entries-per-layer", d.max_entries),
            ("entries-per-image", d.max_entries_per_image),
            ("captured-per-image", d.max_captured_per_image),
            ("packages-per-database", d.max_packages_per_database),
            ("uncompressed-per-layer", d.max_uncompressed),
            ("extension-header", d.max_extension_header),
            ("layers-per-image", d.max_layers),
            ("path-bytes", d.max_path_bytes as u64),
        ]
    }

    /// Sets one limit from `NAME=VALUE` (a number of bytes or entries; `K`, `M`, `G` suffixes
    /// are powers of 1024).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let known = || {
            Limits::names()
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--limit {assignment:?}: expected NAME=VALUE ({})", known()))?;
        let value = parse_amount(value)
            .ok_or_else(|| format!("--limit {name}: {value:?} is not a number (e.g. 4096, 64M)"))?;
        match name {
            "captured-file" => self.max_captured_file = value,
            "in-memory-file" => self.max_in_memory_file = value,
            "spooled-file" => self.max_spooled_file = value,
            "captured-per-layer" => self.max_captured_total = value,
            "entries-per-layer" => self.max_entries = value,
            "entries-per-image" => self.max_entries_per_image = value,
            "captured-per-image" => self.max_captured_per_image = value,
            "packages-per-database" => self.max_packages_per_database = value,
            "uncompressed-per-layer" => self.max_uncompressed = value,
            "extension-header" => self.max_extension_header = value,
            "layers-per-image" => self.max_layers = value,
            "path-bytes" => self.max_path_bytes = usize::try_from(value).unwrap_or(usize::MAX),
            _ => {
                return Err(format!(
                    "--limit: unknown limit {name:?} (known: {})",
                    known()
                ))
            }
        }
        Ok(())
    }
}

/// `4096`, `64K`, `64M`, `4G` (powers of 1024).
fn parse_amount(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 10),
        (i, 'M' | 'm') => (&text[..i], 20),
        (i, 'G' | 'g') => (&text[..i], 30),
        _ => (text, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_set_by_name() {
        let mut limits = Limits::default();
        limits.set("entries-per-layer=10").unwrap();
        limits.set("captured-file=2M").unwrap();
        limits.set("path-bytes=8K").unwrap();
        assert_eq!(limits.max_entries, 10);
        assert_eq!(limits.max_captured_file, 2 << 20);
        assert_eq!(limits.max_path_bytes, 8192);
        assert!(limits.set("nope=1").unwrap_err().contains("path-bytes"));
        assert!(limits.set("entries-per-layer=many").is_err());
        assert!(limits.set("entries-per-layer").is_err());
        assert_eq!(Limits::names().len(), 12, "every field has a name");
    }
}
