//! Finds cargo-auditable's section in a binary and says where its bytes lie in the file.
//!
//! Only headers are read, through [`object::ReadCache`] (which reads just the ranges asked
//! for), never the file whole: the ELF header, the section header table and its name table;
//! PE's section table; Mach-O's load commands ([`super::macho`]); Wasm's section headers
//! ([`super::wasm`]). The section itself is read later by [`super::decode`], streaming.
//!
//! Names, as go-rustaudit looks them up (Syft and Trivy use it): ELF `.dep-v0` then the
//! legacy `.rust-deps-v0`; PE `.dep-v0` then `rdep-v0` (eight-byte names); Mach-O `.dep-v0`
//! then `rust-deps-v0`; Wasm the custom section `.dep-v0`. On ELF the section is not
//! `SHF_ALLOC` (cargo-auditable's `object_file.rs` writes `sh_flags = 0`), so no program header
//! maps it: section headers are the only way in.

use std::fmt;
use std::io::SeekFrom;

use object::elf::{FileHeader32, FileHeader64};
use object::pe::{self, ImageNtHeaders32, ImageNtHeaders64};
use object::read::elf::{FileHeader, SectionHeader};
use object::read::pe::ImageNtHeaders;
use object::{Endianness, FileKind, ReadCache, ReadRef};

use super::limits::Limits;
use super::{macho, wasm};
use crate::ReadSeek;

/// Where one audit section's bytes lie in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    /// The section's name in the file (`.dep-v0`, or a legacy name).
    pub name: &'static str,
    /// For a universal Mach-O, which slice (0-based) it came from.
    pub slice: Option<usize>,
    /// Absolute offset in the file.
    pub offset: u64,
    /// Size in bytes; 0 when the headers say it has no data in the file (`SHT_NOBITS`).
    pub size: u64,
    /// End of what contains it (the file, or the slice): the section must end before.
    pub container_end: u64,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cargo-auditable section {}", self.name)?;
        match self.slice {
            Some(slice) => write!(f, " (universal binary slice {slice})"),
            None => Ok(()),
        }
    }
}

/// Why no section could be looked for.
#[derive(Debug)]
pub(super) enum LocateError {
    /// Headers that do not parse: truncated, corrupt, or not a binary after all (a file that
    /// merely starts with `MZ`, Go's `debug/elf` test data). Not reported; see the module
    /// docs of [`super`].
    Malformed,
    /// A header table larger than [`Limits::max_header_bytes`].
    HeadersTooLarge { bytes: u64, limit: u64 },
    /// A Wasm module with more than [`Limits::max_wasm_sections`] sections before the end.
    TooManySections { limit: u32 },
    /// The content could not be read (a spooled file's I/O error).
    Io(std::io::Error),
}

impl fmt::Display for LocateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocateError::Malformed => f.write_str("malformed binary headers"),
            LocateError::HeadersTooLarge { bytes, limit } => write!(
                f,
                "{bytes} bytes of headers, above the {limit}-byte limit: not searched for Rust audit data"
            ),
            LocateError::TooManySections { limit } => write!(
                f,
                "more than {limit} WebAssembly sections: not searched further for Rust audit data"
            ),
            LocateError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

impl From<object::Error> for LocateError {
    fn from(_: object::Error) -> Self {
        LocateError::Malformed
    }
}

/// The audit sections of a binary of `size` bytes: none for a binary without one, one per
/// slice that has one for a universal Mach-O.
pub(super) fn find(
    content: &mut dyn ReadSeek,
    size: u64,
    limits: &Limits,
) -> Result<Vec<Section>, LocateError> {
    let mut magic = [0u8; 4];
    read_at(content, 0, &mut magic).map_err(LocateError::Io)?;
    if magic == *b"\0asm" {
        // object's Wasm reader loads and validates the whole module; walk the headers instead.
        return Ok(wasm::find(content, size, limits)?.into_iter().collect());
    }
    let cache = ReadCache::new(content);
    let data = &cache;
    let found = match FileKind::parse(data)? {
        FileKind::Elf32 => elf::<FileHeader32<Endianness>, _>(data, limits)?,
        FileKind::Elf64 => elf::<FileHeader64<Endianness>, _>(data, limits)?,
        FileKind::Pe32 => pe::<ImageNtHeaders32, _>(data)?,
        FileKind::Pe64 => pe::<ImageNtHeaders64, _>(data)?,
        FileKind::MachO32 | FileKind::MachO64 | FileKind::MachOFat32 | FileKind::MachOFat64 => {
            return macho::find(data, limits);
        }
        // COFF objects, archives, dyld caches: cargo-auditable writes none of these.
        _ => None,
    };
    Ok(found.into_iter().collect())
}

