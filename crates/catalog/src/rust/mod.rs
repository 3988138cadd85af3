//! Rust crates from cargo-auditable's .dep-v0 section (stub, being written).

use sbomgen_model::FileFindings;

use crate::FileCataloguer;

/// Rust crates from cargo-auditable's .dep-v0 section (stub, being written).
#[derive(Debug, Clone, Copy)]
pub struct RustBinaryCataloguer;

impl FileCataloguer for RustBinaryCataloguer {
    fn name(&self) -> &'static str {
        "rust-binary"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }
}
