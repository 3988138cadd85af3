//! The contract of file cataloguers: packages that live at a path.
//!
//! An OS package lives in one database per image; a language package lives at a path (a
//! `*.dist-info/METADATA`, a `node_modules/x/package.json`). A [`FileCataloguer`] parses each
//! matching file once, as its layer streams past ([`FileCataloguer::parse`]), and only the
//! small [`FileFindings`] are kept. The scan then follows each path's history through the
//! overlay: the layer that first made a name and version visible there introduced it; the
//! layer that deleted the path, or rewrote it with another version, removed it.
//!
//! Supporting files (Python's `RECORD`, `top_level.txt`, `direct_url.json`) parse to a
//! [`Support`] and are joined to the package beside them by [`FileCataloguer::complete`], as
//! visible at the layer that wrote the package's own file.
//!
//! Selection is by path pattern today. Part 2 (binaries, archives) will select by content
//! too: that will be a second, optional method here, so path-only cataloguers stay as they are.

use sbomgen_model::{FileFindings, PackageRecord, Support};

/// Looks up the supporting facts parsed from a file, by root-relative path, as visible at the
/// layer being completed.
pub type SupportLookup<'a> = dyn Fn(&str) -> Option<&'a Support> + 'a;

/// A source of packages that live at a path, parsed one file at a time.
pub trait FileCataloguer: Sync {
    /// Stable, unique name across all cataloguers (used by `--catalogers` and in diagnostics).
    fn name(&self) -> &'static str;
    /// Root-relative glob patterns of the files it parses (`*` stops at `/`, `**` crosses it).
    fn patterns(&self) -> &'static [&'static str];
    /// Whether its records are *declared* (lockfiles, pins) rather than installed. Declared
    /// cataloguers run on `dir:` sources by default and on images only when asked.
    fn declared(&self) -> bool {
        false
    }
    /// Parses one file. Never fails and never panics: a malformed file gives a warning naming
    /// `path` and whatever could be read.
    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings;
    /// Completes a record found at `path` with facts from supporting files beside it.
    fn complete(&self, _record: &mut PackageRecord, _path: &str, _support: &SupportLookup<'_>) {}
}
