//! What to build: entries, layers and images, as plain data with small builders.

use std::path::{Path, PathBuf};

use sbomgen_model::Platform;

/// How a layer blob is compressed; each variant mirrors a layout real registries serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Plain tar (`docker save` layers, `…layer.v1.tar`).
    None,
    /// One gzip member (the common `…tar+gzip`).
    Gzip,
    /// One zstd frame (`…tar+zstd`).
    Zstd,
    /// estargz-like: one gzip member per tar entry, one for the end-of-archive blocks, concatenated.
    GzipMultiMember,
    /// zstd:chunked-like: one zstd frame per tar entry with a skippable frame between frames.
    ZstdMultiFrame,
}

/// One tar entry of a layer, written in the order given.
///
/// Paths are written without a leading `/` (the tar crate refuses absolute names); use
/// [`Entry::RawFile`] when a test needs a name exactly as hostile or odd images spell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file held in memory.
    File {
        path: String,
        content: Vec<u8>,
        mode: u32,
    },
    /// A directory; its tar name gets a trailing `/`.
    Dir { path: String, mode: u32 },
    /// A symbolic link (`EntryType::Symlink`), target written verbatim.
    Symlink { path: String, target: String },
    /// A hard link (`EntryType::Link`) to an earlier entry's path.
    Hardlink { path: String, target: String },
    /// Deletes a lower-layer path: writes `<parent>/.wh.<name>` for `<parent>/<name>`.
    Whiteout { path: String },
    /// Hides a lower-layer directory's contents: writes `<dir>/.wh..wh..opq`.
    Opaque { dir: String },
    /// A regular file whose header name bytes are written verbatim (`../escape`, `./x`, `/abs`),
    /// bypassing the tar crate's path checks; names over 100 bytes get a GNU long-name entry.
    RawFile { name: String, content: Vec<u8> },
    /// A regular file streamed from disk when the layer is built (see [`LayerSpec::from_dir`]);
    /// skipped if it cannot be opened then. Its size is read at build time; a file that shrinks
    /// meanwhile is padded with zeros so the tar stays well formed.
    DiskFile {
        path: String,
        source: PathBuf,
        mode: u32,
    },
}

impl Entry {
    /// A regular file with mode 0o644.
    pub fn file(path: &str, content: impl Into<Vec<u8>>) -> Entry {
        Entry::File {
            path: path.to_string(),
            content: content.into(),
            mode: 0o644,
        }
    }

    /// A directory with mode 0o755.
    pub fn dir(path: &str) -> Entry {
        Entry::Dir {
            path: path.to_string(),
            mode: 0o755,
        }
    }

    /// A symbolic link `path -> target`.
    pub fn symlink(path: &str, target: &str) -> Entry {
        Entry::Symlink {
            path: path.to_string(),
            target: target.to_string(),
        }
    }

    /// A hard link `path` sharing the content of the entry named `target`.
    pub fn hardlink(path: &str, target: &str) -> Entry {
        Entry::Hardlink {
            path: path.to_string(),
            target: target.to_string(),
        }
    }

    /// A whiteout deleting `path` from lower layers.
    pub fn whiteout(path: &str) -> Entry {
        Entry::Whiteout {
            path: path.to_string(),
        }
    }

    /// An opaque-directory marker for `dir`.
    pub fn opaque(dir: &str) -> Entry {
        Entry::Opaque {
            dir: dir.to_string(),
        }
    }

    /// A regular file whose tar name is `name` byte for byte.
    pub fn raw_file(name: &str, content: impl Into<Vec<u8>>) -> Entry {
        Entry::RawFile {
            name: name.to_string(),
            content: content.into(),
        }
    }
}

/// One layer: its entries, how its blob is compressed and the history line that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpec {
    pub entries: Vec<Entry>,
    pub compression: Compression,
    pub created_by: Option<String>,
}

impl LayerSpec {
    /// An empty layer (a valid tar of just the end-of-archive blocks).
    pub fn new(compression: Compression) -> Self {
        LayerSpec {
            entries: Vec::new(),
            compression,
            created_by: None,
        }
    }

    /// Appends an entry.
    #[must_use]
    pub fn entry(mut self, e: Entry) -> Self {
        self.entries.push(e);
        self
    }

    /// Sets the config history `created_by` for this layer (default `layer N`).
    #[must_use]
    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = Some(s.to_string());
        self
    }

    /// A layer mirroring a real directory, for large benchmark images.
    ///
    /// Walks `root` in byte order of names (so the tar is deterministic), naming entries
    /// `prefix/<relative path>`; directories and symlinks are kept as such, files become
    /// [`Entry::DiskFile`] (streamed at build time, never held in memory); unreadable files,
    /// special files and non-UTF-8 names are skipped. The walk stops once `max_bytes` of file
    /// content has been added, so the last file may cross the budget.
    pub fn from_dir(root: &Path, prefix: &str, max_bytes: u64, compression: Compression) -> Self {
        LayerSpec {
            entries: crate::dir_walk::walk(root, prefix, max_bytes),
            compression,
            created_by: None,
        }
    }
}

/// One platform's image: its layers, history and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    pub platform: Platform,
    pub layers: Vec<LayerSpec>,
    /// History entries with `empty_layer: true` (ENV, CMD…), each inserted before the layer at
    /// the given index; an index of `layers.len()` or more puts it at the end.
    pub empty_history: Vec<(usize, String)>,
    /// RFC 3339 creation time, for the config and every history entry.
    pub created: String,
    /// `config.Entrypoint` and `config.Cmd`, when set (else the config's `config` is `{}`).
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
}

impl ImageSpec {
    /// An image with no layers, created `2024-01-01T00:00:00Z`.
    pub fn new(platform: Platform) -> Self {
        ImageSpec {
            platform,
            layers: Vec::new(),
            empty_history: Vec::new(),
            created: "2024-01-01T00:00:00Z".to_string(),
            entrypoint: None,
            cmd: None,
        }
    }

    /// Appends a layer.
    #[must_use]
    pub fn layer(mut self, l: LayerSpec) -> Self {
        self.layers.push(l);
        self
    }

    /// Adds an empty-layer history entry before layer `before_layer`.
    #[must_use]
    pub fn empty_history(mut self, before_layer: usize, created_by: &str) -> Self {
        self.empty_history
            .push((before_layer, created_by.to_string()));
        self
    }

    /// Sets the config's `Entrypoint` (exec form).
    #[must_use]
    pub fn entrypoint(mut self, argv: &[&str]) -> Self {
        self.entrypoint = Some(argv.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Sets the config's `Cmd`; Docker's shell form `CMD x y` is `["/bin/sh", "-c", "x y"]`.
    #[must_use]
    pub fn cmd(mut self, argv: &[&str]) -> Self {
        self.cmd = Some(argv.iter().map(|s| (*s).to_owned()).collect());
        self
    }
}
