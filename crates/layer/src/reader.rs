//! The single streaming pass over a layer blob.

mod inflate;

use std::cell::RefCell;
use std::io::{self, Read};

use sbomgen_model::{Digest, FileEntry, FileKind, LayerFiles};
use tar::EntryType;

use crate::name::name_from_bytes;
use crate::parse::parse_regular;
use crate::path::{normalize, NormalizedPath};
use crate::tar_guard::{Findings, TarGuard};
use crate::{Compression, LayerError, Limits, PathMatcher};

/// What the source says a layer should be; every `Some` is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// The descriptor digest of the stored blob.
    pub digest: Option<Digest>,
    /// The config's `rootfs.diff_ids` entry.
    pub diff_id: Option<Digest>,
    /// The descriptor media type; `None` (docker archives) means "sniff".
    pub media_type: Option<String>,
    /// The descriptor size of the stored blob.
    pub size: Option<u64>,
    /// The blob stream checks `digest` and `size` itself and fails at its end otherwise (a
    /// registry download, verified before it is cached): the reader then only counts the blob's
    /// bytes instead of hashing them a second time, and reports `digest` as the blob's digest.
    pub digest_verified_by_source: bool,
}

/// The outcome of reading one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerReport {
    pub files: LayerFiles,
    /// Computed digest of the stored blob (`None` for directories).
    pub digest: Option<Digest>,
    /// Computed digest of the uncompressed tar (`None` for directories).
    pub diff_id: Option<Digest>,
    pub compressed_size: Option<u64>,
    pub uncompressed_size: Option<u64>,
    pub compression: Option<Compression>,
    /// Things worth telling the user that did not stop the read.
    pub warnings: Vec<String>,
}

/// Reads a layer blob once: sniffs and inflates it, indexes its tar entries, keeps the bytes of
/// matched files, and verifies digest, diff_id and size against `expected` at end of stream.
/// Inflating runs on a thread of its own beside the tar parser (see `inflate.rs`).
pub fn read_layer<R: Read + Send>(
    blob: R,
    expected: &Expected,
    matcher: &PathMatcher,
    limits: &Limits,
) -> Result<LayerReport, LayerError> {
    for (what, digest) in [
        ("the layer blob", &expected.digest),
        ("the diff_id", &expected.diff_id),
    ] {
        if let Some(digest) = digest.as_ref().filter(|d| d.algorithm() != "sha256") {
            return Err(LayerError::UnsupportedDigest {
                what,
                digest: digest.clone(),
            });
        }
    }
    let declared = match &expected.media_type {
        Some(media_type) => Some(
            Compression::from_media_type(media_type).map_err(LayerError::UnsupportedMediaType)?,
        ),
        None => None,
    };
    std::thread::scope(|scope| {
        let vouched = expected
            .digest
            .clone()
            .filter(|_| expected.digest_verified_by_source);
        let (mut stream, inflater) = inflate::spawn(scope, blob, vouched, limits.max_uncompressed);
        let mut warnings = Vec::new();
        let (mut guarded, guard) = TarGuard::new(&mut stream, limits.max_extension_header);
        let indexed = index_tar(&mut guarded, &guard, matcher, limits, &mut warnings);
        let indexed = indexed.and_then(|files| {
            // The rest of the stream still passes the guard: entries after the end marker.
            io::copy(&mut guarded, &mut io::sink())?;
            Ok(files)
        });
        drop(guarded);
        let stream_failed = stream.failed();
        // Closing the stream stops an inflater still sending after the parser failed.
        drop(stream);
        let inflated = inflater
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if let Some(exceeded) = guard.borrow_mut().exceeded.take() {
            return Err(exceeded);
        }
        let files = match indexed {
            Ok(files) => files,
            Err(IndexError::Layer(e)) => return Err(e),
            // A tar error on a stream that broke off is the inflater's failure.
            Err(IndexError::Io(e)) if stream_failed => {
                return Err(inflated.err().unwrap_or(LayerError::Tar(e)))
            }
            Err(IndexError::Io(e)) => return Err(LayerError::Tar(e)),
        };
        let inflated = inflated?;
        let mut report = LayerReport::default();
        if let Some(declared) = declared.filter(|d| *d != inflated.compression) {
            // Trust the bytes: registries and archives in the wild mislabel layers, and decoding by
            // magic is what containerd does. The user still hears about it.
            let actual = inflated.compression.name();
            report.warnings.push(format!(
                "media type declares {} but the content is {actual}; reading it as {actual}",
                declared.name(),
            ));
        }
        report.warnings.append(&mut warnings);
        if let Some(offset) = guard.borrow().entry_after_end {
            report.warnings.push(format!(
                "a tar entry at byte {offset} follows the end-of-archive marker: the layer \
                 ships it, but neither sbomgen nor `tar -x` reads past the marker"
            ));
        }
        verify(
            expected,
            &inflated.digest,
            inflated.compressed,
            &inflated.diff_id,
        )?;
        report.files = files;
        report.compression = Some(inflated.compression);
        report.digest = Some(inflated.digest);
        report.diff_id = Some(inflated.diff_id);
        report.compressed_size = Some(inflated.compressed);
        report.uncompressed_size = Some(inflated.uncompressed);
        Ok(report)
    })
}

