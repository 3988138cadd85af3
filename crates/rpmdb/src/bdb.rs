//! Reads the header blobs of an rpm Berkeley DB hash database (`var/lib/rpm/Packages`: RHEL and
//! CentOS up to 8, Fedora before 33, SUSE before NDB).
//!
//! Layout (libdb `src/dbinc/db_page.h`), every number in the byte order of the machine that
//! wrote the file, which the metadata magic reveals:
//! - page 0, hash metadata: magic 0x061561 at 12, page size at 20, encryption at 24, page type
//!   (8) at 25, last page number at 32;
//! - every page: a 26-byte header with the next page number at 16, item count at 20, the
//!   "high free offset" at 22 (on overflow pages: the bytes of data on that page) and the
//!   type at 25;
//! - hash pages (type 13, or 2 before libdb 4.6): an array of 2-byte item offsets after the
//!   header; items alternate key, value. rpm's key is the package's instance number; its value,
//!   the header blob, is always large enough to be an H_OFFPAGE item (type 3: page number at 4,
//!   total length at 8) pointing to a chain of overflow pages (type 7).
//!
//! Blobs come in physical page order, as go-rpmdb and Syft read them; `rpm -qa` follows hash
//! bucket order instead. Inline (H_KEYDATA) values are skipped: rpm keeps only its 4-byte
//! "next instance" counter in one. Databases with page checksums or encryption are not read
//! (rpm enables neither).

use crate::bytes::{array, slice};
use crate::limits::MAX_BLOB_BYTES;
use crate::RpmDbError;

/// The hash magic as stored by a little-endian writer; a big-endian one stores it reversed.
pub(crate) const MAGIC_LE: [u8; 4] = 0x0006_1561u32.to_le_bytes();
pub(crate) const MAGIC_BE: [u8; 4] = 0x0006_1561u32.to_be_bytes();

const PAGE_HEADER: usize = 26;
const HASH_META: u8 = 8;
const HASH: u8 = 13;
const HASH_UNSORTED: u8 = 2;
const OVERFLOW: u8 = 7;
const H_OFFPAGE: u8 = 3;

#[derive(Debug, Clone, Copy)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a = array(b, at)?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a = array(b, at)?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        })
    }
}

/// Every off-page value of every hash page, in page order.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
    let db = Db::open(bytes)?;
    let mut claimed = vec![false; db.pages];
    let mut blobs = Vec::new();
    for n in 1..db.pages {
        let page = db.page(n)?;
        if !matches!(page[25], HASH | HASH_UNSORTED) {
            continue;
        }
        let err = |reason: String| RpmDbError::bdb_page(n, reason);
        let items = usize::from(db.endian.u16(page, 20).unwrap_or(0));
        if items % 2 != 0 {
            return Err(err(format!("{items} items, expected key/value pairs")));
        }
        let index_end = PAGE_HEADER + 2 * items;
        if index_end > page.len() {
            return Err(err(format!("{items} item offsets do not fit in the page")));
        }
        for value in (1..items).step_by(2) {
            let at = usize::from(db.endian.u16(page, PAGE_HEADER + 2 * value).unwrap_or(0));
            if at < index_end || at >= page.len() {
                return Err(err(format!("item {value}: offset {at} out of bounds")));
            }
            if page[at] != H_OFFPAGE {
                continue;
            }
            let item = slice(page, at, 12)
                .ok_or_else(|| err(format!("item {value}: truncated off-page item")))?;
            let first = db.endian.u32(item, 4).unwrap_or(0);
            let total = db.endian.u32(item, 8).unwrap_or(0);
            let blob = db
                .overflow_chain(first, total, &mut claimed)
                .map_err(|reason| err(format!("item {value}: {reason}")))?;
            blobs.push(blob);
        }
    }
    Ok(blobs)
}

