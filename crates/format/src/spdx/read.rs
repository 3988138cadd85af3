//! SPDX 2.x JSON back to an [`Sbom`].
//!
//! The described image package (`DESCRIBES` target, or purpose `CONTAINER`) gives the source,
//! layers and hidden files through its `sbomgen:` annotations, and the removed packages
//! ([`super::removed`]); the operating-system package gives the distro; every other package
//! becomes a native package, its provenance rebuilt from its annotations and its dependencies
//! from `DEPENDS_ON` (and Syft's `DEPENDENCY_OF`). Documents by other tools are read as far as
//! they go ([`super::foreign`]): Trivy's `LayerDiffID` annotations give provenance only to
//! packages without sbomgen's, on which they are a duplicate.
//!
//! Malformed structure (a package without `SPDXID`, a relationship that is not an object…) is
//! an [`FormatError::Unreadable`] naming the JSON path; unknown fields are ignored.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use sbomgen_model::{Package, Sbom};

use super::license::{self, NOASSERTION};
use super::model::{DOCUMENT_ID, OS_ID_PREFIX};
use super::{foreign, removed};
use crate::ids;
use crate::json_view::{self, Obj};
use crate::meta::TOOL_NAME;
use crate::provenance::{self, Property};
use crate::FormatError;

/// The fields of an SPDX package the reader uses, borrowed from the document.
#[derive(Debug, Default)]
pub(super) struct SpdxPackage<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub purl: Option<&'a str>,
    pub cpes: Vec<&'a str>,
    pub license_declared: Option<&'a str>,
    pub source_info: Option<&'a str>,
    pub supplier: Option<&'a str>,
    pub homepage: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub description: Option<&'a str>,
    /// (algorithm, hex value).
    pub checksums: Vec<(&'a str, &'a str)>,
    /// Annotation comments, then attribution texts (where Trivy before 0.52 put its notes).
    pub notes: Vec<&'a str>,
}

impl SpdxPackage<'_> {
    fn has_purpose(&self, purpose: &str) -> bool {
        // JSON spells purposes with `_`, tag-value and some JSON writers (Trivy) with `-`.
        self.purpose
            .is_some_and(|p| p.replace('-', "_").eq_ignore_ascii_case(purpose))
    }

    fn is_operating_system(&self) -> bool {
        self.has_purpose("OPERATING_SYSTEM") || self.id.starts_with(OS_ID_PREFIX)
    }

    /// The thing described rather than a package in it: an image, a directory.
    fn is_subject(&self) -> bool {
        self.has_purpose("CONTAINER")
            || self.purl.is_none_or(|p| {
                foreign::kind_and_arch(p).is_some_and(|(kind, _)| kind == "oci" || kind == "docker")
            })
    }
}

struct Relationship<'a> {
    from: &'a str,
    kind: &'a str,
    to: &'a str,
}

/// The parts of an SPDX document the reader uses, checked for well-formedness.
struct Parsed<'a> {
    packages: Vec<SpdxPackage<'a>>,
    relationships: Vec<Relationship<'a>>,
    /// The ids the document describes (`documentDescribes`, `DESCRIBES`, `DESCRIBED_BY`).
    described: HashSet<&'a str>,
    /// `LicenseRef-` id → the licence text it stands for.
    extracted: HashMap<String, String>,
}

