//! One catalogued package as an SPDX package element: identity, supplier, checksum, source,
//! licences and references, each in the field SPDX consumers read it from.

use sbomgen_model::{Package as NativePackage, Sbom};

use super::cpe;
use super::license::{Licenses, NOASSERTION};
use super::model::{Checksum, ExternalRef, Package};
use crate::provenance;

/// A `PACKAGE-MANAGER purl` reference.
pub(super) fn purl_ref(purl: &str) -> ExternalRef {
    ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl.to_string(),
    }
}

/// One catalogued package.
pub(super) fn package(
    sbom: &Sbom,
    native: &NativePackage,
    id: &str,
    licenses: &mut Licenses,
) -> Package {
    let text = |key: &str| metadata_text(native, key);
    let mut external_refs: Vec<ExternalRef> = native
        .purl
        .as_deref()
        .filter(|purl| is_purl(purl))
        .map(purl_ref)
        .into_iter()
        .collect();
    external_refs.extend(
        native
            .cpes
            .iter()
            .filter_map(|cpe| cpe::formatted(cpe))
            .map(|cpe| ExternalRef {
                reference_category: "SECURITY",
                reference_type: "cpe23Type",
                reference_locator: cpe,
            }),
    );
    Package {
        name: native.name.clone(),
        version_info: Some(native.version.clone()).filter(|v| !v.is_empty()),
        supplier: Some(supplier(native).unwrap_or_else(|| NOASSERTION.to_string())),
        checksums: apk_checksum(native).into_iter().collect(),
        homepage: text("homepage")
            .or_else(|| text("url"))
            .filter(|url| looks_like_url(url)),
        source_info: source_info(native),
        license_concluded: Some(NOASSERTION.to_string()),
        license_declared: Some(licenses.declared(&native.licenses)),
        copyright_text: Some(NOASSERTION.to_string()),
        summary: text("summary"),
        description: text("description"),
        comment: provenance::removal_note(sbom, native),
        external_refs,
        ..Package::bare(id.to_string())
    }
}

