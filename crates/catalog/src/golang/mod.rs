//! go-binary: Go modules from the build info the Go linker embeds in every binary it links
//! (Go ≥ 1.13; module info with module-mode builds).
//!
//! Candidates are chosen by magic bytes ([`GoBinaryCataloguer::sniff`]: ELF, PE, Mach-O thin
//! and universal), never by name or mode bits: Trivy's x-bit rule misses Go binaries shipped
//! without it (trivy #2477). The reading is Go's own `debug/buildinfo`, step by step:
//!
//! - `exe` (`elf`, `macho`): the format's headers → address mappings and where the
//!   search starts;
//! - `buildinfo`: the 16-byte-aligned `"\xff Go buildinf:"` header, the inline (Go ≥ 1.18)
//!   or pointer format, the module info sentinels;
//! - `modinfo` (with `quote`): the `path`/`mod`/`dep`/`=>`/`build` lines;
//! - `version` and `packages`: records named as Syft names them.
//!
//! Content arrives as a [`ReadSeek`] (in memory or a spooled temporary file of hundreds of
//! MB) and is read through `object::ReadCache`, a few bounded reads at known offsets
//! (`Limits`). A file without the build info magic (every C shared library of an image) is
//! not a Go binary: no records and no warning, whatever state its headers are in.

mod buildinfo;
mod elf;
mod exe;
mod macho;
mod modinfo;
mod packages;
mod quote;
mod version;

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
pub(crate) mod testbin;
#[cfg(test)]
mod tests;

use ::object::{ReadCache, ReadRef};
use sbomgen_model::FileFindings;

use crate::exe::sniff;
use crate::{FileCataloguer, ReadSeek};
use buildinfo::Error;
use packages::Build;

/// Reads Go build info from executables and shared libraries.
#[derive(Debug, Clone, Copy)]
pub struct GoBinaryCataloguer;

impl FileCataloguer for GoBinaryCataloguer {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    /// Unused: binaries come to [`Self::parse_content`].
    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }

    fn sniff(&self, head: &[u8]) -> bool {
        sniff(head)
    }

    fn random_access(&self) -> bool {
        true
    }

    fn parse_content(&self, path: &str, content: &mut dyn ReadSeek, _size: u64) -> FileFindings {
        catalog(path, &ReadCache::new(content), &Limits::DEFAULT)
    }
}

/// Bounds on what one file may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Bytes searched for the build info header from the start address (Go: 64 KiB).
    pub search_window: u64,
    /// The toolchain version string (a few dozen bytes in practice).
    pub max_version: u64,
    /// The module info text: a few hundred KB for the largest binaries (kubelet, terraform).
    pub max_modinfo: u64,
    /// ELF program or section headers (real files: tens).
    pub max_headers: usize,
    /// The ELF section-name table.
    pub max_section_names: u64,
    /// Mach-O load commands, in bytes.
    pub max_load_commands: u64,
    /// Slices of a universal Mach-O. Below 45 also keeps Java class files out: they share the
    /// `cafebabe` magic and hold their major version (≥ 45) where `nfat_arch` would be.
    pub max_fat_arches: u32,
}

impl Limits {
    pub(crate) const DEFAULT: Limits = Limits {
        search_window: 64 << 10,
        max_version: 64 << 10,
        max_modinfo: 4 << 20,
        max_headers: 1 << 16,
        max_section_names: 1 << 20,
        max_load_commands: 4 << 20,
        max_fat_arches: crate::exe::MAX_FAT_ARCHES,
    };
}

/// Everything one file yields: one build per image (several for a universal Mach-O).
fn catalog<'data, R: ReadRef<'data>>(path: &str, data: R, limits: &Limits) -> FileFindings {
    let mut findings = FileFindings::default();
    let mut builds = Vec::new();
    for exe in exe::executables(data, limits) {
        match buildinfo::read(data, &exe, limits) {
            Ok(raw) => {
                if let Some(damage) = &exe.damage {
                    findings
                        .warnings
                        .push(format!("{path}: Go binary: {damage}"));
                }
                builds.push(Build {
                    version: raw.version,
                    modinfo: raw.modinfo,
                    machine: exe.arch,
                });
            }
            Err(Error::NotGo) => {}
            Err(Error::Malformed(problem)) => {
                let also = exe.damage.map(|d| format!(" ({d})")).unwrap_or_default();
                let warning = format!("{path}: Go build info unreadable: {problem}{also}");
                findings.warnings.push(warning);
            }
        }
    }
    let (packages, problems) = packages::records(path, &builds);
    findings.packages = packages;
    let problems = problems
        .into_iter()
        .map(|p| format!("{path}: Go build info: {p}"));
    findings.warnings.extend(problems);
    findings
}
