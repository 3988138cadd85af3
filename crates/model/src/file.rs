//! What one layer holds: its file entries, its whiteouts and the bytes of the files a consumer asked for.

use std::collections::BTreeMap;

use serde::Serialize;

/// The kind of a filesystem entry, as a tar header or `lstat` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    /// A tar hard link: same content as `link_target`, an earlier entry of the same layer.
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Other,
}

impl FileKind {
    pub fn is_dir(self) -> bool {
        self == FileKind::Directory
    }
}

/// One entry of a layer's file index, without its path: the index is keyed by the path
/// (normalised: relative to the root, no leading `./` or `/`, no trailing `/`, no `.` or `..`
/// components), and a million-entry image must not hold each path twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    pub kind: FileKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Symlink target as written (may be relative or absolute), or the normalised path a hard link
    /// points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
}

/// A deletion marker of the OCI/AUFS whiteout convention.
///
/// See the OCI image spec, "Representing Changes": `.wh.<name>` removes `<name>` from lower
/// layers, `.wh..wh..opq` makes its directory opaque (lower layers' children are hidden).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "path")]
pub enum Whiteout {
    /// The named path (and everything below it) is deleted.
    File(String),
    /// The directory's lower-layer contents are hidden; the directory itself stays. The root is `""`.
    Opaque(String),
}

/// Everything the layer reader keeps of one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerFiles {
    /// Entries by normalised path; a path written twice in one tar keeps the last entry, as
    /// extraction would.
    pub entries: BTreeMap<String, FileEntry>,
    pub whiteouts: Vec<Whiteout>,
    /// Contents of the regular files whose path a consumer asked for (under the size cap).
    pub captured: BTreeMap<String, Vec<u8>>,
    /// What file cataloguers parsed from the regular files they asked for, by path; the bytes
    /// themselves were dropped once parsed.
    pub parsed: BTreeMap<String, crate::FileFindings>,
}
