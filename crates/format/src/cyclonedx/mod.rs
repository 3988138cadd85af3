//! CycloneDX documents: JSON and XML in 1.7, 1.6 (the default) and 1.5, and reading JSON back.
//!
//! One in-memory model ([`model::Bom`], built once from the [`Sbom`]) is encoded by [`json`] and
//! [`xml`], so both encodings always say the same thing. Layout, chosen for what consumers
//! expect (Trivy, Syft and Grype, Dependency-Track):
//!
//! - `metadata.component` is the image (`container`), with the layer provenance as `sbomgen:`
//!   properties ([`crate::provenance::image_properties`]);
//! - the distro is an `operating-system` component whose dependency entry lists every
//!   installed OS package: Trivy and Dependency-Track only match OS packages reachable from it;
//! - every package still in the final filesystem is a top-level `library` component;
//! - every package a later layer removed is a component of one `formulation` entry (bom-ref
//!   `removed-packages`), where Trivy and Syft do not count it as installed (`scope: excluded`
//!   does not stop Trivy); its `description` starts with the removal note;
//! - each package carries its `sbomgen:` provenance properties and, as aliases naming the
//!   layer that introduced it, Trivy's `aquasecurity:trivy:Layer{DiffID,Digest}` and Syft's
//!   `syft:location:0:{layerID,path}` ([`peers`]), so `trivy sbom` shows `Layer.DiffID` and
//!   `syft convert` keeps the `layerID`;
//! - `dependencies` has an entry for every package, removed ones included, and for the image
//!   and distro (empty ones say "no dependencies", as the specification asks); every
//!   reference resolves to a bom-ref of the document.
//!
//! 1.6 stays the default: Syft before 1.46 (Syft 1.18 here answers "sbom format not
//! recognized"), the Grype releases bundling it, and Dependency-Track before its 1.7 support
//! (DependencyTrack/dependency-track#5818, #6703) refuse 1.7, while every one of them reads
//! 1.6; Trivy reads both.
//!
//! [`read`] rebuilds an [`Sbom`] from sbomgen's documents and, best effort, Syft's and Trivy's
//! ([`foreign`]).

use std::io::Write;

use sbomgen_model::Sbom;

use crate::{DocumentInfo, FormatError};

mod component;
mod cpe;
mod foreign;
mod json;
mod licenses;
mod model;
mod peers;
mod read;
mod xml;

pub use peers::{INTRODUCED_DIFF_ID, INTRODUCED_DIGEST};

/// The CycloneDX specification version a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecVersion {
    V1_5,
    V1_6,
    V1_7,
}

impl SpecVersion {
    /// `1.5`, `1.6` or `1.7`, as `specVersion` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

/// Writes `sbom` as a CycloneDX JSON document of `version`.
pub fn write_json(
    sbom: &Sbom,
    info: &DocumentInfo,
    version: SpecVersion,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    json::write(&model::Bom::build(sbom, info, version), out)
}

/// Writes `sbom` as a CycloneDX XML document of `version`.
pub fn write_xml(
    sbom: &Sbom,
    info: &DocumentInfo,
    version: SpecVersion,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    xml::write(&model::Bom::build(sbom, info, version), out)
}

/// Rebuilds an [`Sbom`] from a CycloneDX JSON document (sbomgen's own, Syft's or Trivy's).
pub fn read_json(document: &serde_json::Value) -> Result<Sbom, FormatError> {
    read::read(document)
}

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod test_schema;
#[cfg(test)]
mod tests;
