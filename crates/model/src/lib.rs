//! Domain types shared by every sbomgen crate. No I/O happens here.
//!
//! - [`Digest`]: a validated content digest (`sha256:<64 hex>`), used for blob digests and diff_ids.
//! - [`Platform`]: `os/arch[/variant]` as found in image indexes and configs.
//! - [`FileEntry`], [`Whiteout`], [`LayerFiles`]: what one layer holds, as the layer reader saw it.
//! - [`Distro`]: the operating system release of the final filesystem.
//! - [`PackageRecord`], [`FileFindings`]: what cataloguers report, before provenance.
//! - [`Sbom`] and its parts: the native document that formats encode.
//! - [`RemovedPackageFiles`]: the hidden files a removed package owned (a scan's side result).
//!
//! Neighbours: `sbomgen-layer` produces [`LayerFiles`], `sbomgen-overlay` merges them,
//! `sbomgen-format` writes an [`Sbom`].
//!
//! ```
//! use sbomgen_model::{Digest, Platform};
//! let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse().unwrap();
//! assert_eq!(d.algorithm(), "sha256");
//! let p: Platform = "linux/arm64/v8".parse().unwrap();
//! assert_eq!(p.to_string(), "linux/arm64/v8");
//! ```

mod digest;
mod distro;
mod document;
mod file;
mod platform;
mod record;
mod removal;

pub use digest::{Digest, DigestError};
pub use distro::Distro;
pub use document::{HiddenFile, LayerSummary, Location, Package, Sbom, SourceInfo};
pub use file::{FileEntry, FileKind, LayerFiles, Whiteout};
pub use platform::{Platform, PlatformError};
pub use record::{
    install_root, pep503_name, Catalogued, DirectUrl, Ecosystem, FileFindings, PackageRecord,
    Support,
};
pub use removal::RemovedPackageFiles;
