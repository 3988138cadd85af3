//! Test-only builders of minimal binaries carrying named sections: ELF (32/64-bit, either
//! endianness), PE32+, Mach-O (32/64-bit, thin; universal from `crate::exe::testbin`), Wasm; and zlib data.
//!
//! Hand-built because `object`'s writer is not enabled (only its readers are). Each builder
//! writes just what `object`'s low-level readers check, in the simplest layout: headers,
//! then section data, then (ELF) the section header table.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;

/// `bytes`, zlib-compressed.
pub(super) fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

pub(super) use crate::exe::testbin::{fat, CPU_AMD64};
use crate::exe::testbin::{u16_of, u32_of, uleb128};

/// A little writer of fixed-width fields in one byte order.
struct W {
    out: Vec<u8>,
    big: bool,
}

impl W {
    fn new(big: bool) -> Self {
        W {
            out: Vec::new(),
            big,
        }
    }
    fn u16(&mut self, v: u16) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.out.extend(b);
    }
    fn u32(&mut self, v: u32) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.out.extend(b);
    }
    fn u64(&mut self, v: u64) {
        let b = if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        self.out.extend(b);
    }
    /// A u64 or, for 32-bit formats, a u32.
    fn word(&mut self, is64: bool, v: u64) {
        if is64 {
            self.u64(v);
        } else {
            self.u32(u32::try_from(v).expect("a 32-bit format's field"));
        }
    }
    fn name16(&mut self, name: &str) {
        let mut field = [0u8; 16];
        field[..name.len()].copy_from_slice(name.as_bytes());
        self.out.extend(field);
    }
    fn pad_to(&mut self, align: usize) {
        while !self.out.len().is_multiple_of(align) {
            self.out.push(0);
        }
    }
}

pub(super) const SHT_PROGBITS: u32 = 1;
pub(super) const SHT_NOBITS: u32 = 8;
const SHT_STRTAB: u32 = 3;

/// An ELF shared object with the given `(name, sh_type, data)` sections (indices 1..), then
/// `.shstrtab`; no program headers, as the audit section needs none.
pub(super) fn elf(is64: bool, big: bool, sections: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let (ehsize, shentsize) = if is64 { (64, 64) } else { (52, 40) };
    let mut names = vec![0u8];
    let mut placed = Vec::new(); // (name offset, type, data offset, size)
    let mut body = W::new(big);
    body.out.resize(ehsize, 0);
    for (name, sh_type, data) in sections.iter().chain([&(".shstrtab", SHT_STRTAB, &[][..])]) {
        let name_offset = u32_of(names.len());
        names.extend(name.as_bytes());
        names.push(0);
        body.pad_to(8);
        let offset = body.out.len() as u64;
        let data = if *name == ".shstrtab" {
            &names[..]
        } else {
            data
        };
        if *sh_type != SHT_NOBITS {
            body.out.extend(data);
        }
        placed.push((name_offset, *sh_type, offset, data.len() as u64));
    }
    body.pad_to(8);
    let shoff = body.out.len() as u64;
    body.out.extend(&[0u8; 64][..shentsize]); // the null section
    for (name, sh_type, offset, size) in placed {
        body.u32(name);
        body.u32(sh_type);
        body.word(is64, 0); // flags: not SHF_ALLOC, as cargo-auditable writes it
        body.word(is64, 0);
        body.word(is64, offset);
        body.word(is64, size);
        body.u32(0);
        body.u32(0);
        body.word(is64, 1);
        body.word(is64, 0);
    }
    let mut head = W::new(big);
    head.out.extend([
        0x7f,
        b'E',
        b'L',
        b'F',
        if is64 { 2 } else { 1 },
        if big { 2 } else { 1 },
        1,
    ]);
    head.out.resize(16, 0);
    head.u16(3); // ET_DYN
    head.u16(0x3e);
    head.u32(1);
    head.word(is64, 0); // entry
    head.word(is64, 0); // phoff
    head.word(is64, shoff);
    head.u32(0);
    head.u16(u16_of(ehsize));
    head.u16(if is64 { 56 } else { 32 });
    head.u16(0);
    head.u16(u16_of(shentsize));
    head.u16(u16_of(sections.len() + 2));
    head.u16(u16_of(sections.len() + 1));
    body.out[..ehsize].copy_from_slice(&head.out);
    body.out
}