/// The package's metadata field `key` as trimmed text; none when absent, blank or not a string.
pub(crate) fn metadata_text(native: &NativePackage, key: &str) -> Option<String> {
    native
        .metadata
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Who distributed the package: the distro maintainer (deb, apk) or the rpm vendor. Supplier
/// rather than originator: these are the packagers, not the upstream authors.
fn supplier(native: &NativePackage) -> Option<String> {
    let field = |key: &str| {
        native
            .metadata
            .get(key)
            .and_then(|v| v.as_str())
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    if let Some(vendor) = field("vendor") {
        return Some(format!("Organization: {vendor}"));
    }
    let maintainer = field("maintainer")?;
    // `Name <email>` → `Name (email)`, the SPDX actor syntax.
    let person = match maintainer.split_once('<') {
        Some((name, rest)) if rest.ends_with('>') => {
            let (name, email) = (name.trim(), rest.trim_end_matches('>').trim());
            match (name.is_empty(), email.is_empty()) {
                (false, false) => format!("{name} ({email})"),
                (false, true) => name.to_string(),
                (true, _) => email.to_string(),
            }
        }
        _ => maintainer,
    };
    Some(format!("Person: {person}"))
}

/// apk's `C:` field is `Q1` + base64 of the package's SHA-1: the one checksum a package
/// database gives for the package itself.
fn apk_checksum(native: &NativePackage) -> Option<Checksum> {
    apk_sha1_hex(native).map(|checksum_value| Checksum {
        algorithm: "SHA1",
        checksum_value,
    })
}

/// The SHA-1, in hex, that an apk `pullChecksum` (`Q1` + base64) spells; SPDX 2.3 and SPDX 3
/// both carry it as the package's checksum.
pub(crate) fn apk_sha1_hex(native: &NativePackage) -> Option<String> {
    crate::apk::sha1_hex(native.metadata.get("pullChecksum")?.as_str()?)
}

/// Where the record was read when Trivy's [`built_from`] form cannot be given.
fn source_info(native: &NativePackage) -> Option<String> {
    if let Some(built_from) = built_from(native) {
        return Some(built_from);
    }
    let mut paths: Vec<&str> = native.locations.iter().map(|l| l.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    (!paths.is_empty()).then(|| {
        format!(
            "acquired package info from the {} database: {}",
            native.kind,
            paths.join(", ")
        )
    })
}

/// Trivy's form, `built package from: <source> <version>`, which Trivy parses back into the
/// source package its vulnerability matching uses; none without a source name, or with blanks
/// Trivy would split on.
pub(crate) fn built_from(native: &NativePackage) -> Option<String> {
    let source = native.source_name.as_deref().filter(|s| !s.is_empty())?;
    let version = native.source_version.as_deref().unwrap_or(&native.version);
    (!source.contains(char::is_whitespace) && !version.contains(char::is_whitespace))
        .then(|| format!("built package from: {source} {version}"))
}

/// `pkg:<type>/<name>…` without blanks, the shape SPDX validators require of a purl locator
/// (and of SPDX 3's `software_packageUrl`, an `anyURI`). Documents read from other tools may
/// carry placeholders (Syft's tests write `a-purl-1`); one such locator would make the whole
/// document invalid, so it is left out.
pub(crate) fn is_purl(purl: &str) -> bool {
    purl.strip_prefix("pkg:")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(kind, name)| !kind.is_empty() && !name.is_empty())
        && !purl.contains(char::is_whitespace)
}

/// A plain http(s) URL: anything else would fail validators' URL checks (and SPDX 3's
/// `software_homePage`, an `anyURI`).
pub(crate) fn looks_like_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn native(metadata: serde_json::Value) -> NativePackage {
        NativePackage {
            name: "musl".into(),
            version: "1.2.4-r2".into(),
            kind: "apk".into(),
            metadata,
            ..NativePackage::default()
        }
    }

    #[test]
    fn only_well_formed_purls_are_referenced() {
        assert!(is_purl("pkg:deb/debian/curl@8?arch=amd64"));
        assert!(is_purl("pkg:npm/left-pad@1.3.0"));
        for bad in ["a-purl-1", "pkg:", "pkg:/x", "pkg:npm/", "pkg:npm/a b"] {
            assert!(!is_purl(bad), "{bad}");
        }
    }

    #[test]
    fn only_plain_http_urls_are_home_pages() {
        assert!(looks_like_url("https://curl.se"));
        for bad in ["curl.se", "https://", "https://a b", "ftp://curl.se"] {
            assert!(!looks_like_url(bad), "{bad}");
        }
    }

    #[test]
    fn suppliers_use_the_spdx_actor_syntax() {
        let deb = native(json!({"maintainer": "Debian  GCC <debian-gcc@lists.debian.org>"}));
        assert_eq!(
            supplier(&deb).as_deref(),
            Some("Person: Debian GCC (debian-gcc@lists.debian.org)")
        );
        let rpm = native(json!({"vendor": "Red Hat, Inc.", "maintainer": "x"}));
        assert_eq!(
            supplier(&rpm).as_deref(),
            Some("Organization: Red Hat, Inc.")
        );
        assert_eq!(
            supplier(&native(json!({"maintainer": "<a@b>"}))).as_deref(),
            Some("Person: a@b")
        );
        assert_eq!(supplier(&native(json!({}))), None);
    }

    #[test]
    fn apk_pull_checksum_becomes_sha1_hex() {
        let p = native(json!({"pullChecksum": "Q1YXw+HpDfa/tPmjG5D9l8aSHjVCo="}));
        let checksum = apk_checksum(&p).unwrap();
        assert_eq!(checksum.algorithm, "SHA1");
        assert_eq!(
            checksum.checksum_value,
            "617c3e1e90df6bfb4f9a31b90fd97c6921e3542a"
        );
        assert!(apk_checksum(&native(json!({"pullChecksum": "Q1notbase64!"}))).is_none());
        assert!(apk_checksum(&native(json!({"pullChecksum": "Q1AAAA"}))).is_none());
    }

    #[test]
    fn source_info_speaks_trivy_when_the_source_is_known() {
        let mut p = native(json!({}));
        p.locations = vec![sbomgen_model::Location {
            path: "lib/apk/db/installed".into(),
            layer_index: 0,
        }];
        assert_eq!(
            source_info(&p).as_deref(),
            Some("acquired package info from the apk database: lib/apk/db/installed")
        );
        p.source_name = Some("musl-src".into());
        assert_eq!(
            source_info(&p).as_deref(),
            Some("built package from: musl-src 1.2.4-r2")
        );
    }
}
