//! Identifiers matchers read: purls, CPEs and SPDX license expressions for catalogued packages.
//!
//! purl conventions follow Syft's (the de-facto reference for Grype and Dependency-Track):
//! namespace from the distro id, `arch`, `distro=<id>-<version_id>`, `upstream=` for the source
//! package, and for rpm the epoch as a qualifier, never in the version.

use packageurl::PackageUrl;
use sbomgen_catalog::{Ecosystem, PackageRecord};
use sbomgen_model::Distro;

/// The purl of a package record, given the image's distro.
pub(crate) fn purl(record: &PackageRecord, distro: Option<&Distro>) -> Option<String> {
    let mut purl = PackageUrl::new(record.ecosystem.purl_type(), record.name.as_str()).ok()?;
    if let Some(namespace) = namespace(record.ecosystem, distro) {
        purl.with_namespace(namespace).ok()?;
    }
    purl.with_version(record.version.as_str()).ok()?;
    if let Some(arch) = record.arch.as_deref().filter(|a| !a.is_empty()) {
        purl.add_qualifier("arch", arch).ok()?;
    }
    if let Some(epoch) = record.epoch {
        purl.add_qualifier("epoch", epoch.to_string()).ok()?;
    }
    if let Some(distro) = distro.and_then(distro_qualifier) {
        purl.add_qualifier("distro", distro).ok()?;
    }
    if let Some(upstream) = upstream(record) {
        purl.add_qualifier("upstream", upstream).ok()?;
    }
    Some(purl.to_string())
}

/// The purl namespace: the distro id, with the renames matchers expect; a default per
/// ecosystem when the image declares no distro.
fn namespace(ecosystem: Ecosystem, distro: Option<&Distro>) -> Option<String> {
    let id = distro.map(|d| d.id.as_str()).filter(|id| !id.is_empty());
    match (ecosystem, id) {
        (Ecosystem::Rpm, Some("rhel")) => Some("redhat".into()),
        (Ecosystem::Rpm, Some(id)) if id.starts_with("opensuse") => Some("opensuse".into()),
        (_, Some(id)) => Some(id.to_string()),
        (Ecosystem::Deb, None) => Some("debian".into()),
        (Ecosystem::Apk, None) => Some("alpine".into()),
        (_, None) => None,
    }
}

/// `distro=<id>-<version_id>` (just the id on rolling releases without a version).
fn distro_qualifier(distro: &Distro) -> Option<String> {
    if distro.id.is_empty() {
        return None;
    }
    Some(match &distro.version_id {
        Some(version) => format!("{}-{version}", distro.id),
        None => distro.id.clone(),
    })
}

fn upstream(record: &PackageRecord) -> Option<String> {
    match record.ecosystem {
        // rpm: the source rpm file name, as Syft and Grype use it.
        Ecosystem::Rpm => record
            .metadata
            .get("sourceRpm")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        Ecosystem::Deb | Ecosystem::Apk => {
            let source = record.source_name.as_deref().filter(|s| *s != record.name);
            let version = record
                .source_version
                .as_deref()
                .filter(|v| *v != record.version);
            match (source, version) {
                (Some(s), Some(v)) => Some(format!("{s}@{v}")),
                (Some(s), None) => Some(s.to_string()),
                (None, Some(v)) => Some(format!("{}@{v}", record.name)),
                (None, None) => None,
            }
        }
        // Language records carry their own purls; nothing upstream to name.
        _ => None,
    }
}

/// CPE 2.3 candidates. Only the package's own name is used as vendor and product (Syft's
/// fallback candidate); no vendor is guessed from elsewhere.
pub(crate) fn cpes(record: &PackageRecord) -> Vec<String> {
    // Classifiers know the vendor and product (`cpe:2.3:a:openssl:openssl:…`): theirs win.
    if !record.cpes.is_empty() {
        return record.cpes.clone();
    }
    let name = escape_cpe(&record.name.to_ascii_lowercase());
    let version = escape_cpe(&record.version);
    if name.is_empty() || version.is_empty() {
        return Vec::new();
    }
    vec![format!("cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*")]
}

