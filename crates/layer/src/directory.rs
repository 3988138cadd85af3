//! The `dir:` source: one "layer" built by walking a directory instead of a tar stream.
//!
//! The walk is parallel (issue 15): `dir:/` holds hundreds of thousands of entries, and one
//! thread listing, stat-ing and reading them one after another took ~16 s, mostly waiting on
//! the kernel. Every directory is listed by one rayon task, which spawns a task per
//! subdirectory and splits a long listing into chunks of [`CHUNK`] children (`/usr/bin` holds
//! a thousand binaries a cataloguer reads), so work stealing keeps every core busy on deep and
//! flat trees alike. Each task returns its own [`Part`]; the parts are merged at the end in path
//! order, so the report, warnings included, does not depend on which thread did what. The
//! limits are counters shared by all tasks: the first entry or kept byte past a limit fails
//! the walk, exactly when the sequential walk failed.

mod mounts;

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sbomgen_model::{FileEntry, FileFindings, FileKind};

use crate::name::name_from_bytes;
use crate::parse::parse_regular;
use crate::{Content, EntryParser, LayerError, LayerReport, Limits, PathMatcher, HEAD_LEN};

/// Children of one directory handled by one task: small enough that a directory of a thousand
/// binaries spreads over every core, large enough that spawning costs nothing next to the stats.
const CHUNK: usize = 256;

/// Indexes a directory tree like a single layer: no whiteouts, symlinks not followed, entries in
/// sorted order, unreadable entries reported as warnings (ordered by path). Matched regular
/// files are read under the same caps as tar entries. Runs on the current rayon pool.
pub fn read_directory(
    root: &Path,
    matcher: &PathMatcher,
    limits: &Limits,
) -> Result<LayerReport, LayerError> {
    let directory_error = |source| LayerError::Directory {
        path: root.display().to_string(),
        source,
    };
    let meta = fs::metadata(root).map_err(directory_error)?;
    if !meta.is_dir() {
        return Err(directory_error(std::io::Error::other("not a directory")));
    }
    let walk = Walk {
        matcher,
        limits,
        skip: mounts::pseudo_mounts(root),
        entries: AtomicU64::new(0),
        captured: AtomicU64::new(0),
        stopped: AtomicBool::new(false),
        failure: Mutex::new(None),
        parts: Mutex::new(Vec::new()),
        scratch: Mutex::new(Vec::new()),
    };
    rayon::scope(|scope| walk.list(scope, root, String::new()));
    walk.finish()
}

/// What one task found: the entries of up to [`CHUNK`] children of directory `dir`.
#[derive(Default)]
struct Part {
    /// The directory, root-relative (`""` for the root).
    dir: String,
    /// Which chunk of the directory's sorted children.
    chunk: usize,
    entries: Vec<(String, FileEntry)>,
    captured: Vec<(String, Vec<u8>)>,
    parsed: Vec<(String, FileFindings)>,
    warnings: Vec<String>,
}

/// The state all tasks of one walk share.
struct Walk<'a> {
    matcher: &'a PathMatcher,
    limits: &'a Limits,
    skip: HashSet<PathBuf>,
    /// Entries counted so far, for `max_entries`.
    entries: AtomicU64,
    /// Bytes kept so far, for `max_captured_total`.
    captured: AtomicU64,
    /// Set with `failure`: tasks still queued return at once.
    stopped: AtomicBool,
    failure: Mutex<Option<LayerError>>,
    parts: Mutex<Vec<Part>>,
    /// Read buffers for parsed files, one per running task (see `parse.rs` on why reused).
    scratch: Mutex<Vec<Vec<u8>>>,
}

