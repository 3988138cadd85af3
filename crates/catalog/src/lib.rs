//! Cataloguers: pure functions from the bytes of a few files to records.
//!
//! Role: each cataloguer declares the paths it wants ([`Cataloguer::patterns`]); the layer reader
//! keeps only those files' bytes; the cataloguer then turns bytes into records. Cataloguers know
//! nothing of layers' order or I/O. For now the registry holds the distro detector; package
//! cataloguers join it in [`CATALOGUERS`].
//!
//! ```
//! use sbomgen_catalog::distro;
//! let d = distro::parse_os_release("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").unwrap();
//! assert_eq!((d.id.as_str(), d.version_id.as_deref()), ("debian", Some("12")));
//! ```

pub mod distro;

/// A source of records that wants some files' contents.
pub trait Cataloguer: Sync {
    /// Stable, unique name (used in diagnostics and `--select`).
    fn name(&self) -> &'static str;
    /// Root-relative glob patterns of the files whose bytes it needs (`*` stops at `/`).
    fn patterns(&self) -> &'static [&'static str];
}

/// Every cataloguer sbomgen runs, in a fixed order.
pub static CATALOGUERS: &[&dyn Cataloguer] = &[&distro::DistroDetector];

/// The union of all cataloguers' patterns, for the layer reader's matcher.
pub fn all_patterns() -> Vec<&'static str> {
    let mut patterns: Vec<&'static str> = CATALOGUERS
        .iter()
        .flat_map(|c| c.patterns().iter().copied())
        .collect();
    patterns.sort_unstable();
    patterns.dedup();
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_patterns_relative() {
        let mut names: Vec<&str> = CATALOGUERS.iter().map(|c| c.name()).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        for pattern in all_patterns() {
            assert!(
                !pattern.starts_with('/') && !pattern.is_empty(),
                "{pattern}"
            );
        }
    }
}
