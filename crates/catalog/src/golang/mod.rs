//! Go modules from Go binaries' build info (stub, being written).

use sbomgen_model::FileFindings;

use crate::FileCataloguer;

/// Go modules from Go binaries' build info (stub, being written).
#[derive(Debug, Clone, Copy)]
pub struct GoBinaryCataloguer;

impl FileCataloguer for GoBinaryCataloguer {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }
}
