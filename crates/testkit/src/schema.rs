//! Validates emitted documents against the official schemas vendored in `schemas/` (see its
//! README): JSON with the `jsonschema` crate, CycloneDX XML with `xmllint` when it is installed.
//!
//! Companion schemas are served from the local copies by their `$id` URLs, so validation never
//! reaches the network; a reference to anything else is an error, not a silent pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

/// A schema sbomgen promises to satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Spdx23,
    CycloneDx15,
    CycloneDx16,
}

impl Schema {
    fn file(self) -> &'static str {
        match self {
            Schema::Spdx23 => "spdx-2.3/spdx-schema.json",
            Schema::CycloneDx15 => "cyclonedx/bom-1.5.schema.json",
            Schema::CycloneDx16 => "cyclonedx/bom-1.6.schema.json",
        }
    }
}

/// The repository's `schemas/` directory.
pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

fn load(relative: &str) -> Value {
    let path = schemas_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read schema {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad schema {}: {e}", path.display()))
}

/// Serves the CycloneDX companion schemas from `schemas/cyclonedx/`.
struct LocalSchemas;

impl Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix("http://cyclonedx.org/schema/")
            .filter(|n| matches!(*n, "spdx.schema.json" | "jsf-0.82.schema.json"))
            .ok_or_else(|| format!("schema {uri} is not vendored"))?;
        Ok(load(&format!("cyclonedx/{name}")))
    }
}

fn validator(schema: Schema) -> &'static Validator {
    static CELLS: [OnceLock<Validator>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match schema {
        Schema::Spdx23 => 0,
        Schema::CycloneDx15 => 1,
        Schema::CycloneDx16 => 2,
    };
    CELLS[slot].get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .with_retriever(LocalSchemas)
            .build(&load(schema.file()))
            .unwrap_or_else(|e| panic!("cannot compile {}: {e}", schema.file()))
    })
}

/// Checks `document` against `schema`; the error lists every violation with its JSON path.
pub fn validate_json(schema: Schema, document: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator(schema)
        .iter_errors(document)
        .take(20)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{schema:?}: {}", errors.join("\n  ")))
    }
}

/// Checks a CycloneDX 1.6 XML document against `bom-1.6.xsd` with `xmllint`.
///
/// Returns `Ok(false)` when `xmllint` is not installed (the caller decides whether that is a
/// skip); `Err` lists the violations.
pub fn validate_cyclonedx_xml(xml: &[u8]) -> Result<bool, String> {
    if Command::new("xmllint").arg("--version").output().is_err() {
        return Ok(false);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    // The XSD imports the SPDX licence list by URL; point it at the vendored copy instead.
    let xsd = std::fs::read_to_string(schemas_dir().join("cyclonedx/bom-1.6.xsd"))
        .map_err(|e| e.to_string())?
        .replace(
            "schemaLocation=\"http://cyclonedx.org/schema/spdx\"",
            "schemaLocation=\"spdx.xsd\"",
        );
    std::fs::write(dir.path().join("bom-1.6.xsd"), xsd).map_err(|e| e.to_string())?;
    std::fs::copy(
        schemas_dir().join("cyclonedx/spdx.xsd"),
        dir.path().join("spdx.xsd"),
    )
    .map_err(|e| e.to_string())?;
    let document = dir.path().join("bom.xml");
    std::fs::write(&document, xml).map_err(|e| e.to_string())?;
    let output = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.path().join("bom-1.6.xsd"))
        .arg(&document)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(true)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_compile_and_reject_what_they_should() {
        let minimal_cdx = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1});
        validate_json(Schema::CycloneDx16, &minimal_cdx).unwrap();
        let bad = json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
            "components": [{"type": "library", "name": "x", "licenses": [{"license": {"id": "Not-A-Licence"}}]}]});
        let err = validate_json(Schema::CycloneDx16, &bad).unwrap_err();
        assert!(err.contains("components"), "{err}");
        let mut v15 = minimal_cdx.clone();
        v15["specVersion"] = json!("1.5");
        validate_json(Schema::CycloneDx15, &v15).unwrap();
        let err = validate_json(Schema::Spdx23, &json!({"spdxVersion": "SPDX-2.3"})).unwrap_err();
        assert!(err.contains("SPDXID"), "{err}");
    }

    #[test]
    fn xml_validation_rejects_an_invalid_bom() {
        let bad = br#"<?xml version="1.0" encoding="UTF-8"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="x"/>"#;
        let good = br#"<?xml version="1.0" encoding="UTF-8"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"/>"#;
        match validate_cyclonedx_xml(good) {
            Ok(false) => {
                eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
            }
            Ok(true) => assert!(validate_cyclonedx_xml(bad).is_err()),
            Err(e) => panic!("valid minimal BOM rejected: {e}"),
        }
    }
}
