//! What sbomgen keeps in `descriptor.configuration.sbomgen`: everything of the native document
//! syft-json's standard fields cannot carry, so that `sbomgen convert` loses nothing.
//!
//! Syft and Grype read `configuration` as opaque tool options, so nothing here is counted as
//! installed: removed packages live here, whole, and never among the `artifacts`. For every
//! artifact, the native fields beyond the standard ones (its type, provenance, every location
//! with its layer index, dependency names, native metadata) are kept under its id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use sbomgen_model::{HiddenFile, LayerSummary, Package, Sbom, SourceInfo};

/// The key under `descriptor.configuration`.
pub(super) const KEY: &str = "sbomgen";

/// Native fields an artifact carries in its standard fields; the rest go to [`Extension`].
/// Licences are kept in both: Syft sorts an artifact's licences when it rewrites a document,
/// and the native order is part of the package.
const STANDARD_FIELDS: &[&str] = &["name", "version", "purl", "cpes"];

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Extension {
    pub source: SourceInfo,
    pub layers: Vec<LayerSummary>,
    pub hidden_files: Vec<HiddenFile>,
    /// Per artifact id, the native package's fields other than [`STANDARD_FIELDS`].
    pub packages: BTreeMap<String, Map<String, Value>>,
    /// Packages a later layer removed, as native packages.
    pub removed_packages: Vec<Package>,
}

impl Extension {
    /// The extension of `sbom`, whose packages not removed are the artifacts `ids` names.
    pub(super) fn build(sbom: &Sbom, ids: &[String]) -> Result<Self, serde_json::Error> {
        let mut extension = Extension {
            source: sbom.source.clone(),
            layers: sbom.layers.clone(),
            hidden_files: sbom.hidden_files.clone(),
            ..Extension::default()
        };
        for (package, id) in sbom.packages.iter().zip(ids) {
            if package.removed_in.is_some() {
                extension.removed_packages.push(package.clone());
            } else {
                extension.packages.insert(id.clone(), extras(package)?);
            }
        }
        Ok(extension)
    }
}

/// The native package as JSON without the standard fields; nulls and empty lists are left out
/// (they are the defaults the reader fills back in).
fn extras(package: &Package) -> Result<Map<String, Value>, serde_json::Error> {
    let Value::Object(mut map) = serde_json::to_value(package)? else {
        return Err(serde::ser::Error::custom("a package is not a JSON object"));
    };
    map.retain(|key, value| {
        let empty = match value {
            Value::Null => true,
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        !empty && !STANDARD_FIELDS.contains(&key.as_str())
    });
    let (shown, omitted) = crate::provenance::document_locations(package);
    if omitted > 0 {
        map.insert("locations".into(), serde_json::to_value(shown)?);
        map.insert("locationsOmitted".into(), omitted.into());
    }
    Ok(map)
}

/// The standard fields of one artifact, as the reader found them.
#[derive(Debug)]
pub(super) struct Standard {
    pub name: String,
    pub version: String,
    pub purl: Option<String>,
    pub cpes: Vec<String>,
    pub licenses: Vec<String>,
}

/// The native package from an artifact's standard fields and its kept extras.
pub(super) fn restore(
    standard: Standard,
    mut extras: Map<String, Value>,
) -> Result<Package, serde_json::Error> {
    extras.insert("name".into(), standard.name.into());
    extras.insert("version".into(), standard.version.into());
    extras.insert("purl".into(), standard.purl.into());
    extras.insert("cpes".into(), standard.cpes.into());
    extras
        .entry("licenses")
        .or_insert_with(|| standard.licenses.into());
    serde_json::from_value(Value::Object(extras))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::Location;

    #[test]
    fn extras_and_standard_fields_make_the_package_again() {
        let package = Package {
            name: "libssl3".into(),
            version: "3.0.11-1~deb12u2".into(),
            kind: "deb".into(),
            purl: Some("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64".into()),
            cpes: vec!["cpe:2.3:a:libssl3:libssl3:*:*:*:*:*:*:*:*".into()],
            licenses: vec!["Apache-2.0".into()],
            introduced_in: Some(0),
            locations: vec![Location {
                path: "var/lib/dpkg/status".into(),
                layer_index: 0,
            }],
            metadata: serde_json::json!({}),
            ..Package::default()
        };
        let kept = extras(&package).unwrap();
        for standard in STANDARD_FIELDS {
            assert!(!kept.contains_key(*standard), "{standard} duplicated");
        }
        assert_eq!(
            kept["introducedIn"], 0,
            "a zero index is not an empty value"
        );
        assert!(!kept.contains_key("removedIn") && !kept.contains_key("dependsOn"));
        let standard = Standard {
            name: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
            cpes: package.cpes.clone(),
            licenses: package.licenses.clone(),
        };
        assert_eq!(restore(standard, kept).unwrap(), package);
    }
}
