//! The bounds on what one top-level Java archive may cost to catalogue.
//!
//! Archives are untrusted input: a 40 KB zip can inflate to gigabytes, and a jar can nest jars
//! without end (Syft has no depth cap; syft PR #5067 measured a 4000-level chain overflowing
//! its stack). Every cost is capped here; reaching a cap gives a warning naming the archive and
//! the nested path, never an abort, and keeps whatever was found before it.

/// Caps on reading one top-level archive, all its nested archives included.
///
/// The defaults keep real archives whole (the largest Spring Boot fat jars hold a few hundred
/// nested jars and some tens of thousands of entries) while bounding a hostile one to seconds
/// of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deep archives nest inside archives; the top-level archive is depth 0. Default 16
    /// (osv-scalibr's `defaultMaxZipDepth`): a deeper archive is not opened.
    pub max_depth: usize,
    /// Bytes inflated per top-level archive, every nested level counted (a nested jar's bytes
    /// count when it is extracted and again when its own entries are read). Default 2 GiB.
    /// Reaching it stops the whole archive.
    pub max_total_inflated: u64,
    /// Central-directory entries read per archive. Default 200 000; later entries are not
    /// looked at.
    pub max_entries: usize,
    /// Inflated size of one nested archive. Default 512 MiB; a larger one is not read.
    pub max_entry_size: u64,
    /// Inflated size of one `MANIFEST.MF` or `pom.properties`. Default 1 MiB (real ones are a
    /// few KB; Trivy allows 10 MiB for manifests).
    pub max_metadata_size: u64,
    /// Bytes of nested archives held in memory at once, across the nesting stack. A nested
    /// archive that does not fit is spooled to an anonymous temporary file. Default 32 MiB.
    pub max_in_memory: u64,
    /// Warnings reported per top-level archive; the rest are counted in one last warning.
    /// Default 64.
    pub max_warnings: usize,
}

impl Limits {
    /// The defaults documented on each field.
    pub const DEFAULT: Limits = Limits {
        max_depth: 16,
        max_total_inflated: 2 << 30,
        max_entries: 200_000,
        max_entry_size: 512 << 20,
        max_metadata_size: 1 << 20,
        max_in_memory: 32 << 20,
        max_warnings: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn documented_defaults() {
        let l = Limits::default();
        assert_eq!(l.max_depth, 16);
        assert_eq!(l.max_total_inflated, 2 * 1024 * 1024 * 1024);
        assert_eq!(l.max_entries, 200_000);
        assert_eq!(l.max_entry_size, 512 * 1024 * 1024);
        assert_eq!(l.max_metadata_size, 1024 * 1024);
        assert_eq!(l.max_in_memory, 32 * 1024 * 1024);
        assert_eq!(l.max_warnings, 64);
    }
}
