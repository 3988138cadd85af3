//! Reads a syft-json document back into the native model.
//!
//! sbomgen's own documents come back whole: each artifact's standard fields plus the native
//! fields kept under its id in the [`Extension`], the removed packages, source, layers and
//! hidden files from the extension.
//!
//! Syft's documents (any schema Syft still decodes) are read best effort: packages with their
//! type, purl, CPEs, licences, arch and upstream source; locations whose `layerID` names a
//! layer of `source.metadata.layers` (a diff_id), the lowest such layer standing for the one
//! that introduced the package; `dependency-of` and `ownership-by-file-overlap` edges; the
//! distro; the image's digests, tags and platform. Malformed input is an
//! [`FormatError::Unreadable`] naming the JSON path; unknown fields are ignored.

use std::collections::HashMap;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde_json::{Map, Value};

use sbomgen_model::{Distro, LayerSummary, Location, Package, Platform, Sbom};

use super::extension::{self, Extension, Standard};
use super::kinds;
use crate::ids;
use crate::json_view::{self, Obj};
use crate::meta::TOOL_NAME;
use crate::FormatError;

const WHAT: &str = "syft-json document";

/// Rebuilds an [`Sbom`] from `document`.
pub(super) fn read(document: &Value) -> Result<Sbom, FormatError> {
    let root = view(document, "$".into())?;
    let mut sbom = Sbom {
        distro: distro(&root)?,
        ..Sbom::default()
    };
    let mut extension = extension(&root)?;
    match &mut extension {
        Some(ours) => {
            sbom.source = std::mem::take(&mut ours.source);
            sbom.layers = std::mem::take(&mut ours.layers);
            sbom.hidden_files = std::mem::take(&mut ours.hidden_files);
        }
        None => foreign_source(&mut sbom, &root)?,
    }

    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (n, value) in root.array("artifacts")?.iter().enumerate() {
        let artifact = view(value, format!("$.artifacts[{n}]"))?;
        let id = artifact.str("id")?.unwrap_or("");
        let kept = extension.as_mut().and_then(|e| e.packages.remove(id));
        let package = match kept {
            Some(extras) => extension::restore(standard(&artifact)?, extras).map_err(|e| {
                unreadable(format!(
                    "$.descriptor.configuration.{}.packages[{id:?}]: {e}",
                    extension::KEY
                ))
            })?,
            None => foreign_package(&sbom, &artifact)?,
        };
        by_id.entry(id).or_insert(sbom.packages.len());
        sbom.packages.push(package);
    }
    match extension {
        Some(ours) => sbom.packages.extend(ours.removed_packages),
        None => foreign_relationships(&mut sbom, &root, &by_id)?,
    }
    sbom.sort_packages();
    Ok(sbom)
}

/// sbomgen's extension, when sbomgen wrote the document.
fn extension(root: &Obj<'_>) -> Result<Option<Extension>, FormatError> {
    let Some(descriptor) = root.object("descriptor")? else {
        return Ok(None);
    };
    let kept = descriptor
        .object("configuration")?
        .and_then(|c| c.map.get(extension::KEY));
    match kept {
        Some(value) if descriptor.str("name")? == Some(TOOL_NAME) => {
            serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|e| {
                    unreadable(format!(
                        "$.descriptor.configuration.{} is not sbomgen's: {e}",
                        extension::KEY
                    ))
                })
        }
        _ => Ok(None),
    }
}

fn distro(root: &Obj<'_>) -> Result<Option<Distro>, FormatError> {
    let Some(distro) = root.object("distro")? else {
        return Ok(None);
    };
    let text = |key: &str| -> Result<Option<String>, FormatError> {
        Ok(distro
            .str(key)?
            .filter(|v| !v.is_empty())
            .map(str::to_string))
    };
    let Some(id) = text("id")? else {
        return Ok(None);
    };
    Ok(Some(Distro {
        id,
        version_id: text("versionID")?,
        pretty_name: text("prettyName")?,
    }))
}

