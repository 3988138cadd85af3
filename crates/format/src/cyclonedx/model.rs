//! The CycloneDX document as both encodings write it, built once from the native [`Sbom`].
//!
//! Every decision about what goes where (which packages are components and which go into
//! `formulation`, the dependency graph) is made here, and what each component says in
//! [`super::component`], so the JSON and XML writers only spell it out and cannot disagree.

use sbomgen_model::Sbom;

use super::component::{image_component, os_component, package_component};
use super::licenses::Licenses;
use super::SpecVersion;
use crate::ids;
use crate::meta::{TOOL_NAME, TOOL_VERSION};
use crate::provenance::Property;
use crate::DocumentInfo;

/// The image's `bom-ref`.
pub(crate) const IMAGE_REF: &str = "image";
/// The distro's `bom-ref`.
pub(crate) const OS_REF: &str = "os";
/// Package `bom-ref`s are this prefix and the package's stable id, so they never collide with
/// the two above.
pub(crate) const PACKAGE_REF_PREFIX: &str = "package-";
/// CPEs beyond the first (CycloneDX has one `cpe` field), and any the field cannot hold.
pub(crate) const CPE_PROPERTY: &str = "sbomgen:cpe23";
/// The `bom-ref` of the formula holding the removed packages.
pub(crate) const REMOVED_FORMULA_REF: &str = "removed-packages";

/// A whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bom {
    pub version: SpecVersion,
    /// `urn:uuid:…`
    pub serial_number: String,
    pub timestamp: String,
    pub tool_name: &'static str,
    pub tool_version: &'static str,
    /// `metadata.component`.
    pub image: Component,
    /// The distro (first, when known), then the packages still installed, in document order.
    pub components: Vec<Component>,
    /// One entry per component (the removed packages' included), image first, in package order.
    pub dependencies: Vec<Dependency>,
    /// The packages a later layer removed, when there are any.
    pub removed: Option<Formula>,
}

/// A `formulation` entry: the packages a lower layer installed and a later one removed.
///
/// Consumers count top-level `components` as what the image contains, and `scope: excluded`
/// does not stop them (Trivy ignores it). A formula's components are "transient components
/// used in the making" of the BOM's subject, which removed packages are, and neither Trivy nor
/// Syft reads them as installed: the final filesystem's package list is exact, and the
/// removed packages stay in the document with their provenance (sbomgen issue 13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Formula {
    pub bom_ref: &'static str,
    pub components: Vec<Component>,
}

/// The component types sbomgen writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ComponentType {
    Container,
    OperatingSystem,
    Library,
}

impl ComponentType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            ComponentType::Container => "container",
            ComponentType::OperatingSystem => "operating-system",
            ComponentType::Library => "library",
        }
    }
}

/// A component, with only the fields sbomgen fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Component {
    pub kind: ComponentType,
    pub bom_ref: String,
    pub supplier: Option<Supplier>,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub hashes: Vec<Hash>,
    pub licenses: Licenses,
    pub cpe: Option<String>,
    pub purl: Option<String>,
    pub external_references: Vec<ExternalReference>,
    pub properties: Vec<Property>,
}

impl Component {
    pub(super) fn new(kind: ComponentType, bom_ref: String, name: String) -> Self {
        Component {
            kind,
            bom_ref,
            supplier: None,
            name,
            version: None,
            description: None,
            hashes: Vec::new(),
            licenses: Licenses::None,
            cpe: None,
            purl: None,
            external_references: Vec::new(),
            properties: Vec::new(),
        }
    }
}

/// Who supplied a package: the deb/apk maintainer or the rpm vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Supplier {
    pub name: String,
    /// Set when the maintainer field had a well-formed e-mail address.
    pub contact: Option<Contact>,
}

/// A person or team with an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Contact {
    pub name: Option<String>,
    pub email: String,
}

/// A hash with its CycloneDX algorithm name (`SHA-1`, `SHA-256`…) and lower-case hex content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hash {
    pub alg: &'static str,
    pub content: String,
}

/// An external reference; sbomgen writes only `website`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExternalReference {
    pub kind: &'static str,
    pub url: String,
}

/// One `dependencies` entry; `depends_on` is sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub reference: String,
    pub depends_on: Vec<String>,
}

impl Bom {
    /// Builds the document for `sbom`.
    pub(super) fn build(sbom: &Sbom, info: &DocumentInfo, version: SpecVersion) -> Bom {
        let refs: Vec<String> = ids::package_ids(sbom)
            .into_iter()
            .map(|id| format!("{PACKAGE_REF_PREFIX}{id}"))
            .collect();
        let image = image_component(sbom, &ids::image_identity(sbom));
        let os = sbom
            .distro
            .as_ref()
            .filter(|d| !d.id.is_empty())
            .map(os_component);

        // The distro reaches the OS packages it still holds; the image reaches the distro and
        // the other installed packages, so every installed package is reachable from the
        // root. Matchers that read OS packages through the distro (Trivy, Dependency-Track)
        // need that edge. Removed packages are reached from neither: they are not in the
        // final filesystem. Their own entries stay, so what they depended on is still told
        // (a reference into `formulation` resolves: bom-refs are unique across the BOM).
        let mut image_deps: Vec<String> = Vec::new();
        let mut os_deps: Vec<String> = Vec::new();
        if os.is_some() {
            image_deps.push(OS_REF.to_string());
        }
        for (package, reference) in sbom.packages.iter().zip(&refs) {
            if package.removed_in.is_some() {
                continue;
            }
            if os.is_some() && ids::is_os_package(package) {
                os_deps.push(reference.clone());
            } else {
                image_deps.push(reference.clone());
            }
        }
        let mut dependencies = vec![dependency(IMAGE_REF.to_string(), image_deps)];
        if os.is_some() {
            dependencies.push(dependency(OS_REF.to_string(), os_deps));
        }
        for (reference, targets) in refs.iter().zip(ids::dependency_edges(sbom)) {
            let depends_on = targets.into_iter().map(|t| refs[t].clone()).collect();
            dependencies.push(dependency(reference.clone(), depends_on));
        }

        let mut components: Vec<Component> = os.into_iter().collect();
        let mut removed: Vec<Component> = Vec::new();
        for (package, reference) in sbom.packages.iter().zip(&refs) {
            let component = package_component(sbom, package, reference);
            if package.removed_in.is_some() {
                removed.push(component);
            } else {
                components.push(component);
            }
        }
        Bom {
            version,
            serial_number: format!("urn:uuid:{}", info.uuid),
            timestamp: info.created.clone(),
            tool_name: TOOL_NAME,
            tool_version: TOOL_VERSION,
            image,
            components,
            dependencies,
            removed: (!removed.is_empty()).then_some(Formula {
                bom_ref: REMOVED_FORMULA_REF,
                components: removed,
            }),
        }
    }
}

fn dependency(reference: String, mut depends_on: Vec<String>) -> Dependency {
    depends_on.sort();
    depends_on.dedup();
    Dependency {
        reference,
        depends_on,
    }
}