/// Checks what the stream hashed to against what the source promised.
fn verify(
    expected: &Expected,
    digest: &Digest,
    compressed: u64,
    diff_id: &Digest,
) -> Result<(), LayerError> {
    if let Some(want) = expected.digest.as_ref().filter(|want| *want != digest) {
        return Err(LayerError::DigestMismatch {
            expected: want.clone(),
            actual: digest.clone(),
        });
    }
    if let Some(want) = expected.size.filter(|want| *want != compressed) {
        return Err(LayerError::SizeMismatch {
            expected: want,
            actual: compressed,
        });
    }
    if let Some(want) = expected.diff_id.as_ref().filter(|want| *want != diff_id) {
        return Err(LayerError::DiffIdMismatch {
            expected: want.clone(),
            actual: diff_id.clone(),
        });
    }
    Ok(())
}

enum IndexError {
    Io(io::Error),
    Layer(LayerError),
}

impl From<io::Error> for IndexError {
    fn from(e: io::Error) -> Self {
        IndexError::Io(e)
    }
}

/// Walks the tar entries, recording each in the file index and keeping matched contents.
fn index_tar<R: Read>(
    stream: R,
    guard: &RefCell<Findings>,
    matcher: &PathMatcher,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Result<LayerFiles, IndexError> {
    let mut files = LayerFiles::default();
    let mut captured_total = 0u64;
    let mut scratch = Vec::new();
    let mut archive = tar::Archive::new(stream);
    for (count, entry) in archive.entries()?.enumerate() {
        if count as u64 >= limits.max_entries {
            return Err(IndexError::Layer(LayerError::LimitExceeded {
                what: "entries in one layer",
                name: "entries-per-layer",
                limit: limits.max_entries,
            }));
        }
        let mut entry = entry?;
        guard.borrow_mut().entry_data = Some(entry.size());
        let entry_type = entry.header().entry_type();
        if entry_type.is_pax_global_extensions() {
            continue;
        }
        if let Some(long) = too_long(&entry, limits.max_path_bytes) {
            warnings.push(long);
            continue;
        }
        let path = match normalize(&name_from_bytes(&entry.path_bytes())) {
            Ok(NormalizedPath::Path(path)) => path,
            Ok(NormalizedPath::Whiteout(whiteout)) => {
                files.whiteouts.push(whiteout);
                continue;
            }
            Ok(NormalizedPath::Root | NormalizedPath::AufsMeta) => continue,
            Err(name) => {
                warnings.push(format!(
                    "tar entry {name:?} escapes the image root: skipped"
                ));
                continue;
            }
        };
        let kind = kind_of(entry_type);
        let link_target = match kind {
            FileKind::Symlink => entry
                .link_name_bytes()
                .map(|b| name_from_bytes(&b).into_owned()),
            FileKind::Hardlink => {
                let raw_target = entry
                    .link_name_bytes()
                    .map(|b| name_from_bytes(&b).into_owned())
                    .unwrap_or_default();
                match normalize(&raw_target) {
                    Ok(NormalizedPath::Path(target)) => Some(target),
                    _ => {
                        warnings.push(format!(
                            "hard link {path:?} points outside the image ({raw_target:?}): skipped"
                        ));
                        continue;
                    }
                }
            }
            _ => None,
        };
        let header = entry.header();
        let file = FileEntry {
            kind,
            mode: header.mode().unwrap_or(0) & 0o7777,
            uid: header.uid().unwrap_or(0),
            gid: header.gid().unwrap_or(0),
            size: if kind == FileKind::Regular {
                entry.size()
            } else {
                0
            },
            link_target,
        };
        files.captured.remove(&path);
        files.parsed.remove(&path);
        if matcher.is_match(&path) {
            if let Some(bytes) = capture(&mut entry, &path, &file, &files, limits, warnings)? {
                captured_total += bytes.len() as u64;
                if captured_total > limits.max_captured_total {
                    return Err(IndexError::Layer(LayerError::LimitExceeded {
                        what: "bytes kept from one layer",
                        name: "captured-per-layer",
                        limit: limits.max_captured_total,
                    }));
                }
                files.captured.insert(path.clone(), bytes);
            }
        }
        if kind == FileKind::Regular {
            if let Some(parser) = matcher.parser() {
                let kept = files.captured.get(&path).map(Vec::as_slice);
                let parsed = parse_regular(
                    parser,
                    &path,
                    file.size,
                    limits,
                    kept,
                    || Ok(&mut entry),
                    &mut scratch,
                )?;
                if let Some(findings) = parsed {
                    files.parsed.insert(path.clone(), findings);
                }
            }
        }
        files.entries.insert(path, file);
    }
    Ok(files)
}

/// A warning when the entry's name or link target is longer than `max` bytes (quoting only
/// its start: the name itself may be a megabyte).
fn too_long<R: Read>(entry: &tar::Entry<'_, R>, max: usize) -> Option<String> {
    let name = entry.path_bytes();
    let link = entry.link_name_bytes().unwrap_or_default();
    let (what, bytes) = if name.len() > max {
        ("name", &name)
    } else if link.len() > max {
        ("link target", &link)
    } else {
        return None;
    };
    let start = String::from_utf8_lossy(&name[..name.len().min(60)]).into_owned();
    Some(format!(
        "tar entry {start:?}…: its {what} is {} bytes, above the {max}-byte limit: skipped",
        bytes.len()
    ))
}

/// The bytes to keep for a matched entry, if it has content and fits the cap.
fn capture<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: &str,
    file: &FileEntry,
    files: &LayerFiles,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> io::Result<Option<Vec<u8>>> {
    match file.kind {
        FileKind::Regular if file.size > limits.max_captured_file => {
            warnings.push(format!(
                "{} is {} bytes, above the {}-byte cap for kept files: not read",
                path, file.size, limits.max_captured_file
            ));
            Ok(None)
        }
        FileKind::Regular => {
            // At most max_captured_file, checked above.
            let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0));
            entry.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        }
        FileKind::Hardlink => {
            let target = file.link_target.as_deref().unwrap_or_default();
            let kept = files.captured.get(target).cloned();
            if kept.is_none() {
                warnings.push(format!(
                    "{path} is a hard link to {target}, whose content was not kept: not read"
                ));
            }
            Ok(kept)
        }
        _ => Ok(None),
    }
}

fn kind_of(entry_type: EntryType) -> FileKind {
    match entry_type {
        EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => FileKind::Regular,
        EntryType::Directory => FileKind::Directory,
        EntryType::Symlink => FileKind::Symlink,
        EntryType::Link => FileKind::Hardlink,
        EntryType::Char => FileKind::CharDevice,
        EntryType::Block => FileKind::BlockDevice,
        EntryType::Fifo => FileKind::Fifo,
        _ => FileKind::Other,
    }
}
