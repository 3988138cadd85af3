//! Files inside a source: a directory, a plain tar (random access by seek) or a compressed tar
//! (sequential only: every open decompresses from the start and skips to the entry).

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sbomgen_model::Digest;
use sbomgen_registry::{Reference, RegistryClient};

use crate::error::SourceError;
use crate::tarindex::{normalise, Compression, Slot, TarIndex};

/// Shared, cheaply cloned access to the files of one source.
#[derive(Debug, Clone)]
pub(crate) struct Container(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// `kind path` for messages, e.g. `oci-archive ./app.tar`.
    origin: String,
    storage: Storage,
}

#[derive(Debug)]
enum Storage {
    Dir,
    Tar(TarIndex),
    Compressed(Compression, TarIndex),
}

impl Container {
    pub(crate) fn dir(path: &Path, origin: String) -> Container {
        Container(Arc::new(Inner {
            path: path.to_path_buf(),
            origin,
            storage: Storage::Dir,
        }))
    }

    /// Indexes an archive file in one pass (decompressing it if its magic says gzip or zstd).
    pub(crate) fn archive(path: &Path, origin: String) -> Result<Container, SourceError> {
        let io_err = |source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let compression = Compression::sniff(path).map_err(io_err)?;
        let built = if compression == Compression::None {
            // Seeking skips layer bytes instead of reading them: indexing costs one header read
            // per entry.
            let mut archive = tar::Archive::new(BufReader::new(File::open(path).map_err(io_err)?));
            let entries = archive.entries_with_seek().map_err(io_err)?;
            TarIndex::build(entries, false)
        } else {
            let mut archive = tar::Archive::new(compression.reader(path).map_err(io_err)?);
            let entries = archive.entries().map_err(io_err)?;
            TarIndex::build(entries, true)
        };
        let index = built.map_err(|e| {
            if e.not_a_tar {
                SourceError::NotAnArchive {
                    path: path.to_path_buf(),
                }
            } else {
                io_err(e.error)
            }
        })?;
        let storage = if compression == Compression::None {
            let len = std::fs::metadata(path).map_err(io_err)?.len();
            if index.data_end() > len {
                return Err(io_err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "tar archive is truncated",
                )));
            }
            Storage::Tar(index)
        } else {
            Storage::Compressed(compression, index)
        };
        Ok(Container(Arc::new(Inner {
            path: path.to_path_buf(),
            origin,
            storage,
        })))
    }

    /// `kind path`, for messages.
    pub(crate) fn origin(&self) -> &str {
        &self.0.origin
    }

    /// Whether `name` is a regular file (or a link to one) in the source.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match &self.0.storage {
            // A file leading outside is "there", so reading it reports why it is refused.
            Storage::Dir => match self.dir_path(name) {
                Ok(path) => path.is_file(),
                Err(e) => matches!(e, SourceError::OutsideSource { .. }),
            },
            Storage::Tar(index) | Storage::Compressed(_, index) => normalise(name)
                .and_then(|n| index.get(&n))
                .is_some_and(|s| matches!(s, Slot::Data { .. })),
        }
    }

    /// The size of `name` in bytes.
    pub(crate) fn size(&self, name: &str) -> Result<u64, SourceError> {
        match &self.0.storage {
            Storage::Dir => {
                let path = self.dir_path(name)?;
                let meta = std::fs::metadata(&path).map_err(|e| self.entry_err(name, e))?;
                Ok(meta.len())
            }
            Storage::Tar(index) | Storage::Compressed(_, index) => {
                self.slot(index, name).map(|(_, size)| size)
            }
        }
    }

    /// Reads a whole file of at most `limit` bytes (JSON documents).
    pub(crate) fn read_limited(&self, name: &str, limit: u64) -> Result<Vec<u8>, SourceError> {
        let size = self.size(name)?;
        if size > limit {
            return Err(SourceError::TooLarge {
                file: self.describe(name),
                size,
                limit,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // `take` guards against a file that grew since `size` was read.
        self.open(name)?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.entry_err(name, e))?;
        if bytes.len() as u64 > limit {
            return Err(SourceError::TooLarge {
                file: self.describe(name),
                size: bytes.len() as u64,
                limit,
            });
        }
        Ok(bytes)
    }

    /// A fresh reader over the bytes of `name`.
    pub(crate) fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, SourceError> {
        let err = |e| self.entry_err(name, e);
        match &self.0.storage {
            Storage::Dir => {
                let file = File::open(self.dir_path(name)?).map_err(err)?;
                Ok(Box::new(BufReader::with_capacity(64 << 10, file)))
            }
            Storage::Tar(index) => {
                let (offset, size) = self.slot(index, name)?;
                let mut file = File::open(&self.0.path).map_err(err)?;
                file.seek(SeekFrom::Start(offset)).map_err(err)?;
                Ok(Box::new(
                    BufReader::with_capacity(64 << 10, file).take(size),
                ))
            }
            Storage::Compressed(compression, index) => {
                let (offset, size) = self.slot(index, name)?;
                if let Some(bytes) = index.cached(offset) {
                    return Ok(Box::new(Cursor::new(bytes)));
                }
                let mut reader = compression.reader(&self.0.path).map_err(err)?;
                let skipped =
                    io::copy(&mut (&mut reader).take(offset), &mut io::sink()).map_err(err)?;
                if skipped < offset {
                    return Err(err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "archive ends before the entry",
                    )));
                }
                Ok(Box::new(reader.take(size)))
            }
        }
    }

    /// `name in origin`, for messages.
    pub(crate) fn describe(&self, name: &str) -> String {
        format!("{name} in {}", self.0.origin)
    }

    fn slot(&self, index: &TarIndex, name: &str) -> Result<(u64, u64), SourceError> {
        let normalised = normalise(name).ok_or_else(|| self.unsafe_path(name))?;
        match index.get(&normalised) {
            Some(Slot::Data { offset, size }) => Ok((offset, size)),
            Some(Slot::BrokenLink) => Err(SourceError::BadLink {
                name: name.to_string(),
                origin: self.0.origin.clone(),
            }),
            Some(Slot::Sparse) => Err(self.entry_err(
                name,
                io::Error::new(
                    io::ErrorKind::Unsupported,
                    "sparse tar entries are not supported",
                ),
            )),
            None => Err(SourceError::MissingFile {
                name: name.to_string(),
                origin: self.0.origin.clone(),
            }),
        }
    }

    /// The on-disk path of `name` in a directory source. Names come from untrusted manifests, so
    /// absolute names and `..` are refused rather than allowed to leave the directory, and so is
    /// a name that resolves through symlinks to anything but a regular file inside it (a blob
    /// linked to `/etc/shadow` must not be read, nor its first bytes quoted in a tar error).
    fn dir_path(&self, name: &str) -> Result<PathBuf, SourceError> {
        let trimmed = name.trim_start_matches("./");
        if trimmed.starts_with('/') || trimmed.split('/').any(|p| p == "..") {
            return Err(self.unsafe_path(name));
        }
        let normalised = normalise(trimmed).ok_or_else(|| self.unsafe_path(name))?;
        let path = self.0.path.join(normalised);
        match std::fs::canonicalize(&path) {
            // Missing: the caller reports it as missing.
            Err(_) => Ok(path),
            Ok(real) => {
                let root = std::fs::canonicalize(&self.0.path).unwrap_or_default();
                let regular = std::fs::metadata(&real).is_ok_and(|m| m.is_file());
                if real.starts_with(&root) && regular {
                    Ok(real)
                } else {
                    Err(SourceError::OutsideSource {
                        name: name.to_string(),
                        origin: self.0.origin.clone(),
                    })
                }
            }
        }
    }

    fn unsafe_path(&self, name: &str) -> SourceError {
        SourceError::UnsafePath {
            name: name.to_string(),
            origin: self.0.origin.clone(),
        }
    }

    fn entry_err(&self, name: &str, source: io::Error) -> SourceError {
        if source.kind() == io::ErrorKind::NotFound {
            return SourceError::MissingFile {
                name: name.to_string(),
                origin: self.0.origin.clone(),
            };
        }
        SourceError::ReadEntry {
            name: name.to_string(),
            origin: self.0.origin.clone(),
            source,
        }
    }
}

