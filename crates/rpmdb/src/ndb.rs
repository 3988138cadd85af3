//! Reads the header blobs of an rpm NDB database (`usr/lib/sysimage/rpm/Packages.db`, SUSE's
//! native rpm backend since SLE 15 SP3 / openSUSE Tumbleweed).
//!
//! Layout (rpm `lib/backend/ndb/rpmpkg.c`; every number little-endian):
//! - a 32-byte header: magic "RpmP", version (0), generation, slot page count, next index;
//! - slot pages of 4096 bytes from offset 0 (the header fills the first two 16-byte slots):
//!   slots of magic "Slot", package index (0 = free), block offset, block count, blocks being
//!   16 bytes;
//! - at each used slot's block: a blob head (magic "BlbS", package index, generation, blob
//!   length), the header blob, zero padding, and a 12-byte tail (adler32 of everything before
//!   it, blob length, magic "BlbE"). We check all of it, as rpm's `rpmpkgVerifyblob` does
//!   (its plain read skips the checksum; we keep it, since a damaged blob would otherwise
//!   become a package with wrong fields instead of an error).
//!
//! Blobs come in slot order, as go-rpmdb reads them (rpm itself lists by block offset).

use crate::bytes::{array, le_u32, slice};
use crate::limits::{MAX_BLOB_BYTES, MAX_NDB_SLOT_PAGES};
use crate::RpmDbError;

pub(crate) const MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const SLOT_PAGE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK: usize = 16;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;
/// The header occupies the first two slots of the first page.
const FIRST_SLOT_OFFSET: usize = 32;

/// Every used slot's header blob, in slot order.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
    if array::<4>(bytes, 0).as_ref() != Some(MAGIC) {
        return Err(RpmDbError::ndb("no \"RpmP\" magic at byte 0"));
    }
    let field = |at| {
        le_u32(bytes, at).ok_or_else(|| RpmDbError::ndb("file shorter than the 32-byte header"))
    };
    let version = field(4)?;
    if version != 0 {
        return Err(RpmDbError::ndb(format!("unsupported version {version}")));
    }
    let slot_pages = field(12)?;
    if slot_pages == 0 {
        return Err(RpmDbError::ndb("no slot pages"));
    }
    if u64::from(slot_pages) > MAX_NDB_SLOT_PAGES {
        return Err(RpmDbError::limit(
            "ndb slot pages",
            slot_pages.into(),
            MAX_NDB_SLOT_PAGES,
        ));
    }
    let slots_end = slot_pages as usize * SLOT_PAGE;
    if slots_end > bytes.len() {
        return Err(RpmDbError::ndb(format!(
            "{slot_pages} slot pages need {slots_end} bytes, the file has {}",
            bytes.len()
        )));
    }

    let mut blobs = Vec::new();
    for (slot, at) in (FIRST_SLOT_OFFSET..slots_end)
        .step_by(SLOT_SIZE)
        .enumerate()
    {
        let word = |n: usize| le_u32(bytes, at + 4 * n).unwrap_or(0); // inside slots_end
        let pkg_idx = word(1);
        let err = |reason: String| RpmDbError::NdbSlot {
            slot,
            pkg_idx,
            reason,
        };
        if array::<4>(bytes, at).as_ref() != Some(SLOT_MAGIC) {
            return Err(err(format!("bad slot magic at byte {at}")));
        }
        if pkg_idx == 0 {
            continue; // free slot
        }
        let blob = read_blob(bytes, pkg_idx, word(2), word(3)).map_err(err)?;
        blobs.push(blob.to_vec());
    }
    Ok(blobs)
}

/// The header blob in blocks `block..block + blocks`, after checking head, tail and checksum.
fn read_blob(bytes: &[u8], pkg_idx: u32, block: u32, blocks: u32) -> Result<&[u8], String> {
    let start = block as usize * BLOCK;
    let len = blocks as usize * BLOCK;
    let area = slice(bytes, start, len).ok_or_else(|| {
        format!("blocks {block}+{blocks} (bytes {start}+{len}) run past the end of the file")
    })?;
    if len < BLOB_HEAD + BLOB_TAIL {
        return Err(format!("{blocks} blocks cannot hold a blob head and tail"));
    }
    if &area[..4] != BLOB_HEAD_MAGIC {
        return Err(format!("no blob magic \"BlbS\" at byte {start}"));
    }
    let word = |at| le_u32(area, at).unwrap_or(0); // area ≥ head + tail
    if word(4) != pkg_idx {
        return Err(format!(
            "the blob at byte {start} belongs to package index {}",
            word(4)
        ));
    }
    let blob_len = word(12);
    if u64::from(blob_len) > MAX_BLOB_BYTES {
        return Err(format!(
            "blob of {blob_len} bytes exceeds the {MAX_BLOB_BYTES}-byte limit"
        ));
    }
    let needed = (BLOB_HEAD + blob_len as usize + BLOB_TAIL).div_ceil(BLOCK);
    if needed != blocks as usize {
        return Err(format!(
            "a {blob_len}-byte blob needs {needed} blocks, the slot says {blocks}"
        ));
    }
    let tail = len - BLOB_TAIL;
    if &area[tail + 8..] != BLOB_TAIL_MAGIC || word(tail + 4) != blob_len {
        return Err(format!("bad blob tail at byte {}", start + tail));
    }
    let checksum = adler32(&area[..tail]);
    if word(tail) != checksum {
        return Err(format!(
            "adler32 mismatch: stored {:08x}, computed {checksum:08x}",
            word(tail)
        ));
    }
    Ok(&area[BLOB_HEAD..BLOB_HEAD + blob_len as usize])
}

/// Adler-32 (RFC 1950), the blob checksum.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    // 5552 bytes is the most that can be summed before the u32 `b` could overflow.
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        assert_eq!(adler32(&vec![0xff; 100_000]), {
            let (mut a, mut b) = (1u32, 0u32);
            for _ in 0..100_000 {
                a = (a + 0xff) % 65521;
                b = (b + a) % 65521;
            }
            (b << 16) | a
        });
    }

    #[test]
    fn header_checks() {
        assert!(header_blobs(b"RpmP").is_err());
        let mut db = vec![0u8; SLOT_PAGE];
        db[..4].copy_from_slice(MAGIC);
        assert!(header_blobs(&db).is_err(), "no slot pages");
        db[12] = 1;
        assert!(header_blobs(&db).is_err(), "slots without magic");
        for at in (FIRST_SLOT_OFFSET..SLOT_PAGE).step_by(SLOT_SIZE) {
            db[at..at + 4].copy_from_slice(SLOT_MAGIC);
        }
        assert_eq!(
            header_blobs(&db).unwrap(),
            Vec::<Vec<u8>>::new(),
            "all slots free"
        );
        db[12] = 2;
        assert!(header_blobs(&db).is_err(), "second slot page missing");
        db[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            header_blobs(&db),
            Err(RpmDbError::LimitExceeded { .. })
        ));
    }
}
