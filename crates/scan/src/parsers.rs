//! The selected file cataloguers as one [`EntryParser`] for the layer reader.
//!
//! All their patterns compile into one glob set (one pass per path, whatever the number of
//! cataloguers); a path matched by several cataloguers is parsed by each and the findings
//! merged.

use std::io::{Read, Seek, SeekFrom};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use sbomgen_catalog::FileCataloguer;
use sbomgen_layer::{Content, EntryParser, HEAD_LEN};
use sbomgen_model::FileFindings;

use crate::ScanError;

/// File cataloguers behind one glob set.
pub(crate) struct FileParsers {
    set: GlobSet,
    /// For each glob of `set`, the index of the cataloguer it belongs to.
    owner: Vec<usize>,
    cataloguers: Vec<&'static dyn FileCataloguer>,
    /// The cataloguers that select files by content.
    sniffers: Vec<&'static dyn FileCataloguer>,
}

impl FileParsers {
    pub(crate) fn new(cataloguers: Vec<&'static dyn FileCataloguer>) -> Result<Self, ScanError> {
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
        let sniffers = cataloguers
            .iter()
            .copied()
            .filter(|c| c.random_access())
            .collect();
        Ok(FileParsers {
            set,
            owner,
            cataloguers,
            sniffers,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cataloguers.is_empty()
    }

    /// The cataloguers whose patterns match `path`, each once, in list order.
    pub(crate) fn matching(&self, path: &str) -> Vec<&'static dyn FileCataloguer> {
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

impl FileParsers {
    /// The cataloguers that read `path`: those whose patterns match it, and those that sniff
    /// `head` (when given), each once, in list order.
    fn readers(&self, path: &str, head: &[u8]) -> Vec<&'static dyn FileCataloguer> {
        let mut readers = self.matching(path);
        for &cataloguer in &self.sniffers {
            // By name: cataloguers are unit structs, and zero-sized statics may share an
            // address, so pointer equality would take one for another.
            if !readers.iter().any(|r| r.name() == cataloguer.name()) && cataloguer.sniff(head) {
                readers.push(cataloguer);
            }
        }
        readers
    }
}

impl EntryParser for FileParsers {
    fn wants(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    fn sniffing(&self) -> bool {
        !self.sniffers.is_empty()
    }

    fn sniffs(&self, head: &[u8]) -> bool {
        self.sniffers.iter().any(|c| c.sniff(head))
    }

    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings {
        let mut all = FileFindings::default();
        let mut merge = |found: FileFindings| {
            all.packages.extend(found.packages);
            all.warnings.extend(found.warnings);
            if all.support.is_none() {
                all.support = found.support;
            }
        };
        match content {
            Content::Memory(bytes) => {
                let head = &bytes[..bytes.len().min(HEAD_LEN)];
                for cataloguer in self.readers(path, head) {
                    if cataloguer.random_access() {
                        let mut cursor = std::io::Cursor::new(bytes);
                        merge(cataloguer.parse_content(path, &mut cursor, bytes.len() as u64));
                    } else {
                        merge(cataloguer.parse(path, bytes));
                    }
                }
            }
            Content::Spooled { file, size } => {
                let mut head = [0u8; HEAD_LEN];
                let filled = read_head(file, &mut head);
                for cataloguer in self.readers(path, &head[..filled]) {
                    if file.seek(SeekFrom::Start(0)).is_err() {
                        break;
                    }
                    if cataloguer.random_access() {
                        merge(cataloguer.parse_content(path, file, size));
                    } else if size > MAX_METADATA_FILE {
                        // Metadata files are small; one this large is not worth holding.
                        merge(FileFindings::warning(format!(
                            "{path}: {size} bytes, above the {MAX_METADATA_FILE}-byte cap for metadata files: not read"
                        )));
                    } else {
                        // At most MAX_METADATA_FILE, checked above.
                        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                        match file.take(MAX_METADATA_FILE).read_to_end(&mut bytes) {
                            Ok(_) => merge(cataloguer.parse(path, &bytes)),
                            Err(e) => {
                                merge(FileFindings::warning(format!("{path}: cannot read: {e}")));
                            }
                        }
                    }
                }
            }
        }
        all
    }
}

/// Metadata files (`package.json`, lockfiles) above this size are not parsed: 64 MiB.
const MAX_METADATA_FILE: u64 = 64 << 20;

/// Fills `head` from the start of `file`; returns how many bytes it holds.
fn read_head(file: &mut std::fs::File, head: &mut [u8]) -> usize {
    if file.seek(SeekFrom::Start(0)).is_err() {
        return 0;
    }
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use sbomgen_model::{Ecosystem, PackageRecord};

    use super::*;

    /// Two zero-sized cataloguers sniffing the same magic: statics that may share an address.
    struct First;
    struct Second;

    fn found(name: &str, path: &str) -> FileFindings {
        FileFindings {
            packages: vec![PackageRecord::new(Ecosystem::Generic, name, "1", path)],
            ..FileFindings::default()
        }
    }

    macro_rules! sniffer {
        ($ty:ident, $name:literal) => {
            impl FileCataloguer for $ty {
                fn name(&self) -> &'static str {
                    $name
                }
                fn patterns(&self) -> &'static [&'static str] {
                    &[]
                }
                fn parse(&self, _path: &str, _bytes: &[u8]) -> FileFindings {
                    FileFindings::default()
                }
                fn random_access(&self) -> bool {
                    true
                }
                fn sniff(&self, head: &[u8]) -> bool {
                    head.starts_with(b"\x7fELF")
                }
                fn parse_content(
                    &self,
                    path: &str,
                    _content: &mut dyn sbomgen_catalog::ReadSeek,
                    _size: u64,
                ) -> FileFindings {
                    found($name, path)
                }
            }
        };
    }
    sniffer!(First, "first");
    sniffer!(Second, "second");
    static FIRST: First = First;
    static SECOND: Second = Second;

    #[test]
    fn every_sniffing_cataloguer_reads_the_file() {
        let parsers = FileParsers::new(vec![&FIRST, &SECOND]).unwrap();
        let found = parsers.parse("usr/bin/app", Content::Memory(b"\x7fELF rest"));
        let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["first", "second"]);
    }
}
