//! Who an archive is: its own Maven coordinates, from `pom.properties`, its file name and its
//! manifest, in that order of trust.
//!
//! Policy (LANGUAGES.md 5(b), 9.6):
//! 1. A `pom.properties` whose artifactId matches the file name is the archive itself: exact
//!    match first (`jackson-annotations-2.15.0-rc2.jar` ↔ `jackson-annotations`), else the
//!    file's name part starting or ending with the artifactId at a `-`, `_` or `.` boundary
//!    (`foo-all.jar` ↔ `foo`; Syft's prefix/suffix rule, without matching `app.jar` to
//!    `app-core`).
//! 2. Otherwise name and version come from the file name, then the manifest
//!    ([`NAME_ATTRIBUTES`], [`VERSION_ATTRIBUTES`]), even without a manifest. Both are needed;
//!    an archive with neither (or only one) has no package of its own, quietly.
//! 3. The groupId is the manifest's `Implementation-Vendor-Id`, else Jenkins' `Group-Id`,
//!    else `Bundle-SymbolicName` minus its last segment when that reads as a reverse domain,
//!    else the artifactId itself, as Syft does (`pkg:maven/app/app@1.0`). Syft's other
//!    manifest heuristics misfire (syft #4611 `Automatic-Module-Name`, #2152, PR #5090
//!    `Bundle-Activator`), so they are not used.

use super::manifest::Manifest;
use super::pom::PomProperties;
pub(super) use crate::path::file_name as base_name;

/// The extensions of Java archives (Syft's `archiveFormatGlobs`, without `.far` and `.zap`),
/// matched case-insensitively: entries with these are opened as nested archives.
pub(super) const EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "rar", "lpkg",
];

/// Manifest attributes that may name an archive, by preference (Trivy's artifactId order,
/// then Jenkins' and OSGi's names).
pub(super) const NAME_ATTRIBUTES: &[&str] = &[
    "Implementation-Title",
    "Specification-Title",
    "Short-Name",
    "Extension-Name",
    "Bundle-Name",
];

/// Manifest attributes that may version an archive, by preference (Syft's `selectVersion`,
/// then OSGi's `Bundle-Version`); named sections are looked in after the main one.
pub(super) const VERSION_ATTRIBUTES: &[&str] = &[
    "Implementation-Version",
    "Specification-Version",
    "Plugin-Version",
    "Bundle-Version",
];

/// An archive's own coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    pub group_id: String,
    pub artifact_id: String,
    pub version: String,
    /// The index of the `pom.properties` it came from, if it did.
    pub pom: Option<usize>,
}

/// Whether a path names a Java archive (by extension, any case).
pub(super) fn is_archive_name(path: &str) -> bool {
    let base = base_name(path);
    base.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// Splits a file name into the name and version parts, after Syft's `nameAndVersionPattern`
/// (its `archive_filename_test.go` cases hold): the extension goes, whatever it is; the
/// version starts at the first `-` group that begins with a digit, or is `build<digits>…`,
/// `r<digits>` or `rc<digits>`; without one, at a `_` or `.` followed by a digit
/// (`guava_30.1`). A name must start with a letter. One departure: when the `-` version is
/// only digits and the name holds `_<digit>`, the `_` starts the version, so an Eclipse
/// bundle `org.eclipse.osgi_3.18.0.v20220516-2155` is `org.eclipse.osgi` 3.18.0.v20220516-2155
/// (Syft: version `2155`).
pub(super) fn split_file_name(file: &str) -> (String, String) {
    let base = base_name(file);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    if !stem.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return (String::new(), String::new());
    }
    let groups: Vec<&str> = stem.split('-').collect();
    if let Some(i) = (1..groups.len()).find(|&i| starts_version(groups[i])) {
        let (name, version) = (groups[..i].join("-"), groups[i..].join("-"));
        if version.bytes().all(|b| b.is_ascii_digit()) {
            if let Some((n, v)) = secondary_split(stem).filter(|(n, _)| n.len() < name.len()) {
                return (n.to_string(), v.to_string());
            }
        }
        return (name, version);
    }
    match secondary_split(stem) {
        Some((n, v)) => (n.to_string(), v.to_string()),
        None => (stem.to_string(), String::new()),
    }
}

