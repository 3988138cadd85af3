//! Reads the header blobs of an rpm SQLite database (`rpmdb.sqlite`: rpm ≥ 4.16, Fedora ≥ 33,
//! RHEL 9, CBL-Mariner, Amazon Linux 2023) with a minimal read-only b-tree reader.
//!
//! rpm keeps each header in `Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`;
//! the other tables are indexes rpm can rebuild. We find that table's root page in the schema
//! table (page 1), walk its b-tree in rowid (= hnum, install instance) order and take the
//! second column of each row (`hnum` aliases the rowid, so the record stores NULL for it).
//!
//! Not read: the write-ahead log. rpm opens its database in WAL mode, so a `rpmdb.sqlite-wal`
//! beside the file may hold transactions not yet checkpointed into it; in an image layer the
//! WAL is normally absent or already checkpointed (rpm checkpoints when it closes the database),
//! and a reader of one file cannot merge another. Freelist pages and indexes are ignored too.

mod btree;
mod record;

use btree::{walk_table, Pager};
use record::{decode, Value};

use crate::bytes::{array, be_u16};
use crate::RpmDbError;

/// The first 16 bytes of every SQLite 3 database.
pub(crate) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The table rpm stores headers in.
const PACKAGES_TABLE: &str = "Packages";

/// Every `blob` of the `Packages` table, in rowid order.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
    let pager = open(bytes)?;
    let root = packages_root(&pager)?;
    let mut blobs = Vec::new();
    walk_table(&pager, root, &mut |rowid, payload| {
        let row_err =
            |reason: String| RpmDbError::sqlite(format!("Packages row {rowid}: {reason}"));
        let values = decode(&payload).map_err(row_err)?;
        match values.get(1) {
            // rpm writes BLOBs; accept TEXT too, since SQLite's loose typing would allow it.
            Some(Value::Blob(b) | Value::Text(b)) => {
                blobs.push(b.to_vec());
                Ok(())
            }
            Some(other) => Err(row_err(format!("the blob column holds {}", other.kind()))),
            None => Err(row_err(format!("{} columns, expected 2", values.len()))),
        }
    })?;
    Ok(blobs)
}

/// Checks the 100-byte file header and returns the page geometry.
fn open(bytes: &[u8]) -> Result<Pager<'_>, RpmDbError> {
    if array::<16>(bytes, 0).as_ref() != Some(MAGIC) || bytes.len() < 100 {
        return Err(RpmDbError::sqlite(
            "missing the 100-byte SQLite 3 file header",
        ));
    }
    let page_size = match be_u16(bytes, 16).unwrap_or(0) {
        1 => 65536,
        n if n >= 512 && n.is_power_of_two() => usize::from(n),
        n => {
            return Err(RpmDbError::sqlite(format!(
                "invalid page size {n} at byte 16"
            )))
        }
    };
    let reserved = usize::from(bytes[20]);
    let usable = page_size - reserved;
    // The format requires at least 480 usable bytes; the payload formula relies on it.
    if usable < 480 {
        return Err(RpmDbError::sqlite(format!(
            "{reserved} reserved bytes leave {usable} usable bytes per page, below 480"
        )));
    }
    let pager = Pager {
        bytes,
        page_size,
        usable,
    };
    if pager.page_count() == 0 {
        return Err(RpmDbError::sqlite(format!(
            "{} bytes do not hold one {page_size}-byte page",
            bytes.len()
        )));
    }
    Ok(pager)
}

