//! The opened image and the entry point [`open`].

use std::path::{Path, PathBuf};

use sbomgen_model::{Digest, Platform, SourceInfo};
use sbomgen_registry::ClientOptions;

use crate::container::{BlobHandle, Container};
use crate::error::SourceError;
use crate::launch::Launch;
use crate::spec::SourceSpec;
use crate::{docker, oci, remote};

/// Choices made while opening a source.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The platform to choose from a multi-platform index; `None` = the only one, else
    /// linux/amd64. A single-platform image that does not satisfy it is an error.
    pub platform: Option<Platform>,
    /// How to reach registries (`registry:` sources only).
    pub registry: ClientOptions,
}

/// One image, ready to be read layer by layer.
#[derive(Debug, Clone)]
pub struct Image {
    pub info: SourceInfo,
    /// The config's `created` timestamp, verbatim.
    pub created: Option<String>,
    /// Every name the chosen image carries in the source (`ref.name` annotations, `RepoTags`).
    pub tags: Vec<String>,
    /// In manifest order, bottom layer first.
    pub layers: Vec<LayerSource>,
    /// What the config says the image runs; `None` for sources without a config.
    pub launch: Option<Launch>,
}

/// One layer as the manifest and config describe it; `sbomgen-layer` reads and verifies it.
#[derive(Debug, Clone)]
pub struct LayerSource {
    /// 0-based position in the manifest.
    pub index: usize,
    /// Expected digest of the stored blob, when the source states one.
    pub digest: Option<Digest>,
    /// Expected digest of the uncompressed tar (`rootfs.diff_ids[index]`).
    pub diff_id: Option<Digest>,
    /// The descriptor's media type, verbatim (docker archives have none).
    pub media_type: Option<String>,
    /// Stored size in bytes.
    pub size: Option<u64>,
    /// The history entry that produced the layer.
    pub created_by: Option<String>,
    pub content: LayerContent,
}

/// Where a layer's files come from.
#[derive(Debug, Clone)]
pub enum LayerContent {
    /// A tar stream, possibly compressed.
    Blob(BlobHandle),
    /// A directory tree on disk (`dir:` sources).
    Directory(PathBuf),
}

/// Opens the image a [`SourceSpec`] names.
pub fn open(spec: &SourceSpec, options: &OpenOptions) -> Result<Image, SourceError> {
    let kind = spec.kind();
    match spec {
        SourceSpec::OciDir { path, reference } => {
            let container = Container::dir(require_dir(path)?, origin(kind, path));
            oci::open(
                &container,
                located(kind, path),
                reference.as_deref(),
                options,
            )
        }
        SourceSpec::OciArchive { path, reference } => {
            let container = Container::archive(require_file(path)?, origin(kind, path))?;
            oci::open(
                &container,
                located(kind, path),
                reference.as_deref(),
                options,
            )
        }
        SourceSpec::DockerArchive { path, reference } => {
            let container = Container::archive(require_file(path)?, origin(kind, path))?;
            docker::open(
                &container,
                located(kind, path),
                reference.as_deref(),
                options,
            )
        }
        SourceSpec::Dir { path } => Ok(Image {
            info: located(kind, require_dir(path)?),
            created: None,
            tags: Vec::new(),
            launch: None,
            layers: vec![LayerSource {
                index: 0,
                digest: None,
                diff_id: None,
                media_type: None,
                size: None,
                created_by: None,
                content: LayerContent::Directory(path.clone()),
            }],
        }),
        SourceSpec::RootfsArchive { path } => {
            let blob = BlobHandle::file(require_file(path)?, &origin(kind, path));
            Ok(Image {
                info: located(kind, path),
                created: None,
                tags: Vec::new(),
                launch: None,
                layers: vec![LayerSource {
                    index: 0,
                    digest: None,
                    diff_id: None,
                    media_type: None,
                    size: std::fs::metadata(path).ok().map(|m| m.len()),
                    created_by: None,
                    content: LayerContent::Blob(blob),
                }],
            })
        }
        SourceSpec::Registry { reference } => remote::open(reference, options),
    }
}

fn origin(kind: &str, path: &Path) -> String {
    format!("{kind} {}", path.display())
}

fn located(kind: &str, path: &Path) -> SourceInfo {
    SourceInfo {
        kind: kind.to_string(),
        path: Some(path.display().to_string()),
        ..SourceInfo::default()
    }
}

fn require_dir(path: &Path) -> Result<&Path, SourceError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(path),
        Ok(_) => Err(SourceError::NotADirectory {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(missing_or_io(path, e)),
    }
}

fn require_file(path: &Path) -> Result<&Path, SourceError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(SourceError::NotAnArchive {
            path: path.to_path_buf(),
        }),
        Ok(_) => Ok(path),
        Err(e) => Err(missing_or_io(path, e)),
    }
}

pub(crate) fn missing_or_io(path: &Path, source: std::io::Error) -> SourceError {
    if source.kind() == std::io::ErrorKind::NotFound {
        SourceError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        SourceError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
