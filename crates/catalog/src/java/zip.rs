//! A minimal zip reader: the central directory, zip64 included, read with random access and
//! never the whole file.
//!
//! The central directory is the zip's index and the only place sizes are reliable (a local
//! header written with a data descriptor has zero sizes), so it is the source of truth; each
//! local header is checked against it when its entry is read ([`super::entry`]). Format:
//! PKWARE APPNOTE.TXT 6.3.10 <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT>,
//! sections 4.3.12 (central directory), 4.3.14-16 (zip64 end records), 4.5.3 (zip64 extra).

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, SeekFrom};

use crate::ReadSeek;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: usize = 56;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
/// The end record sits in the last 22 bytes plus a comment of at most 64 KiB.
const MAX_COMMENT: u64 = 0xFFFF;
/// The most the end record and its comment span.
const MAX_TAIL: u64 = EOCD_LEN as u64 + MAX_COMMENT;

/// One central-directory entry the caller chose to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// As stored, for comparison with the local header.
    pub raw_name: Vec<u8>,
    /// Lossy UTF-8 (names are UTF-8 or CP437; only ASCII names matter here), `\` as `/`.
    pub name: String,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    /// Absolute offset of the local header (any prefix before the zip already added).
    pub local_offset: u64,
}

/// The kept entries of a central directory, and what did not add up in it.
#[derive(Debug, Default)]
pub(super) struct Directory {
    pub entries: Vec<Entry>,
    /// Entries looked at (kept or not).
    pub seen: usize,
    /// Whether the entry cap stopped the listing before its end.
    pub capped: bool,
    /// Inconsistencies that did not stop the listing.
    pub problems: Vec<String>,
}