/// Rebuilds the native document from SPDX JSON.
pub(crate) fn read(document: &Value) -> Result<Sbom, FormatError> {
    let doc = parse(document)?;
    let image = doc.image();
    let mut sbom = Sbom::default();
    if let Some(image) = image {
        let properties = sbomgen_properties(image);
        if properties.is_empty() {
            (sbom.source, sbom.layers) = foreign::image(image);
        } else {
            provenance::apply_image_properties(&mut sbom, &properties);
        }
    }
    sbom.distro = doc
        .packages
        .iter()
        .find(|p| p.is_operating_system())
        .map(|os| ids::os_package_distro(os.name, os.version, os.description, os.summary));

    let skip = |p: &SpdxPackage<'_>| {
        image.is_some_and(|i| std::ptr::eq(i, p))
            || (doc.described.contains(p.id) && p.is_subject())
            || p.is_operating_system()
            // Trivy's per-lockfile "application" nodes (`Node.js`, `app/go.sum`) are not packages.
            || (p.id.starts_with("SPDXRef-Application-") && p.purl.is_none())
    };
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for spdx in doc.packages.iter().filter(|p| !skip(p)) {
        by_id.entry(spdx.id).or_insert(sbom.packages.len());
        sbom.packages
            .push(native_package(spdx, &sbom, &doc.extracted));
    }
    if sbom.distro.is_none() {
        sbom.distro =
            foreign::distro_from_purls(sbom.packages.iter().filter_map(|p| p.purl.as_deref()));
    }
    link_dependencies(&mut sbom, &doc.relationships, &by_id);
    // After the links: a removed package keeps its own `dependsOn`, and live ones never
    // had relationships to it.
    if let Some(image) = image {
        sbom.packages
            .extend(removed::decode(image.notes.iter().copied())?);
    }
    // The order scans produce, so that a converted document lists packages as a scan would.
    sbom.sort_packages();
    Ok(sbom)
}

fn parse(document: &Value) -> Result<Parsed<'_>, FormatError> {
    let root = view(document, "document".into())?;
    let version = root.required_str("spdxVersion")?;
    if !version.starts_with("SPDX-2.") {
        return Err(unreadable(format!(
            "spdxVersion {version:?} is not supported (SPDX 2.x JSON is)"
        )));
    }
    let ours = match root.object("creationInfo")? {
        Some(info) => info
            .strings("creators")?
            .iter()
            .any(|c| c.starts_with(&format!("Tool: {TOOL_NAME}-"))),
        None => false,
    };
    let packages = root
        .array("packages")?
        .iter()
        .enumerate()
        .map(|(n, p)| spdx_package(&view(p, format!("packages[{n}]"))?))
        .collect::<Result<Vec<_>, _>>()?;
    let relationships = root
        .array("relationships")?
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let r = view(r, format!("relationships[{n}]"))?;
            Ok(Relationship {
                from: r.required_str("spdxElementId")?,
                kind: r.required_str("relationshipType")?,
                to: r.required_str("relatedSpdxElement")?,
            })
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    let mut described: HashSet<&str> = root.strings("documentDescribes")?.into_iter().collect();
    for r in &relationships {
        match r.kind {
            // Trivy before 0.38 wrote `DESCRIBE`.
            "DESCRIBES" | "DESCRIBE" if r.from == DOCUMENT_ID => {
                described.insert(r.to);
            }
            "DESCRIBED_BY" if r.to == DOCUMENT_ID => {
                described.insert(r.from);
            }
            _ => {}
        }
    }
    Ok(Parsed {
        extracted: extracted_licenses(&root, ours)?,
        packages,
        relationships,
        described,
    })
}

impl Parsed<'_> {
    /// The image package: described with purpose `CONTAINER`, else any `CONTAINER`, else a
    /// described subject (Syft's directory roots).
    fn image(&self) -> Option<&SpdxPackage<'_>> {
        let described = |p: &&SpdxPackage<'_>| self.described.contains(p.id);
        let packages = &self.packages;
        packages
            .iter()
            .find(|p| described(p) && p.has_purpose("CONTAINER"))
            .or_else(|| packages.iter().find(|p| p.has_purpose("CONTAINER")))
            .or_else(|| packages.iter().find(|p| described(p) && p.is_subject()))
    }
}

