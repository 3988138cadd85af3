//! One `software_Package` per native package (and the image's own), with the agents that
//! supplied them.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use serde_json::{Map, Value};

use sbomgen_model::{Package as NativePackage, Sbom};

use super::build::digest_hash;
use super::model::{Agent, Element, ExternalIdentifier, Hash, Node, Package};
use crate::spdx::package::{apk_sha1_hex, built_from, is_purl, looks_like_url, metadata_text};
use crate::{ids, provenance};

/// The image: its name, manifest digest as version and hash (else its tag), `pkg:oci` purl.
pub(crate) fn image(sbom: &Sbom, identity: &ids::ImageIdentity, spdx_id: String) -> Package {
    let digest = sbom.source.manifest_digest.as_ref();
    let mut image = Package::named(spdx_id, identity.name.clone());
    image.version = identity
        .version
        .clone()
        .or_else(|| digest.map(ToString::to_string))
        .or_else(|| identity.tag.clone());
    image.purl = identity.purl.clone();
    image.verified_using = digest.and_then(digest_hash).into_iter().collect();
    image
}

/// One catalogued package.
pub(crate) fn package(
    sbom: &Sbom,
    native: &NativePackage,
    spdx_id: String,
    suppliers: &mut Suppliers,
) -> Package {
    let text = |key: &str| metadata_text(native, key);
    let mut package = Package::named(spdx_id, native.name.clone());
    package.version = Some(native.version.clone()).filter(|v| !v.is_empty());
    package.purl = native.purl.clone().filter(|p| is_purl(p));
    package.supplied_by = Supplier::of(native).map(|s| suppliers.add(s));
    package.home_page = text(home_page_key(&native.kind)).filter(|url| looks_like_url(url));
    package.source_info = built_from(native);
    package.summary = text("summary");
    package.description = text("description");
    package.comment = provenance::removal_note(sbom, native);
    package.external_identifier = native
        .cpes
        .iter()
        .map(|cpe| ExternalIdentifier {
            external_identifier_type: "cpe23",
            identifier: cpe.clone(),
        })
        .collect();
    package.verified_using = apk_checksum(native).into_iter().collect();
    package
}

/// The metadata key of the home page: apk's `U:` is `url`, everyone else's `homepage`.
fn home_page_key(kind: &str) -> &'static str {
    if kind == "apk" {
        "url"
    } else {
        "homepage"
    }
}

/// The package fields that stand for native metadata, as written or read.
#[derive(Debug, Default)]
pub(crate) struct StandardFields<'a> {
    pub supplier: Option<&'a Supplier>,
    pub home_page: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub description: Option<&'a str>,
    /// A `sha1` hash in `verifiedUsing`.
    pub sha1: Option<&'a str>,
}

impl<'a> StandardFields<'a> {
    pub(super) fn of(package: &'a Package, suppliers: &'a Suppliers) -> StandardFields<'a> {
        StandardFields {
            supplier: package
                .supplied_by
                .as_ref()
                .and_then(|id| suppliers.agents.get(id)),
            home_page: package.home_page.as_deref(),
            summary: package.summary.as_deref(),
            description: package.description.as_deref(),
            sha1: package
                .verified_using
                .iter()
                .find(|h| h.algorithm == "sha1")
                .map(|h| h.hash_value.as_str()),
        }
    }

    /// The native metadata these fields give back: supplier (`vendor` for an organisation,
    /// else `maintainer`), home page, summary, description and apk's checksum. Only keys the
    /// writer read them from, so nothing appears that the package did not have.
    pub(super) fn metadata(&self, kind: &str) -> Map<String, Value> {
        let mut map = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                map.insert(key.to_string(), Value::String(value));
            }
        };
        if let Some(supplier) = self.supplier {
            let key = if supplier.organization {
                "vendor"
            } else {
                "maintainer"
            };
            put(key, Some(supplier.text()));
        }
        put(home_page_key(kind), self.home_page.map(str::to_string));
        put("summary", self.summary.map(str::to_string));
        put("description", self.description.map(str::to_string));
        if kind == "apk" {
            put(
                "pullChecksum",
                self.sha1.and_then(crate::apk::pull_checksum),
            );
        }
        map
    }
}

/// The `sbomgen:metadata` property: the native metadata the standard fields do not give back
/// (as a JSON object of those keys, or the whole value when it is not an object), so that
/// reading the document restores the package exactly.
pub(crate) fn metadata_rest(
    native: &NativePackage,
    restored: &Map<String, Value>,
) -> Option<String> {
    let rest = match &native.metadata {
        Value::Object(map) => {
            let rest: Map<String, Value> = map
                .iter()
                .filter(|(key, value)| restored.get(*key) != Some(*value))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            if rest.is_empty() {
                return None;
            }
            Value::Object(rest)
        }
        other => other.clone(),
    };
    Some(rest.to_string())
}

