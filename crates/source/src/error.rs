//! The one error type of this crate.
//!
//! Every variant names the input it is about: a path as the user gave it, or an `origin` such as
//! `oci-archive ./app.tar` plus the file or digest inside it.

use std::io;
use std::path::PathBuf;

use sbomgen_model::{Digest, DigestError, Platform};
use sbomgen_registry::{ReferenceError, RegistryError};

/// Why a source could not be parsed or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("source {} does not exist", .path.display())]
    NotFound { path: PathBuf },

    #[error(
        "unknown source scheme {scheme:?} in {input:?} (known schemes: {})",
        known_schemes()
    )]
    UnknownScheme { scheme: String, input: String },

    /// A bare name that is neither a path nor clearly an image reference (no tag, digest or
    /// registry host), e.g. `alpine`.
    #[error(
        "source {input} does not exist (to pull it from a registry, write registry:{input} or \
         {input}:latest)"
    )]
    NotFoundOrReference { input: String },

    #[error(transparent)]
    BadReference(#[from] ReferenceError),

    #[error(transparent)]
    Registry(Box<RegistryError>),

    #[error(
        "{} is not an image archive: neither oci-layout nor manifest.json found (for a root \
         filesystem tarball, use rootfs-archive:{})",
        .path.display(),
        .path.display()
    )]
    NotAnImageArchive { path: PathBuf },

    #[error("{} is not a tar archive (plain, gzip or zstd) or a directory", .path.display())]
    NotAnArchive { path: PathBuf },

    #[error("{} is not a directory", .path.display())]
    NotADirectory { path: PathBuf },

    #[error("cannot read {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("cannot read {name} in {origin}: {source}")]
    ReadEntry {
        name: String,
        origin: String,
        source: io::Error,
    },

    #[error("{name} not found in {origin}")]
    MissingFile { name: String, origin: String },

    #[error("blob {digest} not found in {origin}")]
    MissingBlob { digest: Digest, origin: String },

    #[error("{name} in {origin} is not a safe relative path")]
    UnsafePath { name: String, origin: String },

    /// A file of a directory source that resolves (through a symlink) to a place outside it, or
    /// to something that is not a regular file: its bytes are never read, nor quoted in errors.
    #[error("{name} in {origin} is not a regular file inside it (a symlink leading out, or a special file)")]
    OutsideSource { name: String, origin: String },

    #[error("{name} in {origin} is a link that cannot be resolved (dangling, loop or too deep)")]
    BadLink { name: String, origin: String },

    #[error("malformed JSON in {file}: {message}")]
    Json { file: String, message: String },

    #[error("{file} is {size} bytes, above the {limit}-byte limit for JSON documents")]
    TooLarge { file: String, size: u64, limit: u64 },

    #[error("{what}: digest mismatch, expected {expected}, found {actual}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },

    #[error("{what}: size mismatch, descriptor says {expected} bytes, found {actual}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },

    #[error("{what}: invalid digest: {source}")]
    InvalidDigest { what: String, source: DigestError },

    #[error("{what}: unsupported manifest media type {media_type:?}")]
    UnknownMediaType { what: String, media_type: String },

    #[error("{what}: image indexes nested deeper than {limit} levels")]
    TooDeep { what: String, limit: usize },

    #[error("{what}: more than {limit} entries in its image indexes, nested ones counted")]
    TooManyEntries { what: String, limit: usize },

    #[error("config {config} lists {diff_ids} diff_ids but the manifest has {layers} layers")]
    LayerCountMismatch {
        config: String,
        diff_ids: usize,
        layers: usize,
    },

    #[error("{origin} holds no image")]
    NoImages { origin: String },

    #[error("{origin} holds several images, choose one with a reference suffix: {}", .images.join(", "))]
    AmbiguousImage { origin: String, images: Vec<String> },

    #[error("reference {reference:?} not found in {origin} (available: {})", list_or_none(.available))]
    ReferenceNotFound {
        reference: String,
        origin: String,
        available: Vec<String>,
    },

    #[error("platform {wanted} not found in {origin} (platforms present: {})", list_or_none(.available))]
    PlatformNotFound {
        wanted: Platform,
        origin: String,
        available: Vec<String>,
    },

    #[error(
        "{origin} holds several platforms and none is linux/amd64, choose one with --platform \
         (platforms present: {})", list_or_none(.available)
    )]
    NoDefaultPlatform {
        origin: String,
        available: Vec<String>,
    },

    #[error("{origin} is an image for {actual}, not the requested platform {wanted}")]
    PlatformMismatch {
        wanted: Box<Platform>,
        actual: Box<Platform>,
        origin: String,
    },
}

impl From<RegistryError> for SourceError {
    fn from(error: RegistryError) -> Self {
        SourceError::Registry(Box::new(error))
    }
}

fn known_schemes() -> String {
    let schemes: Vec<String> = crate::spec::SCHEMES
        .iter()
        .map(|s| format!("{s}:"))
        .collect();
    schemes.join(", ")
}

/// The most names an error message lists: an index of 40,000 tags must not print megabytes.
const LISTED: usize = 20;

fn list_or_none(items: &[String]) -> String {
    match items.len() {
        0 => "none".to_string(),
        n if n <= LISTED => items.join(", "),
        n => format!("{}, and {} more", items[..LISTED].join(", "), n - LISTED),
    }
}
