//! Rust crates compiled into a binary, from the dependency list cargo-auditable embeds.
//!
//! `cargo auditable build` (used by Alpine, Wolfi, NixOS, openSUSE, Void, Chimera for their
//! Rust packages) writes the build's crate list as zlib-compressed JSON into a section named
//! `.dep-v0` (<https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md>).
//! Binaries are chosen by magic bytes ([`RustBinaryCataloguer::sniff`]: ELF, PE, Mach-O thin
//! and universal, Wasm), whatever their name or mode bits, and read with random access:
//!
//! 1. `locate` (with `macho`, `wasm`) reads only headers to find the section;
//! 2. `decode` streams it through zlib, capped, into typed structs;
//! 3. `graph` checks the dependency graph; `records` makes the records.
//!
//! Quiet by design: nearly every binary in an image is not Rust, and those cost a few small
//! reads and yield nothing, no warning. A file whose headers do not parse is quiet too:
//! sniffing by magic also catches files that merely start with `MZ`, Java class files that
//! look universal, and deliberately broken test binaries (Go's `debug/elf/testdata`). Once a
//! section is found, every problem is a warning naming the file; so is every [`Limits`] hit.

mod decode;
mod graph;
mod limits;
mod locate;
mod macho;
mod records;
#[cfg(test)]
mod testbin;
mod wasm;

use sbomgen_model::FileFindings;

pub use limits::Limits;
use locate::LocateError;

use crate::{FileCataloguer, ReadSeek};

/// Reads the crate list cargo-auditable embeds in ELF, PE, Mach-O and Wasm binaries.
#[derive(Debug, Clone, Copy)]
pub struct RustBinaryCataloguer;

impl FileCataloguer for RustBinaryCataloguer {
    fn name(&self) -> &'static str {
        "rust-binary"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    /// Files are sniffed, never matched by path: [`Self::parse_content`] reads them.
    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }

    fn sniff(&self, head: &[u8]) -> bool {
        head.starts_with(b"\0asm") || crate::exe::sniff(head)
    }

    fn random_access(&self) -> bool {
        true
    }

    fn parse_content(&self, path: &str, content: &mut dyn ReadSeek, size: u64) -> FileFindings {
        parse_binary(path, content, size, &Limits::DEFAULT)
    }
}

/// The crates of the binary at `path` (`size` bytes of `content`, from offset 0), under
/// `limits`. Never panics; problems are warnings naming `path`.
pub fn parse_binary(
    path: &str,
    content: &mut dyn ReadSeek,
    size: u64,
    limits: &Limits,
) -> FileFindings {
    let sections = match locate::find(content, size, limits) {
        Ok(sections) => sections,
        Err(LocateError::Malformed) => return FileFindings::default(),
        Err(e) => return FileFindings::warning(format!("{path}: {e}")),
    };
    let mut found = FileFindings::default();
    let mut budget = limits.max_json_size;
    let mut seen = records::Seen::new();
    for section in &sections {
        match decode::read(content, section, limits, budget) {
            Ok((info, used)) => {
                budget = budget.saturating_sub(used);
                records::add(path, section, &info, &mut seen, &mut found);
            }
            Err(e) => found.warnings.push(format!("{path}: {section} {e}")),
        }
    }
    found
}

#[cfg(test)]
mod tests;