/// The native metadata from the standard fields and the `sbomgen:metadata` property.
pub(crate) fn restore_metadata(restored: Map<String, Value>, rest: Option<&str>) -> Value {
    let rest: Option<Value> = rest.and_then(|r| serde_json::from_str(r).ok());
    match rest {
        Some(Value::Object(rest)) => {
            let mut map = restored;
            map.extend(rest);
            Value::Object(map)
        }
        Some(other) => other,
        None => Value::Object(restored),
    }
}

/// Who supplied a package: the rpm vendor (an organisation), else the maintainer (a person,
/// `Name <email>`), as SPDX 2.3's supplier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Supplier {
    pub organization: bool,
    pub name: String,
    pub email: Option<String>,
}

impl Supplier {
    fn of(native: &NativePackage) -> Option<Supplier> {
        let field = |key: &str| {
            metadata_text(native, key).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        };
        if let Some(vendor) = field("vendor") {
            return Some(Supplier {
                organization: true,
                name: vendor,
                email: None,
            });
        }
        let (name, email) = split_person(&field("maintainer")?);
        Some(Supplier {
            organization: false,
            name,
            email,
        })
    }

    /// The metadata text: the vendor, or `Name <email>`.
    pub(super) fn text(&self) -> String {
        join_person(&self.name, self.email.as_deref())
    }
}

/// The agents packages name as `suppliedBy`, one element per distinct supplier.
#[derive(Debug)]
pub(crate) struct Suppliers {
    base: String,
    agents: BTreeMap<String, Supplier>,
}

impl Suppliers {
    pub(super) fn new(base: &str) -> Suppliers {
        Suppliers {
            base: base.to_string(),
            agents: BTreeMap::new(),
        }
    }

    /// The spdxId of `supplier`'s agent, added on first use.
    fn add(&mut self, supplier: Supplier) -> String {
        let text = supplier.text();
        let hash = hex::encode(&Sha256::digest(format!("{}\0{text}", supplier.organization))[..4]);
        let mut readable = ids::sanitise(&supplier.name);
        readable.truncate(48);
        let spdx_id = format!("{}agent-{readable}-{hash}", self.base);
        self.agents.entry(spdx_id.clone()).or_insert(supplier);
        spdx_id
    }

    /// `Organization`s and `Person`s (with an `email` identifier), by spdxId.
    pub(super) fn into_nodes(self) -> Vec<Node> {
        self.agents
            .into_iter()
            .map(|(spdx_id, supplier)| {
                let agent = Agent {
                    element: Element::new(spdx_id),
                    name: supplier.name,
                    external_identifier: supplier
                        .email
                        .map(|email| ExternalIdentifier {
                            external_identifier_type: "email",
                            identifier: email,
                        })
                        .into_iter()
                        .collect(),
                };
                if supplier.organization {
                    Node::Organization(agent)
                } else {
                    Node::Person(agent)
                }
            })
            .collect()
    }
}

/// `Name <email>` → (`Name`, `email`); a bare `<email>` is named by its address.
fn split_person(text: &str) -> (String, Option<String>) {
    match text.split_once('<') {
        Some((name, rest)) if rest.ends_with('>') => {
            let (name, email) = (name.trim(), rest.trim_end_matches('>').trim());
            match (name.is_empty(), email.is_empty()) {
                (_, true) => (name.to_string(), None),
                (true, false) => (email.to_string(), Some(email.to_string())),
                (false, false) => (name.to_string(), Some(email.to_string())),
            }
        }
        _ => (text.to_string(), None),
    }
}

/// The maintainer text [`split_person`] came from.
fn join_person(name: &str, email: Option<&str>) -> String {
    match email {
        Some(email) if email == name => format!("<{email}>"),
        Some(email) => format!("{name} <{email}>"),
        None => name.to_string(),
    }
}

/// apk's `C:` field is `Q1` + base64 of the package's SHA-1.
fn apk_checksum(native: &NativePackage) -> Option<Hash> {
    if native.kind != "apk" {
        return None;
    }
    apk_sha1_hex(native).map(|hash_value| Hash {
        algorithm: "sha1",
        hash_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_split_and_join_back() {
        for text in [
            "Debian GCC <gcc@debian.org>",
            "<a@b>",
            "Alpine Team",
            "x <>",
        ] {
            let (name, email) = split_person(text);
            let back = join_person(&name, email.as_deref());
            let expected = if text == "x <>" { "x" } else { text };
            assert_eq!(back, expected, "{text}");
        }
    }

    #[test]
    fn apk_checksums_round_trip() {
        let native = NativePackage {
            kind: "apk".into(),
            metadata: serde_json::json!({"pullChecksum": "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo="}),
            ..NativePackage::default()
        };
        let hash = apk_checksum(&native).unwrap();
        assert_eq!(hash.hash_value, "617c3e1e90df6bfb4f9a31b90fd97c6921e3542a");
        assert_eq!(
            crate::apk::pull_checksum(&hash.hash_value).as_deref(),
            Some("Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo=")
        );
    }
}
