//! Mach-O: the `__go_buildinfo` section, else (as Go) the first read-write segment; addresses
//! through the segments, `__PAGEZERO` skipped. A universal binary is read slice by slice.

use object::macho::{MachHeader32, MachHeader64};
use object::read::macho::{MachHeader, Section, Segment};
use object::{Endianness, FileKind, ReadRef};

use super::exe::{Exe, Mapping};
use super::Limits;
use crate::exe::{universal_slices, Slice};

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

/// Every Mach-O slice of a universal binary of `kind` (Go's `macho.NewFatFile` accepts nothing
/// else), at most `limits.max_fat_arches` of them (see [`crate::exe::universal_slices`]).
pub(super) fn fat<'data, R: ReadRef<'data>>(data: R, kind: FileKind, limits: &Limits) -> Vec<Exe> {
    let slices = universal_slices(data, kind, limits.max_fat_arches).unwrap_or_default();
    slices
        .into_iter()
        .filter_map(|slice| match slice.kind {
            FileKind::MachO32 => macho_exe::<MachHeader32<Endianness>, _>(slice.data, limits),
            FileKind::MachO64 => macho_exe::<MachHeader64<Endianness>, _>(slice.data, limits),
            _ => None,
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
