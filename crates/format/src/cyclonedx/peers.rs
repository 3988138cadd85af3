//! Trivy's and Syft's names for a package's layer, written beside sbomgen's own vocabulary so
//! the layer shows up where their users already look, and read back from their documents.
//!
//! - Trivy (`pkg/sbom/io/encode.go`, `decode.go`): `aquasecurity:trivy:LayerDiffID` and
//!   `aquasecurity:trivy:LayerDigest`, which `trivy sbom` reports as the package's `Layer`.
//!   Trivy means the layer that introduced the package.
//! - Syft (`syft/format/internal/cyclonedxutil/helpers/component.go`, `file.Coordinates`):
//!   `syft:location:<n>:layerID` (the layer's diff id) and `syft:location:<n>:path`
//!   (absolute, `/var/lib/dpkg/status`), which `syft convert` keeps as the package's locations.
//!
//! sbomgen writes one Trivy pair and one Syft location per package, all naming the layer that
//! introduced it (the Syft path is the package record's location in that layer). In sbomgen's
//! own documents they are aliases only: its `sbomgen:` properties stay authoritative, and the
//! reader looks at an alias only when they name no layer (see [`keep_unplaced_layer`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use sbomgen_model::{Package, Sbom};

use crate::provenance::Property;

/// The prefix of every Trivy property.
pub(super) const TRIVY: &str = "aquasecurity:trivy:";
const TRIVY_LAYER_DIFF_ID: &str = "aquasecurity:trivy:LayerDiffID";
const TRIVY_LAYER_DIGEST: &str = "aquasecurity:trivy:LayerDigest";
const SYFT_LOCATION: &str = "syft:location:";

/// Native metadata keys naming the introducing layer of a package whose layer has no known
/// position: a Trivy document lists its layers sorted by digest, so it says which layer
/// brought a package in, but not where that layer sits in the image.
pub const INTRODUCED_DIFF_ID: &str = "introducedInDiffId";
pub const INTRODUCED_DIGEST: &str = "introducedInDigest";

/// A layer as Trivy names it: diff id and blob digest, either possibly unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct LayerIds {
    pub diff_id: Option<String>,
    pub digest: Option<String>,
}

impl LayerIds {
    fn is_empty(&self) -> bool {
        self.diff_id.is_none() && self.digest.is_none()
    }
}

/// The layer that introduced `package`: the document's layer at `introduced_in`, else the one
/// its metadata names (a package read from a document that did not order its layers).
fn introducing_layer(sbom: &Sbom, package: &Package) -> LayerIds {
    let layer = package
        .introduced_in
        .and_then(|index| sbom.layers.iter().find(|l| l.index == index));
    if let Some(layer) = layer {
        return LayerIds {
            diff_id: layer.diff_id.as_ref().map(ToString::to_string),
            digest: layer.digest.as_ref().map(ToString::to_string),
        };
    }
    let text = |key: &str| {
        package
            .metadata
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    LayerIds {
        diff_id: text(INTRODUCED_DIFF_ID),
        digest: text(INTRODUCED_DIGEST),
    }
}

/// Trivy's and Syft's properties for `package`, in the order each tool sorts its own.
pub(super) fn package_aliases(sbom: &Sbom, package: &Package) -> Vec<Property> {
    let layer = introducing_layer(sbom, package);
    let mut out = Vec::new();
    if let Some(diff_id) = &layer.diff_id {
        out.push((TRIVY_LAYER_DIFF_ID.to_string(), diff_id.clone()));
    }
    if let Some(digest) = &layer.digest {
        out.push((TRIVY_LAYER_DIGEST.to_string(), digest.clone()));
    }
    // The record as the introducing layer held it; a package read from elsewhere may only
    // know a location in another layer, which still names the file.
    let path = package
        .locations
        .iter()
        .find(|l| Some(l.layer_index) == package.introduced_in)
        .or(package.locations.first())
        .map(|l| format!("/{}", l.path.trim_start_matches('/')));
    if let (Some(diff_id), Some(path)) = (layer.diff_id, path) {
        out.push((format!("{SYFT_LOCATION}0:layerID"), diff_id));
        out.push((format!("{SYFT_LOCATION}0:path"), path));
    }
    out
}

/// What another tool's properties say about one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PeerFacts {
    /// Trivy's introducing layer.
    pub trivy_layer: LayerIds,
    /// Trivy's `FilePath`: where a language package's metadata file is.
    pub trivy_path: Option<String>,
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    /// Syft's locations in their index order: path and layer id.
    pub syft_locations: Vec<(Option<String>, Option<String>)>,
}