/// Why a file could not be listed.
#[derive(Debug)]
pub(super) enum ZipError {
    /// No end-of-central-directory record: not a zip, or truncated.
    NotZip,
    Corrupt(String),
    Io(io::Error),
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::NotZip => {
                f.write_str("no zip end-of-central-directory record (not a zip, or truncated)")
            }
            ZipError::Corrupt(why) => write!(f, "corrupt zip: {why}"),
            ZipError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

impl From<io::Error> for ZipError {
    fn from(e: io::Error) -> Self {
        ZipError::Io(e)
    }
}

/// Where the central directory is, per the end records.
#[derive(Debug)]
struct End {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the end records start: the directory ends here.
    directory_end: u64,
}

/// Lists the central directory of the `size`-byte zip in `content`, keeping the entries
/// `keep` accepts (it sees every name) and looking at no more than `max_entries`.
pub(super) fn read_directory(
    content: &mut dyn ReadSeek,
    size: u64,
    max_entries: usize,
    keep: &mut dyn FnMut(&str) -> bool,
) -> Result<Directory, ZipError> {
    let end = find_end(content, size)?;
    let start = directory_start(content, &end)?;
    content.seek(SeekFrom::Start(start))?;
    let mut reader = BufReader::new(content.take(end.cd_size));
    let mut dir = Directory::default();
    loop {
        if reader.fill_buf()?.is_empty() {
            break;
        }
        if dir.seen >= max_entries {
            dir.capped = true;
            break;
        }
        match read_central(&mut reader, start - end.cd_offset) {
            Ok(Some(entry)) => {
                dir.seen += 1;
                if keep(&entry.name) {
                    dir.entries.push(entry);
                }
            }
            Ok(None) => break,
            Err(e) => {
                dir.problems
                    .push(format!("central directory ends mid-entry: {e}"));
                break;
            }
        }
    }
    // A zip of more than 65535 entries written without zip64 stores the count modulo 2^16.
    if !dir.capped && dir.seen as u64 % 0x1_0000 != end.entries % 0x1_0000 {
        dir.problems.push(format!(
            "central directory lists {} entries, its end record says {}",
            dir.seen, end.entries
        ));
    }
    Ok(dir)
}

/// Finds and decodes the end-of-central-directory record, and the zip64 one it points to.
fn find_end(content: &mut dyn ReadSeek, size: u64) -> Result<End, ZipError> {
    if size < EOCD_LEN as u64 {
        return Err(ZipError::NotZip);
    }
    let tail_len = size.min(MAX_TAIL);
    let tail = read_at(content, size - tail_len, tail_len as usize)?;
    // The last signature whose comment fits in the file (archive/zip's rule): a comment may
    // itself contain the signature bytes.
    let at = (0..=tail.len() - EOCD_LEN)
        .rev()
        .find(|&i| {
            le32(&tail[i..]) == EOCD_SIG
                && i + EOCD_LEN + usize::from(le16(&tail[i + 20..])) <= tail.len()
        })
        .ok_or(ZipError::NotZip)?;
    let record = &tail[at..];
    let eocd_pos = size - tail_len + at as u64;
    let disk = le16(&record[4..]);
    let mut end = End {
        entries: u64::from(le16(&record[10..])),
        cd_size: u64::from(le32(&record[12..])),
        cd_offset: u64::from(le32(&record[16..])),
        directory_end: eocd_pos,
    };
    let zip64 = end.entries == 0xFFFF || end.cd_size == 0xFFFF_FFFF || end.cd_offset == 0xFFFF_FFFF;
    if zip64 && eocd_pos >= ZIP64_LOCATOR_LEN as u64 {
        if let Some(z) = find_zip64_end(content, eocd_pos)? {
            end = z;
        }
    } else if disk != 0 && disk != 0xFFFF {
        return Err(ZipError::Corrupt(format!(
            "spanned over several disks (this is disk {disk})"
        )));
    }
    Ok(end)
}

/// The zip64 end record, through the locator just before the classic end record; `None` when
/// there is no locator (a classic zip whose counts happen to be all ones).
fn find_zip64_end(content: &mut dyn ReadSeek, eocd_pos: u64) -> Result<Option<End>, ZipError> {
    let locator_pos = eocd_pos - ZIP64_LOCATOR_LEN as u64;
    let locator = read_at(content, locator_pos, ZIP64_LOCATOR_LEN)?;
    if le32(&locator) != ZIP64_LOCATOR_SIG {
        return Ok(None);
    }
    let stated = le64(&locator[8..]);
    // The record normally ends where the locator starts; try the stated offset first, then
    // that place (the stated offset is wrong when bytes were prepended to the zip).
    let candidates = [Some(stated), locator_pos.checked_sub(ZIP64_EOCD_LEN as u64)];
    for pos in candidates.into_iter().flatten() {
        if pos.saturating_add(ZIP64_EOCD_LEN as u64) > locator_pos {
            continue;
        }
        let record = read_at(content, pos, ZIP64_EOCD_LEN)?;
        if le32(&record) == ZIP64_EOCD_SIG {
            return Ok(Some(End {
                entries: le64(&record[32..]),
                cd_size: le64(&record[40..]),
                cd_offset: le64(&record[48..]),
                directory_end: pos,
            }));
        }
    }
    Err(ZipError::Corrupt(
        "zip64 locator points at no zip64 end record".into(),
    ))
}

/// Where the central directory really starts. The stated offset is tried first; when bytes
/// were prepended to the zip (a launch script on a Spring Boot "fully executable" jar, a
/// self-extractor) every offset is short by their length, which the directory's position just
/// before the end records reveals.
fn directory_start(content: &mut dyn ReadSeek, end: &End) -> Result<u64, ZipError> {
    let actual = end.directory_end.checked_sub(end.cd_size).ok_or_else(|| {
        ZipError::Corrupt(format!(
            "central directory of {} bytes does not fit before its end record",
            end.cd_size
        ))
    })?;
    if end.cd_size == 0 {
        return Ok(actual);
    }
    for start in [end.cd_offset, actual] {
        if start >= end.cd_offset
            && start.saturating_add(end.cd_size) <= end.directory_end
            && le32(&read_at(content, start, 4)?) == CENTRAL_SIG
        {
            return Ok(start);
        }
    }
    Err(ZipError::Corrupt(format!(
        "no central directory at offset {} or {actual}",
        end.cd_offset
    )))
}

/// Reads one central-directory entry; `None` at a signature that is not one (the directory's
/// end, or digital-signature records after it). `base` is what was prepended to the zip.
fn read_central(reader: &mut impl Read, base: u64) -> io::Result<Option<Entry>> {
    let mut fixed = [0u8; CENTRAL_LEN];
    reader.read_exact(&mut fixed)?;
    if le32(&fixed) != CENTRAL_SIG {
        return Ok(None);
    }
    let name_len = usize::from(le16(&fixed[28..]));
    let extra_len = usize::from(le16(&fixed[30..]));
    let comment_len = usize::from(le16(&fixed[32..]));
    let mut raw_name = vec![0u8; name_len];
    reader.read_exact(&mut raw_name)?;
    let mut extra = vec![0u8; extra_len];
    reader.read_exact(&mut extra)?;
    io::copy(&mut reader.take(comment_len as u64), &mut io::sink())?;
    let mut compressed_size = u64::from(le32(&fixed[20..]));
    let mut size = u64::from(le32(&fixed[24..]));
    let mut local_offset = u64::from(le32(&fixed[42..]));
    apply_zip64_extra(&extra, &mut size, &mut compressed_size, &mut local_offset);
    let name = String::from_utf8_lossy(&raw_name).replace('\\', "/");
    Ok(Some(Entry {
        raw_name,
        name,
        flags: le16(&fixed[8..]),
        method: le16(&fixed[10..]),
        crc32: le32(&fixed[16..]),
        compressed_size,
        size,
        local_offset: local_offset.saturating_add(base),
    }))
}

/// The zip64 extended-information extra field (id 1) holds, in this order, each of the sizes
/// and the offset whose 32-bit field is all ones (APPNOTE 4.5.3).
fn apply_zip64_extra(extra: &[u8], size: &mut u64, compressed: &mut u64, offset: &mut u64) {
    let mut rest = extra;
    while rest.len() >= 4 {
        let id = le16(rest);
        let len = usize::from(le16(&rest[2..]));
        let Some(data) = rest.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut fields = data.chunks_exact(8).map(le64);
            for field in [size, compressed, offset] {
                if *field == 0xFFFF_FFFF {
                    match fields.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        rest = &rest[4 + len..];
    }
}

/// `len` bytes at `offset`.
pub(super) fn read_at(content: &mut dyn ReadSeek, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    content.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    content.read_exact(&mut buf)?;
    Ok(buf)
}

pub(super) fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

pub(super) fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le64(b: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&b[..8]);
    u64::from_le_bytes(bytes)
}
