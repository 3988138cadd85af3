//! Splits one rpm header blob into its tag index, and decodes a tag's value when asked for it.
//!
//! Layout (rpm's `lib/header.c`, "hdrblob"; every number big-endian): `il` (u32, index entry
//! count), `dl` (u32, data length), `il` entries of 16 bytes (tag, type, offset into the data,
//! element count), then `dl` bytes of data.
//!
//! Headers stored in an rpmdb usually start with the region tag 63 (HEADERIMMUTABLE): a 16-byte
//! BIN whose data is a trailer saying how many entries form the signed, immutable region. The
//! entries after the region ("dribbles", such as INSTALLTIME) were added at install time and,
//! as in rpm's `hdrblobImport`, replace a region entry of the same tag. Because dribbles always
//! follow the region, "the last entry of a tag wins" gives the same result without reading the
//! trailer.
//!
//! Values are decoded lazily: an entry of a tag nobody asks for is only checked for a known type,
//! so one odd tag cannot make a package unreadable.

use std::collections::HashMap;

use crate::bytes::{be_u32, slice};
use crate::limits::{MAX_BLOB_BYTES, MAX_HEADER_ENTRIES};
use crate::RpmDbError;

/// Data types of header entries (rpm's `rpmTagType`).
pub(crate) mod ty {
    pub(crate) const CHAR: u32 = 1;
    pub(crate) const INT8: u32 = 2;
    pub(crate) const INT16: u32 = 3;
    pub(crate) const INT32: u32 = 4;
    pub(crate) const INT64: u32 = 5;
    pub(crate) const STRING: u32 = 6;
    pub(crate) const BIN: u32 = 7;
    pub(crate) const STRING_ARRAY: u32 = 8;
    pub(crate) const I18NSTRING: u32 = 9;
}

/// Region tags: HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE.
const REGION_TAGS: [u32; 3] = [61, 62, 63];
/// Size of one index entry, and so of a region tag's trailer.
const ENTRY_SIZE: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Entry {
    ty: u32,
    offset: usize,
    count: usize,
}

/// One header's index and data store, borrowed from the blob.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    data: &'a [u8],
    entries: HashMap<u32, Entry>,
}

