//! The selected file cataloguers as one [`EntryParser`] for the layer reader.
//!
//! All their patterns compile into one glob set (one pass per path, whatever the number of
//! cataloguers); a path matched by several cataloguers is parsed by each and the findings
//! merged.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use sbomgen_catalog::FileCataloguer;
use sbomgen_layer::EntryParser;
use sbomgen_model::FileFindings;

use crate::ScanError;

/// File cataloguers behind one glob set.
pub struct FileParsers {
    set: GlobSet,
    /// For each glob of `set`, the index of the cataloguer it belongs to.
    owner: Vec<usize>,
    cataloguers: Vec<&'static dyn FileCataloguer>,
}

impl FileParsers {
    pub fn new(cataloguers: Vec<&'static dyn FileCataloguer>) -> Result<Self, ScanError> {
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (index, cataloguer) in cataloguers.iter().enumerate() {
            for pattern in cataloguer.patterns() {
                let glob = GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        ScanError::Internal(format!("cataloguer {}: {e}", cataloguer.name()))
                    })?;
                builder.add(glob);
                owner.push(index);
            }
        }
        let set = builder
            .build()
            .map_err(|e| ScanError::Internal(e.to_string()))?;
        Ok(FileParsers {
            set,
            owner,
            cataloguers,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.cataloguers.is_empty()
    }

    /// The cataloguers whose patterns match `path`, each once, in list order.
    pub fn matching(&self, path: &str) -> Vec<&'static dyn FileCataloguer> {
        let mut indexes: Vec<usize> = self
            .set
            .matches(path)
            .into_iter()
            .map(|glob| self.owner[glob])
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().map(|i| self.cataloguers[i]).collect()
    }
}

impl EntryParser for FileParsers {
    fn wants(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let mut all = FileFindings::default();
        for cataloguer in self.matching(path) {
            let found = cataloguer.parse(path, bytes);
            all.packages.extend(found.packages);
            all.warnings.extend(found.warnings);
            if all.support.is_none() {
                all.support = found.support;
            }
        }
        all
    }
}
