//! The native JSON document (`-o json`).

use std::io::Write;

use sbomgen_model::Sbom;

use crate::FormatError;

/// Writes the document pretty-printed with keys sorted at every level and a final newline.
///
/// Going through `serde_json::Value` (a `BTreeMap` without the `preserve_order` feature) sorts
/// keys independently of struct field order, which keeps output byte-identical across releases
/// that reorder fields.
pub fn write(sbom: &Sbom, out: &mut dyn Write) -> Result<(), FormatError> {
    let value = serde_json::to_value(sbom)?;
    serde_json::to_writer_pretty(&mut *out, &value)?;
    out.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{HiddenFile, LayerSummary, SourceInfo};

    #[test]
    fn keys_are_sorted_and_names_stable() {
        let sbom = Sbom {
            source: SourceInfo {
                kind: "oci-dir".into(),
                path: Some("x".into()),
                ..SourceInfo::default()
            },
            layers: vec![LayerSummary {
                index: 0,
                added: 2,
                ..LayerSummary::default()
            }],
            hidden_files: vec![HiddenFile {
                path: ".env".into(),
                size: 3,
                added_in: 0,
                removed_in: 1,
            }],
            ..Sbom::default()
        };
        let mut out = Vec::new();
        write(&sbom, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            top,
            ["distro", "hiddenFiles", "layers", "packages", "source"]
        );
        for key in [
            "\"addedIn\"",
            "\"removedIn\"",
            "\"diffId\"",
            "\"createdBy\"",
            "\"manifestDigest\"",
            "\"type\": \"oci-dir\"",
        ] {
            assert!(text.contains(key), "{key} missing in {text}");
        }
    }
}
