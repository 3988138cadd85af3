//! A pass-through reader under the tar parser that reads every tar header before the parser
//! does, to bound what a hostile layer can make it allocate and to notice entries hidden after
//! the end-of-archive marker.
//!
//! The `tar` crate reads a GNU long name (`L`/`K`) or a PAX extended header (`x`/`g`) into
//! memory whole, whatever size the header declares: a few kilobytes of compressed zeros can
//! declare gigabytes. The guard sees each header as the bytes stream past (it tracks where the
//! next header starts from each entry's size) and stops the stream with
//! [`LayerError::LimitExceeded`] before such a record is read. After the end-of-archive marker
//! (the first all-zero header block, where the parser stops), it keeps looking: a valid header
//! there means entries that `tar -x` would not unpack either, but that the layer ships.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::LayerError;

/// A tar block, as held in memory and as a stream offset.
const BLOCK_LEN: usize = 512;
const BLOCK: u64 = BLOCK_LEN as u64;

/// What the guard found, shared with the reader that owns the stream.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// A limit the stream broke; the read that found it failed.
    pub(crate) exceeded: Option<LayerError>,
    /// Bytes offset of a valid tar header after the end-of-archive marker, if any.
    pub(crate) entry_after_end: Option<u64>,
    /// Set by the reader for each entry the parser yields, whose data starts where the stream
    /// now is: its size as the parser knows it. A PAX `size` record or a GNU sparse header
    /// (which the guard does not read) moves the next header; without this the guard would
    /// take file data for headers.
    pub(crate) entry_data: Option<u64>,
}

pub(crate) struct TarGuard<R> {
    inner: R,
    max_extension: u64,
    /// Bytes passed through so far.
    pos: u64,
    /// Where the next header block starts.
    next_header: u64,
    header: Vec<u8>,
    ended: bool,
    findings: Rc<RefCell<Findings>>,
}

impl<R: Read> TarGuard<R> {
    /// Guards `inner`; an extension record (long name or PAX header) over `max_extension` bytes
    /// stops the stream.
    pub(crate) fn new(inner: R, max_extension: u64) -> (Self, Rc<RefCell<Findings>>) {
        let findings = Rc::new(RefCell::new(Findings::default()));
        let guard = TarGuard {
            inner,
            max_extension,
            pos: 0,
            next_header: 0,
            header: Vec::with_capacity(BLOCK_LEN),
            ended: false,
            findings: Rc::clone(&findings),
        };
        (guard, findings)
    }

