//! `--audit`: the layer audit's content scan riding on the one layer read, then its assembly.
//!
//! Each layer gets its own [`EntryParser`] wrapping the file cataloguers': it asks for every
//! regular file whose first bytes hold no NUL, scans the bytes with the shared [`Detector`]
//! while they stream, and hands the files the cataloguers want on to them. What it scanned for
//! the audit alone is taken out of the layer's `parsed` map after the read, so cataloguing sees
//! exactly what a scan without `--audit` sees. Audited scans bypass the layer cache (its
//! reports hold no audit data, and the audit reads every text file anyway). `--exclude`d paths
//! are neither scanned nor named in findings; text files above the detector's cap are declined
//! by size before the reader reads or spools them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sbomgen_audit::{
    assemble, AllowList, Detector, Inputs, LayerScan, PermissionEvent, RemovedPackage, Report,
    Scanned,
};
use sbomgen_layer::{Content, EntryParser, LayerReport, PathMatcher, HEAD_LEN};
use sbomgen_model::{FileFindings, RemovedPackageFiles};
use sbomgen_overlay::{Overlay, TrackedPackage};

use crate::exclude::Exclusions;
use crate::parsers::FileParsers;

/// One audited scan: the compiled rules and each layer's findings as its read finishes.
pub(crate) struct AuditRun {
    detector: Arc<Detector>,
    files: Arc<FileParsers>,
    /// The matcher without any parser: each layer adds its own.
    base: PathMatcher,
    exclusions: Arc<Exclusions>,
    /// The image's command line, entrypoint then cmd; `None` when the source has no config.
    command: Option<Vec<String>>,
    scans: Mutex<BTreeMap<usize, LayerScan>>,
}

impl AuditRun {
    pub(crate) fn new(
        base: PathMatcher,
        files: Arc<FileParsers>,
        exclusions: &Exclusions,
        command: Option<Vec<String>>,
    ) -> Self {
        AuditRun {
            detector: Arc::new(Detector::default()),
            files,
            base,
            exclusions: Arc::new(exclusions.clone()),
            command,
            scans: Mutex::new(BTreeMap::new()),
        }
    }

    /// Reads layer `index` through `read` with an auditing matcher, keeping its scan.
    pub(crate) fn read_layer<E>(
        &self,
        index: usize,
        read: impl FnOnce(&PathMatcher) -> Result<LayerReport, E>,
    ) -> Result<LayerReport, E> {
        let parser = Arc::new(LayerAudit {
            detector: self.detector.clone(),
            files: self.files.clone(),
            exclusions: self.exclusions.clone(),
            state: Mutex::new(LayerState::default()),
            binary: AtomicU64::new(0),
        });
        let matcher = self.base.clone().with_parser(parser.clone());
        let mut report = read(&matcher)?;
        drop(matcher);
        let parser = Arc::try_unwrap(parser).unwrap_or_else(|_| unreachable!("the read is over"));
        let binary = parser.binary.into_inner();
        let LayerState {
            mut scan,
            audit_only,
        } = parser
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        scan.skipped.binary += binary;
        for path in &audit_only {
            report.files.parsed.remove(path);
        }
        scan.finish(
            (report.files.entries.iter()).filter(|(path, _)| !self.exclusions.excludes(path)),
        );
        self.scans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(index, scan);
        Ok(report)
    }

    /// The report, once the overlay is merged and packages tracked.
    pub(crate) fn assemble<'a>(
        self,
        layers: usize,
        permissions: Vec<PermissionEvent>,
        overlay: &Overlay,
        tracked: impl IntoIterator<Item = &'a TrackedPackage>,
        removed_files: &[RemovedPackageFiles],
        allow: &AllowList,
    ) -> Report {
        let mut by_layer = self
            .scans
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let scans = (0..layers)
            .map(|i| by_layer.remove(&i).unwrap_or_default())
            .collect();
        let removed_packages = tracked
            .into_iter()
            .filter_map(|t| {
                let removed_in = t.removed_in?;
                let record = &t.record;
                let kind = record.ecosystem.purl_type().to_string();
                let version = match record.epoch {
                    Some(epoch) => format!("{epoch}:{}", record.version),
                    None => record.version.clone(),
                };
                let hidden_files = removed_files
                    .iter()
                    .find(|g| {
                        g.name == record.name
                            && g.version == version
                            && g.removed_in == removed_in
                            && g.kind == kind
                    })
                    .map_or(0, |g| g.paths.len());
                Some(RemovedPackage {
                    name: record.name.clone(),
                    version,
                    kind,
                    path: t
                        .locations
                        .iter()
                        .next()
                        .map_or_else(|| record.database.clone(), |(p, _)| p.to_string()),
                    introduced_in: t.introduced_in,
                    removed_in,
                    replaced: t.replaced_by.is_some(),
                    hidden_files,
                })
            })
            .collect();
        let owned_hidden: BTreeSet<String> = removed_files
            .iter()
            .flat_map(|g| g.paths.iter().cloned())
            .collect();
        assemble(
            Inputs {
                scans,
                permissions,
                overlay,
                removed_packages,
                owned_hidden,
                hidden_files: overlay.hidden_files(),
                command: self.command,
            },
            allow,
        )
    }
}

