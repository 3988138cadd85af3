//! Executable headers, read only as far as Go's `debug/buildinfo` needs: where the build info
//! search starts, and how virtual addresses map to file bytes.
//!
//! Each format is reduced to an [`Exe`]: the address ranges backed by file bytes (ELF program
//! headers, PE sections, Mach-O segments), in header order because Go's `ReadData` takes the
//! first range that contains an address, and the address where the 64 KiB search starts
//! (`DataStart`; table in `shared/LANGUAGES.md` section 3(b)). A universal Mach-O gives one
//! `Exe` per architecture slice, its offsets rebased to the whole file.
//!
//! Formats: [`super::elf`], [`super::macho`] (thin and universal), PE here.

use object::elf::{FileHeader32, FileHeader64};
use object::macho::{MachHeader32, MachHeader64};
use object::pe::{ImageDosHeader, ImageNtHeaders32, ImageNtHeaders64};
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader};
use object::{Endianness, FileKind, LittleEndian as LE, ReadRef};

use super::elf::elf_exe;
use super::macho::{fat, macho_exe};
use super::Limits;
use crate::exe::Slice;

/// A file range mapped at a virtual address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mapping {
    pub addr: u64,
    pub size: u64,
    /// Offset in the whole file (a universal binary's slice offset included).
    pub offset: u64,
}

/// One executable image: what the build info reader needs of its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Exe {
    pub mappings: Vec<Mapping>,
    /// Where the build info search starts (`None`: no candidate section or segment).
    pub data_start: Option<u64>,
    /// The machine, named as Syft names it when `GOARCH` is not recorded (Go < 1.18).
    pub arch: String,
    /// End of this image in the file: reads are clamped to it.
    pub end: u64,
    /// Damage seen on the way (an unreadable section table), reported only if the file turns
    /// out to be a Go binary.
    pub damage: Option<String>,
}

/// The images of a file that could hold Go build info; empty for anything else, silently (a
/// header that does not parse is not worth a warning until the build info magic is seen).
pub(super) fn executables<'data, R: ReadRef<'data>>(data: R, limits: &Limits) -> Vec<Exe> {
    let Ok(end) = data.len() else {
        return Vec::new();
    };
    let whole = Slice::new(data, 0, end);
    let exe = match FileKind::parse(data) {
        Ok(FileKind::Elf32) => elf_exe::<FileHeader32<Endianness>, _>(whole, limits),
        Ok(FileKind::Elf64) => elf_exe::<FileHeader64<Endianness>, _>(whole, limits),
        Ok(FileKind::Pe32) => pe_exe::<ImageNtHeaders32, _>(whole),
        Ok(FileKind::Pe64) => pe_exe::<ImageNtHeaders64, _>(whole),
        Ok(FileKind::MachO32) => macho_exe::<MachHeader32<Endianness>, _>(whole, limits),
        Ok(FileKind::MachO64) => macho_exe::<MachHeader64<Endianness>, _>(whole, limits),
        Ok(kind @ (FileKind::MachOFat32 | FileKind::MachOFat64)) => return fat(data, kind, limits),
        _ => None,
    };
    exe.into_iter().collect()
}

impl Exe {
    /// Up to `size` bytes at virtual address `addr`, as Go's `ReadData`: from the first
    /// mapping that contains `addr`, never past its end, nor past the end of the file (a
    /// truncated binary still yields what it has).
    pub(super) fn read<'data, R: ReadRef<'data>>(
        &self,
        data: R,
        addr: u64,
        size: u64,
    ) -> Result<&'data [u8], String> {
        let mapping = self
            .mappings
            .iter()
            .find(|m| addr >= m.addr && addr - m.addr < m.size)
            .ok_or_else(|| format!("address {addr:#x} is not mapped"))?;
        let within = addr - mapping.addr;
        let offset = mapping
            .offset
            .checked_add(within)
            .filter(|&offset| offset < self.end)
            .ok_or_else(|| format!("address {addr:#x} lies past the end of the file"))?;
        let size = size.min(mapping.size - within).min(self.end - offset);
        data.read_bytes_at(offset, size)
            .map_err(|()| format!("cannot read {size} bytes at offset {offset:#x}"))
    }
}

/// PE: sections map addresses (image base added), the first data section starts the search.
fn pe_exe<'data, Pe: ImageNtHeaders, R: ReadRef<'data>>(data: Slice<R>) -> Option<Exe> {
    // Go: "first section with VirtualAddress≠0, Size≠0 and Characteristics &^ ALIGN_32BYTES ==
    // INITIALIZED_DATA|MEM_READ|MEM_WRITE"; addresses are section VAs plus the image base.
    const ALIGN_32BYTES: u32 = 0x0060_0000;
    const DATA: u32 = object::pe::IMAGE_SCN_CNT_INITIALIZED_DATA
        | object::pe::IMAGE_SCN_MEM_READ
        | object::pe::IMAGE_SCN_MEM_WRITE;
    let dos = ImageDosHeader::parse(data).ok()?;
    let mut offset = dos.nt_headers_offset().into();
    let (nt, _) = Pe::parse(data, &mut offset).ok()?;
    let sections = nt.sections(data, offset).ok()?;
    let base = nt.optional_header().image_base();
    let mut mappings = Vec::new();
    let mut data_start = None;
    for section in sections.iter() {
        let va = section.virtual_address.get(LE);
        let size = section.size_of_raw_data.get(LE);
        let flags = section.characteristics.get(LE);
        let addr = base.checked_add(va.into())?;
        if data_start.is_none() && va != 0 && size != 0 && flags & !ALIGN_32BYTES == DATA {
            data_start = Some(addr);
        }
        let raw = section.pointer_to_raw_data.get(LE);
        let offset = data.base().checked_add(raw.into())?;
        if size > 0 {
            mappings.push(Mapping {
                addr,
                size: size.into(),
                offset,
            });
        }
    }
    Some(Exe {
        mappings,
        data_start,
        // Syft prints the PE machine as a decimal number (`34404` for AMD64).
        arch: nt.file_header().machine.get(LE).to_string(),
        end: data.end(),
        damage: None,
    })
}
