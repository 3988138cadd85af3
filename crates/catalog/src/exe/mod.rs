//! Executable-format plumbing shared by the binary cataloguers ([`crate::golang`] and
//! [`crate::rust`]): the magic bytes that make a file a candidate, and the slices of a
//! universal (fat) Mach-O, each read as a file of its own through a [`Slice`].
//!
//! What each cataloguer then reads in a thin image (Go: segments and the build info search
//! start; Rust: sections by name) stays with the cataloguer, and so do its limits.

mod slice;
#[cfg(test)]
pub(crate) mod testbin;

use object::macho::{FatArch32, FatArch64};
use object::read::macho::{FatArch, MachOFatFile};
use object::{FileKind, ReadRef};

pub(crate) use slice::Slice;

/// Slices a universal binary may have. `cafebabe` is also the magic of Java class files, whose
/// next four bytes (minor and major version, major at least 45) read as a count of 45 or more;
/// real universal binaries have a handful (libmagic's `file` draws the line at 20).
pub(crate) const MAX_FAT_ARCHES: u32 = 44;

/// Native executables and shared libraries by their first bytes: ELF, PE (`MZ`), Mach-O 32/64
/// in either byte order, universal Mach-O (32- and 64-bit arch tables) with 1 to
/// [`MAX_FAT_ARCHES`] slices.
pub(crate) fn sniff(head: &[u8]) -> bool {
    match head {
        [0x7f, b'E', b'L', b'F', ..]
        | [b'M', b'Z', ..]
        | [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..]
        | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => true,
        // Java class files share `cafebabe`; their version fields read as a slice count of 45
        // or more (see `MAX_FAT_ARCHES`).
        [0xca, 0xfe, 0xba, 0xbe | 0xbf, a, b, c, d, ..] => {
            (1..=MAX_FAT_ARCHES).contains(&u32::from_be_bytes([*a, *b, *c, *d]))
        }
        _ => false,
    }
}

/// One architecture of a universal Mach-O.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FatSlice<R> {
    /// Its index in the arch table (0-based).
    pub index: usize,
    /// [`FileKind::MachO32`] or [`FileKind::MachO64`].
    pub kind: FileKind,
    /// Its bytes, offsets counted from the slice's start ([`Slice::base`] is where it lies in
    /// the file).
    pub data: Slice<R>,
}

/// The thin Mach-O slices of the universal binary `data` of `kind` ([`FileKind::MachOFat32`]
/// or [`FileKind::MachOFat64`]), in arch-table order. A slice that runs past the end of the
/// file, or does not hold a thin Mach-O, is skipped and the others kept.
///
/// `None` when it is not a universal binary after all: another `kind`, an `nfat_arch` of 0 or
/// above `max_arches` (checked before the arch table is read: a Java class file has its
/// version there), or an arch table that does not parse.
pub(crate) fn universal_slices<'data, R: ReadRef<'data>>(
    data: R,
    kind: FileKind,
    max_arches: u32,
) -> Option<Vec<FatSlice<R>>> {
    match kind {
        FileKind::MachOFat32 => slices::<FatArch32, R>(data, max_arches),
        FileKind::MachOFat64 => slices::<FatArch64, R>(data, max_arches),
        _ => None,
    }
}

fn slices<'data, Fat: FatArch, R: ReadRef<'data>>(
    data: R,
    max_arches: u32,
) -> Option<Vec<FatSlice<R>>> {
    let file_len = data.len().ok()?;
    let count = data
        .read_bytes_at(4, 4)
        .ok()
        .and_then(|b| b.try_into().ok())
        .map(u32::from_be_bytes)?;
    if count == 0 || count > max_arches {
        return None;
    }
    let fat = MachOFatFile::<Fat>::parse(data).ok()?;
    let slices = fat.arches().iter().enumerate().filter_map(|(index, arch)| {
        let (offset, size) = arch.file_range();
        offset.checked_add(size).filter(|&end| end <= file_len)?;
        let data = Slice::new(data, offset, size);
        match FileKind::parse(data) {
            Ok(kind @ (FileKind::MachO32 | FileKind::MachO64)) => {
                Some(FatSlice { index, kind, data })
            }
            _ => None,
        }
    });
    Some(slices.collect())
}

#[cfg(test)]
mod tests {
    use super::testbin::{fat, CPU_AMD64, CPU_ARM64};
    use super::*;

    /// A thin 64-bit Mach-O header, nothing else.
    fn thin(cpu: u32) -> Vec<u8> {
        let mut out = 0xfeed_facfu32.to_le_bytes().to_vec();
        out.extend(cpu.to_le_bytes());
        out.resize(32, 0);
        out
    }

    #[test]
    fn universal_slices_skip_what_is_no_thin_mach_o_or_past_the_end() {
        let bytes = fat(
            &[(CPU_AMD64, thin(CPU_AMD64)), (CPU_ARM64, thin(CPU_ARM64))],
            12,
        );
        let kind = FileKind::parse(&bytes[..]).unwrap();
        let found = universal_slices(&bytes[..], kind, MAX_FAT_ARCHES).unwrap();
        let got: Vec<_> = found.iter().map(|s| (s.index, s.data.base())).collect();
        assert_eq!(got, [(0, 0x1000), (1, 0x2000)]);
        assert!(found.iter().all(|s| s.kind == FileKind::MachO64));
        assert_eq!(universal_slices(&bytes[..], kind, 1).map(|s| s.len()), None);
        assert_eq!(
            universal_slices(&bytes[..], FileKind::MachO64, 44).map(|s| s.len()),
            None
        );
        // Slice 0 past the end, slice 1 an ELF: nothing left, but still a universal binary.
        let mut broken = bytes.clone();
        broken[16..20].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        broken[0x2000..0x2004].copy_from_slice(b"\x7fELF");
        let found = universal_slices(&broken[..], kind, MAX_FAT_ARCHES).unwrap();
        assert!(found.is_empty());
    }

    #[test]
    fn sniffs_native_executables_only() {
        assert!(sniff(b"\x7fELF") && sniff(b"MZ") && sniff(b"\xca\xfe\xba\xbe\0\0\0\x2c"));
        assert!(!sniff(b"\xca\xfe\xba\xbe\0\0\0\x2d") && !sniff(b"\0asm\x01\0\0\0"));
    }
}
