//! The audit crate's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid allow-list {}: {message}", path.display())]
    AllowList { path: PathBuf, message: String },
    #[error("cannot write the audit: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write the audit: {0}")]
    Json(#[from] serde_json::Error),
}