/// The fields every artifact carries, whoever wrote it.
fn standard(artifact: &Obj<'_>) -> Result<Standard, FormatError> {
    let mut cpes = Vec::new();
    for (n, value) in artifact.array("cpes")?.iter().enumerate() {
        // Schemas before 16 list bare strings.
        match value {
            Value::String(cpe) => cpes.push(cpe.clone()),
            _ => {
                let cpe = view(value, format!("{}.cpes[{n}]", artifact.path))?;
                cpes.push(cpe.required_str("cpe")?.to_string());
            }
        }
    }
    let mut licenses = Vec::new();
    for (n, value) in artifact.array("licenses")?.iter().enumerate() {
        match value {
            Value::String(license) => licenses.push(license.clone()),
            _ => {
                let license = view(value, format!("{}.licenses[{n}]", artifact.path))?;
                licenses.push(license.required_str("value")?.to_string());
            }
        }
    }
    Ok(Standard {
        name: artifact.required_str("name")?.to_string(),
        version: artifact.str("version")?.unwrap_or("").to_string(),
        purl: artifact
            .str("purl")?
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        cpes,
        licenses,
    })
}

/// The image Syft describes: digests, tags, platform and its layers in order.
fn foreign_source(sbom: &mut Sbom, root: &Obj<'_>) -> Result<(), FormatError> {
    let Some(source) = root.object("source")? else {
        return Ok(());
    };
    let metadata = source.object("metadata")?;
    let field = |key: &str| -> Result<Option<&str>, FormatError> {
        Ok(match &metadata {
            Some(m) => m.str(key)?.filter(|v| !v.is_empty()),
            None => None,
        })
    };
    let info = &mut sbom.source;
    if matches!(source.str("type")?, Some("directory" | "dir")) {
        info.kind = "dir".into();
        info.path = field("path")?.map(str::to_string);
        return Ok(());
    }
    let tags = match &metadata {
        Some(m) => m.strings("tags")?,
        None => Vec::new(),
    };
    info.reference = tags
        .first()
        .copied()
        .or(field("userInput")?)
        .or(source.str("name")?.filter(|n| !n.is_empty()))
        .map(str::to_string);
    info.manifest_digest = field("manifestDigest")?.and_then(|d| d.parse().ok());
    info.config_digest = field("imageID")?.and_then(|d| d.parse().ok());
    if let (Some(os), Some(arch)) = (field("os")?, field("architecture")?) {
        info.platform = Some(Platform::new(os, arch, field("architectureVariant")?));
    }
    let Some(metadata) = metadata else {
        return Ok(());
    };
    for (index, value) in metadata.array("layers")?.iter().enumerate() {
        let layer = view(value, format!("{}.layers[{index}]", metadata.path))?;
        sbom.layers.push(LayerSummary {
            index,
            diff_id: layer.str("digest")?.and_then(|d| d.parse().ok()),
            media_type: layer.str("mediaType")?.map(str::to_string),
            size: layer.map.get("size").and_then(Value::as_u64),
            ..LayerSummary::default()
        });
    }
    Ok(())
}

/// Metadata keys that become native fields (or, like file lists, are not kept).
const LIFTED: &[&str] = &[
    "package",
    "name",
    "version",
    "architecture",
    "source",
    "sourceVersion",
    "originPackage",
    "files",
];