impl<'a> Header<'a> {
    /// Reads the preamble and index; checks that the data store fits the blob.
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Self, RpmDbError> {
        let (Some(il), Some(dl)) = (be_u32(blob, 0), be_u32(blob, 4)) else {
            return Err(RpmDbError::header(format!(
                "blob of {} bytes is shorter than the 8-byte preamble",
                blob.len()
            )));
        };
        if u64::from(il) > MAX_HEADER_ENTRIES {
            return Err(RpmDbError::limit(
                "header index entries",
                il.into(),
                MAX_HEADER_ENTRIES,
            ));
        }
        if u64::from(dl) > MAX_BLOB_BYTES {
            return Err(RpmDbError::limit(
                "header data length",
                dl.into(),
                MAX_BLOB_BYTES,
            ));
        }
        if il == 0 {
            return Err(RpmDbError::header("the index has no entries"));
        }
        // Both fit in u32 after the limits above, so this cannot overflow usize.
        let data_start = 8 + il as usize * ENTRY_SIZE;
        let data = slice(blob, data_start, dl as usize).ok_or_else(|| {
            RpmDbError::header(format!(
                "{il} index entries and {dl} data bytes need {} bytes, the blob has {}",
                data_start + dl as usize,
                blob.len()
            ))
        })?;

        let mut entries = HashMap::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * ENTRY_SIZE;
            let field = |n: usize| be_u32(blob, at + 4 * n).unwrap_or(0); // in bounds: checked above
            let (tag, ty, offset, count) = (field(0), field(1), field(2), field(3));
            if ty > ty::I18NSTRING {
                return Err(RpmDbError::tag(
                    tag,
                    format!("index entry {i} at byte {at} has unknown type {ty}"),
                ));
            }
            if i == 0 && REGION_TAGS.contains(&tag) {
                // The region's trailer is 16 bytes of data; it must lie inside the store.
                let fits = (offset as usize)
                    .checked_add(ENTRY_SIZE)
                    .is_some_and(|e| e <= data.len());
                if ty != ty::BIN || count as usize != ENTRY_SIZE || !fits {
                    return Err(RpmDbError::tag(
                        tag,
                        format!(
                            "malformed region entry (type {ty}, count {count}, offset {offset})"
                        ),
                    ));
                }
                continue;
            }
            let entry = Entry {
                ty,
                offset: offset as usize,
                count: count as usize,
            };
            entries.insert(tag, entry);
        }
        Ok(Header { data, entries })
    }

    /// Whether the header has an entry for `tag`.
    pub(crate) fn has(&self, tag: u32) -> bool {
        self.entries.contains_key(&tag)
    }

    /// The first string of a STRING, I18NSTRING or STRING_ARRAY entry (for I18NSTRING, the first
    /// is the untranslated "C" locale text).
    pub(crate) fn string(&self, tag: u32) -> Result<Option<String>, RpmDbError> {
        Ok(self.strings(tag)?.and_then(|v| v.into_iter().next()))
    }

    /// All strings of a string-typed entry. Invalid UTF-8 (old Latin-1 headers) is replaced, not
    /// an error.
    pub(crate) fn strings(&self, tag: u32) -> Result<Option<Vec<String>>, RpmDbError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        if !matches!(e.ty, ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING) {
            return Err(RpmDbError::tag(
                tag,
                format!("expected a string type, found type {}", e.ty),
            ));
        }
        // Each string takes at least its NUL, so a count beyond the data left is corrupt; this
        // also bounds the loop below by the data length.
        let mut rest = self.data.get(e.offset..).unwrap_or_default();
        if e.count > rest.len() {
            return Err(RpmDbError::tag(
                tag,
                format!(
                    "{} strings at data offset {} cannot fit in {} bytes",
                    e.count,
                    e.offset,
                    rest.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(e.count);
        for i in 0..e.count {
            let nul = rest.iter().position(|&b| b == 0).ok_or_else(|| {
                RpmDbError::tag(
                    tag,
                    format!(
                        "string {i} at data offset {} has no terminating NUL",
                        e.offset
                    ),
                )
            })?;
            out.push(String::from_utf8_lossy(&rest[..nul]).into_owned());
            rest = &rest[nul + 1..];
        }
        Ok(Some(out))
    }

    /// All numbers of an integer entry (CHAR, INT8, INT16, INT32 or INT64), read as unsigned:
    /// rpm stores sizes, modes, times and flags in these.
    pub(crate) fn ints(&self, tag: u32) -> Result<Option<Vec<u64>>, RpmDbError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        let width = match e.ty {
            ty::CHAR | ty::INT8 => 1,
            ty::INT16 => 2,
            ty::INT32 => 4,
            ty::INT64 => 8,
            other => {
                return Err(RpmDbError::tag(
                    tag,
                    format!("expected an integer type, found type {other}"),
                ))
            }
        };
        let bytes = self.fixed(tag, e, width)?;
        let values = bytes
            .chunks_exact(width)
            .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            .collect();
        Ok(Some(values))
    }

    /// The first number of an integer entry.
    pub(crate) fn int(&self, tag: u32) -> Result<Option<u64>, RpmDbError> {
        Ok(self.ints(tag)?.and_then(|v| v.first().copied()))
    }

    /// The bytes of a BIN entry.
    pub(crate) fn bin(&self, tag: u32) -> Result<Option<&'a [u8]>, RpmDbError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        if e.ty != ty::BIN {
            return Err(RpmDbError::tag(
                tag,
                format!("expected type BIN, found type {}", e.ty),
            ));
        }
        self.fixed(tag, e, 1).map(Some)
    }

    /// `count` elements of `width` bytes at the entry's offset, all inside the data store.
    fn fixed(&self, tag: u32, e: &Entry, width: usize) -> Result<&'a [u8], RpmDbError> {
        e.count
            .checked_mul(width)
            .and_then(|len| slice(self.data, e.offset, len))
            .ok_or_else(|| {
                RpmDbError::tag(
                    tag,
                    format!(
                        "{} elements of {width} bytes at data offset {} run past the {}-byte data store",
                        e.count,
                        e.offset,
                        self.data.len()
                    ),
                )
            })
    }
}

/// Builds header blobs by hand for unit tests, with a region tag like rpmdb headers have.
#[cfg(test)]
pub(crate) mod build {
    pub(crate) use super::ty;

    /// One entry: tag, type, element count, data bytes (already encoded, big-endian).
    pub(crate) type Spec = (u32, u32, u32, Vec<u8>);

    /// A count or offset of a hand-built header: small, so a failure is a broken test.
    fn n32(n: usize) -> u32 {
        u32::try_from(n).expect("test headers stay far below 4 GiB")
    }

    pub(crate) fn string(tag: u32, s: &str) -> Spec {
        (tag, ty::STRING, 1, [s.as_bytes(), b"\0"].concat())
    }

    pub(crate) fn strings(tag: u32, v: &[&str]) -> Spec {
        let data = v.iter().flat_map(|s| s.bytes().chain([0])).collect();
        (tag, ty::STRING_ARRAY, n32(v.len()), data)
    }

