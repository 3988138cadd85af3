//! The build info blob the Go linker leaves in a binary: find it, decode it, unframe the
//! module info. A port of `readRawBuildInfo` (golang/go `src/debug/buildinfo/buildinfo.go`).
//!
//! Layout: a 32-byte header at a 16-byte-aligned address (`"\xff Go buildinf:"`, pointer
//! size, flags), then either (flag `0x2`, Go ≥ 1.18) two varint-prefixed strings inline, or
//! (older) two pointers to Go string headers `{data, len}` elsewhere in the image, followed
//! through the [`Exe`]'s address mappings.
//!
//! Until the magic is found nothing is reported ([`Error::NotGo`]): that is the fate of
//! every other ELF in an image. Past it, the file claims to be a Go binary, so damage becomes
//! a warning ([`Error::Malformed`]).

use object::ReadRef;

use super::exe::Exe;
use super::Limits;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const ALIGN: usize = 16;
/// The flag bit of the inline (pointer-free) format, set by the Go 1.18+ linker.
const FLAG_INLINE: u8 = 0x2;
const FLAG_BIG_ENDIAN: u8 = 0x1;

/// Why no build info came out of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Error {
    /// No build info magic (or Go's own "not a Go executable": an empty version).
    NotGo,
    /// The magic is there but what follows is damaged or over a limit.
    Malformed(String),
}

/// The two strings of the blob, as the binary holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawBuildInfo {
    /// `runtime.buildVersion`, e.g. `go1.22.3` or `go1.25.1 X:nocoverageredesign`.
    pub version: String,
    /// `runtime.modinfo` with its sentinels stripped; empty for a GOPATH build.
    pub modinfo: String,
}

/// Reads the build info of one image of the file `data`.
pub(super) fn read<'data, R: ReadRef<'data>>(
    data: R,
    exe: &Exe,
    limits: &Limits,
) -> Result<RawBuildInfo, Error> {
    let start = exe.data_start.ok_or(Error::NotGo)?;
    let window = exe
        .read(data, start, limits.search_window)
        .map_err(|_| Error::NotGo)?;
    let at = find_header(window).ok_or(Error::NotGo)?;
    let header = &window[at..at + HEADER_SIZE];
    let blob = advance(start, at as u64)?;
    let (version, modinfo) = if header[15] & FLAG_INLINE != 0 {
        let (version, next) = inline_string(
            data,
            exe,
            advance(blob, HEADER_SIZE as u64)?,
            limits.max_version,
        )?;
        let (modinfo, _) = inline_string(data, exe, next, limits.max_modinfo)?;
        (version, modinfo)
    } else {
        let pointers = Pointers::new(header)?;
        let version = pointers.string(data, exe, pointers.at(header, 16), limits.max_version)?;
        let modinfo_at = pointers.at(header, 16 + pointers.size);
        (
            version,
            pointers.string(data, exe, modinfo_at, limits.max_modinfo)?,
        )
    };
    if version.is_empty() {
        return Err(Error::NotGo);
    }
    Ok(RawBuildInfo {
        version: String::from_utf8_lossy(version).into_owned(),
        modinfo: String::from_utf8_lossy(unframe(modinfo)).into_owned(),
    })
}

