//! Reads a CycloneDX JSON document back into the native model.
//!
//! sbomgen's own documents come back whole: the image's `sbomgen:` properties rebuild the
//! source, layers and hidden files, each package's rebuild its provenance. Other tools'
//! documents are read best effort, with what they carry:
//!
//! - Trivy: the image's `aquasecurity:trivy:DiffID`s (in layer order), `ImageID`, `RepoTag`,
//!   `RepoDigest`; a package's `LayerDiffID`/`LayerDigest` (the layer that introduced it),
//!   `FilePath`, `SrcName`, `SrcVersion`.
//! - Syft: a package's `syft:location:<n>:{path,layerID}` (`layerID` is a diff id), extra
//!   CPEs as `syft:cpe23`, the distro's `syft:distro:*`. Syft lists no layers, so its layer
//!   ids resolve only when the document names the layers some other way.
//!
//! A layer id that matches no known layer leaves the field unset rather than guessed. Packages
//! are the `library`, `framework` and `application` components at any depth (Trivy's
//! `application` components without purl or version group files, and are not packages);
//! `depends_on` comes from `dependencies` between packages. Malformed input is an
//! [`FormatError::Unreadable`] naming the JSON path; unknown fields are ignored.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use base64::Engine as _;
use packageurl::PackageUrl;
use serde_json::{Map, Value};

use sbomgen_model::{Digest, Distro, Location, Package, Sbom};

use super::licenses::split_expression;
use super::model::{Contact, Supplier, CPE_PROPERTY};
use crate::ids;
use crate::json_view::{self, Obj};
use crate::meta::TOOL_NAME;
use crate::provenance::{self, Property};
use crate::FormatError;

const TRIVY: &str = "aquasecurity:trivy:";
const SYFT_CPE: &str = "syft:cpe23";

/// Rebuilds an [`Sbom`] from `document`.
pub(super) fn read(document: &Value) -> Result<Sbom, FormatError> {
    let root = view(document, "$".into())?;
    let mut sbom = Sbom::default();

    let image = match root.object("metadata")? {
        Some(metadata) => metadata.object("component")?,
        None => None,
    };
    let ours = written_by_sbomgen(&root)?;
    if let Some(image) = &image {
        let properties = properties(image)?;
        provenance::apply_image_properties(&mut sbom, &properties);
        if !ours {
            foreign_image(&mut sbom, image, &properties)?;
        }
    }

    let mut components = Vec::new();
    if let Some(image) = &image {
        collect_nested(image, &mut components)?;
    }
    for (n, value) in root.array("components")?.iter().enumerate() {
        let component = view(value, format!("$.components[{n}]"))?;
        components.push(component.clone());
        collect_nested(&component, &mut components)?;
    }

    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for component in &components {
        let kind = component.str("type")?.unwrap_or("");
        if kind == "operating-system" {
            if sbom.distro.is_none() {
                sbom.distro = Some(distro(component)?);
            }
            continue;
        }
        if !is_package(component, kind)? {
            continue;
        }
        let package = package(&sbom, component, ours)?;
        if let Some(reference) = component.str("bom-ref")? {
            by_ref.entry(reference).or_insert(sbom.packages.len());
        }
        sbom.packages.push(package);
    }

    for (n, value) in root.array("dependencies")?.iter().enumerate() {
        let entry = view(value, format!("$.dependencies[{n}]"))?;
        let Some(&from) = by_ref.get(entry.required_str("ref")?) else {
            continue;
        };
        for (m, target) in entry.array("dependsOn")?.iter().enumerate() {
            let target = target.as_str().ok_or_else(|| {
                unreadable(format!("{}.dependsOn[{m}] is not a string", entry.path))
            })?;
            let Some(&to) = by_ref.get(target) else {
                continue;
            };
            let name = sbom.packages[to].name.clone();
            let depends_on = &mut sbom.packages[from].depends_on;
            if to != from && !depends_on.contains(&name) {
                depends_on.push(name);
            }
        }
    }

    let layers_only = Sbom {
        layers: sbom.layers.clone(),
        ..Sbom::default()
    };
    for package in &mut sbom.packages {
        strip_removal_note(&layers_only, package);
    }
    Ok(sbom)
}

