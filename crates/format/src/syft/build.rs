//! Builds the syft-json [`Document`] of an [`Sbom`].
//!
//! - `artifacts`: the packages of the final filesystem only, in native order, with the ids
//!   every format shares ([`ids::package_ids`]). Each location names the layer that
//!   **introduced** the package (its diff_id), which is what Grype and `syft convert` show as
//!   the package's layer.
//! - `artifactRelationships`: the image `contains` each artifact; `dependency-of` from a
//!   dependency to its dependant; `ownership-by-file-overlap` from an OS package to the
//!   language package whose files it owns. Sorted as Syft sorts them.
//! - `source`: the image with its layers (diff_ids), manifest and config digests, platform.
//! - `descriptor.configuration.sbomgen`: the [`Extension`].

use std::collections::BTreeSet;

use serde_json::json;
use sha2::{Digest as _, Sha256};

use sbomgen_model::{Package, Sbom};

use super::extension::{self, Extension};
use super::model::{
    Artifact, Cpe, Descriptor, Document, ImageMetadata, LayerMetadata, License, LinuxRelease,
    Relationship, SchemaRef, Source, SourceMetadata, SyftLocation,
};
use super::{kinds, metadata, SCHEMA_URL, SCHEMA_VERSION};
use crate::ids;
use crate::meta::{TOOL_NAME, TOOL_VERSION};

/// The document for `sbom`.
pub(super) fn document(sbom: &Sbom) -> Result<Document, serde_json::Error> {
    let ids = ids::package_ids(sbom);
    let source = source(sbom);
    let artifacts = sbom
        .packages
        .iter()
        .zip(&ids)
        .filter(|(p, _)| p.removed_in.is_none())
        .map(|(p, id)| artifact(sbom, p, id))
        .collect();
    let artifact_relationships = relationships(sbom, &ids, &source.id);
    let extension = Extension::build(sbom, &ids)?;
    Ok(Document {
        artifacts,
        artifact_relationships,
        source,
        distro: sbom
            .distro
            .as_ref()
            .map_or_else(LinuxRelease::default, |d| LinuxRelease {
                pretty_name: d.pretty_name.clone(),
                id: Some(d.id.clone()).filter(|id| !id.is_empty()),
                version_id: d.version_id.clone(),
            }),
        descriptor: Descriptor {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            configuration: json!({ extension::KEY: extension }),
        },
        schema: SchemaRef {
            version: SCHEMA_VERSION,
            url: SCHEMA_URL,
        },
    })
}

/// The diff_id of layer `index`, the id Syft gives layers.
fn layer_id(sbom: &Sbom, index: Option<usize>) -> Option<String> {
    let index = index?;
    let layer = sbom.layers.iter().find(|l| l.index == index)?;
    layer.diff_id.as_ref().map(ToString::to_string)
}

fn artifact(sbom: &Sbom, package: &Package, id: &str) -> Artifact {
    // One location per path, in the layer that introduced the package: its other sightings
    // (a database rewritten by later layers) stay in the extension.
    let introduced = layer_id(sbom, package.introduced_in);
    let mut paths = BTreeSet::new();
    let locations: Vec<SyftLocation> = package
        .locations
        .iter()
        .filter(|l| paths.insert(l.path.as_str()))
        .map(|l| {
            let layer = introduced
                .clone()
                .or_else(|| layer_id(sbom, Some(l.layer_index)));
            SyftLocation::primary(&l.path, layer)
        })
        .collect();
    let (metadata_type, metadata) = match metadata::metadata(package, locations.first()) {
        Some((kind, value)) => (Some(kind), Some(value)),
        None => (None, None),
    };
    Artifact {
        id: id.to_string(),
        name: package.name.clone(),
        version: package.version.clone(),
        kind: kinds::syft_type(&package.kind).to_string(),
        found_by: kinds::found_by(package),
        locations,
        licenses: package.licenses.iter().map(|l| license(l)).collect(),
        language: kinds::language(&package.kind).to_string(),
        cpes: package
            .cpes
            .iter()
            .map(|cpe| Cpe { cpe: cpe.clone() })
            .collect(),
        purl: package.purl.clone().unwrap_or_default(),
        metadata_type,
        metadata,
    }
}

/// A declared licence; Syft fills `spdxExpression` only for valid SPDX expressions.
fn license(value: &str) -> License {
    let valid = !value.contains("LicenseRef-")
        && spdx::Expression::parse_mode(value, spdx::ParseMode::STRICT).is_ok();
    License {
        value: value.to_string(),
        spdx_expression: if valid {
            value.to_string()
        } else {
            String::new()
        },
        kind: "declared",
        urls: Vec::new(),
        locations: Vec::new(),
    }
}

