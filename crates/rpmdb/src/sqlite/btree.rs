//! Walks one SQLite table b-tree in rowid order and hands out each row's full payload.
//!
//! <https://www.sqlite.org/fileformat2.html#b_tree_pages>: interior table pages (type 0x05)
//! hold (left child, key) cells plus a right-most child; leaf table pages (0x0D) hold
//! (payload size, rowid, payload) cells whose payload may continue on a chain of overflow pages.
//! Every page may be visited once per walk, which bounds the work on a corrupt file and turns
//! cycles into errors; recursion depth is capped by [`MAX_BTREE_DEPTH`].

use crate::bytes::{be_u16, be_u32, slice};
use crate::limits::{MAX_BLOB_BYTES, MAX_BTREE_DEPTH};
use crate::sqlite::record::varint;
use crate::RpmDbError;

const INTERIOR_TABLE: u8 = 0x05;
const LEAF_TABLE: u8 = 0x0d;
/// Page 1 starts with the 100-byte file header; its b-tree header follows it.
const FILE_HEADER_LEN: usize = 100;

/// The database file cut into pages.
#[derive(Debug)]
pub(crate) struct Pager<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) page_size: usize,
    /// Page size less the reserved bytes at the end of each page (at least 480).
    pub(crate) usable: usize,
}

impl<'a> Pager<'a> {
    /// Whole pages in the file; a trailing partial page does not count.
    pub(crate) fn page_count(&self) -> usize {
        self.bytes.len() / self.page_size
    }

    /// The usable part of page `n` (1-based, as SQLite numbers them).
    fn page(&self, n: u32) -> Result<&'a [u8], RpmDbError> {
        let index = (n as usize)
            .checked_sub(1)
            .filter(|&i| i < self.page_count());
        let index = index.ok_or_else(|| {
            RpmDbError::sqlite_page(
                n,
                format!("no such page, the file has {}", self.page_count()),
            )
        })?;
        Ok(&self.bytes[index * self.page_size..][..self.usable])
    }
}

/// How many bytes of a `payload`-byte table-leaf payload are stored on the leaf page itself;
/// the rest goes to overflow pages. The formula of the file-format doc, section 1.6.
pub(crate) fn local_payload_size(payload: usize, usable: usize) -> usize {
    let u = usable;
    let max_local = u - 35;
    let min_local = ((u - 12) * 32 / 255) - 23;
    if payload <= max_local {
        return payload;
    }
    let k = min_local + (payload - min_local) % (u - 4);
    if k <= max_local {
        k
    } else {
        min_local
    }
}

/// Calls `row(rowid, payload)` for every row of the table rooted at `root`, in rowid order.
pub(crate) fn walk_table(
    pager: &Pager<'_>,
    root: u32,
    row: &mut dyn FnMut(i64, Vec<u8>) -> Result<(), RpmDbError>,
) -> Result<(), RpmDbError> {
    let mut walk = Walk {
        pager,
        visited: vec![false; pager.page_count() + 1],
        row,
    };
    walk.tree_page(root, 0)
}

struct Walk<'p, 'a, 'f> {
    pager: &'p Pager<'a>,
    visited: Vec<bool>,
    row: &'f mut dyn FnMut(i64, Vec<u8>) -> Result<(), RpmDbError>,
}

