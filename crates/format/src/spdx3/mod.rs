//! SPDX 3.0.1 JSON-LD documents (`spdx-json@3.0`): written from an [`Sbom`], and read back.
//!
//! One `@graph` of elements sharing one `CreationInfo` (created by the `sbomgen` SoftwareAgent
//! using the `sbomgen-<version>` Tool, at [`DocumentInfo::created`]). Every spdxId is
//! `https://sbomgen.dev/spdx3/<image>-<uuid>#<local>`, the local part derived from content
//! ([`crate::ids`]), so the same image gives the same bytes. The shape:
//!
//! - `SpdxDocument` → rootElement `software_Sbom` (sbomType `analyzed`: sbomgen inspects a
//!   built image, it neither builds nor runs it) → rootElement the image, a `software_Package` of
//!   primaryPurpose `container` (manifest digest as version and sha256 Hash, `pkg:oci` purl);
//! - the image `contains` the distro, a package of purpose `operatingSystem` (named by family as
//!   in the SPDX 2.3 and CycloneDX documents, for Trivy-style matchers), which `contains` the OS
//!   packages of the final filesystem; the image `contains` the other final packages;
//! - **removed packages** (a later layer deleted them) are package elements too, but the image
//!   contains them only through a `LifecycleScopedRelationship` of scope **`build`**: they were
//!   installed while the image was built and still sit in its lower layers, but they are not in
//!   the filesystem a container runs. `runtime` would claim the opposite, and `other` would say
//!   nothing; `build` is the lifecycle phase in which they existed. The relationship's comment
//!   says so, and each such package's `comment` names the removing layer;
//! - packages `dependsOn` packages ([`crate::ids::dependency_edges`]); an OS package whose file list
//!   holds a language package's metadata is linked to it by an `other` relationship;
//! - declared licences as `simplelicensing_LicenseExpression` elements linked by
//!   `hasDeclaredLicense` (SPDX 2.3's `licenseDeclared`). Text that is not an SPDX expression
//!   becomes `LicenseRef-`s mapped by `customIdToUri` to `SimpleLicensingText` elements holding
//!   it verbatim. No `hasConcludedLicense` is written: sbomgen concludes nothing, and in SPDX 3
//!   an absent relationship is NOASSERTION (the model requires neither);
//! - CPEs as `externalIdentifier`s of type `cpe23`, suppliers as `Person` / `Organization`
//!   agents (`suppliedBy`), apk's package checksum as a sha1 `Hash`;
//! - layer provenance in sbomgen's vocabulary ([`crate::provenance`]): one `Annotation` (type
//!   `other`) per property, its statement `sbomgen:<name>=<value>`, on the image and on each
//!   package. SPDX 3 has no field for layers; annotations are its means for statements about
//!   an element, validate, and keep every value verbatim (layer commands contain newlines).
//!
//! Two more properties of sbomgen's vocabulary, written only when needed, make reading back
//! exact: `sbomgen:metadata` (a JSON object of the package metadata the SPDX fields above do not
//! restore, e.g. dpkg's `installedSize`) and `sbomgen:dependsOn` (the database's own dependency
//! names, when `dependsOn` relationships, which only reach packages in the image, cannot say
//! them). [`read`] thus rebuilds sbomgen's own documents into the very native document they
//! came from, removed packages and provenance included; other tools' SPDX 3 documents are read
//! as far as they carry the information (names, versions, purls, CPEs, licences, dependencies).
//!
//! Modules: [`model`] holds the element types, [`build`] makes the graph, [`package`] its
//! packages and suppliers, [`licensing`] its licence elements; [`read`] goes back.

use std::io::Write;

use sbomgen_model::Sbom;

use crate::{DocumentInfo, FormatError};

mod build;
// The SPDX 2.3 module's licence conversion (expressions, `LicenseRef-`s for raw text, and back)
// is exactly what SPDX 3's simple licensing needs.
use crate::spdx::license;
mod licensing;
mod model;
mod package;
mod read;
#[cfg(test)]
mod tests;

/// The JSON-LD context every SPDX 3.0.1 document names.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// Writes `sbom` as an SPDX 3.0.1 JSON-LD document, pretty-printed, with a final newline.
pub fn write_json(
    sbom: &Sbom,
    info: &DocumentInfo,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    let document = build::document(sbom, info);
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Whether `document` is SPDX 3 JSON-LD: its `@context` (a URL, or a list holding one) is
/// an spdx.org 3.x context.
pub fn is_spdx3(document: &serde_json::Value) -> bool {
    let is_spdx3_url = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|url| url.contains("spdx.org/rdf/3."))
    };
    match document.get("@context") {
        Some(serde_json::Value::Array(items)) => items.iter().any(is_spdx3_url),
        Some(context) => is_spdx3_url(context),
        None => false,
    }
}

/// Rebuilds an [`Sbom`] from an SPDX 3 JSON-LD document.
pub fn read_json(document: &serde_json::Value) -> Result<Sbom, FormatError> {
    read::read(document)
}
