//! Validation against the vendored CycloneDX 1.7 schemas (`schemas/cyclonedx/bom-1.7.*`), for
//! the tests: JSON with `jsonschema`, XML with `xmllint`. The shared validator in
//! `sbomgen-testkit` knows 1.5 and 1.6; these belong there once it learns 1.7.

use std::sync::OnceLock;

use serde_json::Value;

use sbomgen_testkit::schema;

/// The vendored 1.7 JSON schema with its companions served locally (the shared validator in
/// the testkit knows 1.5 and 1.6).
pub(super) fn validate_json_1_7(document: &Value) -> Result<(), String> {
    struct Companions;
    impl jsonschema::Retrieve for Companions {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri
                .as_str()
                .strip_prefix("http://cyclonedx.org/schema/")
                .filter(|n| {
                    matches!(
                        *n,
                        "spdx.schema.json"
                            | "jsf-0.82.schema.json"
                            | "cryptography-defs.schema.json"
                    )
                })
                .ok_or_else(|| format!("schema {uri} is not vendored"))?;
            Ok(load_schema(name))
        }
    }
    fn load_schema(name: &str) -> Value {
        let path = schema::schemas_dir().join("cyclonedx").join(name);
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .with_retriever(Companions)
            .build(&load_schema("bom-1.7.schema.json"))
            .unwrap()
    });
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n  "))
    }
}

/// `xmllint` against the vendored 1.7 XSD; `None` when xmllint is not installed.
pub(super) fn validate_xml_1_7(xml: &[u8]) -> Option<Result<(), String>> {
    use std::process::Command;
    Command::new("xmllint").arg("--version").output().ok()?;
    let dir = std::env::temp_dir().join(format!("sbomgen-cdx17-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vendored = schema::schemas_dir().join("cyclonedx");
    // The XSD imports the SPDX licence list by URL; point it at the vendored copy.
    let xsd = std::fs::read_to_string(vendored.join("bom-1.7.xsd"))
        .unwrap()
        .replace(
            "schemaLocation=\"http://cyclonedx.org/schema/spdx\"",
            "schemaLocation=\"spdx.xsd\"",
        );
    std::fs::write(dir.join("bom-1.7.xsd"), xsd).unwrap();
    std::fs::copy(vendored.join("spdx.xsd"), dir.join("spdx.xsd")).unwrap();
    let document = dir.join(format!("bom-{}.xml", xml.len()));
    std::fs::write(&document, xml).unwrap();
    let output = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(dir.join("bom-1.7.xsd"))
        .arg(&document)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}
