//! sbomgen's provenance as flat `name=value` properties, the one encoding every standard format
//! carries: CycloneDX `properties`, SPDX annotations whose comment is `name=value`.
//!
//! Keeping one vocabulary (documented in the README) for both formats means a reader learns it
//! once, and [`convert`](fn@crate::read) can rebuild the native document from either. Standard
//! fields (name, version, purl, licenses) are never duplicated here: a consumer that ignores
//! these properties still sees a correct package list.
//!
//! Image level (on the container component / package):
//! `sbomgen:source:{type,path,reference,manifestDigest,indexDigest,configDigest,platform,created}`,
//! `sbomgen:layer:<i>:{digest,diffId,mediaType,size,createdBy,added,modified,deleted}`,
//! `sbomgen:hiddenFile:<n>:{path,size,addedIn,removedIn}`.
//!
//! Package level: `sbomgen:layer:introduced:{index,digest,diffId}`,
//! `sbomgen:layer:removed:{index,digest,diffId}` and `sbomgen:removed=true` for packages a later
//! layer removed, `sbomgen:replacedBy`, `sbomgen:location:<n>:{path,layerIndex}`,
//! `sbomgen:package:{type,arch,sourceName,sourceVersion,files,filesPresent}`.

use std::collections::BTreeMap;

use sbomgen_model::{HiddenFile, LayerSummary, Location, Package, Sbom};

/// A property name and its value.
pub type Property = (String, String);

/// The namespace every sbomgen property name starts with.
pub const NAMESPACE: &str = "sbomgen:";

/// The properties describing the image: its source, its layers and the files they hide.
pub fn image_properties(sbom: &Sbom) -> Vec<Property> {
    let mut out = Vec::new();
    let mut put = |name: String, value: Option<String>| {
        if let Some(value) = value {
            out.push((name, value));
        }
    };
    let source = &sbom.source;
    put(
        "sbomgen:source:type".into(),
        Some(source.kind.clone()).filter(|k| !k.is_empty()),
    );
    put("sbomgen:source:path".into(), source.path.clone());
    put("sbomgen:source:reference".into(), source.reference.clone());
    put(
        "sbomgen:source:manifestDigest".into(),
        source.manifest_digest.as_ref().map(ToString::to_string),
    );
    put(
        "sbomgen:source:indexDigest".into(),
        source.index_digest.as_ref().map(ToString::to_string),
    );
    put(
        "sbomgen:source:configDigest".into(),
        source.config_digest.as_ref().map(ToString::to_string),
    );
    put(
        "sbomgen:source:platform".into(),
        source.platform.as_ref().map(ToString::to_string),
    );
    put("sbomgen:source:created".into(), source.created.clone());
    put("sbomgen:source:name".into(), source.name.clone());
    put("sbomgen:source:version".into(), source.version.clone());
    for layer in &sbom.layers {
        let key = |field: &str| format!("sbomgen:layer:{}:{field}", layer.index);
        put(
            key("digest"),
            layer.digest.as_ref().map(ToString::to_string),
        );
        put(
            key("diffId"),
            layer.diff_id.as_ref().map(ToString::to_string),
        );
        put(key("mediaType"), layer.media_type.clone());
        put(key("size"), layer.size.map(|s| s.to_string()));
        put(key("createdBy"), layer.created_by.clone());
        put(key("added"), Some(layer.added.to_string()));
        put(key("modified"), Some(layer.modified.to_string()));
        put(key("deleted"), Some(layer.deleted.to_string()));
    }
    for (n, hidden) in sbom.hidden_files.iter().enumerate() {
        let key = |field: &str| format!("sbomgen:hiddenFile:{n}:{field}");
        put(key("path"), Some(hidden.path.clone()));
        put(key("size"), Some(hidden.size.to_string()));
        put(key("addedIn"), Some(hidden.added_in.to_string()));
        put(key("removedIn"), Some(hidden.removed_in.to_string()));
    }
    out
}