/// A section's name (one of those looked for) and its file range `(offset, size)`.
pub(super) type Named = (&'static str, (u64, u64));

/// The first of `names` found among `(name, file range)` pairs, in `names` order of
/// preference, with its file range (`(0, 0)` for a section without data in the file).
pub(super) fn pick<'a>(
    names: &[&'static str],
    sections: impl Iterator<Item = (&'a [u8], Option<(u64, u64)>)>,
) -> Option<Named> {
    let mut best: Option<(usize, (u64, u64))> = None;
    for (name, range) in sections {
        let Some(rank) = names.iter().position(|n| n.as_bytes() == name) else {
            continue;
        };
        if best.is_none_or(|(b, _)| rank < b) {
            best = Some((rank, range.unwrap_or((0, 0))));
        }
        if rank == 0 {
            break;
        }
    }
    best.map(|(rank, range)| (names[rank], range))
}

fn elf<'data, Elf, R>(data: R, limits: &Limits) -> Result<Option<Section>, LocateError>
where
    Elf: FileHeader<Endian = Endianness>,
    R: ReadRef<'data>,
{
    let header = Elf::parse(data)?;
    let endian = header.endian()?;
    let file_len = data.len().map_err(|()| LocateError::Malformed)?;
    let table =
        (header.shnum(endian, data)? as u64).saturating_mul(u64::from(header.e_shentsize(endian)));
    let shoff: u64 = header.e_shoff(endian).into();
    if shoff.saturating_add(table) > file_len {
        return Err(LocateError::Malformed);
    }
    if table > limits.max_header_bytes {
        return Err(LocateError::HeadersTooLarge {
            bytes: table,
            limit: limits.max_header_bytes,
        });
    }
    let headers = header.section_headers(endian, data)?;
    if headers.is_empty() {
        // Stripped of section headers (`sstrip`, UPX): nothing to find.
        return Ok(None);
    }
    let strings = headers
        .get(header.shstrndx(endian, data)? as usize)
        .and_then(|h| h.file_range(endian))
        .ok_or(LocateError::Malformed)?;
    if strings.0.saturating_add(strings.1) > file_len {
        return Err(LocateError::Malformed);
    }
    // One read of the whole name table instead of one per name: a few hundred bytes usually.
    let bytes = table.saturating_add(strings.1);
    if bytes > limits.max_header_bytes {
        return Err(LocateError::HeadersTooLarge {
            bytes,
            limit: limits.max_header_bytes,
        });
    }
    let strings = data
        .read_bytes_at(strings.0, strings.1)
        .map_err(|()| LocateError::Malformed)?;
    let sections = headers
        .iter()
        .map(|h| (name_at(strings, h.sh_name(endian)), h.file_range(endian)));
    Ok(
        pick(&[".dep-v0", ".rust-deps-v0"], sections).map(|(name, (offset, size))| Section {
            name,
            slice: None,
            offset,
            size,
            container_end: file_len,
        }),
    )
}

/// The NUL-terminated name at `offset` of a string table (empty when out of range).
fn name_at(strings: &[u8], offset: u32) -> &[u8] {
    let tail = strings.get(offset as usize..).unwrap_or_default();
    tail.split(|&b| b == 0).next().unwrap_or_default()
}

fn pe<'data, Pe, R>(data: R) -> Result<Option<Section>, LocateError>
where
    Pe: ImageNtHeaders,
    R: ReadRef<'data>,
{
    let file_len = data.len().map_err(|()| LocateError::Malformed)?;
    let dos = pe::ImageDosHeader::parse(data)?;
    let mut offset = u64::from(dos.nt_headers_offset());
    let (nt, _) = Pe::parse(data, &mut offset)?;
    let sections = nt.sections(data, offset)?;
    let sections = sections.iter().map(|s| {
        let (offset, size) = s.pe_file_range();
        (s.raw_name(), Some((u64::from(offset), u64::from(size))))
    });
    Ok(
        pick(&[".dep-v0", "rdep-v0"], sections).map(|(name, (offset, size))| Section {
            name,
            slice: None,
            offset,
            size,
            container_end: file_len,
        }),
    )
}

/// Fills as much of `buf` as the content holds from `offset`; returns how much it filled.
pub(super) fn read_at(
    content: &mut dyn ReadSeek,
    offset: u64,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    content.seek(SeekFrom::Start(offset))?;
    let mut filled = 0;
    while filled < buf.len() {
        match content.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