/// Whether sbomgen wrote the document: then its properties are authoritative (an absent one
/// means an absent field), and no other tool's conventions apply.
fn written_by_sbomgen(root: &Obj<'_>) -> Result<bool, FormatError> {
    let Some(tools) = root.object("metadata")?.map(|m| m.map.get("tools")) else {
        return Ok(false);
    };
    // 1.5+ `tools.components`, or the older bare list of tools.
    let listed = match tools {
        Some(Value::Object(tools)) => tools.get("components").and_then(Value::as_array),
        Some(Value::Array(tools)) => Some(tools),
        _ => None,
    };
    Ok(listed.is_some_and(|tools| {
        tools
            .iter()
            .any(|tool| tool.get("name").and_then(Value::as_str) == Some(TOOL_NAME))
    }))
}

/// The source and layers another tool's image component tells.
fn foreign_image(
    sbom: &mut Sbom,
    image: &Obj<'_>,
    properties: &[Property],
) -> Result<(), FormatError> {
    fn trivy<'p>(properties: &'p [Property], field: &'p str) -> impl Iterator<Item = &'p str> {
        properties
            .iter()
            .filter(move |(name, _)| name.strip_prefix(TRIVY) == Some(field))
            .map(|(_, value)| value.as_str())
    }
    let trivy = |field: &'static str| trivy(properties, field);
    let name = image.str("name")?.filter(|n| !n.is_empty());
    let version = image.str("version")?.filter(|v| !v.is_empty());
    let version_digest = version.and_then(|v| v.parse::<Digest>().ok());
    let source = &mut sbom.source;
    source.reference = trivy("RepoTag").next().map(str::to_string).or_else(|| {
        let name = name?;
        Some(match version {
            Some(tag) if version_digest.is_none() => format!("{name}:{tag}"),
            _ => name.to_string(),
        })
    });
    // Syft versions the image by its manifest digest; Trivy names it in `repo@digest`.
    source.manifest_digest = version_digest.or_else(|| {
        trivy("RepoDigest")
            .filter_map(|d| d.rsplit_once('@'))
            .find_map(|(_, digest)| digest.parse().ok())
    });
    source.config_digest = trivy("ImageID").find_map(|d| d.parse().ok());
    if sbom.layers.is_empty() {
        sbom.layers = trivy("DiffID")
            .enumerate()
            .map(|(index, diff_id)| sbomgen_model::LayerSummary {
                index,
                diff_id: diff_id.parse().ok(),
                ..Default::default()
            })
            .collect();
    }
    Ok(())
}

/// Adds the components nested under `parent`, at any depth, each before its own children.
fn collect_nested<'a>(parent: &Obj<'a>, out: &mut Vec<Obj<'a>>) -> Result<(), FormatError> {
    for (n, value) in parent.array("components")?.iter().enumerate() {
        let child = view(value, format!("{}.components[{n}]", parent.path))?;
        out.push(child.clone());
        collect_nested(&child, out)?;
    }
    Ok(())
}

fn is_package(component: &Obj<'_>, kind: &str) -> Result<bool, FormatError> {
    Ok(match kind {
        "library" | "framework" => true,
        "application" => component.str("purl")?.is_some() || component.str("version")?.is_some(),
        _ => false,
    })
}

fn distro(component: &Obj<'_>) -> Result<Distro, FormatError> {
    let properties = properties(component)?;
    let syft = |field: &str| {
        properties
            .iter()
            .find(|(name, _)| name.strip_prefix("syft:distro:") == Some(field))
            .map(|(_, value)| value.clone())
    };
    let field = |key: &str| -> Result<Option<String>, FormatError> {
        Ok(component.str(key)?.map(str::to_string))
    };
    Ok(Distro {
        id: syft("id")
            .or(field("name")?.map(|family| ids::os_release_id(&family).to_string()))
            .unwrap_or_default(),
        version_id: syft("versionID")
            .or(field("version")?)
            .filter(|v| !v.is_empty()),
        pretty_name: syft("prettyName")
            .or(field("description")?)
            .filter(|p| !p.is_empty()),
    })
}

