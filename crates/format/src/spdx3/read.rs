//! SPDX 3 JSON-LD back to an [`Sbom`].
//!
//! Reads the compact form the official context defines (what sbomgen writes and what SPDX 3
//! writers emit): a `@graph` of objects, or a single object. The image is the SBOM's root
//! element (else the `container` package); its `sbomgen:` annotations give the source, layers
//! and hidden files; the `operatingSystem` package gives the distro; every other
//! `software_Package` becomes a native package, its provenance rebuilt from its annotations,
//! its licences from `hasDeclaredLicense`, its dependencies from `dependsOn`.
//!
//! Malformed structure (an element without spdxId, a relationship without `from`…) is an
//! [`FormatError::Unreadable`] naming the JSON path; unknown types and fields are ignored.

use std::collections::HashMap;

use serde_json::Value;

use sbomgen_model::{Package, Sbom};

use super::build::{DEPENDS_ON_PROPERTY, METADATA_PROPERTY};
use super::licensing;
use super::package::{self, StandardFields, Supplier};
use crate::ids;
use crate::json_view::Obj;
use crate::provenance::{self, Property};
use crate::spdx::foreign::kind_and_arch;
use crate::FormatError;

const WHAT: &str = "SPDX 3 document";

/// A `software_Package`'s fields the reader uses.
#[derive(Debug, Default)]
struct Spdx3Package<'a> {
    id: &'a str,
    name: &'a str,
    version: Option<&'a str>,
    purl: Option<&'a str>,
    purpose: Option<&'a str>,
    supplied_by: Option<&'a str>,
    home_page: Option<&'a str>,
    summary: Option<&'a str>,
    description: Option<&'a str>,
    cpes: Vec<&'a str>,
    sha1: Option<&'a str>,
}

struct Relationship<'a> {
    from: &'a str,
    kind: &'a str,
    to: Vec<&'a str>,
}

/// A `simplelicensing_LicenseExpression`: the expression and its `customIdToUri` entries
/// (`LicenseRef-…` → id of the element holding its text).
struct Expression<'a> {
    expression: &'a str,
    refs: Vec<(&'a str, &'a str)>,
}

/// The parts of the graph the reader uses.
#[derive(Default)]
struct Parsed<'a> {
    packages: Vec<Spdx3Package<'a>>,
    relationships: Vec<Relationship<'a>>,
    /// Subject → `name=value` statements, in document order.
    statements: HashMap<&'a str, Vec<&'a str>>,
    /// Expression element id → the expression.
    expressions: HashMap<&'a str, Expression<'a>>,
    /// Licensing text element id → text.
    texts: HashMap<&'a str, &'a str>,
    suppliers: HashMap<&'a str, Supplier>,
    /// The root elements of the `software_Sbom`s.
    sbom_roots: Vec<&'a str>,
}

/// Rebuilds the native document from SPDX 3 JSON-LD.
pub(crate) fn read(document: &Value) -> Result<Sbom, FormatError> {
    let root = Obj::new(document, "document".into(), WHAT)?;
    let graph: Vec<&Value> = match root.map.get("@graph") {
        Some(_) => root.array("@graph")?.iter().collect(),
        None => vec![document],
    };
    let mut parsed = Parsed::default();
    for (n, node) in graph.into_iter().enumerate() {
        parsed.add(&root.at(node, format!("@graph[{n}]"))?)?;
    }

    let image = parsed
        .packages
        .iter()
        .find(|p| parsed.sbom_roots.contains(&p.id))
        .or_else(|| {
            parsed
                .packages
                .iter()
                .find(|p| p.purpose == Some("container"))
        });
    let mut sbom = Sbom::default();
    if let Some(image) = image {
        provenance::apply_image_properties(&mut sbom, &parsed.properties(image.id));
    }
    let is_os = |p: &Spdx3Package<'_>| p.purpose == Some("operatingSystem");
    sbom.distro = parsed
        .packages
        .iter()
        .find(|p| is_os(p))
        .map(|os| ids::os_package_distro(os.name, os.version, os.description, os.summary));

    let listed: Vec<&Spdx3Package<'_>> = parsed
        .packages
        .iter()
        .filter(|p| image.is_none_or(|i| i.id != p.id) && !is_os(p))
        .collect();
    sbom.packages = listed.iter().map(|p| parsed.native_package(p)).collect();
    parsed.link_dependencies(&mut sbom.packages, &listed);
    sbom.sort_packages();
    Ok(sbom)
}