/// Offset of section header `index` in a little-endian ELF64 from [`elf`].
pub(super) fn elf64_section_header(bytes: &[u8], index: usize) -> usize {
    let shoff = u64::from_le_bytes(bytes[0x28..0x30].try_into().expect("8 bytes"));
    usize::try_from(shoff).expect("a test binary's offset") + 64 * index
}

/// A little-endian Mach-O executable with one `__DATA` segment holding the given sections.
pub(super) fn macho(is64: bool, sections: &[(&str, &[u8])]) -> Vec<u8> {
    let (header, segment, section) = if is64 { (32, 72, 80) } else { (28, 56, 68) };
    let commands = segment + section * sections.len();
    let mut w = W::new(false);
    w.u32(if is64 { 0xfeed_facf } else { 0xfeed_face });
    w.u32(if is64 { 0x0100_0007 } else { 7 });
    w.u32(3);
    w.u32(2); // MH_EXECUTE
    w.u32(1);
    w.u32(u32_of(commands));
    w.u32(0);
    if is64 {
        w.u32(0);
    }
    let data_start = (header + commands) as u64;
    let data_len: usize = sections.iter().map(|(_, d)| d.len()).sum();
    w.u32(if is64 { 0x19 } else { 0x1 });
    w.u32(u32_of(commands));
    w.name16("__DATA");
    w.word(is64, 0x1000);
    w.word(is64, data_len as u64);
    w.word(is64, data_start);
    w.word(is64, data_len as u64);
    w.u32(3);
    w.u32(3);
    w.u32(u32_of(sections.len()));
    w.u32(0);
    let mut offset = data_start;
    for (name, data) in sections {
        w.name16(name);
        w.name16("__DATA");
        w.word(is64, 0x1000 + offset);
        w.word(is64, data.len() as u64);
        w.u32(u32::try_from(offset).expect("a test binary's offset"));
        w.u32(0);
        w.u32(0);
        w.u32(0);
        w.u32(0); // S_REGULAR
        w.u32(0);
        w.u32(0);
        if is64 {
            w.u32(0);
        }
        offset += data.len() as u64;
    }
    for (_, data) in sections {
        w.out.extend(*data);
    }
    w.out
}

/// A PE32+ image with the given sections, raw data rounded up to a 512-byte file alignment.
pub(super) fn pe64(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = W::new(false);
    w.out.extend(b"MZ");
    w.out.resize(0x3c, 0);
    w.u32(0x40); // e_lfanew
    w.out.extend(b"PE\0\0");
    w.u16(0x8664);
    w.u16(u16_of(sections.len()));
    w.u32(0);
    w.u32(0);
    w.u32(0);
    w.u16(240); // optional header: 112 bytes + 16 data directories
    w.u16(0x22);
    w.u16(0x20b);
    w.out.resize(w.out.len() + 110, 0); // the rest of the fixed part, zeros…
    let rva_count_at = w.out.len() - 4;
    w.out[rva_count_at..].copy_from_slice(&16u32.to_le_bytes()); // …but NumberOfRvaAndSizes
    w.out.resize(w.out.len() + 128, 0);
    let headers_end = w.out.len() + 40 * sections.len();
    let mut offset = headers_end.next_multiple_of(512);
    for (name, data) in sections {
        let mut field = [0u8; 8];
        field[..name.len()].copy_from_slice(name.as_bytes());
        w.out.extend(field);
        w.u32(u32_of(data.len())); // virtual size: exact
        w.u32(0x1000);
        w.u32(u32_of(data.len().next_multiple_of(512)));
        w.u32(u32_of(offset));
        w.out.extend([0u8; 12]);
        w.u32(0x4000_0040); // initialised, readable data
        offset += data.len().next_multiple_of(512);
    }
    for (_, data) in sections {
        w.pad_to(512);
        w.out.extend(*data);
    }
    w.pad_to(512);
    w.out
}

/// A Wasm module of `(id, custom section name, payload)` sections.
pub(super) fn wasm(sections: &[(u8, Option<&str>, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, name, data) in sections {
        let mut payload = Vec::new();
        if let Some(name) = name {
            payload.extend(uleb128(name.len() as u64));
            payload.extend(name.as_bytes());
        }
        payload.extend(data);
        out.push(*id);
        out.extend(uleb128(payload.len() as u64));
        out.extend(payload);
    }
    out
}
