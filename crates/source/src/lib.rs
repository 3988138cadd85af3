//! Opens an image from a local source or a registry and hands out its layers as readable blobs.
//!
//! Role: parse the user's source string ([`SourceSpec`]), auto-detect its kind, read
//! index → manifest → config (OCI and Docker media types), choose the platform, and return an
//! [`Image`]: the [`SourceInfo`] for the document plus one [`LayerSource`] per layer, each able to
//! open its blob as a fresh stream. Nothing here decompresses or reads layers: that is
//! `sbomgen-layer`'s job, which also verifies blob digests and diff_ids while streaming.
//!
//! Small JSON documents (index, manifest, config) are verified against their digests on read.
//! Registry sources go through `sbomgen-registry` (set up by [`OpenOptions::registry`]); their
//! layer blobs are downloaded (or read from its blob cache) when a layer is opened.
//!
//! ```no_run
//! use sbomgen_source::{open, OpenOptions, SourceSpec};
//! let spec = SourceSpec::parse("oci-dir:./app.oci").unwrap();
//! let image = open(&spec, &OpenOptions::default()).unwrap();
//! for layer in &image.layers {
//!     println!("{} {:?}", layer.index, layer.diff_id);
//! }
//! ```
//!
//! [`SourceInfo`]: sbomgen_model::SourceInfo

mod config;
mod container;
mod docker;
mod error;
mod image;
mod index;
mod launch;
mod manifest;
mod oci;
mod remote;
mod select;
mod spec;
mod tarindex;
mod verify;

pub use container::BlobHandle;
pub use error::SourceError;
pub use image::{open, Image, LayerContent, LayerSource, OpenOptions};
pub use launch::Launch;
pub use sbomgen_registry::{ClientOptions as RegistryOptions, Reference};
pub use spec::SourceSpec;