    pub(crate) fn int32s(tag: u32, v: &[u32]) -> Spec {
        (
            tag,
            ty::INT32,
            n32(v.len()),
            v.iter().flat_map(|n| n.to_be_bytes()).collect(),
        )
    }

    pub(crate) fn int16s(tag: u32, v: &[u16]) -> Spec {
        (
            tag,
            ty::INT16,
            n32(v.len()),
            v.iter().flat_map(|n| n.to_be_bytes()).collect(),
        )
    }

    /// A blob with a HEADERIMMUTABLE region entry first, then `specs` in order, each aligned
    /// to its type's size as rpm does.
    pub(crate) fn blob(specs: &[Spec]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut index = Vec::new();
        for (tag, t, count, bytes) in specs {
            let align = match *t {
                ty::INT16 => 2,
                ty::INT32 => 4,
                ty::INT64 => 8,
                _ => 1,
            };
            while data.len() % align != 0 {
                data.push(0);
            }
            index.push([*tag, *t, n32(data.len()), *count]);
            data.extend_from_slice(bytes);
        }
        // Region trailer: tag 63, BIN, offset -(entries * 16), count 16.
        let trailer_at = n32(data.len());
        let ril = n32(index.len() + 1);
        // The offset is negative: its two's complement bits, as rpm stores them.
        for n in [63u32, ty::BIN, (ril * 16).wrapping_neg(), 16] {
            data.extend_from_slice(&n.to_be_bytes());
        }
        index.insert(0, [63, ty::BIN, trailer_at, 16]);
        let mut out = Vec::new();
        out.extend_from_slice(&n32(index.len()).to_be_bytes());
        out.extend_from_slice(&n32(data.len()).to_be_bytes());
        for e in &index {
            for n in e {
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
        out.extend_from_slice(&data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::{self, ty};
    use super::*;

    #[test]
    fn decodes_each_type_and_dribbles_win() {
        let blob = build::blob(&[
            build::string(1000, "curl"),
            build::strings(1117, &["a", "", "c"]),
            build::int32s(1009, &[7, 0xffff_fffe]),
            build::int16s(1030, &[0o100644]),
            (261, ty::BIN, 2, vec![0xab, 0x01]),
            (1004, ty::I18NSTRING, 2, b"hello\0bonjour\0".to_vec()),
            build::string(1000, "dribble"),
        ]);
        let h = Header::parse(&blob).unwrap();
        assert_eq!(h.string(1000).unwrap().as_deref(), Some("dribble"));
        assert_eq!(h.strings(1117).unwrap().unwrap(), ["a", "", "c"]);
        assert_eq!(h.ints(1009).unwrap().unwrap(), [7, 0xffff_fffe]);
        assert_eq!(h.int(1030).unwrap(), Some(0o100644));
        assert_eq!(h.bin(261).unwrap(), Some(&[0xab, 0x01][..]));
        assert_eq!(h.string(1004).unwrap().as_deref(), Some("hello"));
        assert_eq!(h.string(1001).unwrap(), None);
        assert!(!h.has(63), "the region entry is not a value");
    }

    #[test]
    fn wrong_types_and_overruns_are_errors() {
        let blob = build::blob(&[
            build::string(1000, "x"),
            (1117, ty::STRING_ARRAY, 100, b"a\0b\0".to_vec()),
            (1028, ty::INT32, 1000, vec![0; 4]),
        ]);
        let h = Header::parse(&blob).unwrap();
        assert!(matches!(
            h.ints(1000),
            Err(RpmDbError::HeaderTag { tag: 1000, .. })
        ));
        assert!(matches!(
            h.bin(1000),
            Err(RpmDbError::HeaderTag { tag: 1000, .. })
        ));
        assert!(h.strings(1117).is_err());
        assert!(h.ints(1028).is_err());
    }

    #[test]
    fn preamble_and_index_are_checked() {
        assert!(Header::parse(&[0, 0, 0]).is_err());
        assert!(Header::parse(&[0; 8]).is_err(), "no entries");
        let too_many = [0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0];
        assert!(matches!(
            Header::parse(&too_many),
            Err(RpmDbError::LimitExceeded { .. })
        ));
        let blob = build::blob(&[build::string(1000, "x")]);
        assert!(
            Header::parse(&blob[..blob.len() - 1]).is_err(),
            "truncated data store"
        );
        let mut bad_type = blob.clone();
        bad_type[8 + 16 + 7] = 42; // type of the NAME entry
        assert!(Header::parse(&bad_type).is_err());
        let mut bad_region = blob;
        bad_region[8 + 15] = 15; // region count must be 16
        assert!(Header::parse(&bad_region).is_err());
    }
}