impl Walk<'_> {
    /// Lists directory `dir` (root-relative `rel_dir`) and hands its children out in chunks.
    fn list<'s>(&'s self, scope: &rayon::Scope<'s>, dir: &Path, rel_dir: String) {
        if self.stopped.load(Ordering::Relaxed) {
            return;
        }
        let mut children: Vec<fs::DirEntry> = match fs::read_dir(dir) {
            Ok(iter) => iter.filter_map(Result::ok).collect(),
            Err(e) => {
                let warning = format!("cannot list {}: {e}", dir.display());
                self.keep(Part {
                    dir: rel_dir,
                    warnings: vec![warning],
                    ..Part::default()
                });
                return;
            }
        };
        children.sort_by_key(fs::DirEntry::file_name);
        let mut chunks = Vec::with_capacity(children.len().div_ceil(CHUNK));
        while children.len() > CHUNK {
            let rest = children.split_off(CHUNK);
            chunks.push(std::mem::replace(&mut children, rest));
        }
        chunks.push(children);
        let mut chunks = chunks.into_iter().enumerate();
        // The first chunk stays on this thread: most directories have one.
        let first = chunks.next();
        for (chunk, children) in chunks {
            let rel_dir = rel_dir.clone();
            scope.spawn(move |scope| self.visit(scope, rel_dir, chunk, children));
        }
        if let Some((chunk, children)) = first {
            self.visit(scope, rel_dir, chunk, children);
        }
    }

    /// Indexes `children` of directory `rel_dir`, reading the files a consumer wants, and
    /// spawns a listing task per subdirectory.
    fn visit<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        rel_dir: String,
        chunk: usize,
        children: Vec<fs::DirEntry>,
    ) {
        if self.stopped.load(Ordering::Relaxed) {
            return;
        }
        let mut part = Part {
            dir: rel_dir,
            chunk,
            ..Part::default()
        };
        let mut scratch = Self::lock(&self.scratch).pop().unwrap_or_default();
        for child in children {
            let name = name_from_bytes(child.file_name().as_encoded_bytes()).into_owned();
            let rel = if part.dir.is_empty() {
                name
            } else {
                format!("{}/{name}", part.dir)
            };
            match self.entry(&child, &rel, &mut part, &mut scratch) {
                Ok(Some(subdir)) => scope.spawn(move |scope| self.list(scope, &subdir, rel)),
                Ok(None) => {}
                Err(e) => {
                    self.fail(e);
                    break;
                }
            }
        }
        Self::lock(&self.scratch).push(scratch);
        self.keep(part);
    }

    /// Records one child in `part`; returns its path when it is a directory to descend into.
    fn entry(
        &self,
        child: &fs::DirEntry,
        rel: &str,
        part: &mut Part,
        scratch: &mut Vec<u8>,
    ) -> Result<Option<PathBuf>, LayerError> {
        let full = &child.path();
        // Relative to the listed directory (`fstatat`, symlinks not followed): a stat by full
        // path walked every component again, a third of the walk's time.
        let meta = match child.metadata() {
            Ok(m) => m,
            Err(e) => {
                part.warnings
                    .push(format!("cannot stat {}: {e}", full.display()));
                return Ok(None);
            }
        };
        if self.entries.fetch_add(1, Ordering::Relaxed) >= self.limits.max_entries {
            return Err(LayerError::LimitExceeded {
                what: "entries in one directory tree",
                name: "entries-per-layer",
                limit: self.limits.max_entries,
            });
        }
        let kind = kind_of(meta.file_type());
        let entry = FileEntry {
            kind,
            mode: meta.mode() & 0o7777,
            uid: u64::from(meta.uid()),
            gid: u64::from(meta.gid()),
            size: if kind == FileKind::Regular {
                meta.len()
            } else {
                0
            },
            link_target: (kind == FileKind::Symlink)
                .then(|| fs::read_link(full).ok())
                .flatten()
                .map(|t| name_from_bytes(t.as_os_str().as_encoded_bytes()).into_owned()),
        };
        let mut kept = None;
        if kind == FileKind::Regular && self.matcher.is_match(rel) {
            kept = read_capped(full, entry.size, self.limits, &mut part.warnings);
            if let Some(bytes) = &kept {
                let len = bytes.len() as u64;
                if self.captured.fetch_add(len, Ordering::Relaxed) + len
                    > self.limits.max_captured_total
                {
                    return Err(LayerError::LimitExceeded {
                        what: "bytes kept from one directory tree",
                        name: "captured-per-layer",
                        limit: self.limits.max_captured_total,
                    });
                }
            }
        }
        if let Some(parser) = self.matcher.parser().filter(|_| kind == FileKind::Regular) {
            let findings = parse_on_disk(
                parser,
                rel,
                full,
                entry.size,
                self.limits,
                kept.as_deref(),
                scratch,
            )
            .unwrap_or_else(|e| Some(FileFindings::warning(format!("{rel}: cannot read: {e}"))));
            if let Some(findings) = findings {
                part.parsed.push((rel.to_string(), findings));
            }
        }
        if let Some(bytes) = kept {
            part.captured.push((rel.to_string(), bytes));
        }
        let descend = kind == FileKind::Directory && !self.skip.contains(full);
        part.entries.push((rel.to_string(), entry));
        Ok(descend.then(|| full.clone()))
    }

    fn keep(&self, part: Part) {
        Self::lock(&self.parts).push(part);
    }

    /// Stops the walk with `error`, unless another task already stopped it.
    fn fail(&self, error: LayerError) {
        Self::lock(&self.failure).get_or_insert(error);
        self.stopped.store(true, Ordering::Relaxed);
    }

    fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        // A task that panicked fails the whole scope anyway; what it left is still sound.
        mutex.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Merges the parts in path order: a directory's chunks in turn, then its subdirectories.
    fn finish(self) -> Result<LayerReport, LayerError> {
        if let Some(error) = self
            .failure
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Err(error);
        }
        let mut parts = self
            .parts
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        parts.sort_unstable_by(|a, b| {
            a.dir
                .split('/')
                .cmp(b.dir.split('/'))
                .then(a.chunk.cmp(&b.chunk))
        });
        let mut report = LayerReport::default();
        let files = &mut report.files;
        for part in parts {
            files.entries.extend(part.entries);
            files.captured.extend(part.captured);
            files.parsed.extend(part.parsed);
            report.warnings.extend(part.warnings);
        }
        Ok(report)
    }
}

