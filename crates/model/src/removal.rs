//! Which hidden files went with a removed package: what a scan knows beyond the document.
//!
//! A purge deletes a package's files and its database entry in one layer; the image still ships
//! them in the layer below, so they show up among the hidden files (often a hundred or more of
//! documentation and locale files per package). Matching them to the package lets a reader
//! fold them into one line and see the few hidden files nobody's package explains.

/// A package a later layer removed (or replaced), with the hidden files it owned. Serialised
/// only inside sbomgen (image results in the scan cache), never in a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemovedPackageFiles {
    pub name: String,
    /// As the document's package lists it (rpm epoch included).
    pub version: String,
    /// The purl type, as [`Package::kind`](crate::Package::kind).
    pub kind: String,
    /// The layer that removed it.
    pub removed_in: usize,
    /// A newer version took its place (an upgrade), rather than a removal.
    pub replaced: bool,
    /// Paths of [`Sbom::hidden_files`](crate::Sbom::hidden_files) removed in `removed_in` that
    /// the package owned: listed by its database, or its own database files (dpkg's
    /// `info/<package>.*`). Sorted.
    pub paths: Vec<String>,
}
