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
//! Files are selected by path pattern ([`FileCataloguer::patterns`]) or by content
//! ([`FileCataloguer::sniff`]: magic bytes, whatever the name or mode bits). Metadata files
//! arrive as bytes ([`FileCataloguer::parse`]); binaries and archives, which can be hundreds
//! of MB and need random access, arrive as a [`ReadSeek`] ([`FileCataloguer::parse_content`]),
//! in memory when small, spooled to a temporary file when large.

use std::io::{Read, Seek};

use sbomgen_model::{FileFindings, PackageRecord, Support};

/// Random access to one file's content.
pub trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

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
    /// Whether a file whose content starts with `head` (up to 64 bytes) is one to read,
    /// whatever its path. Only cataloguers with [`Self::random_access`] sniff.
    fn sniff(&self, _head: &[u8]) -> bool {
        false
    }
    /// Whether files come to [`Self::parse_content`] (random access, any size) instead of
    /// [`Self::parse`] (bytes in memory).
    fn random_access(&self) -> bool {
        false
    }
    /// Parses one file of `size` bytes with random access; `content` starts at offset 0.
    /// Called instead of [`Self::parse`] when [`Self::random_access`] is true. Never panics;
    /// the cost must stay bounded whatever the input (documented limits, warnings).
    fn parse_content(&self, path: &str, _content: &mut dyn ReadSeek, _size: u64) -> FileFindings {
        FileFindings::warning(format!("{path}: {} reads no content", self.name()))
    }
    /// Completes a record found at `path` with facts from supporting files beside it.
    fn complete(&self, _record: &mut PackageRecord, _path: &str, _support: &SupportLookup<'_>) {}
}