fn starts_version(group: &str) -> bool {
    let lower = group.to_ascii_lowercase();
    let digits_after = |prefix: &str| {
        lower
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    let only_digits_after = |prefix: &str| {
        lower
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    };
    group.starts_with(|c: char| c.is_ascii_digit())
        || digits_after("build")
        || only_digits_after("r")
        || only_digits_after("rc")
}

/// The first `_` or `.` (not leading) followed by a digit.
fn secondary_split(stem: &str) -> Option<(&str, &str)> {
    let bytes = stem.as_bytes();
    (1..bytes.len().saturating_sub(1))
        .find(|&i| matches!(bytes[i], b'_' | b'.') && bytes[i + 1].is_ascii_digit())
        .map(|i| (&stem[..i], &stem[i + 1..]))
}

/// Whether a `pom.properties` artifactId names the archive whose file-name name part is
/// `name`: equal, or `name` starting or ending with it at a `-`, `_` or `.` boundary.
fn matches_loosely(artifact_id: &str, name: &str) -> bool {
    let boundary = |c: char| matches!(c, '-' | '_' | '.');
    let prefix = name
        .strip_prefix(artifact_id)
        .is_some_and(|rest| rest.starts_with(boundary));
    let suffix = name
        .strip_suffix(artifact_id)
        .is_some_and(|rest| rest.ends_with(boundary));
    !artifact_id.is_empty() && (artifact_id == name || prefix || suffix)
}

/// The archive's own coordinates, or `None` when it cannot be named and versioned.
pub(super) fn identify(
    file: &str,
    poms: &[PomProperties],
    manifest: Option<&Manifest>,
) -> Option<Identity> {
    let (file_name, file_version) = split_file_name(file);
    let from_pom = |i: usize| {
        let p = &poms[i];
        Identity {
            group_id: p.group_id.clone(),
            artifact_id: p.artifact_id.clone(),
            version: p.version.clone(),
            pom: Some(i),
        }
    };
    // The file name splits at the first dash before a digit, which cuts artifactIds that hold
    // one (`log4j-1.2-api-2.20.0.jar`, `lib-00-1.0.0.jar`): compare with the whole stem too.
    let base = base_name(file);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let coordinates = poms.iter().position(|p| {
        stem.strip_prefix(p.artifact_id.as_str()) == Some(&format!("-{}", p.version))
    });
    let exact = || poms.iter().position(|p| p.artifact_id == file_name);
    let loose = || {
        poms.iter()
            .enumerate()
            .filter(|(_, p)| {
                matches_loosely(&p.artifact_id, &file_name) || matches_loosely(&p.artifact_id, stem)
            })
            .max_by_key(|(_, p)| p.artifact_id.len())
            .map(|(i, _)| i)
    };
    if let Some(i) = coordinates.or_else(exact).or_else(loose) {
        return Some(from_pom(i));
    }
    let first = |attributes: &[&str]| {
        attributes
            .iter()
            .find_map(|a| manifest.and_then(|m| m.any(a)))
            .map(str::to_string)
    };
    let artifact_id = Some(file_name)
        .filter(|n| !n.is_empty())
        .or_else(|| first(NAME_ATTRIBUTES))?;
    // A name only the manifest gave may still be one of the pom.properties.
    if let Some(i) = poms.iter().position(|p| p.artifact_id == artifact_id) {
        return Some(from_pom(i));
    }
    let version = Some(file_version)
        .filter(|v| !v.is_empty())
        .or_else(|| first(VERSION_ATTRIBUTES))?;
    let group_id = manifest
        .and_then(manifest_group)
        .unwrap_or_else(|| artifact_id.clone());
    Some(Identity {
        group_id,
        artifact_id,
        version,
        pom: None,
    })
}

/// The groupId a manifest states or implies (see the module doc).
pub(super) fn manifest_group(manifest: &Manifest) -> Option<String> {
    let is_id = |v: &&str| {
        v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    if let Some(id) = manifest.main("Implementation-Vendor-Id").filter(is_id) {
        return Some(id.to_string());
    }
    if let Some(id) = manifest.main("Group-Id").filter(is_id) {
        return Some(id.to_string());
    }
    // `com.fasterxml.jackson.core.jackson-annotations;singleton:=true`: OSGi directives
    // after `;` are not part of the name.
    let symbolic = manifest.main("Bundle-SymbolicName")?;
    let symbolic = symbolic.split(';').next().unwrap_or_default().trim();
    let (group, _) = symbolic.rsplit_once('.')?;
    reverse_domain(group).then(|| group.to_string())
}

/// Whether `group` reads as a reverse domain: two or more dot-separated identifiers, the
/// first a common top-level domain (a fixed list: no registry lookup, and short enough to
/// keep `lang3`-style module names out).
fn reverse_domain(group: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "org", "net", "io", "edu", "gov", "mil", "biz", "info", "dev", "app", "co", "me",
        "ai", "de", "uk", "fr", "jp", "ch", "nl", "eu", "be", "at", "se", "no", "dk", "fi", "it",
        "es", "pl", "cz", "ru", "cn", "in", "br", "au", "ca", "us",
    ];
    let segments: Vec<&str> = group.split('.').collect();
    let identifier = |s: &&str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
    };
    segments.len() >= 2 && TLDS.contains(&segments[0]) && segments.iter().all(identifier)
}

/// Whether coordinates are a Jenkins plugin's (by group; `.hpi`/`.jpi` files are, by name).
pub(super) fn is_jenkins_group(group_id: &str) -> bool {
    ["org.jenkins-ci.plugins", "io.jenkins.plugins"]
        .iter()
        .any(|g| {
            group_id == *g
                || group_id
                    .strip_prefix(g)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
}

#[cfg(test)]
#[path = "naming_tests.rs"]
mod tests;