/// `depends_on` (target names, sorted) from `DEPENDS_ON` and Syft's reversed `DEPENDENCY_OF`
/// between packages that made it into `sbom` (`by_id`: SPDXID → index).
fn link_dependencies(
    sbom: &mut Sbom,
    relationships: &[Relationship<'_>],
    by_id: &HashMap<&str, usize>,
) {
    for r in relationships {
        let (dependant, dependency) = match r.kind {
            "DEPENDS_ON" => (r.from, r.to),
            "DEPENDENCY_OF" => (r.to, r.from),
            _ => continue,
        };
        if let (Some(&a), Some(&b)) = (by_id.get(dependant), by_id.get(dependency)) {
            let name = sbom.packages[b].name.clone();
            let depends_on = &mut sbom.packages[a].depends_on;
            if a != b && !depends_on.contains(&name) {
                depends_on.push(name);
            }
        }
    }
    for package in &mut sbom.packages {
        package.depends_on.sort();
    }
}

/// The `sbomgen:` properties among a package's annotation comments (`name=value`).
fn sbomgen_properties(package: &SpdxPackage<'_>) -> Vec<Property> {
    provenance::properties_in(package.notes.iter().copied())
}

fn native_package(
    spdx: &SpdxPackage<'_>,
    sbom: &Sbom,
    extracted: &HashMap<String, String>,
) -> Package {
    let (kind, arch) = spdx
        .purl
        .and_then(foreign::kind_and_arch)
        .unwrap_or_default();
    let mut package = Package {
        name: spdx.name.to_string(),
        version: spdx.version.unwrap_or_default().to_string(),
        kind,
        arch,
        purl: spdx.purl.map(str::to_string),
        cpes: spdx.cpes.iter().map(ToString::to_string).collect(),
        licenses: spdx
            .license_declared
            .map(|l| license::split_declared(l, extracted))
            .unwrap_or_default(),
        ..Package::default()
    };
    let ours = provenance::apply_package_properties(&mut package, &sbomgen_properties(spdx));
    if !ours {
        package.introduced_in = foreign::introduced_in(spdx, &sbom.layers);
        if let Some((name, version)) = spdx.source_info.and_then(foreign::source_package) {
            package.source_name = Some(name);
            package.source_version = version;
        }
    }
    package.metadata = metadata(spdx, &package.kind);
    package
}

/// The native metadata fields the SPDX package carries back: supplier (as `maintainer`, or
/// `vendor` for rpm), `homepage` (`url` outside deb), description, summary and apk's checksum.
fn metadata(spdx: &SpdxPackage<'_>, kind: &str) -> Value {
    let mut map = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            map.insert(key.to_string(), Value::String(value));
        }
    };
    let supplier = spdx.supplier.filter(|s| *s != NOASSERTION).and_then(|s| {
        let (_, actor) = s.split_once(':')?;
        let actor = actor.trim();
        // `Name (email)` → `Name <email>`, the form package databases use.
        Some(
            match actor.strip_suffix(')').and_then(|a| a.rsplit_once('(')) {
                Some((name, email)) if email.contains('@') => format!("{} <{email}>", name.trim()),
                _ => actor.to_string(),
            },
        )
    });
    put(
        if kind == "rpm" {
            "vendor"
        } else {
            "maintainer"
        },
        supplier,
    );
    put(
        if kind == "deb" { "homepage" } else { "url" },
        spdx.homepage
            .filter(|h| *h != NOASSERTION && *h != "NONE")
            .map(str::to_string),
    );
    put("description", spdx.description.map(str::to_string));
    put("summary", spdx.summary.map(str::to_string));
    if kind == "apk" {
        let sha1 = spdx
            .checksums
            .iter()
            .find(|(algorithm, _)| *algorithm == "SHA1")
            .and_then(|(_, value)| crate::apk::pull_checksum(value));
        put("pullChecksum", sha1);
    }
    Value::Object(map)
}

/// `hasExtractedLicensingInfos` as id → the licence text to restore.
///
/// sbomgen's own documents keep the declared text verbatim in `extractedText`; Trivy puts the
/// declared name in `name` and a sentence around it in `extractedText`.
fn extracted_licenses(root: &Obj<'_>, ours: bool) -> Result<HashMap<String, String>, FormatError> {
    let mut out = HashMap::new();
    for (n, entry) in root.array("hasExtractedLicensingInfos")?.iter().enumerate() {
        let entry = view(entry, format!("hasExtractedLicensingInfos[{n}]"))?;
        let id = entry.required_str("licenseId")?;
        let text = entry.str("extractedText")?;
        let name = entry
            .str("name")?
            .filter(|n| !n.is_empty() && *n != NOASSERTION);
        let restored = if ours { text.or(name) } else { name.or(text) };
        if let Some(restored) = restored {
            out.entry(id.to_string())
                .or_insert_with(|| restored.to_string());
        }
    }
    Ok(out)
}

