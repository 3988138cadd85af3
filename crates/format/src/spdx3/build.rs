//! An [`Sbom`] as the SPDX 3 graph described in the [module doc](super): elements, then
//! relationships, then annotations, each in an order derived from the `Sbom` alone.

use std::collections::BTreeMap;

use sbomgen_model::Sbom;

use super::licensing::Licensing;
use super::model::{
    Agent, Annotation, CreationInfo, Document, Element, Hash, Node, Package, Relationship,
    SpdxDocument, CREATION_INFO, SPEC_VERSION,
};
use super::package::{self, StandardFields, Suppliers};
use super::CONTEXT;
use crate::meta::{TOOL_NAME, TOOL_VERSION};
use crate::spdx::OWNED_BY_COMMENT;
use crate::{ids, provenance, DocumentInfo};

const NAMESPACE_BASE: &str = "https://sbomgen.dev/spdx3/";
/// The local names (after `#`) of the fixed elements.
pub(crate) const AGENT: &str = "agent-sbomgen";
pub(crate) const TOOL: &str = "tool-sbomgen";
pub(crate) const DOCUMENT: &str = "document";
pub(crate) const SBOM: &str = "sbom";
pub(crate) const IMAGE: &str = "image";
pub(crate) const OS_PREFIX: &str = "os-";
pub(crate) const PACKAGE_PREFIX: &str = "package-";
/// The property holding the native metadata the package's SPDX fields do not carry
/// ([`package::metadata_rest`]).
pub(crate) const METADATA_PROPERTY: &str = "sbomgen:metadata";
/// The property holding a package's native `depends_on` (a JSON array of names), when the
/// `dependsOn` relationships do not give it back.
pub(crate) const DEPENDS_ON_PROPERTY: &str = "sbomgen:dependsOn";
/// The comment of the `build`-scoped relationship holding the removed packages.
pub(crate) const REMOVED_COMMENT: &str = "Removed by a later layer: installed while the image was built and still present in its lower layers, absent from the filesystem a container runs.";

/// The key of one grouped relationship: from, type, lifecycle scope.
type RelationshipKey = (String, &'static str, Option<&'static str>);

/// The document for `sbom`.
pub(crate) fn document(sbom: &Sbom, info: &DocumentInfo) -> Document {
    let identity = ids::image_identity(sbom);
    let base = format!(
        "{NAMESPACE_BASE}{}-{}#",
        ids::sanitise(&identity.name),
        info.uuid
    );
    let id = |local: &str| format!("{base}{local}");
    let mut graph = Graph::new(&base);

    let mut image = package::image(sbom, &identity, id(IMAGE));
    image.purpose = Some("container");
    graph.annotate(&image.element.spdx_id, provenance::image_properties(sbom));
    let image_id = image.element.spdx_id.clone();
    let mut software = vec![image_id.clone()];
    let mut packages = vec![Node::Package(image)];

    let os_id = sbom
        .distro
        .as_ref()
        .filter(|d| !d.id.is_empty())
        .map(|distro| {
            let family = ids::os_family(&distro.id);
            let mut os = Package::named(
                id(&format!("{OS_PREFIX}{}", ids::sanitise(family))),
                family.to_string(),
            );
            os.version = distro.version_id.clone();
            os.description = distro.pretty_name.clone();
            os.purpose = Some("operatingSystem");
            let os_id = os.element.spdx_id.clone();
            graph.relate(&image_id, "contains", None, &os_id);
            software.push(os_id.clone());
            packages.push(Node::Package(os));
            os_id
        });

    let package_ids: Vec<String> = ids::package_ids(sbom)
        .iter()
        .map(|p| id(&format!("{PACKAGE_PREFIX}{p}")))
        .collect();
    let mut suppliers = Suppliers::new(&base);
    let edges = ids::dependency_edges(sbom);
    for ((native, spdx_id), targets) in sbom.packages.iter().zip(&package_ids).zip(&edges) {
        let node = package::package(sbom, native, spdx_id.clone(), &mut suppliers);
        let properties = package_properties(sbom, native, &node, &suppliers, targets);
        graph.annotate(spdx_id, properties);
        if let Some(expression) = graph.licensing.declared(&native.licenses) {
            graph.relate(spdx_id, "hasDeclaredLicense", None, &expression);
        }
        match (&os_id, native.removed_in) {
            (_, Some(_)) => graph.relate(&image_id, "contains", Some("build"), spdx_id),
            (Some(os), None) if ids::is_os_package(native) => {
                graph.relate(os, "contains", None, spdx_id);
            }
            _ => graph.relate(&image_id, "contains", None, spdx_id),
        }
        software.push(spdx_id.clone());
        packages.push(Node::Package(node));
    }
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets {
            graph.relate(&package_ids[from], "dependsOn", None, &package_ids[to]);
        }
    }
    for (owned, owner) in ids::owners(sbom).into_iter().enumerate() {
        if let Some(owner) = owner {
            graph.relate(&package_ids[owner], "other", None, &package_ids[owned]);
        }
    }
    graph.finish(info, &identity.name, software, packages, suppliers)
}

