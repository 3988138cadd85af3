//! The native sbomgen document: what was scanned, its layers, what they hide, and its packages.
//!
//! Field names are the contract of `-o json` (camelCase). Encoders sort keys, so declaration order
//! here does not matter for output.

use serde::{Deserialize, Serialize};

use crate::{Digest, Distro, Platform};

/// The whole result of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sbom {
    pub source: SourceInfo,
    pub distro: Option<Distro>,
    pub layers: Vec<LayerSummary>,
    pub hidden_files: Vec<HiddenFile>,
    pub packages: Vec<Package>,
}

impl Sbom {
    /// Puts packages in document order: by type, name, version, arch, then introducing layer.
    /// Every producer (a scan, a converted document) uses it, so the same content always lists
    /// the same way.
    pub fn sort_packages(&mut self) {
        // Locations last: two copies of one npm package at two paths are two packages.
        self.packages.sort_by(|a, b| {
            (
                &a.kind,
                &a.name,
                &a.version,
                &a.arch,
                a.declared,
                a.introduced_in,
                &a.locations,
            )
                .cmp(&(
                    &b.kind,
                    &b.name,
                    &b.version,
                    &b.arch,
                    b.declared,
                    b.introduced_in,
                    &b.locations,
                ))
        });
    }
}

/// Where the image came from and which manifest was chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceInfo {
    /// `oci-dir`, `oci-archive`, `docker-archive`, `dir` or `registry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Local path, for local sources.
    pub path: Option<String>,
    /// Image reference (registry sources, or the tag chosen inside an archive).
    pub reference: Option<String>,
    /// Digest of the image manifest; absent where the source has no manifest (docker archive, dir).
    pub manifest_digest: Option<Digest>,
    /// Digest of the multi-platform index the manifest was chosen from, for registry references
    /// that name an index (what `docker pull` and cosign see as the image's digest).
    pub index_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub platform: Option<Platform>,
    /// The image config's `created` timestamp, verbatim (documents derive their own timestamp
    /// from it, so that the same image gives the same document).
    #[serde(default)]
    pub created: Option<String>,
    /// What the user calls the image (`--source-name`), in place of the name derived from its
    /// reference or path. Absent unless given, so documents stay as they were without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The image's version as the user states it (`--source-version`), in place of its tag or
    /// manifest digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One layer, 0-based in manifest order, with what it changed in the filesystem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LayerSummary {
    pub index: usize,
    /// Digest of the blob as stored (compressed); equal to `diff_id` for uncompressed layers.
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar stream (the config's `rootfs.diff_ids` entry).
    pub diff_id: Option<Digest>,
    pub media_type: Option<String>,
    /// Size of the stored blob in bytes.
    pub size: Option<u64>,
    /// The config history entry that produced this layer.
    pub created_by: Option<String>,
    /// Paths this layer created (not visible below it).
    pub added: u64,
    /// Paths this layer rewrote (visible below it); directories count only when their metadata changed.
    pub modified: u64,
    /// Visible paths this layer removed (whiteouts, opaque directories, a file replacing a directory).
    pub deleted: u64,
}

/// A file written by one layer and removed by a later one: absent from the final filesystem, yet
/// still shipped in the image's blobs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HiddenFile {
    pub path: String,
    pub size: u64,
    pub added_in: usize,
    pub removed_in: usize,
}

/// Where a package record was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub path: String,
    pub layer_index: usize,
}

/// A catalogued package with its layer provenance (filled by the cataloguers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// The purl type, e.g. `deb`, `apk`, `rpm`.
    #[serde(rename = "type")]
    pub kind: String,
    pub purl: Option<String>,
    pub cpes: Vec<String>,
    pub licenses: Vec<String>,
    pub arch: Option<String>,
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    pub introduced_in: Option<usize>,
    pub removed_in: Option<usize>,
    pub replaced_by: Option<String>,
    pub locations: Vec<Location>,
    /// Files the package database says the package owns.
    pub files: u64,
    /// How many of those are still in the final filesystem. A removed package whose files are
    /// still present had its database entry deleted, not its software.
    pub files_present: u64,
    pub depends_on: Vec<String>,
    /// The purl of the OS package whose file list holds this package's metadata file (a
    /// `python3-yaml` deb owning `yaml`'s dist-info): the same software, found twice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// Listed by a lockfile or pin list (what should be installed), not found installed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    pub metadata: serde_json::Value,
}