impl<'a> Parsed<'a> {
    /// Records one graph object by its type.
    fn add(&mut self, node: &Obj<'a>) -> Result<(), FormatError> {
        let kind = match node.str("type")? {
            Some(kind) => kind,
            None => node.str("@type")?.unwrap_or_default(),
        };
        let id = || -> Result<&'a str, FormatError> {
            match node.str("spdxId")? {
                Some(id) => Ok(id),
                None => node.required_str("@id"),
            }
        };
        match kind {
            "software_Package" => self.packages.push(package(node, id()?)?),
            "Relationship" | "LifecycleScopedRelationship" => {
                self.relationships.push(Relationship {
                    from: node.required_str("from")?,
                    kind: node.required_str("relationshipType")?,
                    to: references(node, "to")?,
                });
            }
            "Annotation" => {
                if let Some(statement) = node.str("statement")? {
                    let subject = node.required_str("subject")?;
                    self.statements.entry(subject).or_default().push(statement);
                }
            }
            "software_Sbom" => self.sbom_roots.extend(references(node, "rootElement")?),
            "simplelicensing_LicenseExpression" => {
                let mut refs = Vec::new();
                for (n, entry) in node
                    .array("simplelicensing_customIdToUri")?
                    .iter()
                    .enumerate()
                {
                    let path = format!("{}.simplelicensing_customIdToUri[{n}]", node.path);
                    let entry = node.at(entry, path)?;
                    refs.push((entry.required_str("key")?, entry.required_str("value")?));
                }
                let expression = node.required_str("simplelicensing_licenseExpression")?;
                self.expressions
                    .insert(id()?, Expression { expression, refs });
            }
            "simplelicensing_SimpleLicensingText" => {
                let text = node.required_str("simplelicensing_licenseText")?;
                self.texts.insert(id()?, text);
            }
            "Person" | "Organization" | "Agent" => {
                let email = identifiers(node)?
                    .into_iter()
                    .find(|(kind, _)| *kind == "email")
                    .map(|(_, value)| value);
                let name = node.str("name")?.unwrap_or_default();
                self.suppliers.insert(
                    id()?,
                    Supplier {
                        organization: kind == "Organization",
                        name: name.to_string(),
                        email: email.map(str::to_string),
                    },
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// `depends_on` from `dependsOn` relationships (target names, sorted), or sbomgen's own
    /// list where the document keeps it. `listed[i]` is the element `packages[i]` came from.
    fn link_dependencies(&self, packages: &mut [Package], listed: &[&Spdx3Package<'_>]) {
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for (i, spdx) in listed.iter().enumerate() {
            by_id.entry(spdx.id).or_insert(i);
        }
        for r in self.relationships.iter().filter(|r| r.kind == "dependsOn") {
            let Some(&from) = by_id.get(r.from) else {
                continue;
            };
            for to in &r.to {
                if let Some(&to) = by_id.get(to).filter(|&&to| to != from) {
                    let name = packages[to].name.clone();
                    if !packages[from].depends_on.contains(&name) {
                        packages[from].depends_on.push(name);
                    }
                }
            }
        }
        for (package, spdx) in packages.iter_mut().zip(listed) {
            package.depends_on.sort();
            let own = self
                .properties(spdx.id)
                .into_iter()
                .find(|(name, _)| name == DEPENDS_ON_PROPERTY)
                .and_then(|(_, names)| serde_json::from_str(&names).ok());
            if let Some(names) = own {
                package.depends_on = names;
            }
        }
    }

    /// The `sbomgen:` properties annotated on `subject`.
    fn properties(&self, subject: &str) -> Vec<Property> {
        provenance::properties_in(self.statements.get(subject).into_iter().flatten().copied())
    }

    /// The licences `hasDeclaredLicense` gives `id`, refs restored to their texts.
    fn declared_licenses(&self, id: &str) -> Vec<String> {
        self.relationships
            .iter()
            .filter(|r| r.from == id && r.kind == "hasDeclaredLicense")
            .flat_map(|r| r.to.iter())
            .filter_map(|to| self.expressions.get(to))
            .flat_map(|Expression { expression, refs }| {
                let texts: HashMap<String, String> = refs
                    .iter()
                    .filter_map(|(key, uri)| {
                        Some((key.to_string(), self.texts.get(uri)?.to_string()))
                    })
                    .collect();
                licensing::split(expression, &texts)
            })
            .collect()
    }

    fn native_package(&self, spdx: &Spdx3Package<'_>) -> Package {
        let properties = self.properties(spdx.id);
        // sbomgen's own packages say their type and arch; others' are read from the purl.
        let (kind, arch) = if properties.is_empty() {
            spdx.purl.and_then(kind_and_arch).unwrap_or_default()
        } else {
            Default::default()
        };
        let mut package = Package {
            name: spdx.name.to_string(),
            version: spdx.version.unwrap_or_default().to_string(),
            kind,
            arch,
            purl: spdx.purl.map(str::to_string),
            cpes: spdx.cpes.iter().map(ToString::to_string).collect(),
            licenses: self.declared_licenses(spdx.id),
            ..Package::default()
        };
        provenance::apply_package_properties(&mut package, &properties);
        let fields = StandardFields {
            supplier: spdx.supplied_by.and_then(|id| self.suppliers.get(id)),
            home_page: spdx.home_page,
            summary: spdx.summary,
            description: spdx.description,
            sha1: spdx.sha1,
        };
        let rest = properties
            .iter()
            .find(|(name, _)| name == METADATA_PROPERTY)
            .map(|(_, value)| value.as_str());
        package.metadata = package::restore_metadata(fields.metadata(&package.kind), rest);
        package
    }
}

fn package<'a>(node: &Obj<'a>, id: &'a str) -> Result<Spdx3Package<'a>, FormatError> {
    let mut sha1 = None;
    for (n, hash) in node.array("verifiedUsing")?.iter().enumerate() {
        let hash = node.at(hash, format!("{}.verifiedUsing[{n}]", node.path))?;
        if hash.str("algorithm")? == Some("sha1") {
            sha1 = hash.str("hashValue")?;
        }
    }
    Ok(Spdx3Package {
        id,
        name: node.str("name")?.unwrap_or_default(),
        version: node.str("software_packageVersion")?,
        purl: node.str("software_packageUrl")?,
        purpose: node.str("software_primaryPurpose")?,
        supplied_by: node.str("suppliedBy")?,
        home_page: node.str("software_homePage")?,
        summary: node.str("summary")?,
        description: node.str("description")?,
        cpes: identifiers(node)?
            .into_iter()
            .filter(|(kind, _)| matches!(*kind, "cpe23" | "cpe22"))
            .map(|(_, value)| value)
            .collect(),
        sha1,
    })
}

/// `(externalIdentifierType, identifier)` of an element's external identifiers.
fn identifiers<'a>(node: &Obj<'a>) -> Result<Vec<(&'a str, &'a str)>, FormatError> {
    let mut out = Vec::new();
    for (n, identifier) in node.array("externalIdentifier")?.iter().enumerate() {
        let path = format!("{}.externalIdentifier[{n}]", node.path);
        let identifier = node.at(identifier, path)?;
        out.push((
            identifier.required_str("externalIdentifierType")?,
            identifier.required_str("identifier")?,
        ));
    }
    Ok(out)
}

/// A reference list; JSON-LD also allows a single value where the schema has a list.
fn references<'a>(node: &Obj<'a>, key: &str) -> Result<Vec<&'a str>, FormatError> {
    match node.map.get(key) {
        Some(Value::String(one)) => Ok(vec![one]),
        _ => node.strings(key),
    }
}
