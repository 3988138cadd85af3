//! Reading one zip entry: its local header checked against the central directory, its data
//! inflated into a sink, never past a cap.
//!
//! A zip whose local headers disagree with its central directory is either damaged or built
//! to fool one reader (a scanner) but not another (the JVM reads the central directory): the
//! disagreement is reported, and the central directory's method and sizes are used, the read
//! still bounded by the caller's cap whatever the sizes claim.

use std::fmt;
use std::io::{self, Read, SeekFrom, Write};

use flate2::read::DeflateDecoder;
use flate2::Crc;

use super::zip::{le16, le32, read_at, Entry};
use crate::ReadSeek;

const LOCAL_SIG: u32 = 0x0403_4b50;
const LOCAL_LEN: usize = 30;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// General-purpose flag bits (APPNOTE 4.4.4).
const ENCRYPTED: u16 = 1;
const DATA_DESCRIPTOR: u16 = 1 << 3;

/// What reading an entry gave.
#[derive(Debug)]
pub(super) struct Inflated {
    /// Bytes written to the sink.
    pub bytes: u64,
    /// False when the cap stopped the read before the data's end.
    pub complete: bool,
    /// How the local header disagrees with the central directory, if it does.
    pub mismatch: Option<String>,
    /// How a complete read's size or CRC-32 differs from the central directory's, if it does.
    pub corrupt: Option<String>,
}

/// Why an entry could not be read at all.
#[derive(Debug)]
pub(super) enum EntryError {
    NoLocalHeader,
    Encrypted,
    Method(u16),
    /// The data runs past the end of the file.
    Truncated,
    Io(io::Error),
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::NoLocalHeader => f.write_str("no local header where the directory says"),
            EntryError::Encrypted => f.write_str("encrypted"),
            EntryError::Method(m) => write!(f, "compression method {m} is not supported"),
            EntryError::Truncated => f.write_str("data runs past the end of the archive"),
            EntryError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

impl From<io::Error> for EntryError {
    fn from(e: io::Error) -> Self {
        EntryError::Io(e)
    }
}

/// Inflates `entry` of the `size`-byte zip in `content` into `sink`, at most `cap` bytes.
pub(super) fn inflate(
    content: &mut dyn ReadSeek,
    size: u64,
    entry: &Entry,
    sink: &mut dyn Write,
    cap: u64,
) -> Result<Inflated, EntryError> {
    if entry.flags & ENCRYPTED != 0 {
        return Err(EntryError::Encrypted);
    }
    if entry.method != STORED && entry.method != DEFLATED {
        return Err(EntryError::Method(entry.method));
    }
    let (data_start, mismatch) = local_header(content, size, entry)?;
    if data_start
        .checked_add(entry.compressed_size)
        .is_none_or(|end| end > size)
    {
        return Err(EntryError::Truncated);
    }
    content.seek(SeekFrom::Start(data_start))?;
    let raw = content.take(entry.compressed_size);
    let (bytes, complete, crc) = if entry.method == STORED {
        copy_capped(raw, sink, cap)?
    } else {
        copy_capped(DeflateDecoder::new(raw), sink, cap)?
    };
    // Only a read that reached the data's end can be checked against the directory.
    let corrupt = if !complete {
        None
    } else if bytes != entry.size {
        Some(format!(
            "inflates to {bytes} bytes, the directory says {}",
            entry.size
        ))
    } else if crc != entry.crc32 {
        Some(format!(
            "CRC-32 {crc:08x}, the directory says {:08x}",
            entry.crc32
        ))
    } else {
        None
    };
    Ok(Inflated {
        bytes,
        complete,
        mismatch,
        corrupt,
    })
}

/// Checks the local header against the directory entry; returns where the data starts.
fn local_header(
    content: &mut dyn ReadSeek,
    size: u64,
    entry: &Entry,
) -> Result<(u64, Option<String>), EntryError> {
    let fits = entry
        .local_offset
        .checked_add(LOCAL_LEN as u64)
        .is_some_and(|end| end <= size);
    if !fits {
        return Err(EntryError::NoLocalHeader);
    }
    let fixed = read_at(content, entry.local_offset, LOCAL_LEN)?;
    if le32(&fixed) != LOCAL_SIG {
        return Err(EntryError::NoLocalHeader);
    }
    let name_len = le16(&fixed[26..]);
    let extra_len = le16(&fixed[28..]);
    let data_start =
        entry.local_offset + LOCAL_LEN as u64 + u64::from(name_len) + u64::from(extra_len);
    let mut differences = Vec::new();
    let local_name = if data_start <= size {
        read_at(
            content,
            entry.local_offset + LOCAL_LEN as u64,
            usize::from(name_len),
        )?
    } else {
        Vec::new()
    };
    if local_name != entry.raw_name {
        differences.push(format!("name {:?}", String::from_utf8_lossy(&local_name)));
    }
    let method = le16(&fixed[8..]);
    if method != entry.method {
        differences.push(format!("method {method} (directory: {})", entry.method));
    }
    // With a data descriptor the local sizes are zero; all ones means zip64 (in the extra).
    let compressed = le32(&fixed[18..]);
    if entry.flags & DATA_DESCRIPTOR == 0
        && compressed != 0xFFFF_FFFF
        && u64::from(compressed) != entry.compressed_size
    {
        differences.push(format!(
            "compressed size {compressed} (directory: {})",
            entry.compressed_size
        ));
    }
    let mismatch = (!differences.is_empty()).then(|| differences.join(", "));
    Ok((data_start, mismatch))
}

/// Copies at most `cap` bytes: how many were written, whether the data ended first, and the
/// CRC-32 of what was written.
fn copy_capped(mut from: impl Read, to: &mut dyn Write, cap: u64) -> io::Result<(u64, bool, u32)> {
    let mut buf = vec![0u8; 64 << 10];
    let mut crc = Crc::new();
    let mut written = 0u64;
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok((written, true, crc.sum()));
        }
        // What is left of the cap, when it is less than this read.
        let take = usize::try_from(cap - written).map_or(n, |left| n.min(left));
        to.write_all(&buf[..take])?;
        crc.update(&buf[..take]);
        written += take as u64;
        if take < n {
            return Ok((written, false, crc.sum()));
        }
    }
}