struct Db<'a> {
    bytes: &'a [u8],
    endian: Endian,
    page_size: usize,
    /// Pages 0..=last page number, all inside `bytes`.
    pages: usize,
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, RpmDbError> {
        let endian = match array::<4>(bytes, 12) {
            Some(MAGIC_LE) => Endian::Little,
            Some(MAGIC_BE) => Endian::Big,
            _ => return Err(RpmDbError::bdb("no hash magic 0x061561 at byte 12")),
        };
        let meta = slice(bytes, 0, 512)
            .ok_or_else(|| RpmDbError::bdb("file shorter than a 512-byte metadata page"))?;
        let page_size = endian.u32(meta, 20).unwrap_or(0);
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(RpmDbError::bdb(format!("invalid page size {page_size}")));
        }
        if meta[24] != 0 {
            return Err(RpmDbError::bdb(format!(
                "encrypted database (algorithm {})",
                meta[24]
            )));
        }
        if meta[25] != HASH_META {
            return Err(RpmDbError::bdb(format!(
                "page 0 has type {}, not hash metadata",
                meta[25]
            )));
        }
        let last = endian.u32(meta, 32).unwrap_or(0);
        let page_size = page_size as usize;
        let pages = (last as usize).saturating_add(1);
        if pages
            .checked_mul(page_size)
            .is_none_or(|end| end > bytes.len())
        {
            return Err(RpmDbError::bdb(format!(
                "last page {last} lies beyond the end of the file ({} bytes of {page_size}-byte pages)",
                bytes.len()
            )));
        }
        Ok(Db {
            bytes,
            endian,
            page_size,
            pages,
        })
    }

    fn page(&self, n: usize) -> Result<&'a [u8], RpmDbError> {
        if n >= self.pages {
            return Err(RpmDbError::bdb_page(
                n,
                format!("no such page, the last is {}", self.pages - 1),
            ));
        }
        Ok(&self.bytes[n * self.page_size..][..self.page_size])
    }

    /// Concatenates the data of the overflow chain starting at `first`, which must add up to
    /// exactly `total` bytes. `claimed` pages may not be used again (cycles, shared pages).
    fn overflow_chain(
        &self,
        first: u32,
        total: u32,
        claimed: &mut [bool],
    ) -> Result<Vec<u8>, String> {
        if u64::from(total) > MAX_BLOB_BYTES || total as usize > self.bytes.len() {
            return Err(format!(
                "value of {total} bytes is larger than the file or the limit"
            ));
        }
        let total = total as usize;
        let mut out = Vec::with_capacity(total);
        let mut next = first;
        while next != 0 {
            match claimed.get_mut(next as usize) {
                Some(c @ false) => *c = true,
                Some(true) => return Err(format!("overflow page {next} reached twice")),
                None => return Err(format!("overflow page {next} does not exist")),
            }
            let page = self.page(next as usize).map_err(|e| e.to_string())?;
            if page[25] != OVERFLOW {
                return Err(format!("page {next} has type {}, not overflow", page[25]));
            }
            let len = usize::from(self.endian.u16(page, 22).unwrap_or(0));
            let data = slice(page, PAGE_HEADER, len)
                .ok_or_else(|| format!("overflow page {next} claims {len} bytes"))?;
            if out.len() + len > total {
                return Err(format!(
                    "overflow chain holds more than the {total} bytes announced"
                ));
            }
            out.extend_from_slice(data);
            next = self.endian.u32(page, 16).unwrap_or(0);
        }
        if out.len() != total {
            return Err(format!(
                "overflow chain holds {} of the {total} bytes announced",
                out.len()
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;

    /// Meta page, one hash page with a (record number, off-page value) pair, and overflow
    /// pages holding `blob` in chunks of `chunk` bytes, written in the given byte order.
    fn database(big_endian: bool, blob: &[u8], chunk: usize) -> Vec<u8> {
        let u32b = |n: usize| {
            let n = u32::try_from(n).expect("test databases are small");
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        };
        let u16b = |n: usize| {
            let n = u16::try_from(n).expect("test pages are small");
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        };
        let chunks: Vec<_> = blob.chunks(chunk).collect();
        let mut db = vec![0u8; PAGE * (2 + chunks.len())];
        db[12..16].copy_from_slice(&u32b(0x0006_1561));
        db[16..20].copy_from_slice(&u32b(9));
        db[20..24].copy_from_slice(&u32b(PAGE));
        db[25] = HASH_META;
        db[32..36].copy_from_slice(&u32b(1 + chunks.len()));

        let hash = &mut db[PAGE..2 * PAGE];
        hash[20..22].copy_from_slice(&u16b(2));
        hash[25] = HASH;
        hash[26..28].copy_from_slice(&u16b(500)); // key
        hash[28..30].copy_from_slice(&u16b(480)); // value
        hash[500] = 1; // H_KEYDATA, record number 1
        hash[501..505].copy_from_slice(&u32b(1));
        hash[480] = H_OFFPAGE;
        hash[484..488].copy_from_slice(&u32b(2));
        hash[488..492].copy_from_slice(&u32b(blob.len()));

        for (i, data) in chunks.iter().enumerate() {
            let n = 2 + i;
            let page = &mut db[n * PAGE..(n + 1) * PAGE];
            let next = if i + 1 < chunks.len() { n + 1 } else { 0 };
            page[16..20].copy_from_slice(&u32b(next));
            page[22..24].copy_from_slice(&u16b(data.len()));
            page[25] = OVERFLOW;
            page[PAGE_HEADER..PAGE_HEADER + data.len()].copy_from_slice(data);
        }
        db
    }

    #[test]
    fn reads_both_byte_orders() {
        let blob: Vec<u8> = (0..1000u32).map(|i| (i * 7).to_le_bytes()[0]).collect();
        for big_endian in [false, true] {
            let db = database(big_endian, &blob, 400);
            assert_eq!(crate::detect(&db), Some(crate::DbFormat::BerkeleyDb));
            assert_eq!(
                header_blobs(&db).unwrap(),
                std::slice::from_ref(&blob),
                "big endian: {big_endian}"
            );
        }
    }

    #[test]
    fn broken_chains_are_errors() {
        let blob = vec![9u8; 1000];
        let mut db = database(false, &blob, 400);
        db[2 * PAGE + 16..2 * PAGE + 20].copy_from_slice(&2u32.to_le_bytes()); // page 2 → 2
        let err = header_blobs(&db).unwrap_err().to_string();
        assert!(err.contains("overflow page 2 reached twice"), "{err}");

        let mut db = database(false, &blob, 400);
        db[PAGE + 488..PAGE + 492].copy_from_slice(&999u32.to_le_bytes()); // announced length
        assert!(header_blobs(&db).is_err());

        let mut db = database(false, &blob, 400);
        db[32..36].copy_from_slice(&100u32.to_le_bytes()); // last page beyond the file
        assert!(header_blobs(&db).is_err());

        let mut db = database(false, &blob, 400);
        db[3 * PAGE + 25] = HASH; // chain reaches a page that is not an overflow page
        assert!(header_blobs(&db).is_err());
    }
}
