//! Finds cargo-auditable's section in a Mach-O file, thin or universal (fat).
//!
//! cargo-auditable puts `.dep-v0` in the `__DATA` segment; it is looked up by section name in
//! any segment, as go-rustaudit does. A universal binary is split into its slices first (as
//! Syft does with `unionreader`; go-rustaudit alone would fail on one): each slice is a whole
//! Mach-O file whose offsets count from the slice's start, and each may carry its own audit
//! data (target-specific dependencies differ).

use object::macho::{MachHeader32, MachHeader64};
use object::read::macho::{MachHeader, Section as _, Segment as _};
use object::{Endianness, FileKind, ReadCache, ReadCacheOps, ReadRef};

use super::limits::Limits;
use super::locate::{pick, LocateError, Named, Section};
use crate::exe::{universal_slices, MAX_FAT_ARCHES};

const NAMES: &[&str] = &[".dep-v0", "rust-deps-v0"];

/// The audit sections of a thin Mach-O file, or of each slice of a universal one.
pub(super) fn find<R: ReadCacheOps>(
    data: &ReadCache<R>,
    limits: &Limits,
) -> Result<Vec<Section>, LocateError> {
    let file_len = data.len().map_err(|()| LocateError::Malformed)?;
    match FileKind::parse(data)? {
        kind @ (FileKind::MachOFat32 | FileKind::MachOFat64) => fat(data, kind, limits),
        kind => Ok(thin(data, kind, 0, file_len, None, limits)?
            .into_iter()
            .collect()),
    }
}

fn fat<R: ReadCacheOps>(
    data: &ReadCache<R>,
    kind: FileKind,
    limits: &Limits,
) -> Result<Vec<Section>, LocateError> {
    // None: a Java class file, or not a universal binary at all. Slices past the end of the
    // file, or holding no thin Mach-O, are skipped; the others are kept.
    let slices = universal_slices(data, kind, MAX_FAT_ARCHES).ok_or(LocateError::Malformed)?;
    let mut found = Vec::new();
    for slice in slices {
        let (base, size) = (slice.data.base(), slice.data.end() - slice.data.base());
        match thin(
            slice.data,
            slice.kind,
            base,
            size,
            Some(slice.index),
            limits,
        ) {
            Ok(section) => found.extend(section),
            Err(LocateError::Malformed) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// The section of a thin Mach-O of `kind` held in `data`, which starts at `base` in the file.
fn thin<'data, R: ReadRef<'data>>(
    data: R,
    kind: FileKind,
    base: u64,
    len: u64,
    slice: Option<usize>,
    limits: &Limits,
) -> Result<Option<Section>, LocateError> {
    let found = match kind {
        FileKind::MachO32 => sections::<MachHeader32<Endianness>, R>(data, len, limits)?,
        FileKind::MachO64 => sections::<MachHeader64<Endianness>, R>(data, len, limits)?,
        _ => return Err(LocateError::Malformed),
    };
    Ok(found.map(|(name, (offset, size))| Section {
        name,
        slice,
        // Offsets count from the slice's start; a sum past u64 is past the end anyway.
        offset: base.saturating_add(offset),
        size,
        container_end: base.saturating_add(len),
    }))
}

fn sections<'data, Mach, R>(
    data: R,
    len: u64,
    limits: &Limits,
) -> Result<Option<Named>, LocateError>
where
    Mach: MachHeader<Endian = Endianness>,
    R: ReadRef<'data>,
{
    let header = Mach::parse(data, 0)?;
    let endian = header.endian()?;
    let commands_size = u64::from(header.sizeofcmds(endian));
    if std::mem::size_of::<Mach>() as u64 + commands_size > len {
        return Err(LocateError::Malformed);
    }
    if commands_size > limits.max_header_bytes {
        return Err(LocateError::HeadersTooLarge {
            bytes: commands_size,
            limit: limits.max_header_bytes,
        });
    }
    let mut commands = header.load_commands(endian, data, 0)?;
    let mut all: Vec<&Mach::Section> = Vec::new();
    while let Some(command) = commands.next()? {
        if let Some((segment, section_data)) = Mach::Segment::from_command(command)? {
            all.extend(segment.sections(endian, section_data)?);
        }
    }
    let sections = all.iter().map(|s| (s.name(), s.file_range(endian)));
    Ok(pick(NAMES, sections))
}