fn spdx_package<'a>(p: &Obj<'a>) -> Result<SpdxPackage<'a>, FormatError> {
    let mut package = SpdxPackage {
        id: p.required_str("SPDXID")?,
        name: p.required_str("name")?,
        version: p.str("versionInfo")?,
        purpose: p.str("primaryPackagePurpose")?,
        license_declared: p.str("licenseDeclared")?,
        source_info: p.str("sourceInfo")?,
        supplier: p.str("supplier")?,
        homepage: p.str("homepage")?,
        summary: p.str("summary")?,
        description: p.str("description")?,
        ..SpdxPackage::default()
    };
    for (n, r) in p.array("externalRefs")?.iter().enumerate() {
        let r = view(r, format!("{}.externalRefs[{n}]", p.path))?;
        let category = r.required_str("referenceCategory")?.replace('_', "-");
        let locator = r.required_str("referenceLocator")?;
        match (category.as_str(), r.required_str("referenceType")?) {
            ("PACKAGE-MANAGER", "purl") if package.purl.is_none() => package.purl = Some(locator),
            ("SECURITY", "cpe23Type" | "cpe22Type") => package.cpes.push(locator),
            _ => {}
        }
    }
    for (n, c) in p.array("checksums")?.iter().enumerate() {
        let c = view(c, format!("{}.checksums[{n}]", p.path))?;
        package.checksums.push((
            c.required_str("algorithm")?,
            c.required_str("checksumValue")?,
        ));
    }
    for (n, a) in p.array("annotations")?.iter().enumerate() {
        let a = view(a, format!("{}.annotations[{n}]", p.path))?;
        package.notes.push(a.required_str("comment")?);
    }
    package.notes.extend(p.strings("attributionTexts")?);
    Ok(package)
}

const WHAT: &str = "SPDX document";

fn unreadable(problem: String) -> FormatError {
    json_view::unreadable(WHAT, problem)
}

fn view(value: &Value, path: String) -> Result<Obj<'_>, FormatError> {
    Obj::new(value, path, WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(document: &Value) -> String {
        match read(document) {
            Err(FormatError::Unreadable { problem, .. }) => problem,
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn malformed_documents_name_the_faulty_path() {
        assert_eq!(problem(&json!([])), "document is not a JSON object");
        assert_eq!(problem(&json!({})), "document.spdxVersion is missing");
        assert!(problem(&json!({"spdxVersion": "SPDX-3.0"})).contains("not supported"));
        let base = |extra: Value| {
            let mut d = json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT"});
            d.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            d
        };
        assert_eq!(
            problem(&base(json!({"packages": {}}))),
            "document.packages is not an array"
        );
        assert_eq!(
            problem(&base(json!({"packages": [{"name": "x"}]}))),
            "packages[0].SPDXID is missing"
        );
        assert_eq!(
            problem(&base(
                json!({"packages": [{"SPDXID": "a", "name": "x", "externalRefs": [{"referenceCategory": 3}]}]})
            )),
            "packages[0].externalRefs[0].referenceCategory is not a string"
        );
        assert_eq!(
            problem(&base(
                json!({"packages": [{"SPDXID": "a", "name": "x", "annotations": [{}]}]})
            )),
            "packages[0].annotations[0].comment is missing"
        );
        assert_eq!(
            problem(&base(json!({"relationships": [7]}))),
            "relationships[0] is not a JSON object"
        );
        assert_eq!(
            problem(&base(json!({"creationInfo": {"creators": [1]}}))),
            "document.creationInfo.creators[0] is not a string"
        );
        assert_eq!(
            problem(&base(
                json!({"hasExtractedLicensingInfos": [{"extractedText": "x"}]})
            )),
            "hasExtractedLicensingInfos[0].licenseId is missing"
        );
    }

    #[test]
    fn a_minimal_document_reads_as_empty() {
        let sbom = read(&json!({"spdxVersion": "SPDX-2.2", "packages": null})).unwrap();
        assert_eq!(sbom, Sbom::default());
    }
}
