//! One pass over a tar stream: where each regular file's bytes start and how long they are.
//!
//! The offsets are positions in the *uncompressed* tar stream (`Entry::raw_file_position`), so
//! the same index serves a plain tar (seek there) and a compressed one (decompress and skip there).
//! Symlinks and hard links are resolved to the entry they point at, because `docker save` stores a
//! layer shared by two images once and links the second `<id>/layer.tar` to the first.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use tar::EntryType;

/// How many links are followed before a chain counts as a loop.
const MAX_LINK_HOPS: usize = 16;

/// Files up to this size are kept in memory while indexing a compressed tar, so manifests and
/// configs are not decompressed again (a compressed tar has no random access).
const CACHE_ENTRY_MAX: u64 = 1 << 20;
/// Total bytes kept in memory per compressed tar.
const CACHE_TOTAL_MAX: u64 = 32 << 20;

/// The compression of an archive file, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Reads the first bytes of `path`: gzip is `1f 8b`, zstd is `28 b5 2f fd` (RFC 1952, RFC 8878).
    pub(crate) fn sniff(path: &Path) -> io::Result<Compression> {
        let mut magic = [0u8; 4];
        let mut file = File::open(path)?;
        let mut filled = 0;
        while filled < magic.len() {
            match file.read(&mut magic[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        Ok(match &magic[..filled] {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
            _ => Compression::None,
        })
    }

    /// A decompressing reader over the whole file, from its start.
    pub(crate) fn reader(self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        let file = File::open(path)?;
        Ok(match self {
            Compression::None => Box::new(BufReader::with_capacity(64 << 10, file)),
            // Multi-member: `gzip` of concatenated files and pigz output are several members.
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
                BufReader::with_capacity(64 << 10, file),
            )),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file)?),
        })
    }
}

/// Where one name's bytes are, after following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Data {
        offset: u64,
        size: u64,
    },
    /// A link whose target is missing, outside the archive or part of a loop.
    BrokenLink,
    /// A GNU sparse file: its stored bytes are not its content.
    Sparse,
}

/// Every file name of a tar archive, normalised, with the place of its bytes.
#[derive(Debug)]
pub(crate) struct TarIndex {
    slots: HashMap<String, Slot>,
    /// Contents of small files, by data offset (compressed archives only).
    cache: HashMap<u64, Arc<[u8]>>,
}

/// A tar stream that could not be indexed.
#[derive(Debug)]
pub(crate) struct IndexError {
    /// No entry could be read at all: the input is not a tar archive.
    pub(crate) not_a_tar: bool,
    pub(crate) error: io::Error,
}

enum Raw {
    Data { offset: u64, size: u64 },
    Link(String),
    Sparse,
}

impl TarIndex {
    /// Indexes a tar stream. With `keep_small`, the contents of small files are kept in memory.
    ///
    /// Errors are the tar crate's (bad checksum, truncation), with whether any entry was read
    /// before, to tell "not a tar at all" from "a corrupt tar".
    pub(crate) fn build<R: Read>(
        entries: tar::Entries<'_, R>,
        keep_small: bool,
    ) -> Result<TarIndex, IndexError> {
        let mut raw: HashMap<String, Raw> = HashMap::new();
        let mut cache = HashMap::new();
        let mut cached_total = 0u64;
        let mut seen_any = false;
        let result = (|| -> io::Result<()> {
            for entry in entries {
                let mut entry = entry?;
                seen_any = true;
                let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let Some(name) = normalise(&name) else {
                    continue;
                };
                let kind = entry.header().entry_type();
                let slot = match kind {
                    EntryType::Regular | EntryType::Continuous => {
                        let offset = entry.raw_file_position();
                        let size = entry.size();
                        if keep_small
                            && size <= CACHE_ENTRY_MAX
                            && cached_total + size <= CACHE_TOTAL_MAX
                        {
                            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                            entry.read_to_end(&mut bytes)?;
                            cached_total += size;
                            cache.insert(offset, Arc::from(bytes));
                        }
                        Raw::Data { offset, size }
                    }
                    EntryType::GNUSparse => Raw::Sparse,
                    EntryType::Symlink | EntryType::Link => {
                        let target = entry
                            .link_name_bytes()
                            .map(|t| String::from_utf8_lossy(&t).into_owned())
                            .unwrap_or_default();
                        let target = if kind == EntryType::Symlink && !target.starts_with('/') {
                            // Relative symlinks are relative to the link's directory.
                            match name.rsplit_once('/') {
                                Some((parent, _)) => format!("{parent}/{target}"),
                                None => target,
                            }
                        } else {
                            target
                        };
                        match normalise(&target) {
                            Some(t) => Raw::Link(t),
                            None => Raw::Link(String::new()),
                        }
                    }
                    _ => continue,
                };
                // A name written twice keeps the last entry, as extraction would.
                raw.insert(name, slot);
            }
            Ok(())
        })();
        if let Err(error) = result {
            return Err(IndexError {
                not_a_tar: !seen_any,
                error,
            });
        }
        let slots = raw
            .keys()
            .map(|name| (name.clone(), resolve(&raw, name)))
            .collect();
        Ok(TarIndex { slots, cache })
    }

