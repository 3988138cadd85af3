//! Java archives and the packages inside them (stub, being written).

use sbomgen_model::FileFindings;

use crate::FileCataloguer;

/// Java archives and the packages inside them (stub, being written).
#[derive(Debug, Clone, Copy)]
pub struct JavaArchiveCataloguer;

impl FileCataloguer for JavaArchiveCataloguer {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }
}

/// A JVM installation's `release` file (stub, being written).
#[derive(Debug, Clone, Copy)]
pub struct JavaJvmCataloguer;

impl FileCataloguer for JavaJvmCataloguer {
    fn name(&self) -> &'static str {
        "java-jvm"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[]
    }

    fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
        FileFindings::default()
    }
}
