//! Dev-only helper: builds real container images on disk, in-process, with no external tools,
//! so that other crates' tests and benchmarks can scan them.
//!
//! Describe an image with [`ImageSpec`] (layers of [`LayerSpec`], entries of [`Entry`]), then
//! write it as an OCI layout directory ([`write_oci_dir`]), an OCI archive
//! ([`write_oci_archive`]) or a `docker save` archive ([`write_docker_archive`]). The result
//! ([`BuiltLayout`], [`BuiltImage`], [`BuiltLayer`]) gives the digests and paths a test asserts
//! on. Layers can be plain, gzip, zstd, or split into several gzip members / zstd frames like
//! estargz and zstd:chunked ([`Compression`]). Everything is deterministic: the same spec gives
//! the same bytes and digests.
//!
//! Neighbours: uses `sbomgen-model` for [`Digest`] and [`Platform`]; used as a dev-dependency by
//! `source`, `layer`, `scan` and the benches.
//!
//! ```
//! use sbomgen_model::Platform;
//! use sbomgen_testkit::{write_oci_dir, Compression, Entry, ImageSpec, LayerSpec};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let image = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
//!     LayerSpec::new(Compression::Gzip)
//!         .entry(Entry::dir("etc"))
//!         .entry(Entry::file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.0\n")),
//! );
//! let layout = write_oci_dir(dir.path(), "latest", &[image]).unwrap();
//! assert!(layout.index_digest.is_none());
//! assert!(layout.images[0].layers[0].blob_path.exists());
//! ```

use std::path::PathBuf;

pub use sbomgen_model::{Digest, Platform};

mod archive;
mod blobs;
mod compress;
mod demo;
mod dir_walk;
mod docker;
mod image;
pub mod langfix;
mod oci;
pub mod python;
pub mod redis;
pub mod registry;
pub mod schema;
mod spec;
mod tar_build;
#[cfg(test)]
mod tests;

pub use compress::{compress, sha256};
pub use demo::{demo_image, DEMO_FILE, DEMO_TAG};
pub use docker::write_docker_archive;
pub use oci::{write_oci_archive, write_oci_dir};
pub use spec::{Compression, Entry, ImageSpec, LayerSpec};
pub use tar_build::layer_tar;

/// A layer as written: what a scanner should find when it verifies the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltLayer {
    /// sha256 of the compressed blob.
    pub digest: Digest,
    /// sha256 of the uncompressed tar stream (as listed in the config's `rootfs.diff_ids`).
    pub diff_id: Digest,
    /// OCI layer media type; empty for docker archives, which have none.
    pub media_type: String,
    /// Size of the compressed blob in bytes.
    pub size: u64,
    /// Where the blob lives on disk for OCI directories; for archives, its name inside the archive.
    pub blob_path: PathBuf,
    /// The blob's path inside the layout or archive (`blobs/sha256/<hex>`, `<n>/layer.tar`).
    pub archive_name: String,
}

/// One platform's image as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    /// The manifest's digest (for docker archives, the sha256 of `manifest.json`).
    pub manifest_digest: Digest,
    /// The config blob's digest.
    pub config_digest: Digest,
    /// The platform written to the config and index.
    pub platform: Platform,
    /// Layers in order, bottom first.
    pub layers: Vec<BuiltLayer>,
    /// The manifest's path inside the layout (`blobs/sha256/<hex>`, or `manifest.json`).
    pub manifest_path_in_layout: String,
    /// The config's path inside the layout (`blobs/sha256/<hex>`, or `<hex>.json`).
    pub config_path_in_layout: String,
}

/// An OCI layout as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltLayout {
    /// Digest of the nested image index, when several platforms were written.
    pub index_digest: Option<Digest>,
    /// The images, in the order of the specs.
    pub images: Vec<BuiltImage>,
}
