//! Harness for `sbomgen convert`: read a JSON SBOM, write it back in every output format.

use sbomgen_format::read::{detect, InputKind};
use sbomgen_format::{read, write, DocumentInfo, Format};

/// `data` through the reader of `kind` (other documents are skipped, so each reader's target
/// keeps a corpus of its own), then, as `convert` does, through every writer.
pub fn convert(kind: InputKind, data: &[u8]) {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if detect(&document) != Some(kind) {
        return;
    }
    let Ok(sbom) = read(data, "fuzz input") else {
        return;
    };
    // Without SOURCE_DATE_EPOCH, as `convert` runs by default: the document's `created`.
    let Ok(info) = DocumentInfo::resolve(&sbom, None) else {
        return;
    };
    for format in Format::ALL {
        let _ = write(*format, &sbom, &info, &mut Vec::new());
    }
}