    /// Looks at `bytes`, which start at stream offset `self.pos`.
    fn observe(&mut self, mut bytes: &[u8]) -> Result<(), LayerError> {
        while !bytes.is_empty() {
            if self.pos < self.next_header {
                let skip = usize::try_from(self.next_header - self.pos)
                    .map_or(bytes.len(), |left| left.min(bytes.len()));
                self.pos += skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            let want = BLOCK_LEN - self.header.len();
            let take = want.min(bytes.len());
            self.header.extend_from_slice(&bytes[..take]);
            self.pos += take as u64;
            bytes = &bytes[take..];
            if self.header.len() == BLOCK_LEN {
                let header = std::mem::take(&mut self.header);
                self.inspect(&header)?;
                self.header = header;
                self.header.clear();
            }
        }
        Ok(())
    }

    /// One complete header block, which ended at `self.pos`.
    fn inspect(&mut self, header: &[u8]) -> Result<(), LayerError> {
        let start = self.pos - BLOCK;
        if header.iter().all(|b| *b == 0) {
            self.ended = true;
            self.next_header = self.pos;
            return Ok(());
        }
        if self.ended {
            // Past the end marker only a valid header counts (padding is no entry), and not
            // eStargz's table of contents, which its format puts there; one is enough to
            // report, and nothing after it needs reading.
            if checksum_ok(header) && name(header) != ESTARGZ_TOC {
                self.findings
                    .borrow_mut()
                    .entry_after_end
                    .get_or_insert(start);
            }
            self.next_header = u64::MAX;
            return Ok(());
        }
        let size = entry_size(header).unwrap_or(0);
        let extension = matches!(header[156], b'L' | b'K' | b'x' | b'g');
        if extension && size > self.max_extension {
            return Err(LayerError::LimitExceeded {
                what: "tar long-name or extended-header record size",
                name: "extension-header",
                limit: self.max_extension,
            });
        }
        self.next_header = self
            .pos
            .saturating_add(size.div_ceil(BLOCK).saturating_mul(BLOCK));
        Ok(())
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(size) = self.findings.borrow_mut().entry_data.take() {
            self.ended = false;
            self.header.clear();
            self.next_header = self
                .pos
                .saturating_add(size.div_ceil(BLOCK).saturating_mul(BLOCK));
        }
        let n = self.inner.read(buf)?;
        if let Err(e) = self.observe(&buf[..n]) {
            let message = e.to_string();
            self.findings.borrow_mut().exceeded = Some(e);
            return Err(io::Error::other(message));
        }
        Ok(n)
    }
}

/// The entry eStargz appends after the end-of-archive marker (its table of contents).
const ESTARGZ_TOC: &[u8] = b"stargz.index.json";

/// The name field (bytes 0..100), up to its NUL.
fn name(header: &[u8]) -> &[u8] {
    let field = &header[..100];
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The size field (bytes 124..136), read as the tar parser reads it (octal, or GNU base-256).
fn entry_size(header: &[u8]) -> Option<u64> {
    tar::Header::from_byte_slice(header).entry_size().ok()
}

/// Whether the header's checksum (bytes 148..156, summed with that field as spaces) is right.
pub(crate) fn checksum_ok(header: &[u8]) -> bool {
    let stored: String = header[148..156]
        .iter()
        .map(|b| *b as char)
        .filter(|c| !matches!(c, '\0' | ' '))
        .collect();
    let Ok(stored) = u32::from_str_radix(&stored, 8) else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    sum == stored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: u8, size: u64) -> Vec<u8> {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_entry_type(tar::EntryType::new(kind));
        h.set_cksum();
        h.as_bytes().to_vec()
    }

    /// Reads `bytes` through a guard in odd-sized chunks, as a parser might.
    fn pass(bytes: &[u8], max: u64) -> (io::Result<u64>, Rc<RefCell<Findings>>) {
        let (mut guard, findings) = TarGuard::new(bytes, max);
        let mut total = 0u64;
        let mut buf = [0u8; 77];
        let result = loop {
            match guard.read(&mut buf) {
                Ok(0) => break Ok(total),
                Ok(n) => total += n as u64,
                Err(e) => break Err(e),
            }
        };
        (result, findings)
    }

    #[test]
    fn an_oversized_long_name_record_stops_the_stream_before_it_is_read() {
        // A GNU long-name header declaring 1 GiB; the record itself need not be there.
        let mut tar = header("././@LongLink", b'L', 1 << 30);
        tar.extend(vec![b'a'; 4096]);
        let (result, findings) = pass(&tar, 1 << 20);
        assert!(result.is_err());
        let exceeded = findings.borrow().exceeded.as_ref().map(ToString::to_string);
        assert!(exceeded.unwrap().contains("extended-header"));
    }

    #[test]
    fn regular_entries_pass_and_entries_after_the_end_marker_are_found() {
        let mut tar = header("etc/big", b'0', 1000);
        tar.extend(vec![b'x'; 1024]);
        tar.extend(header("././@PaxHeader", b'x', 600));
        tar.extend(vec![b'y'; 1024]);
        tar.extend(header("etc/after-pax", b'0', 0));
        tar.extend(vec![0u8; 1024]);
        let clean = tar.clone();
        tar.extend(header("etc/hidden", b'0', 0));
        tar.extend(vec![0u8; 1024]);
        let (result, findings) = pass(&clean, 1 << 20);
        assert_eq!(result.unwrap(), clean.len() as u64);
        assert!(findings.borrow().entry_after_end.is_none());
        let (_, findings) = pass(&tar, 1 << 20);
        assert_eq!(findings.borrow().entry_after_end, Some(clean.len() as u64));
        let mut estargz = clean.clone();
        estargz.extend(header("stargz.index.json", b'0', 0));
        assert!(pass(&estargz, 1 << 20).1.borrow().entry_after_end.is_none());
        // The PAX record's size is within a 600-byte limit but not a 599-byte one.
        assert!(pass(&tar, 600).0.is_ok());
        assert!(pass(&tar, 599).0.is_err());
    }

    #[test]
    fn sizes_in_octal_and_base_256() {
        assert_eq!(entry_size(&header("f", b'0', 0o777)), Some(0o777));
        let mut h = header("f", b'0', 0);
        h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(entry_size(&h), Some(1 << 16));
    }
}