/// The properties of one package: which layer introduced it, which removed it, where its
/// database records were, and the native fields standard formats have no place for.
pub fn package_properties(sbom: &Sbom, package: &Package) -> Vec<Property> {
    let mut out = Vec::new();
    let mut put = |name: String, value: Option<String>| {
        if let Some(value) = value {
            out.push((name, value));
        }
    };
    let layer =
        |index: Option<usize>| index.and_then(|i| sbom.layers.iter().find(|l| l.index == i));
    for (event, index) in [
        ("introduced", package.introduced_in),
        ("removed", package.removed_in),
    ] {
        let Some(index) = index else { continue };
        let key = |field: &str| format!("sbomgen:layer:{event}:{field}");
        put(key("index"), Some(index.to_string()));
        let summary = layer(Some(index));
        put(
            key("digest"),
            summary
                .and_then(|l| l.digest.as_ref())
                .map(ToString::to_string),
        );
        put(
            key("diffId"),
            summary
                .and_then(|l| l.diff_id.as_ref())
                .map(ToString::to_string),
        );
    }
    if package.removed_in.is_some() {
        put("sbomgen:removed".into(), Some("true".into()));
    }
    put("sbomgen:replacedBy".into(), package.replaced_by.clone());
    let (locations, omitted) = document_locations(package);
    for (n, location) in locations.iter().enumerate() {
        put(
            format!("sbomgen:location:{n}:path"),
            Some(location.path.clone()),
        );
        put(
            format!("sbomgen:location:{n}:layerIndex"),
            Some(location.layer_index.to_string()),
        );
    }
    if omitted > 0 {
        put("sbomgen:locationsOmitted".into(), Some(omitted.to_string()));
    }
    put("sbomgen:ownedBy".into(), package.owned_by.clone());
    if package.declared {
        put("sbomgen:declared".into(), Some("true".into()));
    }
    put("sbomgen:package:type".into(), Some(package.kind.clone()));
    put("sbomgen:package:arch".into(), package.arch.clone());
    put(
        "sbomgen:package:sourceName".into(),
        package.source_name.clone(),
    );
    put(
        "sbomgen:package:sourceVersion".into(),
        package.source_version.clone(),
    );
    put(
        "sbomgen:package:files".into(),
        Some(package.files.to_string()),
    );
    put(
        "sbomgen:package:filesPresent".into(),
        Some(package.files_present.to_string()),
    );
    out
}

/// Most locations a package lists in a published document (SPDX, CycloneDX, syft-json); the
/// native JSON lists all. A database rewritten by each of 1,000 layers is seen 1,000 times per
/// package, and as properties or annotations 2,000 packages × 1,000 locations made documents
/// of gigabytes from a 700 kB image. Real packages are seen in a handful of places.
pub const DOCUMENT_LOCATIONS: usize = 32;

/// The locations a published document lists, and how many it leaves out.
pub(crate) fn document_locations(package: &Package) -> (&[Location], usize) {
    let shown = package.locations.len().min(DOCUMENT_LOCATIONS);
    (&package.locations[..shown], package.locations.len() - shown)
}

/// A one-line human note for removed and declared packages (SPDX `comment`, the start of
/// the CycloneDX description).
pub fn removal_note(sbom: &Sbom, package: &Package) -> Option<String> {
    if package.declared && package.removed_in.is_none() {
        let file = package
            .locations
            .first()
            .map(|l| format!(" in {}", l.path))
            .unwrap_or_default();
        return Some(format!(
            "DECLARED{file}: listed by a lockfile or pin list as to be installed; not found installed."
        ));
    }
    let index = package.removed_in?;
    let layer = sbom.layers.iter().find(|l| l.index == index);
    let id = layer
        .and_then(|l| l.diff_id.as_ref().or(l.digest.as_ref()))
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let replaced = package
        .replaced_by
        .as_ref()
        .map(|v| format!(", replaced by version {v}"))
        .unwrap_or_default();
    Some(format!(
        "REMOVED in layer {index}{id}{replaced}: absent from the final filesystem, still present in the image's lower layers."
    ))
}

