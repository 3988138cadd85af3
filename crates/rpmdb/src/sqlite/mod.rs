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
