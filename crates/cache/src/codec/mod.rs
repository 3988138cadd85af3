//! The entry format: a fixed header, then a layer report in a compact binary encoding.
//!
//! ```text
//! magic "sbomgenL" | format version u32 | flags u32 | raw length u64 | stored length u64
//! | SHA-256 of the 32 bytes before it and the payload | payload (zstd when flag 1 is set)
//! ```
//! All integers in the header are little-endian; the payload is LEB128 integers and
//! length-prefixed strings (see `wire`). The checksum is verified before anything is decoded
//! or allocated, so disk damage and truncated writes are told apart from a decoder bug, and a
//! damaged entry is an error naming it, never a panic or a wrong report. Image results
//! (`crate::results`) use the same envelope under their own magic and version.

mod files;
mod records;
mod wire;

use std::io::Read;

use sbomgen_layer::LayerReport;
use sha2::{Digest as _, Sha256};

pub use records::Classes;

use crate::CacheError;

/// Version of the entry encoding; bumped with any change to it (it is also part of every key,
/// so old entries are simply never asked for again).
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"sbomgenL";
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8 + 32;
const FLAG_ZSTD: u32 = 1;
/// Largest decoded payload accepted: a layer may keep 256 MiB of files by default and a
/// million entries; four times that is damage or a hostile store.
const MAX_RAW_LEN: u64 = 4 << 30;
/// zstd level 1: entries shrink by about 4× (a network store moves less, the page cache
/// holds more), and it decodes several times faster than the disk or network delivers.
const ZSTD_LEVEL: i32 = 1;

/// Encodes `report` as a cache entry.
pub fn encode(report: &LayerReport) -> Vec<u8> {
    let mut w = wire::Writer::default();
    files::put_report(&mut w, report);
    seal(&LAYER_ENTRY, w.buf)
}

/// What kind of entry a header announces: image results share the envelope under their own
/// magic and version (`crate::results`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryKind {
    pub(crate) magic: &'static [u8; 8],
    pub(crate) version: u32,
    /// For messages: "a layer cache entry".
    pub(crate) name: &'static str,
}

const LAYER_ENTRY: EntryKind = EntryKind {
    magic: MAGIC,
    version: FORMAT_VERSION,
    name: "a layer cache entry",
};

/// `raw` in the envelope of `kind`: header, checksum, payload (zstd when it compresses).
pub(crate) fn seal(kind: &EntryKind, raw: Vec<u8>) -> Vec<u8> {
    // Compression into a buffer cannot fail short of memory exhaustion; store the payload
    // uncompressed should it ever.
    let raw_len = raw.len() as u64;
    let (flags, payload) = match zstd::bulk::compress(&raw, ZSTD_LEVEL) {
        Ok(compressed) => (FLAG_ZSTD, compressed),
        Err(_) => (0, raw),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(kind.magic);
    out.extend_from_slice(&kind.version.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&raw_len.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let checksum = checksum(&out, &payload);
    out.extend_from_slice(&checksum);
    out.extend_from_slice(&payload);
    out
}

/// SHA-256 over the header fields (`head`: magic to stored length) and the payload.
fn checksum(head: &[u8], payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(head);
    h.update(payload);
    h.finalize().into()
}

/// Decodes the entry stored under `key`; any damage is [`CacheError::Corrupt`].
pub fn decode(entry: &[u8], key: &str, classes: &Classes) -> Result<LayerReport, CacheError> {
    decode_inner(entry, classes).map_err(|reason| CacheError::Corrupt {
        key: key.to_string(),
        reason,
    })
}

fn decode_inner(entry: &[u8], classes: &Classes) -> Result<LayerReport, wire::Malformed> {
    let raw = unseal(&LAYER_ENTRY, entry)?;
    let mut r = wire::Reader::new(&raw);
    let report = files::get_report(&mut r, classes)?;
    r.finish()?;
    Ok(report)
}

/// The payload of an entry of `kind`, checked and decompressed; any damage is an error
/// saying what.
pub(crate) fn unseal<'a>(
    kind: &EntryKind,
    entry: &'a [u8],
) -> Result<std::borrow::Cow<'a, [u8]>, wire::Malformed> {
    if entry.len() < HEADER_LEN {
        return Err(format!(
            "{} bytes, shorter than the {HEADER_LEN}-byte header",
            entry.len()
        ));
    }
    let (header, payload) = entry.split_at(HEADER_LEN);
    if &header[..8] != kind.magic {
        return Err(format!("not {} (bad magic)", kind.name));
    }
    let word = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap_or_default());
    let long = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().unwrap_or_default());
    let (version, flags, raw_len, stored_len) = (word(8), word(12), long(16), long(24));
    if version != kind.version {
        return Err(format!(
            "format version {version}, this sbomgen reads {}",
            kind.version
        ));
    }
    if flags & !FLAG_ZSTD != 0 {
        return Err(format!("unknown flags {flags:#x}"));
    }
    if stored_len != payload.len() as u64 {
        return Err(format!(
            "payload is {} bytes, the header says {stored_len} (truncated?)",
            payload.len()
        ));
    }
    if checksum(&header[..32], payload)[..] != header[32..64] {
        return Err("checksum mismatch".to_string());
    }
    if raw_len > MAX_RAW_LEN {
        return Err(format!("decoded size {raw_len} above {MAX_RAW_LEN}"));
    }
    if flags & FLAG_ZSTD == 0 {
        if raw_len != payload.len() as u64 {
            return Err(format!(
                "payload is {} bytes, the header says {raw_len}",
                payload.len()
            ));
        }
        return Ok(std::borrow::Cow::Borrowed(payload));
    }
    // Streamed rather than into a buffer of the announced size: memory grows with what the
    // payload really holds, whatever a hostile store put in the header.
    let hint = usize::try_from(raw_len).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(hint.min(payload.len().saturating_mul(8)));
    zstd::stream::read::Decoder::with_buffer(payload)
        .and_then(|d| d.take(raw_len + 1).read_to_end(&mut out))
        .map_err(|e| format!("zstd: {e}"))?;
    if out.len() as u64 != raw_len {
        return Err(format!(
            "decoded {} bytes, the header says {raw_len}",
            out.len()
        ));
    }
    Ok(std::borrow::Cow::Owned(out))
}

#[cfg(test)]
mod tests;