fn foreign_package(sbom: &Sbom, artifact: &Obj<'_>) -> Result<Package, FormatError> {
    let standard = standard(artifact)?;
    let parsed = standard
        .purl
        .as_deref()
        .and_then(|p| PackageUrl::from_str(p).ok());
    let syft_type = artifact.str("type")?.unwrap_or("");
    let kind = kinds::native_type(syft_type)
        .map(str::to_string)
        .or_else(|| parsed.as_ref().map(|p| p.ty().to_string()))
        .unwrap_or_else(|| syft_type.to_string());
    let metadata = artifact.object("metadata")?;
    let text = |key: &str| -> Result<Option<String>, FormatError> {
        let value = match &metadata {
            Some(m) => m.str(key)?,
            None => None,
        };
        Ok(value.filter(|v| !v.is_empty()).map(str::to_string))
    };
    let mut package = Package {
        arch: text("architecture")?.or_else(|| {
            let arch = parsed.as_ref()?.qualifiers().get("arch")?;
            Some(arch.to_string())
        }),
        kind,
        name: standard.name,
        version: standard.version,
        purl: standard.purl,
        cpes: standard.cpes,
        licenses: standard.licenses,
        ..Package::default()
    };
    let (source_name, source_version) = match package.kind.as_str() {
        "deb" => (text("source")?, text("sourceVersion")?),
        "apk" => (text("originPackage")?, None),
        "rpm" => match text("sourceRpm")?.as_deref().and_then(split_source_rpm) {
            Some((name, version)) => (Some(name), Some(version)),
            None => (None, None),
        },
        _ => (None, None),
    };
    package.source_name = source_name.filter(|s| *s != package.name);
    package.source_version = source_version;
    for (n, value) in artifact.array("locations")?.iter().enumerate() {
        let location = view(value, format!("{}.locations[{n}]", artifact.path))?;
        let path = location.required_str("path")?.trim_start_matches('/');
        let layer_index = match location.str("layerID")? {
            Some(id) => sbom
                .layers
                .iter()
                .find(|l| l.diff_id.as_ref().is_some_and(|d| d.as_str() == id))
                .map(|l| l.index),
            // A directory scan has no layers: everything is in its one tree.
            None => sbom.layers.is_empty().then_some(0),
        };
        if let Some(layer_index) = layer_index {
            let location = Location {
                path: path.to_string(),
                layer_index,
            };
            if !package.locations.contains(&location) {
                package.locations.push(location);
            }
        }
    }
    package.introduced_in = package.locations.iter().map(|l| l.layer_index).min();
    let mut kept: Map<String, Value> = metadata.map_or_else(Map::new, |m| m.map.clone());
    kept.retain(|key, _| !LIFTED.contains(&key.as_str()));
    package.metadata = Value::Object(kept);
    Ok(package)
}

/// `util-linux-2.32.1-42.el8.src.rpm` → (`util-linux`, `2.32.1-42.el8`).
fn split_source_rpm(file: &str) -> Option<(String, String)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

/// `dependency-of` (parent is the dependency) and `ownership-by-file-overlap` (parent is the
/// OS package owning the child's files) between artifacts.
fn foreign_relationships(
    sbom: &mut Sbom,
    root: &Obj<'_>,
    by_id: &HashMap<&str, usize>,
) -> Result<(), FormatError> {
    for (n, value) in root.array("artifactRelationships")?.iter().enumerate() {
        let relationship = view(value, format!("$.artifactRelationships[{n}]"))?;
        let parent = by_id.get(relationship.required_str("parent")?);
        let child = by_id.get(relationship.required_str("child")?);
        let (Some(&parent), Some(&child)) = (parent, child) else {
            continue;
        };
        match relationship.required_str("type")? {
            "dependency-of" if parent != child => {
                let name = sbom.packages[parent].name.clone();
                let depends_on = &mut sbom.packages[child].depends_on;
                if !depends_on.contains(&name) {
                    depends_on.push(name);
                }
            }
            "ownership-by-file-overlap" if ids::is_os_package(&sbom.packages[parent]) => {
                sbom.packages[child].owned_by = sbom.packages[parent].purl.clone();
            }
            _ => {}
        }
    }
    Ok(())
}

fn unreadable(problem: String) -> FormatError {
    json_view::unreadable(WHAT, problem)
}

fn view(value: &Value, path: String) -> Result<Obj<'_>, FormatError> {
    Obj::new(value, path, WHAT)
}
