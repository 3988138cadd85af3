//! Minimal executables built in code for the tests: just the headers Go's `debug/buildinfo`
//! reads, around a data segment holding a build info blob. No big binaries in the repository.

/// Where the data segment (and the blob at its start) is loaded in the ELF images.
pub(crate) const ELF_DATA: u64 = 0x50_0000;
/// The same for the Mach-O images.
pub(crate) const MACHO_DATA: u64 = 0x1_0000_1000;

use crate::exe::testbin::u32_of;
pub(crate) use crate::exe::testbin::{fat, uleb128, CPU_AMD64, CPU_ARM64};

/// `text` between the module info sentinels.
pub(crate) fn framed(text: &str) -> Vec<u8> {
    const START: [u8; 16] = *b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: [u8; 16] = *b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";
    [&START[..], text.as_bytes(), &END[..]].concat()
}

fn header(pointer_size: u8, flags: u8) -> Vec<u8> {
    let mut h = b"\xff Go buildinf:".to_vec();
    h.extend([pointer_size, flags]);
    h.resize(32, 0);
    h
}

/// The Go ≥ 1.18 blob: header with flag 0x2, then two varint-prefixed strings.
pub(crate) fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
    let mut blob = header(8, 0x2);
    for s in [version.as_bytes(), modinfo] {
        blob.extend(uleb128(s.len() as u64));
        blob.extend_from_slice(s);
    }
    blob.resize(blob.len().next_multiple_of(16), 0);
    blob
}

