//! Cataloguers: pure functions from the bytes of a few files to package records.
//!
//! Role: each [`Cataloguer`] declares the paths it wants ([`Cataloguer::patterns`]); the layer
//! reader keeps only those files' bytes; for every layer that changed one of them, the scan
//! hands the cataloguer a [`FileView`] of its files as visible at that layer, and it returns
//! [`PackageRecord`]s. Cataloguers know nothing of layers' order, scope or I/O: the overlay
//! decides provenance by comparing the records of successive layers.
//!
//! OS cataloguers ([`Cataloguer`], [`CATALOGUERS`]): [`apk`] (`lib/apk/db/installed`), [`dpkg`]
//! (`status`, distroless `status.d`, file lists, copyright files), [`rpm`] (SQLite, BerkeleyDB
//! and NDB databases through `sbomgen-rpmdb`). File cataloguers ([`FileCataloguer`],
//! [`FILE_CATALOGUERS`]), for packages that live at a path and are parsed as the layer
//! streams: [`python`], [`npm`], [`gem`], [`composer`], [`dotnet`] (metadata files, by path);
//! [`golang`] (Go build info), [`rust`] (cargo-auditable), [`java`] (archives, nested; JVM
//! `release` files) and [`binary`] (classifiers), which read binaries and archives with random
//! access, selected by magic bytes or name; and the declared packages of [`lockfile`]s.
//! [`license`] maps Debian license names to SPDX. [`distro`] reads the release files of the
//! final filesystem.
//!
//! ```
//! use sbomgen_catalog::distro;
//! let d = distro::parse_os_release("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").unwrap();
//! assert_eq!((d.id.as_str(), d.version_id.as_deref()), ("debian", Some("12")));
//! ```

pub mod apk;
pub mod binary;
pub mod composer;
pub mod distro;
pub mod dotnet;
pub mod dpkg;
mod exe;
mod file;
pub mod gem;
pub mod golang;
pub mod java;
pub mod license;
pub mod lockfile;
pub mod npm;
mod path;
mod purl;
#[cfg(test)]
mod purl_table;
pub mod python;
pub mod rpm;
pub mod rust;
mod unique;
mod view;

pub use file::{FileCataloguer, ReadSeek, SupportLookup};
pub use sbomgen_model::{Catalogued, Ecosystem, FileFindings, PackageRecord, Support};
pub use view::FileView;

/// A source of package records that wants some files' contents.
pub trait Cataloguer: Sync {
    /// Stable, unique name (used in diagnostics).
    fn name(&self) -> &'static str;
    /// Root-relative glob patterns of the files whose bytes it needs (`*` stops at `/`).
    fn patterns(&self) -> &'static [&'static str];
    /// Turns the visible files matching [`Self::patterns`] into records. Never fails: a corrupt
    /// database yields a warning (naming the file) and whatever could be read.
    fn catalog(&self, files: &FileView<'_>) -> Catalogued;
}

/// Every package cataloguer sbomgen runs, in a fixed order.
pub static CATALOGUERS: &[&dyn Cataloguer] = &[
    &apk::ApkCataloguer,
    &dpkg::DpkgCataloguer,
    &rpm::RpmCataloguer,
];

/// Every file cataloguer sbomgen runs, in a fixed order (installed ones first, then declared).
pub static FILE_CATALOGUERS: &[&dyn FileCataloguer] = &[
    &python::PythonCataloguer,
    &npm::NpmCataloguer,
    &gem::GemCataloguer,
    &composer::ComposerCataloguer,
    &dotnet::DotnetCataloguer,
    &golang::GoBinaryCataloguer,
    &rust::RustBinaryCataloguer,
    &java::JavaArchiveCataloguer,
    &java::JavaJvmCataloguer,
    &binary::BinaryClassifierCataloguer,
    &lockfile::NpmLockCataloguer,
    &lockfile::PythonLockCataloguer,
    &lockfile::GemLockCataloguer,
    &lockfile::ComposerLockCataloguer,
    &lockfile::CargoLockCataloguer,
];

/// The union of the given cataloguers' and the distro detector's patterns, sorted.
pub fn patterns_for(cataloguers: &[&dyn Cataloguer]) -> Vec<&'static str> {
    let mut patterns: Vec<&'static str> = cataloguers
        .iter()
        .flat_map(|c| c.patterns().iter().copied())
        .chain(distro::PATTERNS.iter().copied())
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
        let mut names: Vec<&str> = CATALOGUERS
            .iter()
            .map(|c| c.name())
            .chain(FILE_CATALOGUERS.iter().map(|c| c.name()))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "{names:?}");
        let file_patterns = FILE_CATALOGUERS.iter().flat_map(|c| c.patterns().iter());
        for pattern in patterns_for(CATALOGUERS).iter().chain(file_patterns) {
            assert!(
                !pattern.starts_with('/') && !pattern.is_empty(),
                "{pattern}"
            );
        }
    }

    #[test]
    fn declared_cataloguers_are_exactly_the_lockfile_ones() {
        let declared: Vec<&str> = FILE_CATALOGUERS
            .iter()
            .filter(|c| c.declared())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            declared,
            [
                "npm-lock",
                "python-lock",
                "gem-lock",
                "composer-lock",
                "cargo-lock"
            ]
        );
        let installed_first = FILE_CATALOGUERS
            .iter()
            .skip_while(|c| !c.declared())
            .all(|c| c.declared());
        assert!(installed_first, "installed cataloguers come first");
    }
}
