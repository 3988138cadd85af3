//! What the content scan found in one layer, gathered while the layer streams.

use std::collections::{BTreeMap, BTreeSet};

use sbomgen_model::{FileEntry, FileKind};

use crate::detect::{ContentHit, Scanned};
use crate::finding::Skipped;
use crate::rules::{name_rule, NameRule};

/// One layer's secret hits, files not read, and files named like credentials. Bounded per
/// file: at most a few hits each, nothing of the content.
#[derive(Debug, Default)]
pub struct LayerScan {
    /// Hits by path (the last version of the path in the layer).
    pub hits: BTreeMap<String, Vec<ContentHit>>,
    /// Regular files whose content was not scanned (binary or too large).
    pub unread: BTreeSet<String>,
    pub skipped: Skipped,
    /// Regular files a name rule matches.
    pub named: Vec<(String, &'static NameRule)>,
}

impl LayerScan {
    /// Records the scan of one file; a later entry for the same path in the same layer
    /// replaces an earlier one, as extraction would.
    pub fn record(&mut self, path: &str, scanned: Scanned) {
        self.hits.remove(path);
        self.unread.remove(path);
        match scanned {
            Scanned::Hits(hits) if hits.is_empty() => {}
            Scanned::Hits(hits) => {
                self.hits.insert(path.to_string(), hits);
            }
            Scanned::Binary => {
                self.skipped.binary += 1;
                self.unread.insert(path.to_string());
            }
            Scanned::TooLarge => {
                self.skipped.too_large += 1;
                self.unread.insert(path.to_string());
            }
        }
    }

    /// Notes the layer's regular files that name rules match, and forgets scans of paths that
    /// did not end up regular files (a later entry replaced the file with a link).
    pub fn finish<'a>(&mut self, entries: impl IntoIterator<Item = (&'a String, &'a FileEntry)>) {
        let mut regular = BTreeSet::new();
        for (path, entry) in entries {
            if entry.kind != FileKind::Regular {
                continue;
            }
            if !self.hits.is_empty() || !self.unread.is_empty() {
                regular.insert(path.as_str());
            }
            if let Some(rule) = name_rule(path) {
                self.named.push((path.clone(), rule));
            }
        }
        self.hits.retain(|p, _| regular.contains(p.as_str()));
        self.unread.retain(|p| regular.contains(p.as_str()));
    }

    /// Whether the file at `path` was scanned and had no hit.
    pub(crate) fn unread(&self, path: &str) -> bool {
        self.unread.contains(path)
    }
}
