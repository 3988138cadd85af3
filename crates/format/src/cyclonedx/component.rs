//! What each component says: the image, the distro and one package, with their licences,
//! supplier, hashes, CPEs and properties (sbomgen's vocabulary, then the peer aliases of
//! [`super::peers`]).

use sbomgen_model::{Digest, Distro, Package, Sbom};

use super::cpe;
use super::licenses::Licenses;
use super::model::{
    Component, ComponentType, Contact, ExternalReference, Hash, Supplier, CPE_PROPERTY, IMAGE_REF,
    OS_REF,
};
use super::peers;
use crate::ids::{self, ImageIdentity};
use crate::provenance;

/// The image: named by its repository (or file), versioned by its tag (else its manifest
/// digest, as Syft does), identified by its `pkg:oci` purl and manifest hash.
pub(super) fn image_component(sbom: &Sbom, identity: &ImageIdentity) -> Component {
    let manifest = sbom.source.manifest_digest.as_ref();
    let mut image = Component::new(
        ComponentType::Container,
        IMAGE_REF.to_string(),
        identity.name.clone(),
    );
    image.version = identity
        .version
        .clone()
        .or_else(|| identity.tag.clone())
        .or_else(|| manifest.map(ToString::to_string));
    image.purl = identity.purl.clone();
    image.hashes = manifest.and_then(digest_hash).into_iter().collect();
    image.properties = provenance::image_properties(sbom);
    image
}

pub(super) fn os_component(distro: &Distro) -> Component {
    let mut os = Component::new(
        ComponentType::OperatingSystem,
        OS_REF.to_string(),
        ids::os_family(&distro.id).to_string(),
    );
    os.version = distro.version_id.clone().filter(|v| !v.is_empty());
    os.description = distro.pretty_name.clone().filter(|p| !p.is_empty());
    os
}

pub(super) fn package_component(sbom: &Sbom, package: &Package, reference: &str) -> Component {
    let text = |key: &str| {
        package
            .metadata
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut component = Component::new(
        ComponentType::Library,
        reference.to_string(),
        package.name.clone(),
    );
    component.version = Some(package.version.clone()).filter(|v| !v.is_empty());
    // A removed package must be recognisable at a glance, in tools that show only the
    // description: the note comes first, the package's own description after it.
    let description = text("description").or_else(|| text("summary"));
    component.description = match (provenance::removal_note(sbom, package), description) {
        (Some(note), Some(description)) => Some(format!("{note} {description}")),
        (Some(note), None) => Some(note),
        (None, description) => description.map(str::to_string),
    };
    component.supplier = text("maintainer")
        .map(Supplier::from_maintainer)
        .or_else(|| {
            text("vendor").map(|vendor| Supplier {
                name: vendor.to_string(),
                contact: None,
            })
        });
    component.hashes = text("pullChecksum")
        .and_then(apk_checksum)
        .into_iter()
        .collect();
    component.licenses = Licenses::choose(&package.licenses);
    component.purl = package.purl.clone();
    component.external_references = text("homepage")
        .or_else(|| text("url"))
        .filter(|url| is_web_url(url))
        .map(|url| ExternalReference {
            kind: "website",
            url: url.to_string(),
        })
        .into_iter()
        .collect();
    component.properties = provenance::package_properties(sbom, package);
    // The first CPE goes in `cpe` when the schema's pattern admits it; the rest (all of them
    // otherwise) keep their order as properties, so a reader rebuilds the same list.
    let mut cpes = package.cpes.iter().filter(|c| !c.trim().is_empty());
    let mut rest: Vec<&String> = Vec::new();
    if let Some(first) = cpes.next() {
        if cpe::is_valid(first) {
            component.cpe = Some(first.clone());
        } else {
            rest.push(first);
        }
    }
    rest.extend(cpes);
    component.properties.extend(
        rest.into_iter()
            .map(|c| (CPE_PROPERTY.to_string(), c.clone())),
    );
    component
        .properties
        .extend(peers::package_aliases(sbom, package));
    component
}

impl Supplier {
    /// `Name <address>` → the name, with a contact holding the address when it is a
    /// well-formed one (the schema checks e-mail format); anything else is kept verbatim as
    /// the name.
    pub(super) fn from_maintainer(maintainer: &str) -> Supplier {
        let parsed = maintainer
            .strip_suffix('>')
            .and_then(|m| m.rsplit_once('<'))
            .map(|(name, email)| (name.trim(), email.trim()))
            .filter(|(_, email)| is_email(email));
        match parsed {
            Some((name, email)) => Supplier {
                name: if name.is_empty() { email } else { name }.to_string(),
                contact: Some(Contact {
                    name: Some(name.to_string()).filter(|n| !n.is_empty()),
                    email: email.to_string(),
                }),
            },
            None => Supplier {
                name: maintainer.to_string(),
                contact: None,
            },
        }
    }

    /// The maintainer text this supplier was made from.
    pub(super) fn to_maintainer(&self) -> String {
        match &self.contact {
            Some(Contact {
                name: Some(name),
                email,
            }) => format!("{name} <{email}>"),
            Some(Contact { name: None, email }) => format!("<{email}>"),
            None => self.name.clone(),
        }
    }
}

/// A conservative e-mail check (RFC 5321 dot-atom local part, dotted DNS domain, length
/// limits): anything looser risks the schema's `idn-email` format.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let atom = |part: &str, extra: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    let local_ok = local.len() <= 64 && local.split('.').all(|a| atom(a, "!#$%&'*+/=?^_`{|}~-"));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| atom(l, "-") && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'));
    local_ok && domain_ok && text.len() <= 254
}

