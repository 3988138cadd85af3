//! Reads one layer in a single streaming pass and keeps only what later stages need.
//!
//! Role: given a layer blob as a `Read` (compressed or not), [`read_layer`] detects the
//! compression, inflates it, parses the tar stream entry by entry, and returns a [`LayerReport`]:
//! the layer's file index and whiteouts ([`sbomgen_model::LayerFiles`]), the bytes of files whose
//! path a consumer asked for through a [`PathMatcher`], and the computed blob digest and diff_id,
//! which are checked against the expected ones at end of stream. Files an [`EntryParser`]
//! wants are parsed as they stream past and only the findings are kept. Nothing is written to disk and no
//! layer is held whole in memory: memory is bounded by [`Limits`].
//!
//! [`read_directory`] gives the same report for a plain directory (the `dir:` source).
//!
//! Neighbours: `sbomgen-source` opens blobs, `sbomgen-overlay` merges the reports.
//!
//! ```
//! use sbomgen_layer::{read_layer, Expected, Limits, PathMatcher};
//! let matcher = PathMatcher::new(["etc/os-release"]).unwrap();
//! let empty_tar = [0u8; 1024];
//! let report = read_layer(&empty_tar[..], &Expected::default(), &matcher, &Limits::default()).unwrap();
//! assert!(report.files.entries.is_empty());
//! ```

mod compression;
mod directory;
mod error;
mod hashing;
mod limits;
mod matcher;
mod name;
mod parse;
mod path;
mod reader;
mod tar_guard;

pub use compression::Compression;
pub use directory::read_directory;
pub use error::LayerError;
pub use limits::Limits;
pub use matcher::PathMatcher;
pub use name::name_from_bytes;
pub use parse::{Content, EntryParser, HEAD_LEN};
pub use path::{normalize, NormalizedPath};
pub use reader::{read_layer, Expected, LayerReport};