/// Quotes the characters the CPE 2.3 formatted-string binding reserves (NISTIR 7695 §6.2).
fn escape_cpe(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
            out.push(c);
        } else if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if c.is_whitespace() {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// A declared license as an SPDX expression when it is one (or a known alias of one), else the
/// raw text, so nothing the database said is lost.
pub(crate) fn license(raw: &str, ecosystem: Ecosystem) -> String {
    let raw = raw.trim();
    if ecosystem == Ecosystem::Deb {
        if let Some(spdx) = sbomgen_catalog::license::debian_to_spdx(raw) {
            return spdx;
        }
    }
    // rpm and apk databases often spell the operators in lower case ("MIT and BSD") or use
    // old names ("GPLv2+"), which the parser tolerates; the document gets the strict form.
    let normalized = uppercase_operators(raw);
    if spdx::Expression::parse_mode(&normalized, spdx::ParseMode::STRICT).is_ok() {
        return normalized;
    }
    match spdx::Expression::canonicalize(raw) {
        Ok(Some(canonical))
            if spdx::Expression::parse_mode(&canonical, spdx::ParseMode::STRICT).is_ok() =>
        {
            canonical
        }
        _ => raw.to_string(),
    }
}

/// `MIT and BSD-3-Clause` → `MIT AND BSD-3-Clause`; whitespace folded to single spaces.
fn uppercase_operators(raw: &str) -> String {
    raw.split_whitespace()
        .map(|token| match token.to_ascii_lowercase().as_str() {
            "and" => "AND",
            "or" => "OR",
            "with" => "WITH",
            _ => token,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distro(id: &str, version: Option<&str>) -> Distro {
        Distro {
            id: id.into(),
            version_id: version.map(str::to_string),
            pretty_name: None,
        }
    }

    #[test]
    fn deb_purl_like_syft() {
        let mut r = PackageRecord::new(
            Ecosystem::Deb,
            "curl",
            "7.88.1-10+deb12u5",
            "var/lib/dpkg/status",
        );
        r.arch = Some("amd64".into());
        assert_eq!(
            purl(&r, Some(&distro("debian", Some("12")))).unwrap(),
            "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12"
        );
        r.name = "libcurl4".into();
        r.source_name = Some("curl".into());
        assert_eq!(
            purl(&r, Some(&distro("debian", None))).unwrap(),
            "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian&upstream=curl"
        );
        r.source_version = Some("7.88.1-10".into());
        assert!(purl(&r, None)
            .unwrap()
            .ends_with("upstream=curl%407.88.1-10"));
    }

    #[test]
    fn rpm_purl_puts_the_epoch_in_a_qualifier() {
        let mut r = PackageRecord::new(
            Ecosystem::Rpm,
            "bash",
            "5.1.8-2.fc35",
            "var/lib/rpm/rpmdb.sqlite",
        );
        r.arch = Some("x86_64".into());
        r.epoch = Some(1);
        r.metadata
            .insert("sourceRpm".into(), "bash-5.1.8-2.fc35.src.rpm".into());
        assert_eq!(
            purl(&r, Some(&distro("fedora", Some("35")))).unwrap(),
            "pkg:rpm/fedora/bash@5.1.8-2.fc35?arch=x86_64&distro=fedora-35&epoch=1&upstream=bash-5.1.8-2.fc35.src.rpm"
        );
        assert!(purl(&r, Some(&distro("rhel", Some("9.3"))))
            .unwrap()
            .starts_with("pkg:rpm/redhat/bash@"));
        assert!(purl(&r, Some(&distro("opensuse-leap", Some("15.5"))))
            .unwrap()
            .starts_with("pkg:rpm/opensuse/bash@"));
        assert!(purl(&r, None).unwrap().starts_with("pkg:rpm/bash@"));
    }

    #[test]
    fn apk_purl_with_origin() {
        let mut r = PackageRecord::new(
            Ecosystem::Apk,
            "libcrypto3",
            "3.1.4-r5",
            "lib/apk/db/installed",
        );
        r.arch = Some("x86_64".into());
        r.source_name = Some("openssl".into());
        r.source_version = Some("3.1.4-r5".into());
        assert_eq!(
            purl(&r, Some(&distro("alpine", Some("3.19.1")))).unwrap(),
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl"
        );
    }

    #[test]
    fn cpe_escaping() {
        let r = PackageRecord::new(Ecosystem::Deb, "libstdc++6", "1:12.2.0-14", "x");
        assert_eq!(
            cpes(&r),
            ["cpe:2.3:a:libstdc\\+\\+6:libstdc\\+\\+6:1\\:12.2.0-14:*:*:*:*:*:*:*"]
        );
    }

    #[test]
    fn licenses_become_spdx_where_they_are() {
        assert_eq!(license("MIT", Ecosystem::Apk), "MIT");
        assert_eq!(
            license("GPL-2.0-only AND MIT", Ecosystem::Apk),
            "GPL-2.0-only AND MIT"
        );
        assert_eq!(
            license("MIT and BSD-3-Clause", Ecosystem::Rpm),
            "MIT AND BSD-3-Clause"
        );
        assert_eq!(license("GPL-2+", Ecosystem::Deb), "GPL-2.0-or-later");
        assert_eq!(
            license("Some custom text", Ecosystem::Rpm),
            "Some custom text"
        );
    }
}