/// `http(s)://` URLs made only of characters an IRI allows (RFC 3987: unreserved, reserved
/// but for the IPv6 brackets, well-formed `%` escapes, at most one `#`): the schema checks the
/// format, and a homepage field is free text, so anything doubtful is left out.
pub(crate) fn is_web_url(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let bytes = rest.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    let chars_ok = rest.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || "-._~:/?#@!$&'()*+,;=%".contains(c)
            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
    });
    !rest.is_empty()
        && !rest.starts_with('/')
        && rest.matches('#').count() <= 1
        && escapes_ok
        && chars_ok
}

/// An apk `C:` field (`Q1` + base64 of the SHA-1 of the package's control segment) as a SHA-1
/// hash; anything else gives nothing rather than a guess.
pub(crate) fn apk_checksum(field: &str) -> Option<Hash> {
    crate::apk::sha1_hex(field).map(|content| Hash {
        alg: "SHA-1",
        content,
    })
}

/// A `sha256:…`-style digest as a CycloneDX hash, for the algorithms CycloneDX names.
fn digest_hash(digest: &Digest) -> Option<Hash> {
    let (alg, length) = match digest.algorithm() {
        "sha256" => ("SHA-256", 64),
        "sha384" => ("SHA-384", 96),
        "sha512" => ("SHA-512", 128),
        _ => return None,
    };
    let hex = digest.hex().to_ascii_lowercase();
    (hex.len() == length && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(Hash { alg, content: hex })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_addresses_and_urls_are_kept() {
        for email in ["debian@example.org", "timo.teras@iki.fi", "a+b@x-y.co"] {
            assert!(is_email(email), "{email}");
        }
        for email in ["", "x", "a@b", "a b@c.d", "a@-b.c", "a..b@c.d", "é@c.d"] {
            assert!(!is_email(email), "{email}");
        }
        for url in [
            "https://musl.libc.org/",
            "http://x.org/a%20b?q=1#f",
            "https://b\u{fc}cher.de",
        ] {
            assert!(is_web_url(url), "{url}");
        }
        for url in [
            "ftp://x.org",
            "https://",
            "https:///x",
            "https://x.org/a b",
            "https://x.org/%zz",
            "https://x.org/#a#b",
            "https://[::1]/",
            "<https://x.org>",
        ] {
            assert!(!is_web_url(url), "{url}");
        }
    }

    #[test]
    fn maintainers_split_into_a_name_and_an_address_and_back() {
        for text in [
            "Debian Maintainers <debian@example.org>",
            "<a@b.c>",
            "nobody",
            "X <not an address>",
        ] {
            assert_eq!(Supplier::from_maintainer(text).to_maintainer(), text);
        }
        assert_eq!(
            Supplier::from_maintainer("X <not an address>").contact,
            None
        );
    }

    #[test]
    fn apk_checksums_become_sha1_and_nothing_else_does() {
        assert_eq!(
            apk_checksum("Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=").map(|h| h.content),
            Some("cb2316a189ebee5282c4a9bd98794cc2477a74c6".to_string())
        );
        assert_eq!(apk_checksum("Q2abc="), None);
        assert_eq!(apk_checksum("Q1!!"), None);
        assert_eq!(apk_checksum("Q1AAAA"), None, "not 20 bytes");
    }
}
