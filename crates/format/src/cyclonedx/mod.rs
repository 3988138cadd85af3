//! CycloneDX documents: JSON 1.6 and 1.5, XML 1.6 and 1.5, and reading JSON back.
//!
//! One in-memory model ([`model::Bom`], built once from the [`Sbom`]) is encoded by [`json`] and
//! [`xml`], so both encodings always say the same thing. Layout, chosen for what consumers
//! expect (Trivy, Grype, Dependency-Track):
//!
//! - `metadata.component` is the image (`container`), with the layer provenance as `sbomgen:`
//!   properties ([`crate::provenance::image_properties`]);
//! - the distro is an `operating-system` component whose dependency entry lists every OS
//!   package: Trivy and Dependency-Track only match OS packages reachable from it;
//! - every package is a top-level `library` component with its provenance properties; a removed
//!   package's `description` starts with the removal note;
//! - `dependencies` has an entry for every component (empty ones say "no dependencies", as the
//!   specification asks), the image depending on the distro and on the non-OS packages.
//!
//! [`read`] rebuilds an [`Sbom`] from sbomgen's documents and, best effort, Syft's and Trivy's.

use std::io::Write;

use sbomgen_model::Sbom;

use crate::{DocumentInfo, FormatError};

mod cpe;
mod json;
mod licenses;
mod model;
mod read;
mod xml;

/// The CycloneDX specification version a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecVersion {
    V1_5,
    V1_6,
}

impl SpecVersion {
    /// `1.5` or `1.6`, as `specVersion` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
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
mod tests;
