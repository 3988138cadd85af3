//! syft-json, Syft's own format and Grype's richest input, as Syft 1.18 writes it (schema
//! 16.0.18, vendored in `schemas/syft/`), and reading it back.
//!
//! What Grype and `syft convert` see is exactly the final filesystem: one artifact per package
//! not removed, each located in the layer that introduced it (`layerID` = that layer's
//! diff_id, resolvable through `source.metadata.layers`), with the typed metadata Grype's
//! matchers read ([`metadata`]). Packages a later layer removed are not artifacts, or Grype
//! would report their vulnerabilities; they, and every native field the standard ones cannot
//! carry, are kept in `descriptor.configuration.sbomgen` ([`extension`]), which Syft treats as
//! opaque tool options and [`read_json`] restores losslessly.
//!
//! The document has no timestamp and every list has a fixed order, so the same image gives
//! byte-identical output.

use std::io::Write;

use sbomgen_model::Sbom;

use crate::FormatError;

mod build;
mod extension;
mod kinds;
mod metadata;
mod model;
mod read;

/// The syft-json schema version written (Syft 1.18.1's `JSONSchemaVersion`).
pub const SCHEMA_VERSION: &str = "16.0.18";
/// Where that schema is published; `schemas/syft/schema-16.0.18.json` is a copy.
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.18.json";

/// Writes `sbom` as a syft-json document, pretty-printed, with a final newline.
pub fn write_json(sbom: &Sbom, out: &mut dyn Write) -> Result<(), FormatError> {
    let document = build::document(sbom)?;
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Rebuilds an [`Sbom`] from a syft-json document (sbomgen's own, losslessly, or Syft's).
pub fn read_json(document: &serde_json::Value) -> Result<Sbom, FormatError> {
    read::read(document)
}

/// Whether `document` looks like syft-json: Syft's top-level `artifacts` and `descriptor`.
pub fn is_syft_json(document: &serde_json::Value) -> bool {
    document
        .as_object()
        .is_some_and(|o| o.contains_key("artifacts") && o.contains_key("descriptor"))
}

#[cfg(test)]
mod tests;
