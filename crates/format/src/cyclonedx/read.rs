//! Reads a CycloneDX JSON document back into the native model.
//!
//! sbomgen's own documents come back whole: the image's `sbomgen:` properties rebuild the
//! source, layers and hidden files, each package's rebuild its provenance, and the removed
//! packages come back from the `formulation` entry they were written to. The Trivy and Syft
//! aliases sbomgen also writes are not a second source of truth: its own properties decide.
//! Other tools' documents are read best effort, with what they carry ([`super::foreign`]):
//!
//! - Trivy: the image's `aquasecurity:trivy:DiffID`s (sorted by digest, so they give an order
//!   only when there is one layer), `ImageID`, `RepoTag`, `RepoDigest`; a package's
//!   `LayerDiffID`/`LayerDigest` (the layer that introduced it), `FilePath`, `SrcName`,
//!   `SrcVersion`.
//! - Syft: a package's `syft:location:<n>:{path,layerID}` (`layerID` is a diff id), extra
//!   CPEs as `syft:cpe23`, the distro's `syft:distro:*`.
//!
//! A layer id that matches no known layer leaves the index unset rather than guessed (Trivy's
//! is kept in the package's metadata, see [`super::peers::keep_unplaced_layer`]). Packages are
//! the `library`, `framework` and `application` components at any depth (Trivy's
//! `application` components without purl or version group files, and are not packages), and
//! the formulation components sbomgen marked removed; `depends_on` comes from `dependencies`
//! between packages. Packages come out in the native document order. Malformed input is an
//! [`FormatError::Unreadable`] naming the JSON path; unknown fields are ignored.

use std::collections::HashMap;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde_json::{Map, Value};

use sbomgen_model::{Distro, Package, Sbom};

use super::foreign;
use super::licenses::split_expression;
use super::model::{Contact, Supplier, CPE_PROPERTY};
use super::peers::{self, PeerFacts};
use crate::ids;
use crate::json_view::{self, Obj};
use crate::meta::TOOL_NAME;
use crate::provenance::{self, Property};
use crate::FormatError;

const SYFT_CPE: &str = "syft:cpe23";
/// How sbomgen marks a removed package ([`provenance::package_properties`]).
const REMOVED_PROPERTY: (&str, &str) = ("sbomgen:removed", "true");

/// Rebuilds an [`Sbom`] from `document`.
pub(super) fn read(document: &Value) -> Result<Sbom, FormatError> {
    let root = view(document, "$".into())?;
    let mut sbom = Sbom::default();

    let image = match root.object("metadata")? {
        Some(metadata) => metadata.object("component")?,
        None => None,
    };
    let ours = written_by_sbomgen(&root)?;

    let components = gather(&root, image.as_ref())?;

    let mut candidates = Vec::new();
    for component in &components {
        let kind = component.str("type")?.unwrap_or("");
        if kind == "operating-system" {
            if sbom.distro.is_none() {
                sbom.distro = Some(distro(component)?);
            }
            continue;
        }
        if is_package(component, kind)? {
            let properties = properties(component)?;
            let facts = PeerFacts::read(&properties);
            candidates.push((component, properties, facts));
        }
    }

    if let Some(image) = &image {
        let properties = properties(image)?;
        provenance::apply_image_properties(&mut sbom, &properties);
        if !ours {
            let blob_digests = foreign::blob_digests(candidates.iter().map(|(_, _, f)| f));
            foreign::image(&mut sbom, image, &properties, &blob_digests)?;
        }
    }

    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (component, properties, facts) in &candidates {
        let package = package(&sbom, component, properties, facts, ours)?;
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
    // Removed packages were written apart from the others; the native order puts them back.
    sbom.sort_packages();
    Ok(sbom)
}

/// Every component that may be a package or the distro: the image's nested ones, the
/// top-level ones at any depth, and the `formulation` components sbomgen marked removed (a
/// formula's components are what made the subject; only those are packages of the image).
fn gather<'a>(root: &Obj<'a>, image: Option<&Obj<'a>>) -> Result<Vec<Obj<'a>>, FormatError> {
    let mut components = Vec::new();
    if let Some(image) = image {
        collect_nested(image, &mut components)?;
    }
    for (n, value) in root.array("components")?.iter().enumerate() {
        let component = view(value, format!("$.components[{n}]"))?;
        components.push(component.clone());
        collect_nested(&component, &mut components)?;
    }
    let mut formulated = Vec::new();
    for (n, value) in root.array("formulation")?.iter().enumerate() {
        let formula = view(value, format!("$.formulation[{n}]"))?;
        for (m, value) in formula.array("components")?.iter().enumerate() {
            let component = view(value, format!("{}.components[{m}]", formula.path))?;
            formulated.push(component.clone());
            collect_nested(&component, &mut formulated)?;
        }
    }
    for component in formulated {
        if properties(&component)?.contains(&(REMOVED_PROPERTY.0.into(), REMOVED_PROPERTY.1.into()))
        {
            components.push(component);
        }
    }
    Ok(components)
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

fn package(
    sbom: &Sbom,
    c: &Obj<'_>,
    properties: &[Property],
    facts: &PeerFacts,
    ours: bool,
) -> Result<Package, FormatError> {
    let purl = c.str("purl")?.filter(|p| !p.is_empty());
    let parsed = purl.and_then(|p| PackageUrl::from_str(p).ok());
    let mut package = Package {
        name: c.required_str("name")?.to_string(),
        version: c.str("version")?.unwrap_or("").to_string(),
        purl: purl.map(str::to_string),
        licenses: licenses(c)?,
        ..Package::default()
    };
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
    provenance::apply_package_properties(&mut package, properties);
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
        foreign::provenance(sbom, &mut package, facts);
    }
    let mut metadata = metadata(c, &package)?;
    peers::keep_unplaced_layer(&package, facts, &mut metadata);
    package.metadata = Value::Object(metadata);
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
            if let Some(field) = hash.str("content")?.and_then(crate::apk::pull_checksum) {
                metadata.insert("pullChecksum".into(), field.into());
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