/// Finds the root page of table `Packages` in the schema table, whose rows are
/// (type, name, tbl_name, rootpage, sql).
fn packages_root(pager: &Pager<'_>) -> Result<u32, RpmDbError> {
    let mut root = None;
    walk_table(pager, 1, &mut |rowid, payload| {
        let values = decode(&payload)
            .map_err(|reason| RpmDbError::sqlite(format!("schema row {rowid}: {reason}")))?;
        let is_packages = matches!(values.first(), Some(Value::Text(b"table")))
            && matches!(values.get(1), Some(Value::Text(name)) if name.eq_ignore_ascii_case(PACKAGES_TABLE.as_bytes()));
        if is_packages && root.is_none() {
            root = match values.get(3) {
                Some(&Value::Int(page)) => u32::try_from(page).ok().filter(|&p| p > 0),
                _ => None,
            };
            if root.is_none() {
                return Err(RpmDbError::sqlite(format!(
                    "schema row {rowid}: table Packages has no valid root page"
                )));
            }
        }
        Ok(())
    })?;
    root.ok_or(RpmDbError::NoPackagesTable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;

    /// A small number as one byte, or a broken test.
    fn byte(n: usize) -> u8 {
        u8::try_from(n).expect("fits a byte")
    }

    /// A 16-bit field of a test page, or a broken test.
    fn be16(n: usize) -> [u8; 2] {
        u16::try_from(n).expect("fits 16 bits").to_be_bytes()
    }

    fn varint(v: usize) -> Vec<u8> {
        assert!(v < 1 << 14);
        if v < 128 {
            vec![byte(v)]
        } else {
            vec![0x80 | byte(v >> 7), byte(v & 0x7f)]
        }
    }

    enum Col<'a> {
        Null,
        Int(u8),
        Text(&'a [u8]),
        Blob(&'a [u8]),
    }

    fn record(columns: &[Col<'_>]) -> Vec<u8> {
        let (mut types, mut body) = (Vec::new(), Vec::new());
        for c in columns {
            match c {
                Col::Null => types.push(0),
                Col::Int(n) => {
                    types.push(1);
                    body.push(*n);
                }
                Col::Text(text) => {
                    types.extend(varint(13 + 2 * text.len()));
                    body.extend_from_slice(text);
                }
                Col::Blob(blob) => {
                    types.extend(varint(12 + 2 * blob.len()));
                    body.extend_from_slice(blob);
                }
            }
        }
        [vec![byte(types.len() + 1)], types, body].concat()
    }

    /// A leaf cell holding the first `local` bytes of `record`, then the overflow page number.
    fn cell(rowid: u8, record: &[u8], local: usize, overflow: u32) -> Vec<u8> {
        let mut c = [varint(record.len()), vec![rowid], record[..local].to_vec()].concat();
        if local < record.len() {
            c.extend(overflow.to_be_bytes());
        }
        c
    }

    fn leaf(cells: &[Vec<u8>], header_at: usize) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        page[header_at] = 0x0d;
        page[header_at + 3..header_at + 5].copy_from_slice(&be16(cells.len()));
        let mut end = PAGE;
        for (i, c) in cells.iter().enumerate() {
            end -= c.len();
            page[end..end + c.len()].copy_from_slice(c);
            let ptr = header_at + 8 + 2 * i;
            page[ptr..ptr + 2].copy_from_slice(&be16(end));
        }
        page
    }

    fn interior(right: u32) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        page[0] = 0x05;
        page[8..12].copy_from_slice(&right.to_be_bytes());
        page
    }

    fn overflow(next: u32, data: &[u8]) -> Vec<u8> {
        let mut page = vec![0; PAGE];
        page[..4].copy_from_slice(&next.to_be_bytes());
        page[4..4 + data.len()].copy_from_slice(data);
        page
    }

    /// Page 1: schema naming `table` with root page 2; then the given pages.
    fn database(table: &[u8], pages: &[Vec<u8>]) -> Vec<u8> {
        let schema = record(&[
            Col::Text(b"table"),
            Col::Text(table),
            Col::Text(table),
            Col::Int(2),
            Col::Text(b"CREATE TABLE"),
        ]);
        let mut first = leaf(&[cell(1, &schema, schema.len(), 0)], 100);
        first[..16].copy_from_slice(MAGIC);
        first[16..18].copy_from_slice(&be16(PAGE));
        first[18..24].copy_from_slice(&[1, 1, 0, 64, 32, 32]);
        [vec![first], pages.to_vec()].concat().concat()
    }

    /// Rows 1 (small) and 2 (1000-byte blob: 39 bytes local, then pages 3 and 4).
    fn packages_pages() -> (Vec<Vec<u8>>, Vec<u8>) {
        let big: Vec<u8> = (0..=u8::MAX).cycle().take(1000).collect();
        let small_rec = record(&[Col::Null, Col::Blob(b"hdr1")]);
        let big_rec = record(&[Col::Null, Col::Blob(&big)]);
        assert_eq!(btree::local_payload_size(big_rec.len(), PAGE), 39);
        let rest = &big_rec[39..];
        let pages = vec![
            leaf(
                &[
                    cell(1, &small_rec, small_rec.len(), 0),
                    cell(2, &big_rec, 39, 3),
                ],
                0,
            ),
            overflow(4, &rest[..PAGE - 4]),
            overflow(0, &rest[PAGE - 4..]),
        ];
        (pages, big)
    }

    #[test]
    fn reads_rows_with_overflow_chains() {
        let (pages, big) = packages_pages();
        let db = database(b"Packages", &pages);
        assert_eq!(header_blobs(&db).unwrap(), [b"hdr1".to_vec(), big]);
    }

    #[test]
    fn structural_damage_is_an_error() {
        let (mut pages, _) = packages_pages();
        assert!(matches!(
            header_blobs(&database(b"Other", &pages)),
            Err(RpmDbError::NoPackagesTable)
        ));

        // pages[i] is page i + 2. The last page's next pointer is never read (the length is
        // reached first), so loop page 3 onto itself.
        pages[1][..4].copy_from_slice(&3u32.to_be_bytes());
        let err = header_blobs(&database(b"Packages", &pages)).unwrap_err();
        assert!(err.to_string().contains("page 3: reached twice"), "{err}");

        pages[1][..4].copy_from_slice(&0u32.to_be_bytes()); // chain ends after page 3
        let err = header_blobs(&database(b"Packages", &pages)).unwrap_err();
        assert!(err.to_string().contains("overflow chain ends"), "{err}");

        let cycle = database(b"Packages", &[interior(2)]);
        assert!(matches!(
            header_blobs(&cycle),
            Err(RpmDbError::SqlitePage { page: 2, .. })
        ));

        let mut db = database(b"Packages", &[]);
        db[16..18].copy_from_slice(&300u16.to_be_bytes());
        assert!(header_blobs(&db).is_err(), "page size not a power of two");
    }

    #[test]
    fn depth_is_limited() {
        // Pages 2..=30 each point to the next as their right-most child: depth 28.
        let mut pages: Vec<_> = (3..=30).map(interior).collect();
        pages.push(leaf(&[], 0));
        let err = header_blobs(&database(b"Packages", &pages)).unwrap_err();
        assert!(matches!(err, RpmDbError::LimitExceeded { .. }), "{err}");
    }
}