fn package(sbom: &Sbom, c: &Obj<'_>, ours: bool) -> Result<Package, FormatError> {
    let purl = c.str("purl")?.filter(|p| !p.is_empty());
    let parsed = purl.and_then(|p| PackageUrl::from_str(p).ok());
    let mut package = Package {
        name: c.required_str("name")?.to_string(),
        version: c.str("version")?.unwrap_or("").to_string(),
        purl: purl.map(str::to_string),
        licenses: licenses(c)?,
        ..Package::default()
    };
    let properties = properties(c)?;
    package.cpes = c
        .str("cpe")?
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .into_iter()
        .collect();
    package.cpes.extend(
        properties
            .iter()
            .filter(|(name, _)| name == CPE_PROPERTY || name == SYFT_CPE)
            .map(|(_, value)| value.clone()),
    );
    provenance::apply_package_properties(&mut package, &properties);
    if package.kind.is_empty() {
        package.kind = parsed
            .as_ref()
            .map_or("generic".to_string(), |p| p.ty().to_string());
    }
    if !ours {
        package.arch = parsed
            .as_ref()
            .and_then(|p| p.qualifiers().get("arch"))
            .map(ToString::to_string);
        foreign_provenance(sbom, &mut package, &properties);
    }
    package.metadata = Value::Object(metadata(c, &package)?);
    Ok(package)
}

/// Licence ids, names and expressions, in document order.
fn licenses(c: &Obj<'_>) -> Result<Vec<String>, FormatError> {
    let mut out = Vec::new();
    for (n, value) in c.array("licenses")?.iter().enumerate() {
        let choice = view(value, format!("{}.licenses[{n}]", c.path))?;
        if let Some(expression) = choice.str("expression")? {
            out.extend(split_expression(expression));
        } else if let Some(license) = choice.object("license")? {
            if let Some(text) = license.str("id")?.or(license.str("name")?) {
                out.push(text.to_string());
            }
        }
    }
    Ok(out)
}

