//! The `Store` trait: where encoded layer reports live, by key.

use crate::CacheError;

/// Where cached layer analyses live: a local directory or a shared server.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The entry under `key`, or `None` when absent. An unreachable store is an error (the scan warns and computes).
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Stores `value` under `key` (replacing any entry).
    fn put(&self, key: &str, value: &[u8]) -> Result<(), CacheError>;
    /// For messages: `local /path` or `redis://host:port/db`.
    fn describe(&self) -> String;
}