/// The older blob, loaded at `at`: pointers to two string headers right after the header.
pub(crate) fn pointer_blob(
    version: &str,
    modinfo: &[u8],
    at: u64,
    size: usize,
    big: bool,
) -> Vec<u8> {
    let word = |v: u64| -> Vec<u8> {
        match (size, big) {
            (4, true) => u32::try_from(v)
                .expect("a 32-bit address")
                .to_be_bytes()
                .to_vec(),
            (4, false) => u32::try_from(v)
                .expect("a 32-bit address")
                .to_le_bytes()
                .to_vec(),
            (_, true) => v.to_be_bytes().to_vec(),
            (_, false) => v.to_le_bytes().to_vec(),
        }
    };
    let p = size as u64;
    let (vhdr, mhdr, vdata) = (at + 32, at + 32 + 2 * p, at + 32 + 4 * p);
    let mut blob = header(u8::try_from(size).expect("a pointer size"), u8::from(big));
    blob[16..16 + size].copy_from_slice(&word(vhdr));
    blob[16 + size..16 + 2 * size].copy_from_slice(&word(mhdr));
    for part in [
        vdata,
        version.len() as u64,
        vdata + version.len() as u64,
        modinfo.len() as u64,
    ] {
        blob.extend(word(part));
    }
    blob.extend_from_slice(version.as_bytes());
    blob.extend_from_slice(modinfo);
    blob
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

/// An ELF64 little-endian executable: a text segment and a writable data segment holding
/// `data` at [`ELF_DATA`]. With `section`, a section table names the data (`.go.buildinfo` or
/// anything else); without, there is no section table (as after `sstrip`).
pub(crate) fn elf(data: &[u8], section: Option<&str>) -> Vec<u8> {
    const DATA_OFFSET: usize = 0x1000;
    let mut out = vec![0u8; DATA_OFFSET];
    put(&mut out, 0, b"\x7fELF\x02\x01\x01");
    put(&mut out, 16, &2u16.to_le_bytes()); // ET_EXEC
    put(&mut out, 18, &62u16.to_le_bytes()); // EM_X86_64
    put(&mut out, 20, &1u32.to_le_bytes());
    put(&mut out, 32, &64u64.to_le_bytes()); // e_phoff
    put(&mut out, 52, &64u16.to_le_bytes()); // e_ehsize
    put(&mut out, 54, &56u16.to_le_bytes()); // e_phentsize
    put(&mut out, 56, &2u16.to_le_bytes()); // e_phnum
    put(&mut out, 58, &64u16.to_le_bytes()); // e_shentsize
    let segments: [(u32, u64, u64, u64); 2] = [
        (5, 0, 0x40_0000, DATA_OFFSET as u64),                // R+X
        (6, DATA_OFFSET as u64, ELF_DATA, data.len() as u64), // R+W
    ];
    for (i, (flags, offset, vaddr, size)) in segments.into_iter().enumerate() {
        let at = 64 + 56 * i;
        put(&mut out, at, &1u32.to_le_bytes()); // PT_LOAD
        put(&mut out, at + 4, &flags.to_le_bytes());
        put(&mut out, at + 8, &offset.to_le_bytes());
        put(&mut out, at + 16, &vaddr.to_le_bytes());
        put(&mut out, at + 32, &size.to_le_bytes());
        put(&mut out, at + 40, &size.to_le_bytes());
    }
    out.extend_from_slice(data);
    let Some(name) = section else {
        return out;
    };
    let names = format!("\0{name}\0.shstrtab\0");
    let names_at = out.len();
    out.extend_from_slice(names.as_bytes());
    out.resize(out.len().next_multiple_of(8), 0);
    let table_at = out.len();
    out.resize(table_at + 3 * 64, 0);
    let sections: [(u32, u32, u64, u64, u64, u64); 2] = [
        (1, 1, 3, ELF_DATA, DATA_OFFSET as u64, data.len() as u64), // PROGBITS, WA
        (
            2 + u32_of(name.len()),
            3,
            0,
            0,
            names_at as u64,
            names.len() as u64,
        ), // STRTAB
    ];
    for (i, (name, kind, flags, addr, offset, size)) in sections.into_iter().enumerate() {
        let at = table_at + 64 * (i + 1);
        put(&mut out, at, &name.to_le_bytes());
        put(&mut out, at + 4, &kind.to_le_bytes());
        put(&mut out, at + 8, &flags.to_le_bytes());
        put(&mut out, at + 16, &addr.to_le_bytes());
        put(&mut out, at + 24, &offset.to_le_bytes());
        put(&mut out, at + 32, &size.to_le_bytes());
    }
    put(&mut out, 40, &(table_at as u64).to_le_bytes()); // e_shoff
    put(&mut out, 60, &3u16.to_le_bytes()); // e_shnum
    put(&mut out, 62, &2u16.to_le_bytes()); // e_shstrndx
    out
}

/// A 64-bit little-endian Mach-O: `__PAGEZERO`, `__TEXT`, and a read-write `__DATA` holding
/// `data` at [`MACHO_DATA`], described by a `__go_buildinfo` section when `named`.
pub(crate) fn macho(data: &[u8], cpu: u32, named: bool) -> Vec<u8> {
    let mut out = vec![0u8; 0x1000];
    let segment =
        |out: &mut Vec<u8>, at: usize, name: &[u8], v: [u64; 4], prot: u32, sects: u32| {
            put(out, at, &0x19u32.to_le_bytes()); // LC_SEGMENT_64
            put(out, at + 4, &(72 + 80 * sects).to_le_bytes());
            put(out, at + 8, name);
            for (i, value) in v.iter().enumerate() {
                put(out, at + 24 + 8 * i, &value.to_le_bytes());
            }
            put(out, at + 56, &prot.to_le_bytes());
            put(out, at + 60, &prot.to_le_bytes());
            put(out, at + 64, &sects.to_le_bytes());
        };
    let len = data.len() as u64;
    segment(&mut out, 32, b"__PAGEZERO", [0, 0x1_0000_0000, 0, 0], 0, 0);
    segment(
        &mut out,
        104,
        b"__TEXT",
        [0x1_0000_0000, 0x1000, 0, 0x1000],
        5,
        0,
    );
    segment(
        &mut out,
        176,
        b"__DATA",
        [MACHO_DATA, len, 0x1000, len],
        3,
        1,
    );
    let sect = 176 + 72;
    put(
        &mut out,
        sect,
        if named { b"__go_buildinfo" } else { b"__data" },
    );
    put(&mut out, sect + 16, b"__DATA");
    put(&mut out, sect + 32, &MACHO_DATA.to_le_bytes());
    put(&mut out, sect + 40, &len.to_le_bytes());
    put(&mut out, sect + 48, &0x1000u32.to_le_bytes());
    let commands = u32_of(sect + 80 - 32);
    put(&mut out, 0, &0xfeed_facfu32.to_le_bytes());
    put(&mut out, 4, &cpu.to_le_bytes());
    put(&mut out, 12, &2u32.to_le_bytes()); // MH_EXECUTE
    put(&mut out, 16, &3u32.to_le_bytes()); // ncmds
    put(&mut out, 20, &commands.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A PE32+ image: `.text`, then `.data` (initialised, read-write, 32-byte aligned) holding
/// `data` at image base + 0x2000.
pub(crate) fn pe(data: &[u8]) -> Vec<u8> {
    const IMAGE_BASE: u64 = 0x1_4000_0000;
    let mut out = vec![0u8; 0x600];
    put(&mut out, 0, b"MZ");
    put(&mut out, 0x3c, &0x40u32.to_le_bytes());
    put(&mut out, 0x40, b"PE\0\0");
    let file = 0x44;
    put(&mut out, file, &0x8664u16.to_le_bytes());
    put(&mut out, file + 2, &2u16.to_le_bytes()); // sections
    put(&mut out, file + 16, &240u16.to_le_bytes()); // optional header size
    let opt = file + 20;
    put(&mut out, opt, &0x20bu16.to_le_bytes());
    put(&mut out, opt + 24, &IMAGE_BASE.to_le_bytes());
    put(&mut out, opt + 32, &0x1000u32.to_le_bytes());
    put(&mut out, opt + 36, &0x200u32.to_le_bytes());
    put(&mut out, opt + 56, &0x4000u32.to_le_bytes());
    put(&mut out, opt + 60, &0x400u32.to_le_bytes());
    put(&mut out, opt + 108, &16u32.to_le_bytes());
    let raw = u32_of(data.len().next_multiple_of(0x200));
    let sections: [(&[u8], u32, u32, u32, u32); 2] = [
        (b".text", 0x1000, 0x200, 0x400, 0x6000_0020),
        (b".data", 0x2000, raw, 0x600, 0xc060_0040),
    ];
    for (i, (name, va, size, pointer, flags)) in sections.into_iter().enumerate() {
        let at = opt + 240 + 40 * i;
        put(&mut out, at, name);
        put(&mut out, at + 8, &size.to_le_bytes());
        put(&mut out, at + 12, &va.to_le_bytes());
        put(&mut out, at + 16, &size.to_le_bytes());
        put(&mut out, at + 20, &pointer.to_le_bytes());
        put(&mut out, at + 36, &flags.to_le_bytes());
    }
    out.extend_from_slice(data);
    out.resize(0x600 + raw as usize, 0);
    out
}
