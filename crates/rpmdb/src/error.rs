//! The one error type of the crate: every variant says where in the input it went wrong.

/// Why an rpm database or header blob could not be read.
///
/// Offsets are byte offsets into the slice that was passed in (the whole database, or the header
/// blob for the header variants); page and slot numbers are those of the on-disk format, so a
/// message can be checked against a hex dump.
#[derive(Debug, thiserror::Error)]
pub enum RpmDbError {
    #[error("not an rpm database: no SQLite, Berkeley DB hash or NDB magic in the first bytes")]
    UnknownFormat,
    #[error("sqlite: {reason}")]
    Sqlite { reason: String },
    #[error("sqlite page {page}: {reason}")]
    SqlitePage { page: u32, reason: String },
    #[error("sqlite: the schema has no table named Packages")]
    NoPackagesTable,
    #[error("berkeley db: {reason}")]
    Bdb { reason: String },
    #[error("berkeley db page {page}: {reason}")]
    BdbPage { page: usize, reason: String },
    #[error("ndb: {reason}")]
    Ndb { reason: String },
    #[error("ndb slot {slot} (package index {pkg_idx}): {reason}")]
    NdbSlot {
        slot: usize,
        pkg_idx: u32,
        reason: String,
    },
    #[error("rpm header: {reason}")]
    Header { reason: String },
    #[error("rpm header tag {tag}: {reason}")]
    HeaderTag { tag: u32, reason: String },
    #[error("header #{index} of the database (0-based, database order): {source}")]
    Package {
        index: usize,
        #[source]
        source: Box<RpmDbError>,
    },
    #[error("limit exceeded: {what} is {actual}, limit {limit}")]
    LimitExceeded {
        what: &'static str,
        actual: u64,
        limit: u64,
    },
}

impl RpmDbError {
    pub(crate) fn sqlite(reason: impl Into<String>) -> Self {
        RpmDbError::Sqlite {
            reason: reason.into(),
        }
    }

    pub(crate) fn sqlite_page(page: u32, reason: impl Into<String>) -> Self {
        RpmDbError::SqlitePage {
            page,
            reason: reason.into(),
        }
    }

    pub(crate) fn bdb(reason: impl Into<String>) -> Self {
        RpmDbError::Bdb {
            reason: reason.into(),
        }
    }

    pub(crate) fn bdb_page(page: usize, reason: impl Into<String>) -> Self {
        RpmDbError::BdbPage {
            page,
            reason: reason.into(),
        }
    }

    pub(crate) fn ndb(reason: impl Into<String>) -> Self {
        RpmDbError::Ndb {
            reason: reason.into(),
        }
    }

    pub(crate) fn header(reason: impl Into<String>) -> Self {
        RpmDbError::Header {
            reason: reason.into(),
        }
    }

    pub(crate) fn tag(tag: u32, reason: impl Into<String>) -> Self {
        RpmDbError::HeaderTag {
            tag,
            reason: reason.into(),
        }
    }

    pub(crate) fn limit(what: &'static str, actual: u64, limit: u64) -> Self {
        RpmDbError::LimitExceeded {
            what,
            actual,
            limit,
        }
    }
}