/// A layer blob that can be opened any number of times, from any thread.
///
/// Each [`BlobHandle::open`] returns an independent reader, so layers are read in parallel
/// without re-reading the archive (plain tars are read by seek; compressed tars are decompressed
/// again from their start, as they offer no random access). A registry blob is downloaded (or
/// read from the blob cache) by each open.
#[derive(Debug, Clone)]
pub struct BlobHandle {
    location: Location,
    description: Arc<str>,
}

#[derive(Debug, Clone)]
enum Location {
    Local {
        container: Container,
        name: Arc<str>,
    },
    Remote(Arc<RemoteBlob>),
    /// A whole file that is itself the layer (a `rootfs-archive:` source).
    File(Arc<Path>),
}

#[derive(Debug)]
struct RemoteBlob {
    client: RegistryClient,
    reference: Reference,
    digest: Digest,
    size: Option<u64>,
}

impl BlobHandle {
    pub(crate) fn new(container: &Container, name: &str, label: &str) -> BlobHandle {
        BlobHandle {
            description: format!("{label} in {}", container.origin()).into(),
            location: Location::Local {
                container: container.clone(),
                name: name.into(),
            },
        }
    }

    /// A file that is a layer by itself; `origin` names the source in messages.
    pub(crate) fn file(path: &Path, origin: &str) -> BlobHandle {
        BlobHandle {
            description: origin.into(),
            location: Location::File(path.into()),
        }
    }

    /// The blob `digest` of the image `reference`, pulled through `client`.
    pub(crate) fn remote(
        client: &RegistryClient,
        reference: &Reference,
        digest: &Digest,
        size: Option<u64>,
    ) -> BlobHandle {
        BlobHandle {
            description: format!("blob {digest} of {reference}").into(),
            location: Location::Remote(Arc::new(RemoteBlob {
                client: client.clone(),
                reference: reference.clone(),
                digest: digest.clone(),
                size,
            })),
        }
    }

    /// A fresh reader over the blob's stored bytes (still compressed, if the blob is).
    pub fn open(&self) -> Result<Box<dyn Read + Send>, SourceError> {
        match &self.location {
            Location::Local { container, name } => container.open(name),
            Location::Remote(blob) => {
                Ok(blob
                    .client
                    .open_blob(&blob.reference, &blob.digest, blob.size)?)
            }
            Location::File(path) => match File::open(path) {
                Ok(file) => Ok(Box::new(BufReader::new(file))),
                Err(e) => Err(crate::image::missing_or_io(path, e)),
            },
        }
    }

    /// Whether the readers [`open`](Self::open) returns check the blob's size and digest
    /// themselves and fail at the end of a blob that does not match. Registry blobs do (the
    /// cache must only ever hold verified blobs), so the layer reader need not hash them again.
    pub fn verifies_digest(&self) -> bool {
        matches!(self.location, Location::Remote(_))
    }

    /// The blob for error messages, e.g. `blob sha256:ab12cd34ef56… in oci-dir ./app.oci`.
    pub fn describe(&self) -> String {
        self.description.to_string()
    }
}
