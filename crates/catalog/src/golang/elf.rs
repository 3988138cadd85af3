//! ELF: the `.go.buildinfo` section, else (as Go) the first writable, non-executable `PT_LOAD`;
//! addresses through the program headers.
//!
//! Cost on a non-Go ELF (the common case: every `.so` of an image comes here): the file header,
//! the section header table and the section-name string table, three reads. Go would then
//! search the first writable segment; that fallback runs here only when the section table is
//! absent or unreadable (stripped with `sstrip`, truncated), because every Go linker since 1.13
//! names the section `.go.buildinfo` (external linkers keep the name) and a valid table
//! without it is not a Go binary. The price: an ELF whose sections were renamed on purpose.

use object::elf::{PF_W, PF_X, PT_LOAD};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{elf, Endianness, ReadRef};

use super::exe::{Exe, Mapping};
use super::Limits;
use crate::exe::Slice;

/// Where an ELF's `.go.buildinfo` section is, if its section table says.
enum SectionLookup {
    Found(u64),
    /// A valid section table without it: not a Go binary.
    Absent,
    /// No section table, or one that cannot be read: search the segments as Go does.
    Unusable(Option<String>),
}

/// An ELF of either class and byte order.
pub(super) fn elf_exe<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    data: Slice<R>,
    limits: &Limits,
) -> Option<Exe> {
    let header = Elf::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let (section_start, damage) = match buildinfo_section(header, endian, data, limits) {
        SectionLookup::Found(addr) => (Some(addr), None),
        SectionLookup::Absent => return None,
        SectionLookup::Unusable(damage) => (None, damage),
    };
    if header.phnum(endian, data).ok()? > limits.max_headers {
        return None;
    }
    let segments = header.program_headers(endian, data).ok()?;
    let mappings = segments
        .iter()
        .filter(|p| p.p_filesz(endian).into() > 0)
        .filter_map(|p| {
            Some(Mapping {
                addr: p.p_vaddr(endian).into(),
                size: p.p_filesz(endian).into(),
                offset: data.base().checked_add(p.p_offset(endian).into())?,
            })
        })
        .collect();
    // Go: "the first PT_LOAD with PF_W set and PF_X clear" when there is no named section.
    let data_start = section_start.or_else(|| {
        segments
            .iter()
            .find(|p| p.p_type(endian) == PT_LOAD && p.p_flags(endian) & (PF_W | PF_X) == PF_W)
            .map(|p| p.p_vaddr(endian).into())
    });
    Some(Exe {
        mappings,
        data_start,
        arch: elf_machine(header.e_machine(endian)),
        end: data.end(),
        damage,
    })
}

/// Looks `.go.buildinfo` up in the section table: its headers and names, nothing else.
fn buildinfo_section<'data, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(
    header: &Elf,
    endian: Endianness,
    data: Slice<R>,
    limits: &Limits,
) -> SectionLookup {
    const NAME: &[u8] = b".go.buildinfo\0";
    let unreadable = |why: &str| SectionLookup::Unusable(Some(format!("section table {why}")));
    match header.shnum(endian, data) {
        Ok(0) => return SectionLookup::Unusable(None),
        Ok(count) if count > limits.max_headers => return unreadable("too large"),
        Ok(_) => {}
        Err(_) => return unreadable("unreadable"),
    }
    let sections = match header.section_headers(endian, data) {
        // A count with no table offset: no section table either.
        Ok([]) => return SectionLookup::Unusable(None),
        Ok(sections) => sections,
        Err(_) => return unreadable("past the end of the file"),
    };
    let names = header
        .shstrndx(endian, data)
        .ok()
        .and_then(|index| sections.get(usize::try_from(index).ok()?))
        .and_then(|strtab| strtab.file_range(endian))
        .filter(|&(_, size)| size <= limits.max_section_names)
        .and_then(|(offset, size)| data.read_bytes_at(offset, size).ok());
    let Some(names) = names else {
        return unreadable("has no readable section names");
    };
    let found = sections.iter().find(|s| {
        usize::try_from(s.sh_name(endian))
            .ok()
            .and_then(|at| names.get(at..)?.get(..NAME.len()))
            == Some(NAME)
    });
    match found {
        Some(section) => SectionLookup::Found(section.sh_addr(endian).into()),
        None => SectionLookup::Absent,
    }
}

/// Go's `elf.Machine.String()` without `EM_`, lowercased, as Syft reports it.
fn elf_machine(machine: u16) -> String {
    let name = match machine {
        elf::EM_386 => "386",
        elf::EM_X86_64 => "x86_64",
        elf::EM_ARM => "arm",
        elf::EM_AARCH64 => "aarch64",
        elf::EM_PPC => "ppc",
        elf::EM_PPC64 => "ppc64",
        elf::EM_S390 => "s390",
        elf::EM_MIPS => "mips",
        elf::EM_RISCV => "riscv",
        elf::EM_LOONGARCH => "loongarch",
        elf::EM_SPARCV9 => "sparcv9",
        other => return other.to_string(),
    };
    name.to_string()
}
