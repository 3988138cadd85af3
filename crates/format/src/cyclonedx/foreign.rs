//! What other tools' CycloneDX documents tell about the image and about where each package
//! came from: Trivy's image properties and layer names, Syft's locations.
//!
//! Layer order: Trivy lists the image's layers as `aquasecurity:trivy:DiffID` properties of
//! the image, but its marshaller sorts every property list by name, then value
//! (`pkg/sbom/cyclonedx/marshal.go`, `Properties`), so they come out sorted by digest. They
//! say which layers exist, not in which order, and nothing else in the document does: the
//! image config (`ImageID`) is not included, and each package names only its own layer. The
//! reader therefore claims a position only when there is one: a single layer is layer 0;
//! with several, `layers` stays empty, no package gets an introducing index, and each keeps
//! Trivy's name for its layer in its metadata ([`super::peers::INTRODUCED_DIFF_ID`]). Reading
//! the digest-sorted list as the order would move a package to the wrong layer (`adduser`,
//! from layer 0, came back as layer 2).
//!
//! Syft lists no layers at all: its `layerID`s resolve only when the document names the
//! layers some other way (sbomgen's image properties), and are otherwise dropped.

use std::collections::BTreeMap;

use sbomgen_model::{Digest, LayerSummary, Location, Package, Sbom};

use super::peers::{PeerFacts, TRIVY};
use crate::json_view::Obj;
use crate::provenance::Property;
use crate::FormatError;

/// Trivy's image properties with `field` after the namespace, in document order.
fn trivy<'p>(properties: &'p [Property], field: &'p str) -> impl Iterator<Item = &'p str> {
    properties
        .iter()
        .filter(move |(name, _)| name.strip_prefix(TRIVY) == Some(field))
        .map(|(_, value)| value.as_str())
}

/// The source and (when their order is known) the layers another tool's image component
/// tells. `blob_digests` maps a layer's diff id to its blob digest, as packages pair them.
pub(super) fn image(
    sbom: &mut Sbom,
    image: &Obj<'_>,
    properties: &[Property],
    blob_digests: &BTreeMap<String, String>,
) -> Result<(), FormatError> {
    let name = image.str("name")?.filter(|n| !n.is_empty());
    let version = image.str("version")?.filter(|v| !v.is_empty());
    let version_digest = version.and_then(|v| v.parse::<Digest>().ok());
    let source = &mut sbom.source;
    source.reference = trivy(properties, "RepoTag")
        .next()
        .map(str::to_string)
        .or_else(|| {
            let name = name?;
            Some(match version {
                Some(tag) if version_digest.is_none() => format!("{name}:{tag}"),
                _ => name.to_string(),
            })
        });
    // Syft versions the image by its manifest digest; Trivy names it in `repo@digest`.
    source.manifest_digest = version_digest.or_else(|| {
        trivy(properties, "RepoDigest")
            .filter_map(|d| d.rsplit_once('@'))
            .find_map(|(_, digest)| digest.parse().ok())
    });
    source.config_digest = trivy(properties, "ImageID").find_map(|d| d.parse().ok());
    if sbom.layers.is_empty() {
        let mut diff_ids: Vec<Digest> = trivy(properties, "DiffID")
            .filter_map(|d| d.parse().ok())
            .collect();
        diff_ids.sort();
        diff_ids.dedup();
        // One layer has one possible position; several have no known one (module comment).
        if let [diff_id] = diff_ids.as_slice() {
            sbom.layers = vec![LayerSummary {
                index: 0,
                digest: blob_digests
                    .get(diff_id.as_str())
                    .and_then(|d| d.parse().ok()),
                diff_id: Some(diff_id.clone()),
                ..LayerSummary::default()
            }];
        }
    }
    Ok(())
}

/// Trivy's diff id → blob digest pairs, from the packages' `LayerDiffID` / `LayerDigest`.
pub(super) fn blob_digests<'f>(
    facts: impl Iterator<Item = &'f PeerFacts>,
) -> BTreeMap<String, String> {
    facts
        .filter_map(|f| {
            Some((
                f.trivy_layer.diff_id.clone()?,
                f.trivy_layer.digest.clone()?,
            ))
        })
        .collect()
}

/// Trivy's and Syft's layer and location properties, resolved against the known layers.
pub(super) fn provenance(sbom: &Sbom, package: &mut Package, facts: &PeerFacts) {
    let layer_of = |id: &str| {
        sbom.layers
            .iter()
            .find(|l| {
                l.diff_id.as_ref().is_some_and(|d| d.as_str() == id)
                    || l.digest.as_ref().is_some_and(|d| d.as_str() == id)
            })
            .map(|l| l.index)
    };
    if let Some(name) = &facts.source_name {
        package.source_name = Some(name.clone());
    }
    if let Some(version) = &facts.source_version {
        package.source_version = Some(version.clone());
    }
    let trivy_layer = [&facts.trivy_layer.diff_id, &facts.trivy_layer.digest]
        .into_iter()
        .flatten()
        .find_map(|id| layer_of(id));
    for (path, layer) in &facts.syft_locations {
        if let (Some(path), Some(layer_index)) = (path, layer.as_deref().and_then(layer_of)) {
            package.locations.push(Location {
                path: path.trim_start_matches('/').to_string(),
                layer_index,
            });
        }
    }
    if let (Some(path), Some(layer_index)) = (&facts.trivy_path, trivy_layer) {
        package.locations.push(Location {
            path: path.trim_start_matches('/').to_string(),
            layer_index,
        });
    }
    // Syft records where the package's files are, the lowest layer of which is the best
    // available guess at where it came in.
    package.introduced_in =
        trivy_layer.or_else(|| package.locations.iter().map(|l| l.layer_index).min());
}