/// Parses a regular file the parser wants (see [`parse_regular`]). A file too large for
/// memory is handed to the parser as itself: it is on disk already, with the random access a
/// spooled copy gives a tar entry (`dir:/` spent most of its time copying large binaries to
/// temporary files).
fn parse_on_disk(
    parser: &dyn EntryParser,
    rel: &str,
    full: &Path,
    size: u64,
    limits: &Limits,
    kept: Option<&[u8]>,
    scratch: &mut Vec<u8>,
) -> io::Result<Option<FileFindings>> {
    let spooled =
        kept.is_none() && size > limits.max_in_memory_file && size <= limits.max_spooled_file;
    if !spooled {
        return parse_regular(
            parser,
            rel,
            size,
            limits,
            kept,
            || fs::File::open(full),
            scratch,
        );
    }
    let by_path = parser.wants(rel);
    if !by_path && !parser.sniffing() {
        return Ok(None);
    }
    let mut file = fs::File::open(full)?;
    if !by_path {
        let mut head = [0u8; HEAD_LEN];
        let filled = read_head(&mut file, &mut head)?;
        if !parser.sniffs_entry(rel, &head[..filled], size) {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(0))?;
    }
    Ok(Some(parser.parse(
        rel,
        Content::Spooled {
            file: &mut file,
            size,
        },
    )))
}

/// Reads up to `head.len()` bytes; returns how many.
fn read_head(file: &mut fs::File, head: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn read_capped(
    path: &Path,
    size: u64,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Option<Vec<u8>> {
    if size > limits.max_captured_file {
        warnings.push(format!(
            "{} is {size} bytes, above the {}-byte cap for kept files: not read",
            path.display(),
            limits.max_captured_file
        ));
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let read = fs::File::open(path)
        .and_then(|f| f.take(limits.max_captured_file + 1).read_to_end(&mut bytes));
    match read {
        Ok(_) => Some(bytes),
        Err(e) => {
            warnings.push(format!("cannot read {}: {e}", path.display()));
            None
        }
    }
}

fn kind_of(file_type: fs::FileType) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        FileKind::Directory
    } else if file_type.is_symlink() {
        FileKind::Symlink
    } else if file_type.is_file() {
        FileKind::Regular
    } else if file_type.is_char_device() {
        FileKind::CharDevice
    } else if file_type.is_block_device() {
        FileKind::BlockDevice
    } else if file_type.is_fifo() {
        FileKind::Fifo
    } else {
        FileKind::Other
    }
}

#[cfg(test)]
mod tests;