impl std::fmt::Debug for AuditRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditRun")
    }
}

#[derive(Default)]
struct LayerState {
    scan: LayerScan,
    /// Paths whose `parsed` entry only the audit asked for.
    audit_only: BTreeSet<String>,
}

/// One layer's auditing parser (the file cataloguers' parser inside).
struct LayerAudit {
    detector: Arc<Detector>,
    files: Arc<FileParsers>,
    exclusions: Arc<Exclusions>,
    state: Mutex<LayerState>,
    /// Files passed over for a NUL in their first bytes (and not wanted by a cataloguer).
    binary: AtomicU64,
}

impl LayerAudit {
    fn lock(&self) -> std::sync::MutexGuard<'_, LayerState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cataloguers_want(&self, path: &str, head: &[u8]) -> bool {
        self.files.wants(path) || (self.files.sniffing() && self.files.sniffs(head))
    }
}

impl EntryParser for LayerAudit {
    fn wants(&self, path: &str) -> bool {
        self.files.wants(path)
    }

    fn sniffing(&self) -> bool {
        true
    }

    fn sniffs(&self, head: &[u8]) -> bool {
        self.files.sniffing() && self.files.sniffs(head)
    }

    fn sniffs_entry(&self, path: &str, head: &[u8], size: u64) -> bool {
        if self.sniffs(head) {
            return true;
        }
        if self.exclusions.excludes(path) || head.is_empty() {
            return false;
        }
        if head.contains(&0) {
            self.binary.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if !self.detector.fits(size) {
            // Declined before the reader reads (or spools) it: counted, never read.
            self.lock().scan.record(path, Scanned::TooLarge);
            return false;
        }
        true
    }

    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings {
        if self.exclusions.excludes(path) {
            // Only the cataloguers want it (the audit declined it in `sniffs_entry`), and
            // `--exclude` drops their findings after the read, as for a scan without audit.
            return self.files.parse(path, content);
        }
        let (scanned, findings, wanted) = match content {
            Content::Memory(bytes) => {
                let scanned = self.detector.scan(path, bytes);
                let wanted = self.cataloguers_want(path, &bytes[..bytes.len().min(HEAD_LEN)]);
                let findings = if wanted {
                    self.files.parse(path, Content::Memory(bytes))
                } else {
                    FileFindings::default()
                };
                (scanned, findings, wanted)
            }
            Content::Spooled { file, size } => {
                // Spooled files are above the in-memory limit, itself above the audit's cap
                // unless the limits were lowered: then read it back for the scan.
                let scanned = if self.detector.fits(size) {
                    let mut bytes = Vec::new();
                    match file
                        .seek(SeekFrom::Start(0))
                        .and_then(|_| file.take(size).read_to_end(&mut bytes))
                    {
                        Ok(_) => self.detector.scan(path, &bytes),
                        Err(_) => Scanned::TooLarge,
                    }
                } else {
                    Scanned::TooLarge
                };
                let mut head = [0u8; HEAD_LEN];
                let filled = file
                    .seek(SeekFrom::Start(0))
                    .and_then(|_| read_up_to(file, &mut head))
                    .unwrap_or(0);
                let wanted = self.cataloguers_want(path, &head[..filled]);
                let findings = if wanted && file.seek(SeekFrom::Start(0)).is_ok() {
                    self.files.parse(path, Content::Spooled { file, size })
                } else {
                    FileFindings::default()
                };
                (scanned, findings, wanted)
            }
        };
        let mut state = self.lock();
        state.scan.record(path, scanned);
        if wanted {
            state.audit_only.remove(path);
        } else {
            state.audit_only.insert(path.to_string());
        }
        findings
    }
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer_audit(exclusions: Exclusions) -> LayerAudit {
        LayerAudit {
            detector: Arc::new(Detector::default()),
            files: Arc::new(FileParsers::new(Vec::new()).unwrap()),
            exclusions: Arc::new(exclusions),
            state: Mutex::new(LayerState::default()),
            binary: AtomicU64::new(0),
        }
    }

    #[test]
    fn text_above_the_cap_is_declined_by_size_and_counted() {
        let audit = layer_audit(Exclusions::default());
        let cap = audit.detector.max_file;
        assert!(audit.sniffs_entry("srv/a.log", b"plain text", cap));
        assert!(!audit.sniffs_entry("srv/b.log", b"plain text", cap + 1));
        assert!(!audit.sniffs_entry("usr/bin/x", b"\x7fELF\0\0", 100));
        let state = audit.lock();
        assert_eq!(state.scan.skipped.too_large, 1);
        assert!(state.scan.unread.contains("srv/b.log"));
        assert_eq!(audit.binary.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn excluded_paths_are_neither_read_nor_scanned() {
        let audit = layer_audit(Exclusions::new(["srv/app"]).unwrap());
        assert!(!audit.sniffs_entry("srv/app/.env", b"DB_PASSWORD=x", 20));
        let token = format!("token: ghp_{}\n", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
        audit.parse("srv/app/.env", Content::Memory(token.as_bytes()));
        audit.parse("srv/other.txt", Content::Memory(token.as_bytes()));
        let state = audit.lock();
        assert_eq!(
            state.scan.hits.keys().collect::<Vec<_>>(),
            ["srv/other.txt"]
        );
    }
}