/// Edges between the source and the artifacts, and between artifacts (never to a removed
/// package: it is not an artifact).
fn relationships(sbom: &Sbom, ids: &[String], source_id: &str) -> Vec<Relationship> {
    let installed = |i: usize| sbom.packages[i].removed_in.is_none();
    let mut out = Vec::new();
    for (_, id) in ids.iter().enumerate().filter(|(i, _)| installed(*i)) {
        out.push(Relationship {
            parent: source_id.to_string(),
            child: id.clone(),
            kind: "contains",
            metadata: None,
        });
    }
    for (dependant, targets) in ids::dependency_edges(sbom).into_iter().enumerate() {
        for dependency in targets {
            if installed(dependant) && installed(dependency) {
                out.push(Relationship {
                    parent: ids[dependency].clone(),
                    child: ids[dependant].clone(),
                    kind: "dependency-of",
                    metadata: None,
                });
            }
        }
    }
    for (owned, owner) in ids::owners(sbom).into_iter().enumerate() {
        let Some(owner) = owner.filter(|&o| installed(o) && installed(owned)) else {
            continue;
        };
        let files: Vec<String> = sbom.packages[owned]
            .locations
            .iter()
            .map(|l| format!("/{}", l.path))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        out.push(Relationship {
            parent: ids[owner].clone(),
            child: ids[owned].clone(),
            kind: "ownership-by-file-overlap",
            metadata: Some(json!({ "files": files })),
        });
    }
    // Syft's order: parent, child, type.
    out.sort_by(|a, b| (&a.parent, &a.child, a.kind).cmp(&(&b.parent, &b.child, b.kind)));
    out.dedup();
    out
}

/// The image (or directory) scanned. Syft names an image source by its manifest digest's hex;
/// without a manifest, the config digest's, else a hash of what the user named.
fn source(sbom: &Sbom) -> Source {
    let source = &sbom.source;
    let identity = ids::image_identity(sbom);
    let user_input = source
        .reference
        .clone()
        .or_else(|| source.path.clone())
        .unwrap_or_else(|| identity.name.clone());
    let id = match (&source.manifest_digest, &source.config_digest) {
        (Some(manifest), _) => manifest.hex().to_string(),
        (None, Some(config)) => config.hex().to_string(),
        (None, None) => hex::encode(Sha256::digest(user_input.as_bytes())),
    };
    if source.kind == "dir" {
        return Source {
            id,
            name: identity.name,
            version: identity.version.unwrap_or_default(),
            kind: "directory",
            metadata: SourceMetadata::Directory {
                path: source.path.clone().unwrap_or(user_input),
            },
        };
    }
    let manifest_digest = source
        .manifest_digest
        .as_ref()
        .map_or(String::new(), ToString::to_string);
    let tags = match &identity.tag {
        Some(tag) => vec![format!("{}:{tag}", identity.name)],
        None => Vec::new(),
    };
    // Only a registry knows the repository a digest can be pulled from.
    let repo_digests = match (
        source.kind.as_str(),
        &source.index_digest,
        &source.manifest_digest,
    ) {
        ("registry", Some(digest), _) | ("registry", None, Some(digest)) => {
            vec![format!("{}@{digest}", identity.name)]
        }
        _ => Vec::new(),
    };
    let platform = source.platform.as_ref();
    Source {
        id,
        name: identity.name.clone(),
        version: match (&identity.version, manifest_digest.is_empty()) {
            (Some(version), _) => version.clone(),
            (None, true) => identity.tag.clone().unwrap_or_default(),
            (None, false) => manifest_digest.clone(),
        },
        kind: "image",
        metadata: SourceMetadata::Image(ImageMetadata {
            user_input,
            image_id: source
                .config_digest
                .as_ref()
                .map_or(String::new(), ToString::to_string),
            manifest_digest,
            tags,
            image_size: sbom.layers.iter().filter_map(|l| l.size).sum(),
            layers: sbom
                .layers
                .iter()
                .map(|l| LayerMetadata {
                    media_type: l.media_type.clone().unwrap_or_default(),
                    digest: l
                        .diff_id
                        .as_ref()
                        .map_or(String::new(), ToString::to_string),
                    // The stored blob's size: Syft writes the layer's content size, which
                    // sbomgen does not record; no consumer matches on it.
                    size: l.size.unwrap_or(0),
                })
                .collect(),
            repo_digests,
            architecture: platform.map_or(String::new(), |p| p.architecture.clone()),
            variant: platform.and_then(|p| p.variant.clone()),
            os: platform.map_or(String::new(), |p| p.os.clone()),
        }),
    }
}