    pub(crate) fn get(&self, name: &str) -> Option<Slot> {
        self.slots.get(name).copied()
    }

    pub(crate) fn cached(&self, offset: u64) -> Option<Arc<[u8]>> {
        self.cache.get(&offset).cloned()
    }

    /// The end of the furthest file's bytes, to detect a truncated plain tar (seeking past the end
    /// of a file does not fail, so the indexing pass alone cannot tell).
    pub(crate) fn data_end(&self) -> u64 {
        self.slots
            .values()
            .filter_map(|s| match s {
                Slot::Data { offset, size } => offset.checked_add(*size),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

fn resolve(raw: &HashMap<String, Raw>, name: &str) -> Slot {
    let mut current = name;
    for _ in 0..=MAX_LINK_HOPS {
        match raw.get(current) {
            Some(Raw::Data { offset, size }) => {
                return Slot::Data {
                    offset: *offset,
                    size: *size,
                }
            }
            Some(Raw::Sparse) => return Slot::Sparse,
            Some(Raw::Link(target)) => current = target,
            None => return Slot::BrokenLink,
        }
    }
    Slot::BrokenLink
}

/// Normalises an archive member name: no leading `./` or `/`, no `.` components, `..` applied.
///
/// `None` when the name is empty (the root) or climbs above the root.
pub(crate) fn normalise(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_names() {
        for (input, want) in [
            ("./index.json", Some("index.json")),
            ("/blobs//sha256/ab", Some("blobs/sha256/ab")),
            ("a/./b/../c", Some("a/c")),
            ("dir/", Some("dir")),
            ("./", None),
            ("../etc/passwd", None),
            ("a/../../b", None),
        ] {
            assert_eq!(normalise(input).as_deref(), want, "{input}");
        }
    }

    fn build_tar(f: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        f(&mut b);
        b.into_inner().unwrap()
    }

    fn file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    }

    fn link(b: &mut tar::Builder<Vec<u8>>, kind: EntryType, name: &str, target: &str) {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_entry_type(kind);
        b.append_link(&mut h, name, target).unwrap();
    }

    fn index(bytes: &[u8]) -> TarIndex {
        let mut archive = tar::Archive::new(bytes);
        TarIndex::build(archive.entries().unwrap(), true).unwrap()
    }

    #[test]
    fn resolves_links_and_offsets() {
        let bytes = build_tar(|b| {
            file(b, "./a/layer.tar", b"layer bytes");
            link(b, EntryType::Symlink, "b/layer.tar", "../a/layer.tar");
            link(b, EntryType::Link, "c.tar", "./a/layer.tar");
            link(b, EntryType::Symlink, "loop1", "loop2");
            link(b, EntryType::Symlink, "loop2", "loop1");
            link(b, EntryType::Symlink, "escape", "../../x");
        });
        let idx = index(&bytes);
        let Some(Slot::Data { offset, size }) = idx.get("a/layer.tar") else {
            panic!("a/layer.tar missing");
        };
        let at = usize::try_from(offset).unwrap();
        let end = usize::try_from(offset + size).unwrap();
        assert_eq!(&bytes[at..end], b"layer bytes");
        assert_eq!(idx.get("b/layer.tar"), idx.get("a/layer.tar"));
        assert_eq!(idx.get("c.tar"), idx.get("a/layer.tar"));
        assert_eq!(idx.get("loop1"), Some(Slot::BrokenLink));
        assert_eq!(idx.get("escape"), Some(Slot::BrokenLink));
        assert_eq!(idx.get("nope"), None);
        assert_eq!(idx.cached(offset).as_deref(), Some(&b"layer bytes"[..]));
    }

    #[test]
    fn later_entry_wins() {
        let bytes = build_tar(|b| {
            file(b, "x", b"old");
            file(b, "./x", b"new!");
        });
        let idx = index(&bytes);
        assert!(matches!(idx.get("x"), Some(Slot::Data { size: 4, .. })));
    }

    #[test]
    fn garbage_is_an_error_with_empty_index() {
        let junk = vec![0x41u8; 2048];
        let mut archive = tar::Archive::new(&junk[..]);
        let err = TarIndex::build(archive.entries().unwrap(), false).unwrap_err();
        assert!(err.not_a_tar);
    }
}
