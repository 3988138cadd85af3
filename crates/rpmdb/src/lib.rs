//! Pure parsers for rpm package databases: database bytes in, installed packages out.
//!
//! Role: the rpm cataloguer hands this crate the bytes of an rpmdb file found in a layer. It
//! [`detect`]s which of rpm's three stores wrote it, pulls out every stored header blob
//! ([`header_blobs`]) and decodes each blob into an [`RpmPackage`] ([`parse_header`]);
//! [`read_packages`] does all three. No filesystem access, no unsafe, no panics: input is
//! untrusted, every loop is bounded by the input's length or by [`limits`], and every failure is
//! an [`RpmDbError`] saying where.
//!
//! | store | file in an image | used by |
//! |---|---|---|
//! | [`DbFormat::Sqlite`] | `var/lib/rpm/rpmdb.sqlite` | Fedora ≥ 33, RHEL 9, CBL-Mariner, Amazon Linux 2023 |
//! | [`DbFormat::BerkeleyDb`] | `var/lib/rpm/Packages` | RHEL/CentOS ≤ 8, older Fedora and SUSE |
//! | [`DbFormat::Ndb`] | `usr/lib/sysimage/rpm/Packages.db` | SLE 15 SP3+, openSUSE |
//!
//! The SQLite reader is our own minimal one (one table, read-only, no WAL): see `sqlite/mod.rs`.
//! The formats were learnt from rpm's sources and the Go reader knqyf263/go-rpmdb.
//!
//! Neighbours: `sbomgen-catalog` calls this and maps [`RpmPackage`] to the model's package.
//!
//! ```
//! use sbomgen_rpmdb::{detect, read_packages, RpmDbError};
//! assert_eq!(detect(b"not a database"), None);
//! assert!(matches!(read_packages(b"not a database"), Err(RpmDbError::UnknownFormat)));
//! ```

mod bdb;
mod bytes;
mod error;
mod header;
pub mod limits;
mod ndb;
mod package;
mod sqlite;

pub use error::RpmDbError;
pub use package::{parse_header, RpmFile, RpmPackage};

/// Which on-disk store a database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbFormat {
    /// SQLite 3 with a `Packages(hnum, blob)` table.
    Sqlite,
    /// Berkeley DB hash database.
    BerkeleyDb,
    /// rpm's own "new database" format.
    Ndb,
}

/// Sniffs the format from the first bytes: SQLite's "SQLite format 3\0", the Berkeley DB hash
/// magic 0x061561 at byte 12 (in either byte order), or NDB's "RpmP" at byte 0.
pub fn detect(bytes: &[u8]) -> Option<DbFormat> {
    if bytes.starts_with(sqlite::MAGIC) {
        Some(DbFormat::Sqlite)
    } else if bytes.starts_with(ndb::MAGIC) {
        Some(DbFormat::Ndb)
    } else if matches!(bytes.get(12..16), Some(m) if m == bdb::MAGIC_LE || m == bdb::MAGIC_BE) {
        Some(DbFormat::BerkeleyDb)
    } else {
        None
    }
}

/// All header blobs stored in the database, in database order: rowid order for SQLite,
/// physical page order for Berkeley DB, slot order for NDB.
///
/// Headers are stored side by side, so together they never hold more bytes than the database:
/// more means slots or pages pointing at the same bytes over and over (a hostile NDB whose
/// every slot names one large blob), refused before it costs memory.
pub fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, RpmDbError> {
    let blobs = match detect(bytes) {
        Some(DbFormat::Sqlite) => sqlite::header_blobs(bytes),
        Some(DbFormat::BerkeleyDb) => bdb::header_blobs(bytes),
        Some(DbFormat::Ndb) => ndb::header_blobs(bytes),
        None => Err(RpmDbError::UnknownFormat),
    }?;
    let total: u64 = blobs.iter().map(|b| b.len() as u64).sum();
    if total > bytes.len() as u64 {
        return Err(RpmDbError::limit(
            "the headers' bytes, together, against the database's size",
            total,
            bytes.len() as u64,
        ));
    }
    Ok(blobs)
}

/// Every package of a database ([`header_blobs`] then [`parse_header`]). One header that fails
/// to parse fails the whole database, with an error naming its position
/// ([`RpmDbError::Package`]): a silently shorter package list would be a wrong SBOM.
pub fn read_packages(bytes: &[u8]) -> Result<Vec<RpmPackage>, RpmDbError> {
    let mut files = 0u64;
    header_blobs(bytes)?
        .iter()
        .enumerate()
        .map(|(index, blob)| {
            let package = parse_header(blob).map_err(|e| RpmDbError::Package {
                index,
                source: Box::new(e),
            })?;
            files += package.files.len() as u64;
            if files > limits::MAX_DATABASE_FILES {
                return Err(RpmDbError::limit(
                    "files listed by the database's packages",
                    files,
                    limits::MAX_DATABASE_FILES,
                ));
            }
            Ok(package)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_magic() {
        let mut bdb_le = vec![0u8; 16];
        bdb_le[12..].copy_from_slice(&[0x61, 0x15, 0x06, 0x00]);
        let mut bdb_be = vec![0u8; 16];
        bdb_be[12..].copy_from_slice(&[0x00, 0x06, 0x15, 0x61]);
        let cases: &[(&[u8], Option<DbFormat>)] = &[
            (b"SQLite format 3\0rest", Some(DbFormat::Sqlite)),
            (b"SQLite format 3", None),
            (b"RpmP\0\0\0\0", Some(DbFormat::Ndb)),
            (&bdb_le, Some(DbFormat::BerkeleyDb)),
            (&bdb_be, Some(DbFormat::BerkeleyDb)),
            (&bdb_be[..15], None),
            (b"", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(detect(bytes), *expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn unknown_and_truncated_inputs_are_errors() {
        assert!(matches!(header_blobs(b""), Err(RpmDbError::UnknownFormat)));
        assert!(header_blobs(b"SQLite format 3\0").is_err());
        assert!(header_blobs(b"RpmP").is_err());
        let mut bdb = vec![0u8; 16];
        bdb[12..].copy_from_slice(&bdb::MAGIC_LE);
        assert!(header_blobs(&bdb).is_err());
    }
}