/// Offset of the first 16-byte-aligned header with its 32 bytes in `window`. Go steps past a
/// misaligned hit with `(i+15)&^16`, a typo for `&^15` (golang/go #54968) that can skip an
/// aligned header; this rounds up to the next boundary.
pub(super) fn find_header(window: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let hit = from + find(window.get(from..)?, MAGIC)?;
        if window.len() - hit < HEADER_SIZE {
            return None;
        }
        if hit % ALIGN == 0 {
            return Some(hit);
        }
        from = (hit + ALIGN - 1) & !(ALIGN - 1);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Strips the 16-byte sentinels around the module info (`infoStart`/`infoEnd` of
/// `cmd/go/internal/modload`); anything not framed that way is no module info, as in Go.
pub(super) fn unframe(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        &modinfo[16..n - 16]
    } else {
        &[]
    }
}

/// A `uvarint(len) || bytes` string at `addr`; returns it and the address after it.
fn inline_string<'data, R: ReadRef<'data>>(
    data: R,
    exe: &Exe,
    addr: u64,
    max: u64,
) -> Result<(&'data [u8], u64), Error> {
    let prefix = exe.read(data, addr, 10).map_err(malformed)?;
    let (len, used) = uvarint(prefix).ok_or_else(|| malformed("bad string length varint"))?;
    check_len(len, max)?;
    let start = advance(addr, used as u64)?;
    let bytes = read_exact(data, exe, start, len)?;
    Ok((bytes, advance(start, len)?))
}

/// Go's `binary.Uvarint`: at most 10 bytes, the 10th at most 1.
pub(super) fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Pointer width and byte order of the older format.
struct Pointers {
    size: usize,
    big_endian: bool,
}

impl Pointers {
    fn new(header: &[u8]) -> Result<Self, Error> {
        let size = usize::from(header[14]);
        if size != 4 && size != 8 {
            return Err(malformed(format!("pointer size {size}")));
        }
        // Go: `bigEndian := data[15] != 0` in this format.
        let big_endian = header[15] & FLAG_BIG_ENDIAN != 0;
        Ok(Pointers { size, big_endian })
    }

    /// The pointer at `offset` of `bytes` (the caller guarantees the length).
    fn at(&self, bytes: &[u8], offset: usize) -> u64 {
        let mut word = [0u8; 8];
        let raw = &bytes[offset..offset + self.size];
        if self.big_endian {
            word[8 - self.size..].copy_from_slice(raw);
            u64::from_be_bytes(word)
        } else {
            word[..self.size].copy_from_slice(raw);
            u64::from_le_bytes(word)
        }
    }

    /// The Go string whose header `{data, len}` is at `addr`.
    fn string<'data, R: ReadRef<'data>>(
        &self,
        data: R,
        exe: &Exe,
        addr: u64,
        max: u64,
    ) -> Result<&'data [u8], Error> {
        let header = read_exact(data, exe, addr, 2 * self.size as u64)?;
        let (start, len) = (self.at(header, 0), self.at(header, self.size));
        check_len(len, max)?;
        read_exact(data, exe, start, len)
    }
}

fn check_len(len: u64, max: u64) -> Result<(), Error> {
    if len > max {
        return Err(malformed(format!(
            "a string of {len} bytes, over the limit of {max}"
        )));
    }
    Ok(())
}

fn read_exact<'data, R: ReadRef<'data>>(
    data: R,
    exe: &Exe,
    addr: u64,
    len: u64,
) -> Result<&'data [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    let bytes = exe.read(data, addr, len).map_err(malformed)?;
    if (bytes.len() as u64) < len {
        return Err(malformed(format!(
            "a string of {len} bytes at {addr:#x} is cut short after {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// `addr + by`, in a hostile image's address space that may end just past `addr`.
fn advance(addr: u64, by: u64) -> Result<u64, Error> {
    addr.checked_add(by)
        .ok_or_else(|| malformed(format!("address {addr:#x} + {by} overflows")))
}

fn malformed(problem: impl Into<String>) -> Error {
    Error::Malformed(problem.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_search_keeps_to_the_16_byte_grid() {
        let mut window = vec![0u8; 96];
        // A misaligned copy at 3, the real header at 16. Go's `(i+15)&^16` steps from 3 back
        // to 2, then from the same hit (now at 1) to 0, and loops; `&^15` lands on 16.
        window[3..3 + MAGIC.len()].copy_from_slice(MAGIC);
        window[16..16 + MAGIC.len()].copy_from_slice(MAGIC);
        assert_eq!(find_header(&window), Some(16));
        // Too close to the end for a whole header.
        let mut short = vec![0u8; 40];
        short[16..16 + MAGIC.len()].copy_from_slice(MAGIC);
        assert_eq!(find_header(&short), None);
        assert_eq!(find_header(&[]), None);
        // Only misaligned copies.
        let mut misaligned = vec![0u8; 128];
        misaligned[17..17 + MAGIC.len()].copy_from_slice(MAGIC);
        assert_eq!(find_header(&misaligned), None);
    }

    #[test]
    fn module_info_sentinels() {
        let framed = [&[b'S'; 16][..], b"path\tx\n", &[b'E'; 16][..]].concat();
        // 16 + 7 + 16 = 39 bytes; byte len-17 is the newline.
        assert_eq!(unframe(&framed), b"path\tx\n");
        assert_eq!(unframe(&framed[..32]), b"");
        assert_eq!(unframe(b""), b"");
        // Right length, no newline before the end sentinel: not module info.
        assert_eq!(unframe(&[b'x'; 40]), b"");
    }

    #[test]
    fn varints() {
        assert_eq!(uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(uvarint(&[0x80, 0x01]), Some((128, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[]), None);
        // 2^63 fits (9 bytes of 0x80 then 0x01) and is then refused by the length limit.
        let big = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert_eq!(uvarint(&big), Some((1 << 63, 10)));
        assert!(matches!(
            check_len(1 << 63, 4 << 20),
            Err(Error::Malformed(_))
        ));
        // An 11-byte or overflowing varint is refused outright.
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(uvarint(&over), None);
    }
}
