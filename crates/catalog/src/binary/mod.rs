//! Software named by binary classifiers (stub, being written).

use sbomgen_model::FileFindings;

use crate::FileCataloguer;

/// Software named by binary classifiers (stub, being written).
#[derive(Debug, Clone, Copy)]
pub struct BinaryClassifierCataloguer;

impl FileCataloguer for BinaryClassifierCataloguer {
    fn name(&self) -> &'static str {
        "binary-classifier"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }
}