/// Trivy's and Syft's layer and location properties, resolved against the known layers.
fn foreign_provenance(sbom: &Sbom, package: &mut Package, properties: &[Property]) {
    let layer_of = |id: &str| {
        sbom.layers
            .iter()
            .find(|l| {
                l.diff_id.as_ref().is_some_and(|d| d.as_str() == id)
                    || l.digest.as_ref().is_some_and(|d| d.as_str() == id)
            })
            .map(|l| l.index)
    };
    let mut trivy_layer = None;
    let mut trivy_path = None;
    let mut syft: BTreeMap<usize, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for (name, value) in properties {
        if let Some(field) = name.strip_prefix(TRIVY) {
            match field {
                "LayerDiffID" | "LayerDigest" => trivy_layer = trivy_layer.or(layer_of(value)),
                "FilePath" => trivy_path = Some(value.as_str()),
                "SrcName" => package.source_name = Some(value.clone()),
                "SrcVersion" => package.source_version = Some(value.clone()),
                _ => {}
            }
        } else if let Some(rest) = name.strip_prefix("syft:location:") {
            let Some((n, field)) = rest.split_once(':') else {
                continue;
            };
            let Ok(n) = n.parse::<usize>() else { continue };
            let entry = syft.entry(n).or_default();
            match field {
                "path" => entry.0 = Some(value.as_str()),
                "layerID" => entry.1 = Some(value.as_str()),
                _ => {}
            }
        }
    }
    for (path, layer) in syft.into_values() {
        if let (Some(path), Some(layer_index)) = (path, layer.and_then(layer_of)) {
            package.locations.push(Location {
                path: path.trim_start_matches('/').to_string(),
                layer_index,
            });
        }
    }
    if let (Some(path), Some(layer_index)) = (trivy_path, trivy_layer) {
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

/// The metadata the document carries in standard fields, under the native keys: description
/// (rpm: summary), maintainer (rpm: vendor), homepage (apk: url), apk pull checksum.
fn metadata(c: &Obj<'_>, package: &Package) -> Result<Map<String, Value>, FormatError> {
    let mut metadata = Map::new();
    let rpm = package.kind == "rpm";
    let apk = package.kind == "apk";
    if let Some(description) = c.str("description")?.filter(|d| !d.is_empty()) {
        let key = if rpm { "summary" } else { "description" };
        metadata.insert(key.into(), description.into());
    }
    if let Some(supplier) = c.object("supplier")? {
        let contact = supplier
            .array("contact")?
            .first()
            .map(|v| view(v, format!("{}.contact[0]", supplier.path)))
            .transpose()?;
        let contact = match contact {
            Some(contact) => contact.str("email")?.map(|email| {
                Ok::<_, FormatError>(Contact {
                    name: contact.str("name")?.map(str::to_string),
                    email: email.to_string(),
                })
            }),
            None => None,
        }
        .transpose()?;
        let supplier = Supplier {
            name: supplier.str("name")?.unwrap_or("").to_string(),
            contact,
        };
        let text = supplier.to_maintainer();
        if !text.is_empty() {
            let key = if rpm { "vendor" } else { "maintainer" };
            metadata.insert(key.into(), text.into());
        }
    }
    for (n, value) in c.array("externalReferences")?.iter().enumerate() {
        let reference = view(value, format!("{}.externalReferences[{n}]", c.path))?;
        if reference.str("type")? == Some("website") {
            if let Some(url) = reference.str("url")? {
                let key = if apk { "url" } else { "homepage" };
                metadata.entry(key).or_insert_with(|| url.into());
            }
        }
    }
    if apk {
        for (n, value) in c.array("hashes")?.iter().enumerate() {
            let hash = view(value, format!("{}.hashes[{n}]", c.path))?;
            if hash.str("alg")? != Some("SHA-1") {
                continue;
            }
            if let Some(bytes) = hash.str("content")?.and_then(|h| hex::decode(h).ok()) {
                let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
                metadata.insert("pullChecksum".into(), format!("Q1{encoded}").into());
            }
        }
    }
    Ok(metadata)
}

/// Takes the removal note sbomgen put before a removed package's description back out, so the
/// description is the package's own again.
///
/// `layers_only` holds the document's layers: all the note depends on besides the package.
fn strip_removal_note(layers_only: &Sbom, package: &mut Package) {
    let Some(note) = provenance::removal_note(layers_only, package) else {
        return;
    };
    let Some(map) = package.metadata.as_object_mut() else {
        return;
    };
    for key in ["description", "summary"] {
        let Some(text) = map.get(key).and_then(Value::as_str) else {
            continue;
        };
        if text == note {
            map.remove(key);
        } else if let Some(rest) = text.strip_prefix(&format!("{note} ")) {
            let rest = rest.to_string();
            map.insert(key.into(), rest.into());
        }
    }
}

const WHAT: &str = "CycloneDX document";

fn unreadable(problem: String) -> FormatError {
    json_view::unreadable(WHAT, problem)
}

fn view(value: &Value, path: String) -> Result<Obj<'_>, FormatError> {
    Obj::new(value, path, WHAT)
}

/// `properties` as name/value pairs (a property without a value has the empty one).
fn properties(component: &Obj<'_>) -> Result<Vec<Property>, FormatError> {
    let mut out = Vec::new();
    for (n, value) in component.array("properties")?.iter().enumerate() {
        let property = view(value, format!("{}.properties[{n}]", component.path))?;
        out.push((
            property.required_str("name")?.to_string(),
            property.str("value")?.unwrap_or("").to_string(),
        ));
    }
    Ok(out)
}