/// The sbomgen properties among annotation texts of the form `name=value` (SPDX 2.3 annotation
/// comments, SPDX 3 annotation statements); texts of other tools are passed over.
pub(crate) fn properties_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Property> {
    texts
        .into_iter()
        .filter_map(|text| text.split_once('='))
        .filter(|(name, _)| name.starts_with(NAMESPACE))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// Rebuilds the image-level native fields from properties (any order; unknown names ignored).
pub fn apply_image_properties(sbom: &mut Sbom, properties: &[Property]) {
    let mut layers: BTreeMap<usize, LayerSummary> = BTreeMap::new();
    let mut hidden: BTreeMap<usize, HiddenFile> = BTreeMap::new();
    for (name, value) in properties {
        let Some(rest) = name.strip_prefix(NAMESPACE) else {
            continue;
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let source = &mut sbom.source;
        match parts.as_slice() {
            ["source", "type"] => source.kind = value.clone(),
            ["source", "path"] => source.path = Some(value.clone()),
            ["source", "reference"] => source.reference = Some(value.clone()),
            ["source", "manifestDigest"] => source.manifest_digest = value.parse().ok(),
            ["source", "indexDigest"] => source.index_digest = value.parse().ok(),
            ["source", "configDigest"] => source.config_digest = value.parse().ok(),
            ["source", "platform"] => source.platform = value.parse().ok(),
            ["source", "created"] => source.created = Some(value.clone()),
            ["source", "name"] => source.name = Some(value.clone()),
            ["source", "version"] => source.version = Some(value.clone()),
            ["layer", index, field] => {
                let Ok(index) = index.parse::<usize>() else {
                    continue;
                };
                let layer = layers.entry(index).or_insert_with(|| LayerSummary {
                    index,
                    ..LayerSummary::default()
                });
                match *field {
                    "digest" => layer.digest = value.parse().ok(),
                    "diffId" => layer.diff_id = value.parse().ok(),
                    "mediaType" => layer.media_type = Some(value.clone()),
                    "size" => layer.size = value.parse().ok(),
                    "createdBy" => layer.created_by = Some(value.clone()),
                    "added" => layer.added = value.parse().unwrap_or(0),
                    "modified" => layer.modified = value.parse().unwrap_or(0),
                    "deleted" => layer.deleted = value.parse().unwrap_or(0),
                    _ => {}
                }
            }
            ["hiddenFile", n, field] => {
                let Ok(n) = n.parse::<usize>() else { continue };
                let file = hidden.entry(n).or_insert_with(|| HiddenFile {
                    path: String::new(),
                    size: 0,
                    added_in: 0,
                    removed_in: 0,
                });
                match *field {
                    "path" => file.path = value.clone(),
                    "size" => file.size = value.parse().unwrap_or(0),
                    "addedIn" => file.added_in = value.parse().unwrap_or(0),
                    "removedIn" => file.removed_in = value.parse().unwrap_or(0),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !layers.is_empty() {
        sbom.layers = layers.into_values().collect();
    }
    if !hidden.is_empty() {
        sbom.hidden_files = hidden.into_values().collect();
    }
}

/// Rebuilds a package's native provenance fields from its properties. Returns whether any
/// sbomgen property was present (documents by other tools have none).
pub fn apply_package_properties(package: &mut Package, properties: &[Property]) -> bool {
    let mut locations: BTreeMap<usize, Location> = BTreeMap::new();
    let mut any = false;
    for (name, value) in properties {
        let Some(rest) = name.strip_prefix(NAMESPACE) else {
            continue;
        };
        any = true;
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.as_slice() {
            ["layer", "introduced", "index"] => package.introduced_in = value.parse().ok(),
            ["layer", "removed", "index"] => package.removed_in = value.parse().ok(),
            ["replacedBy"] => package.replaced_by = Some(value.clone()),
            ["ownedBy"] => package.owned_by = Some(value.clone()),
            ["declared"] => package.declared = value == "true",
            ["location", n, field] => {
                let Ok(n) = n.parse::<usize>() else { continue };
                let location = locations.entry(n).or_insert_with(|| Location {
                    path: String::new(),
                    layer_index: 0,
                });
                match *field {
                    "path" => location.path = value.clone(),
                    "layerIndex" => location.layer_index = value.parse().unwrap_or(0),
                    _ => {}
                }
            }
            ["package", "type"] => package.kind = value.clone(),
            ["package", "arch"] => package.arch = Some(value.clone()),
            ["package", "sourceName"] => package.source_name = Some(value.clone()),
            ["package", "sourceVersion"] => package.source_version = Some(value.clone()),
            ["package", "files"] => package.files = value.parse().unwrap_or(0),
            ["package", "filesPresent"] => package.files_present = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    if !locations.is_empty() {
        package.locations = locations.into_values().collect();
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::SourceInfo;

    fn sample() -> Sbom {
        let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64)).parse().ok();
        Sbom {
            source: SourceInfo {
                kind: "oci-archive".into(),
                path: Some("a.tar".into()),
                manifest_digest: digest('a'),
                index_digest: digest('f'),
                platform: "linux/arm64/v8".parse().ok(),
                created: Some("2024-01-01T00:00:00Z".into()),
                ..SourceInfo::default()
            },
            layers: vec![
                LayerSummary {
                    index: 0,
                    digest: digest('b'),
                    diff_id: digest('c'),
                    created_by: Some("ADD rootfs /".into()),
                    added: 3,
                    ..LayerSummary::default()
                },
                LayerSummary {
                    index: 1,
                    digest: digest('d'),
                    diff_id: digest('e'),
                    size: Some(10),
                    deleted: 1,
                    ..LayerSummary::default()
                },
            ],
            hidden_files: vec![HiddenFile {
                path: "etc/secret".into(),
                size: 4,
                added_in: 0,
                removed_in: 1,
            }],
            packages: vec![Package {
                name: "curl".into(),
                version: "7".into(),
                kind: "deb".into(),
                arch: Some("amd64".into()),
                introduced_in: Some(0),
                removed_in: Some(1),
                replaced_by: Some("8".into()),
                locations: vec![Location {
                    path: "var/lib/dpkg/status".into(),
                    layer_index: 0,
                }],
                files: 5,
                files_present: 2,
                ..Package::default()
            }],
            ..Sbom::default()
        }
    }

    #[test]
    fn image_properties_round_trip() {
        let sbom = sample();
        let mut back = Sbom::default();
        apply_image_properties(&mut back, &image_properties(&sbom));
        assert_eq!(back.source, sbom.source);
        assert_eq!(back.layers, sbom.layers);
        assert_eq!(back.hidden_files, sbom.hidden_files);
    }

    #[test]
    fn published_documents_list_a_bounded_number_of_locations() {
        let package = Package {
            locations: (0..DOCUMENT_LOCATIONS + 8)
                .map(|layer_index| Location {
                    path: "var/lib/dpkg/status".into(),
                    layer_index,
                })
                .collect(),
            ..Package::default()
        };
        let properties = package_properties(&Sbom::default(), &package);
        let paths = properties
            .iter()
            .filter(|(n, _)| n.ends_with(":path"))
            .count();
        assert_eq!(paths, DOCUMENT_LOCATIONS);
        assert!(properties.contains(&("sbomgen:locationsOmitted".into(), "8".into())));
        let mut back = Package::default();
        apply_package_properties(&mut back, &properties);
        assert_eq!(back.locations, package.locations[..DOCUMENT_LOCATIONS]);
    }

    #[test]
    fn package_properties_round_trip_and_name_the_layers() {
        let sbom = sample();
        let properties = package_properties(&sbom, &sbom.packages[0]);
        let get = |n: &str| {
            properties
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("sbomgen:layer:introduced:diffId"),
            Some(&*format!("sha256:{}", "c".repeat(64)))
        );
        assert_eq!(
            get("sbomgen:layer:removed:digest"),
            Some(&*format!("sha256:{}", "d".repeat(64)))
        );
        assert_eq!(get("sbomgen:removed"), Some("true"));
        let mut back = Package {
            name: "curl".into(),
            version: "7".into(),
            ..Package::default()
        };
        assert!(apply_package_properties(&mut back, &properties));
        assert_eq!(back, sbom.packages[0]);
        let note = removal_note(&sbom, &sbom.packages[0]).unwrap();
        assert!(note.starts_with("REMOVED in layer 1 (sha256:eee"), "{note}");
    }
}
