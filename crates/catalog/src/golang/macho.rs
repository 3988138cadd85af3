//! Mach-O: the `__go_buildinfo` section, else (as Go) the first read-write segment; addresses
//! through the segments, `__PAGEZERO` skipped. A universal binary is read slice by slice.

use object::macho::{MachHeader32, MachHeader64};
use object::read::macho::{FatArch, MachHeader, MachOFatFile, Section, Segment};
use object::{Endianness, FileKind, ReadRef};

use super::exe::{Exe, Mapping};
use super::slice::Slice;
use super::Limits;

/// A thin Mach-O, or one slice of a universal binary (`data` is then that slice).
pub(super) fn macho_exe<'data, Mach: MachHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: Slice<R>,
    limits: &Limits,
) -> Option<Exe> {
    const NAME: &[u8] = b"__go_buildinfo";
    const RW: u32 = 3;
    let header = Mach::parse(data, 0).ok()?;
    let endian = header.endian().ok()?;
    if u64::from(header.sizeofcmds(endian)) > limits.max_load_commands {
        return None;
    }
    let mut commands = header.load_commands(endian, data, 0).ok()?;
    let (mut mappings, mut section_start, mut segment_start) = (Vec::new(), None, None);
    while let Ok(Some(command)) = commands.next() {
        let Ok(Some((segment, section_data))) = Mach::Segment::from_command(command) else {
            continue;
        };
        let (addr, size) = (
            segment.vmaddr(endian).into(),
            segment.filesize(endian).into(),
        );
        // Go's ReadData skips __PAGEZERO, which maps address 0 onwards to nothing.
        if size > 0 && segment.name() != b"__PAGEZERO" {
            let offset = data.base().checked_add(segment.fileoff(endian).into())?;
            mappings.push(Mapping { addr, size, offset });
        }
        if segment_start.is_none()
            && addr != 0
            && size != 0
            && segment.initprot(endian) == RW
            && segment.maxprot(endian) == RW
        {
            segment_start = Some(addr);
        }
        if section_start.is_none() {
            let sections = segment.sections(endian, section_data).unwrap_or(&[]);
            section_start = sections
                .iter()
                .find(|s| s.name() == NAME)
                .map(|s| s.addr(endian).into());
        }
    }
    Some(Exe {
        mappings,
        data_start: section_start.or(segment_start),
        arch: macho_cpu(header.cputype(endian)),
        end: data.end(),
        damage: None,
    })
}

/// Every Mach-O slice of a universal binary (Go's `macho.NewFatFile` accepts nothing else).
pub(super) fn fat<'data, Fat: FatArch, R: ReadRef<'data>>(
    data: R,
    end: u64,
    limits: &Limits,
) -> Vec<Exe> {
    // nfat_arch, checked before the arch table is read: a Java class file shares the magic
    // and has its version there (see `super::sniff`).
    let count = data
        .read_bytes_at(4, 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0);
    if count == 0 || count > limits.max_fat_arches {
        return Vec::new();
    }
    let Ok(file) = MachOFatFile::<Fat>::parse(data) else {
        return Vec::new();
    };
    file.arches()
        .iter()
        .filter_map(|arch| {
            let (offset, size) = arch.file_range();
            let slice_end = offset.checked_add(size).filter(|&e| e <= end)?;
            let slice = Slice::new(data, offset, slice_end - offset);
            match FileKind::parse(slice) {
                Ok(FileKind::MachO32) => macho_exe::<MachHeader32<Endianness>, _>(slice, limits),
                Ok(FileKind::MachO64) => macho_exe::<MachHeader64<Endianness>, _>(slice, limits),
                _ => None,
            }
        })
        .collect()
}

/// Go's `macho.Cpu.String()` without `Cpu`, lowercased, as Syft reports it.
fn macho_cpu(cpu: u32) -> String {
    use object::macho::{
        CPU_TYPE_ARM, CPU_TYPE_ARM64, CPU_TYPE_POWERPC, CPU_TYPE_POWERPC64, CPU_TYPE_X86,
        CPU_TYPE_X86_64,
    };
    let name = match cpu {
        CPU_TYPE_X86 => "386",
        CPU_TYPE_X86_64 => "amd64",
        CPU_TYPE_ARM => "arm",
        CPU_TYPE_ARM64 => "arm64",
        CPU_TYPE_POWERPC => "ppc",
        CPU_TYPE_POWERPC64 => "ppc64",
        other => return other.to_string(),
    };
    name.to_string()
}