/// A package's provenance properties, and what else the reader needs to restore it exactly:
/// the metadata its SPDX fields do not carry, and its dependency names when the `dependsOn`
/// relationships (to `targets`, packages in the image only, names sorted) do not say them.
fn package_properties(
    sbom: &Sbom,
    native: &sbomgen_model::Package,
    node: &Package,
    suppliers: &Suppliers,
    targets: &[usize],
) -> Vec<provenance::Property> {
    let mut properties = provenance::package_properties(sbom, native);
    let restored = StandardFields::of(node, suppliers).metadata(&native.kind);
    if let Some(rest) = package::metadata_rest(native, &restored) {
        properties.push((METADATA_PROPERTY.to_string(), rest));
    }
    let mut related: Vec<&str> = targets
        .iter()
        .map(|&t| sbom.packages[t].name.as_str())
        .collect();
    related.sort_unstable();
    related.dedup();
    if related != native.depends_on {
        let names = serde_json::to_string(&native.depends_on).unwrap_or_default();
        properties.push((DEPENDS_ON_PROPERTY.to_string(), names));
    }
    properties
}

/// What the walk over the packages collects besides the packages themselves.
struct Graph {
    base: String,
    licensing: Licensing,
    /// Relationships grouped by (from, type, scope), targets in the order first related.
    relationships: BTreeMap<RelationshipKey, Vec<String>>,
    annotations: Vec<Annotation>,
}

impl Graph {
    fn new(base: &str) -> Graph {
        Graph {
            base: base.to_string(),
            licensing: Licensing::new(base),
            relationships: BTreeMap::new(),
            annotations: Vec::new(),
        }
    }

    fn local<'a>(&self, spdx_id: &'a str) -> &'a str {
        spdx_id.strip_prefix(&self.base).unwrap_or(spdx_id)
    }

    fn relate(&mut self, from: &str, kind: &'static str, scope: Option<&'static str>, to: &str) {
        let targets = self
            .relationships
            .entry((from.to_string(), kind, scope))
            .or_default();
        if !targets.iter().any(|t| t == to) {
            targets.push(to.to_string());
        }
    }

    /// One `other` annotation per property, numbered per subject.
    fn annotate(&mut self, subject: &str, properties: Vec<provenance::Property>) {
        for (n, (name, value)) in properties.into_iter().enumerate() {
            let spdx_id = format!("{}annotation-{}-{n}", self.base, self.local(subject));
            self.annotations.push(Annotation {
                element: Element::new(spdx_id),
                annotation_type: "other",
                subject: subject.to_string(),
                statement: format!("{name}={value}"),
            });
        }
    }

    /// The whole graph: creation info, agents, document, SBOM, software, licences,
    /// relationships, annotations.
    fn finish(
        mut self,
        info: &DocumentInfo,
        name: &str,
        software: Vec<String>,
        packages: Vec<Node>,
        suppliers: Suppliers,
    ) -> Document {
        let id = |local: &str| format!("{}{local}", self.base);
        let data_license = self.licensing.expression("CC0-1.0");
        let mut nodes = vec![
            Node::SoftwareAgent(Agent {
                element: Element::new(id(AGENT)),
                name: TOOL_NAME.to_string(),
                external_identifier: Vec::new(),
            }),
            Node::Tool(Agent {
                element: Element::new(id(TOOL)),
                name: format!("{TOOL_NAME}-{TOOL_VERSION}"),
                external_identifier: Vec::new(),
            }),
            Node::Sbom(super::model::Sbom {
                element: Element::new(id(SBOM)),
                sbom_type: vec!["analyzed"],
                root_element: software[..1].to_vec(),
                members: software,
            }),
        ];
        nodes.extend(packages);
        nodes.extend(suppliers.into_nodes());
        nodes.extend(self.licensing.into_nodes());
        for ((from, kind, scope), to) in self.relationships {
            let local = from.strip_prefix(&self.base).unwrap_or(&from);
            let spdx_id = match scope {
                Some(scope) => id(&format!("relationship-{local}-{kind}-{scope}")),
                None => id(&format!("relationship-{local}-{kind}")),
            };
            let comment = match (kind, scope) {
                ("contains", Some(_)) => Some(REMOVED_COMMENT.to_string()),
                // SPDX 3 has no type for "the same software, found twice" either.
                ("other", _) => Some(OWNED_BY_COMMENT.to_string()),
                _ => None,
            };
            let relationship = Relationship {
                element: Element::new(spdx_id),
                from,
                relationship_type: kind,
                to,
                scope,
                comment,
            };
            nodes.push(match scope {
                Some(_) => Node::LifecycleScopedRelationship(relationship),
                None => Node::Relationship(relationship),
            });
        }
        nodes.extend(self.annotations.into_iter().map(Node::Annotation));

        let members: Vec<String> = nodes
            .iter()
            .filter_map(|n| n.spdx_id().map(str::to_string))
            .collect();
        let mut graph = vec![
            Node::CreationInfo(CreationInfo {
                id: CREATION_INFO,
                spec_version: SPEC_VERSION,
                created: info.created.clone(),
                created_by: vec![id(AGENT)],
                created_using: vec![id(TOOL)],
            }),
            Node::SpdxDocument(SpdxDocument {
                element: Element::new(id(DOCUMENT)),
                name: name.to_string(),
                profile_conformance: vec!["core", "software", "simpleLicensing"],
                data_license,
                root_element: vec![id(SBOM)],
                members,
            }),
        ];
        graph.extend(nodes);
        Document {
            context: CONTEXT,
            graph,
        }
    }
}

/// A digest as an SPDX 3 `Hash`, for the algorithms the HashAlgorithm vocabulary names.
pub(crate) fn digest_hash(digest: &sbomgen_model::Digest) -> Option<Hash> {
    let algorithm = match digest.algorithm() {
        "sha256" => "sha256",
        "sha512" => "sha512",
        _ => return None,
    };
    Some(Hash {
        algorithm,
        hash_value: digest.hex().to_string(),
    })
}