impl PeerFacts {
    /// Collects the Trivy and Syft properties among `properties`; others are ignored.
    pub(super) fn read(properties: &[Property]) -> PeerFacts {
        let mut facts = PeerFacts::default();
        let mut syft: BTreeMap<usize, (Option<String>, Option<String>)> = BTreeMap::new();
        for (name, value) in properties {
            let value = Some(value.clone()).filter(|v| !v.is_empty());
            if let Some(field) = name.strip_prefix(TRIVY) {
                match field {
                    "LayerDiffID" => facts.trivy_layer.diff_id = value,
                    "LayerDigest" => facts.trivy_layer.digest = value,
                    "FilePath" => facts.trivy_path = value,
                    "SrcName" => facts.source_name = value,
                    "SrcVersion" => facts.source_version = value,
                    _ => {}
                }
            } else if let Some(rest) = name.strip_prefix(SYFT_LOCATION) {
                let Some((n, field)) = rest.split_once(':') else {
                    continue;
                };
                let Ok(n) = n.parse::<usize>() else { continue };
                let entry = syft.entry(n).or_default();
                match field {
                    "path" => entry.0 = value,
                    "layerID" => entry.1 = value,
                    _ => {}
                }
            }
        }
        facts.syft_locations = syft.into_values().collect();
        facts
    }
}

/// Keeps Trivy's introducing layer in the metadata of a package no known layer was found for,
/// so that the identity survives (and is written again as the Trivy and Syft aliases) without
/// a made-up position.
pub(super) fn keep_unplaced_layer(
    package: &Package,
    facts: &PeerFacts,
    metadata: &mut Map<String, Value>,
) {
    if package.introduced_in.is_some() || facts.trivy_layer.is_empty() {
        return;
    }
    let layer = &facts.trivy_layer;
    for (key, value) in [
        (INTRODUCED_DIFF_ID, &layer.diff_id),
        (INTRODUCED_DIGEST, &layer.digest),
    ] {
        if let Some(value) = value {
            metadata.insert(key.into(), value.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{LayerSummary, Location};

    fn id(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn aliases_name_the_introducing_layer_and_its_record() {
        let sbom = Sbom {
            layers: vec![
                LayerSummary {
                    index: 0,
                    digest: id('a').parse().ok(),
                    diff_id: id('b').parse().ok(),
                    ..LayerSummary::default()
                },
                LayerSummary {
                    index: 1,
                    diff_id: id('c').parse().ok(),
                    ..LayerSummary::default()
                },
            ],
            ..Sbom::default()
        };
        let package = Package {
            introduced_in: Some(1),
            locations: vec![
                Location {
                    path: "lib/apk/db/installed".into(),
                    layer_index: 0,
                },
                Location {
                    path: "var/lib/dpkg/status".into(),
                    layer_index: 1,
                },
            ],
            ..Package::default()
        };
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            package_aliases(&sbom, &package),
            [
                s("aquasecurity:trivy:LayerDiffID", &id('c')),
                s("syft:location:0:layerID", &id('c')),
                s("syft:location:0:path", "/var/lib/dpkg/status"),
            ]
        );
        let first = Package {
            introduced_in: Some(0),
            ..package.clone()
        };
        assert_eq!(
            package_aliases(&sbom, &first)[..3],
            [
                s("aquasecurity:trivy:LayerDiffID", &id('b')),
                s("aquasecurity:trivy:LayerDigest", &id('a')),
                s("syft:location:0:layerID", &id('b')),
            ]
        );
        // No layer, no alias; a layer named only by metadata is still named.
        let unknown = Package {
            introduced_in: None,
            ..package.clone()
        };
        assert!(package_aliases(&sbom, &unknown).is_empty());
        let named = Package {
            introduced_in: None,
            metadata: serde_json::json!({INTRODUCED_DIFF_ID: id('e')}),
            ..package
        };
        assert_eq!(
            package_aliases(&sbom, &named)[1],
            s("syft:location:0:layerID", &id('e'))
        );
    }

    #[test]
    fn peer_facts_keep_syft_locations_in_index_order() {
        let p = |n: &str, v: &str| (n.to_string(), v.to_string());
        let facts = PeerFacts::read(&[
            p("syft:location:1:path", "/b"),
            p("syft:location:0:layerID", "L0"),
            p("syft:location:0:path", "/a"),
            p("syft:location:x:path", "/ignored"),
            p("aquasecurity:trivy:LayerDigest", "D"),
            p("aquasecurity:trivy:SrcName", ""),
            p("sbomgen:layer:introduced:index", "3"),
        ]);
        assert_eq!(
            facts.syft_locations,
            [
                (Some("/a".into()), Some("L0".into())),
                (Some("/b".into()), None)
            ]
        );
        assert_eq!(facts.trivy_layer.digest.as_deref(), Some("D"));
        assert_eq!(facts.source_name, None, "an empty value says nothing");
        let mut metadata = Map::new();
        keep_unplaced_layer(&Package::default(), &facts, &mut metadata);
        assert_eq!(
            Value::Object(metadata),
            serde_json::json!({INTRODUCED_DIGEST: "D"})
        );
        let placed = Package {
            introduced_in: Some(0),
            ..Package::default()
        };
        let mut metadata = Map::new();
        keep_unplaced_layer(&placed, &facts, &mut metadata);
        assert!(metadata.is_empty());
    }
}
