//! Reads a JSON SBOM back into the native model, in whichever JSON format sbomgen reads.

use sbomgen_model::Sbom;

use crate::{cyclonedx, spdx, spdx3, syft, FormatError};

/// The kinds of document [`read`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Native,
    Spdx,
    /// SPDX 3 JSON-LD (`@context` an spdx.org 3.x context).
    Spdx3,
    CycloneDx,
    /// syft-json: Syft's, or sbomgen's own.
    SyftJson,
}

/// Tells the document kind from its top-level keys.
pub fn detect(document: &serde_json::Value) -> Option<InputKind> {
    let object = document.as_object()?;
    if object.contains_key("spdxVersion") {
        Some(InputKind::Spdx)
    } else if spdx3::is_spdx3(document) {
        Some(InputKind::Spdx3)
    } else if object.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        Some(InputKind::CycloneDx)
    } else if syft::is_syft_json(document) {
        Some(InputKind::SyftJson)
    } else if object.contains_key("source") && object.contains_key("packages") {
        Some(InputKind::Native)
    } else {
        None
    }
}

/// Parses `bytes` (named `what` in errors) as a native, SPDX or CycloneDX JSON document.
pub fn read(bytes: &[u8], what: &str) -> Result<Sbom, FormatError> {
    let unreadable = |problem: String| FormatError::Unreadable {
        what: what.to_string(),
        problem,
    };
    let document: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unreadable(format!("not JSON: {e}")))?;
    match detect(&document) {
        Some(InputKind::Native) => serde_json::from_value(document)
            .map_err(|e| unreadable(format!("not an sbomgen document: {e}"))),
        Some(InputKind::Spdx) => spdx::read_json(&document),
        Some(InputKind::Spdx3) => spdx3::read_json(&document),
        Some(InputKind::CycloneDx) => cyclonedx::read_json(&document),
        Some(InputKind::SyftJson) => syft::read_json(&document),
        None => Err(unreadable(
            "neither an sbomgen, SPDX (spdxVersion, or an SPDX 3 @context), CycloneDX (bomFormat) nor syft-json \
             (artifacts, descriptor) JSON document"
                .into(),
        )),
    }
    // Readers name the place inside the document; the message also names the file.
    .map_err(|e| unreadable(e.to_string()))
}
