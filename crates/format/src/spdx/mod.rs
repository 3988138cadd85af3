//! SPDX 2.3 documents: JSON and tag-value out, JSON back in.
//!
//! Both encodings serialise one in-memory [`model::Document`], built once from the [`Sbom`], so
//! they cannot drift apart. The shape follows what the SPDX consumers we feed expect:
//!
//! - `SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image`, the image package (`primaryPackagePurpose`
//!   `CONTAINER`, `pkg:oci` purl and manifest checksum when known);
//! - `SPDXRef-Image CONTAINS SPDXRef-OperatingSystem-<id>` (purpose `OPERATING_SYSTEM`), which
//!   `CONTAINS` every OS package: Trivy finds OS packages through that relationship and the
//!   `SPDXRef-OperatingSystem-` id prefix;
//! - the image `CONTAINS` the other packages; packages `DEPENDS_ON` packages;
//! - package elements are the packages of the final filesystem only. Trivy and Syft count every
//!   package element as installed whatever its relationships, so packages a later layer removed
//!   are carried in annotations of the image instead (`sbomgen:removedPackage=<native JSON>`,
//!   [`removed`]), from which [`read`] restores them;
//! - layer provenance as `OTHER` annotations whose comment is `sbomgen:<name>=<value>`
//!   ([`crate::provenance`]), on the image and on each package, and beside it Trivy's own
//!   `LayerDiffID: sha256:…` / `LayerDigest:` on packages and `DiffID:` / `ImageID:` on the
//!   image ([`trivy`]), repeated as attribution texts for Trivy's tag-value reader, so that
//!   Trivy shows each package's introducing layer.
//!
//! Modules: [`model`] builds the document and [`package`] its package elements, [`license`]
//! turns declared licences into SPDX expressions (and back), [`cpe`] keeps CPEs to the grammar
//! validators enforce, [`json`] and [`tag_value`] serialise, [`read`] rebuilds an [`Sbom`] from
//! SPDX JSON (sbomgen's own, Syft's and Trivy's), with [`foreign`] holding what is specific to
//! the other tools' documents.

use std::io::Write;

use sbomgen_model::Sbom;

use crate::{DocumentInfo, FormatError};

mod cpe;
pub(crate) mod foreign;
mod json;
pub(crate) mod license;
mod model;
pub(crate) mod package;
mod read;
mod removed;
mod tag_value;
mod trivy;

pub(crate) use model::OWNED_BY_COMMENT;

/// Writes `sbom` as SPDX 2.3 JSON, pretty-printed, with a final newline.
pub fn write_json(
    sbom: &Sbom,
    info: &DocumentInfo,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    json::write(&model::Document::build(sbom, info)?, out)
}

/// Writes `sbom` as an SPDX 2.3 tag-value document.
pub fn write_tag_value(
    sbom: &Sbom,
    info: &DocumentInfo,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    tag_value::write(&model::Document::build(sbom, info)?, out)
}

/// Rebuilds an [`Sbom`] from an SPDX 2.x JSON document: sbomgen's own losslessly (layer
/// provenance included), Syft's and Trivy's as far as they carry the information.
pub fn read_json(document: &serde_json::Value) -> Result<Sbom, FormatError> {
    read::read(document)
}
