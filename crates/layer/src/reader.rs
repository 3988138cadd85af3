//! The single streaming pass over a layer blob.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use flate2::bufread::MultiGzDecoder;
use sbomgen_model::{Digest, FileEntry, FileKind, LayerFiles};
use tar::EntryType;

use crate::hashing::HashingReader;
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
pub fn read_layer<R: Read>(
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
        let mut report = LayerReport::default();
        // A failure of the blob stream itself (a dropped download, a disk error) must be told
        // apart from corrupt compressed data, though both surface through the decoder.
        let read_failed = Rc::new(Cell::new(false));
        let blob = Watch {
            inner: blob,
            failed: Rc::clone(&read_failed),
        };
        let mut blob = match &expected.digest {
            Some(digest) if expected.digest_verified_by_source => {
                HashingReader::vouched(blob, digest.clone())
            }
            _ => HashingReader::new(scope, blob),
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, &mut blob);
        let head = buffered.fill_buf().map_err(LayerError::Read)?;
        if let Some(name) = crate::compression::unsupported(head) {
            return Err(LayerError::UnsupportedCompression(name));
        }
        let compression = Compression::sniff(head);
        if let Some(declared) = declared.filter(|d| *d != compression) {
            // Trust the bytes: registries and archives in the wild mislabel layers, and decoding by
            // magic is what containerd does. The user still hears about it.
            report.warnings.push(format!(
                "media type declares {} but the content is {}; reading it as {}",
                declared.name(),
                compression.name(),
                compression.name()
            ));
        }
        report.compression = Some(compression);

        let decode_failed = Rc::new(Cell::new(false));
        let decoder: Box<dyn Read + '_> = match compression {
            Compression::None => Box::new(&mut buffered),
            Compression::Gzip => Box::new(MultiGzDecoder::new(&mut buffered)),
            Compression::Zstd => {
                Box::new(zstd::Decoder::with_buffer(&mut buffered).map_err(|source| {
                    LayerError::Decompress {
                        compression: compression.name(),
                        source,
                    }
                })?)
            }
        };
        let watched = Watch {
            inner: decoder,
            failed: Rc::clone(&decode_failed),
        };
        let mut tar_stream = HashingReader::with_limit(scope, watched, limits.max_uncompressed);
        let classify = |source: io::Error, consumed: u64| {
            if consumed > limits.max_uncompressed {
                LayerError::LimitExceeded {
                    what: "uncompressed layer size",
                    name: "uncompressed-per-layer",
                    limit: limits.max_uncompressed,
                }
            } else if read_failed.get() {
                LayerError::Read(source)
            } else if decode_failed.get() {
                LayerError::Decompress {
                    compression: compression.name(),
                    source,
                }
            } else {
                LayerError::Tar(source)
            }
        };
        let (mut guarded, guard) = TarGuard::new(&mut tar_stream, limits.max_extension_header);
        let indexed = index_tar(&mut guarded, &guard, matcher, limits, &mut report.warnings);
        let indexed = indexed.and_then(|files| {
            // The rest of the stream still passes the guard: entries after the end marker.
            io::copy(&mut guarded, &mut io::sink())?;
            Ok(files)
        });
        drop(guarded);
        if let Some(exceeded) = guard.borrow_mut().exceeded.take() {
            return Err(exceeded);
        }
        let files = match indexed {
            Ok(files) => files,
            Err(IndexError::Io(e)) => return Err(classify(e, tar_stream.count())),
            Err(IndexError::Layer(e)) => return Err(e),
        };
        if let Some(offset) = guard.borrow().entry_after_end {
            report.warnings.push(format!(
                "a tar entry at byte {offset} follows the end-of-archive marker: the layer \
                 ships it, but neither sbomgen nor `tar -x` reads past the marker"
            ));
        }
        tar_stream
            .drain()
            .map_err(|e| classify(e, tar_stream.count()))?;
        let (diff_id, uncompressed) = tar_stream.finish();
        io::copy(&mut buffered, &mut io::sink()).map_err(LayerError::Read)?;
        drop(buffered);
        let (digest, compressed) = blob.finish();

        verify(expected, &digest, compressed, &diff_id)?;
        report.files = files;
        report.digest = Some(digest);
        report.diff_id = Some(diff_id);
        report.compressed_size = Some(compressed);
        report.uncompressed_size = Some(uncompressed);
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

/// Marks that an error came from below the tar parser (decompression or the blob itself), so it
/// can be reported as such rather than as a malformed tar.
struct Watch<R> {
    inner: R,
    failed: Rc<Cell<bool>>,
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|_| self.failed.set(true))
    }
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
            let mut bytes = Vec::with_capacity(file.size as usize);
            entry.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        }
        FileKind::Hardlink => {
            let target = file.link_target.as_deref().unwrap_or_default();
            let kept = files.captured.get(target).cloned();
            if kept.is_none() {
                warnings.push(format!(
                    "{} is a hard link to {target}, whose content was not kept: not read",
                    path
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