impl Walk<'_, '_, '_> {
    /// Marks page `n` as used; a second visit means a cycle or two owners.
    fn claim(&mut self, n: u32) -> Result<(), RpmDbError> {
        match self.visited.get_mut(n as usize) {
            Some(seen @ false) => {
                *seen = true;
                Ok(())
            }
            Some(true) => Err(RpmDbError::sqlite_page(
                n,
                "reached twice (a cycle or a shared page)",
            )),
            None => Err(RpmDbError::sqlite_page(n, "no such page")),
        }
    }

    fn tree_page(&mut self, n: u32, depth: usize) -> Result<(), RpmDbError> {
        if depth > MAX_BTREE_DEPTH {
            return Err(RpmDbError::limit(
                "sqlite b-tree depth",
                depth as u64,
                MAX_BTREE_DEPTH as u64,
            ));
        }
        self.claim(n)?;
        let page = self.pager.page(n)?;
        let at = if n == 1 { FILE_HEADER_LEN } else { 0 };
        let err = |reason: String| RpmDbError::sqlite_page(n, reason);
        let kind = page[at]; // usable ≥ 480 > FILE_HEADER_LEN
        let header_len = match kind {
            INTERIOR_TABLE => 12,
            LEAF_TABLE => 8,
            other => {
                return Err(err(format!(
                    "type 0x{other:02x} is not a table b-tree page"
                )))
            }
        };
        let cells = be_u16(page, at + 3).map_or(0, usize::from);
        let pointers = at + header_len;
        let content_start = pointers + 2 * cells;
        if content_start > page.len() {
            return Err(err(format!("{cells} cell pointers do not fit in the page")));
        }
        for i in 0..cells {
            let ptr = be_u16(page, pointers + 2 * i).map_or(0, usize::from);
            if ptr < content_start || ptr >= page.len() {
                return Err(err(format!("cell {i}: cell pointer {ptr} out of bounds")));
            }
            if kind == INTERIOR_TABLE {
                let child = be_u32(page, ptr)
                    .ok_or_else(|| err(format!("cell {i}: truncated child pointer")))?;
                self.tree_page(child, depth + 1)?;
            } else {
                let (rowid, payload) = self
                    .leaf_cell(page, ptr)
                    .map_err(|r| err(format!("cell {i}: {r}")))?;
                let payload = match payload {
                    Payload::Complete(p) => p,
                    Payload::Spills {
                        mut head,
                        first,
                        total,
                    } => {
                        self.overflow(&mut head, first, total)?;
                        head
                    }
                };
                (self.row)(rowid, payload)?;
            }
        }
        if kind == INTERIOR_TABLE {
            let right = be_u32(page, at + 8).unwrap_or(0);
            self.tree_page(right, depth + 1)?;
        }
        Ok(())
    }

    /// Reads a leaf cell at `ptr`: its rowid and local payload, and where the rest continues.
    fn leaf_cell(&self, page: &[u8], ptr: usize) -> Result<(i64, Payload), String> {
        let (total, a) = varint(&page[ptr..]).ok_or("truncated payload size")?;
        let (rowid, b) = varint(&page[ptr + a..]).ok_or("truncated rowid")?;
        if total > MAX_BLOB_BYTES {
            return Err(format!(
                "payload of {total} bytes exceeds the {MAX_BLOB_BYTES}-byte limit"
            ));
        }
        // At most MAX_BLOB_BYTES, so this fails only where memory could not hold it anyway.
        let total = usize::try_from(total)
            .map_err(|_| format!("payload of {total} bytes does not fit in memory"))?;
        let start = ptr + a + b;
        let local = local_payload_size(total, self.pager.usable);
        let head = slice(page, start, local)
            .ok_or_else(|| format!("{local} local payload bytes run past the page end"))?
            .to_vec();
        // Varints hold the two's complement bits of the rowid.
        let rowid = i64::from_be_bytes(rowid.to_be_bytes());
        if local == total {
            return Ok((rowid, Payload::Complete(head)));
        }
        let first = be_u32(page, start + local).ok_or("truncated overflow page number")?;
        Ok((rowid, Payload::Spills { head, first, total }))
    }

    /// Appends the overflow chain starting at `first` until `out` holds `total` bytes.
    fn overflow(&mut self, out: &mut Vec<u8>, first: u32, total: usize) -> Result<(), RpmDbError> {
        let mut next = first;
        while out.len() < total {
            if next == 0 {
                return Err(RpmDbError::sqlite(format!(
                    "overflow chain ends after {} of {total} payload bytes",
                    out.len()
                )));
            }
            self.claim(next)?;
            let page = self.pager.page(next)?;
            let take = (total - out.len()).min(page.len() - 4);
            out.extend_from_slice(&page[4..4 + take]);
            next = be_u32(page, 0).unwrap_or(0);
        }
        Ok(())
    }
}

enum Payload {
    Complete(Vec<u8>),
    Spills {
        head: Vec<u8>,
        first: u32,
        total: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_payload_formula() {
        // usable 4096: X = U-35 = 4061, M = (4084*32/255)-23 = 489, K = M + (P-M) % 4092.
        let cases = [
            (0, 0),
            (100, 100),
            (4061, 4061), // P ≤ X: all local
            (4062, 489),  // K = 4062 > X: M
            (5000, 908),  // K = 489 + 4511 % 4092 = 908 ≤ X
            (211_788, 3096),
        ];
        for (payload, expected) in cases {
            assert_eq!(
                local_payload_size(payload, 4096),
                expected,
                "payload {payload}"
            );
        }
        // usable 512: X = 477, M = 39, U-4 = 508.
        assert_eq!(local_payload_size(477, 512), 477);
        assert_eq!(local_payload_size(478, 512), 39); // K = 478 > X
        assert_eq!(local_payload_size(600, 512), 92); // K = 39 + 561 % 508
    }
}
