//! What a cataloguer reports: package records, before provenance and identifiers are added, and
//! what one streamed file parsed to.
//!
//! Two kinds of cataloguer produce records. OS cataloguers read one package database per image
//! (dpkg `status`, apk `installed`, rpm databases) as visible after each layer. File cataloguers
//! parse one file at a time while its layer streams (a `*.dist-info/METADATA`, a
//! `package.json`): the package lives *at that path*, and the path's history gives its
//! provenance. Both hand over [`PackageRecord`]s.

use std::collections::BTreeMap;

/// The package ecosystem, named by its purl type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Deb,
    Apk,
    Rpm,
    /// Python packages (purl type `pypi`).
    Python,
    Npm,
    /// Ruby gems (purl type `gem`).
    Gem,
    /// PHP Composer packages.
    Composer,
    /// .NET packages (purl type `nuget`).
    Nuget,
    /// Rust crates (purl type `cargo`).
    Cargo,
    /// Go modules (purl type `golang`).
    Golang,
    /// Java archives (purl type `maven`).
    Maven,
    /// Software identified by a binary classifier or a release file (purl type `generic`).
    Generic,
}

impl Ecosystem {
    /// The purl type (`deb`, `apk`, `rpm`, `pypi`, `npm`, …), which is also the native `type`.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Python => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Generic => "generic",
        }
    }

    /// Whether the distro's package manager installs these (their purls carry the distro).
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

/// PEP 503 normalised Python package name: runs of `-`, `_`, `.` become one `-`, lower case
/// (`Charset_Normalizer` → `charset-normalizer`). Purls, dependency lists and comparisons use
/// it; the record's own name keeps the spelling its metadata gives.
pub fn pep503_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push('-');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Where a package that lives at `path` is installed beside its peers: the directory holding
/// its own directory (`site-packages` for `site-packages/x.dist-info/METADATA`,
/// `…/node_modules` for `…/node_modules/x/package.json`; an npm scope level `@s/` is
/// skipped), or for a single-file package (`x.egg-info`) its directory. Upgrades are linked and
/// dependencies resolved within it.
pub fn install_root(path: &str) -> &str {
    fn parent(p: &str) -> &str {
        p.rfind('/').map_or("", |i| &p[..i])
    }
    if path.ends_with(".egg-info") {
        return parent(path);
    }
    let root = parent(parent(path));
    match root.rsplit('/').next() {
        Some(last) if last.starts_with('@') => parent(root),
        _ => root,
    }
}

/// A package as its database or metadata file records it, before provenance is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRecord {
    pub ecosystem: Ecosystem,
    /// As the metadata spells it (a Python `Name:` keeps its case; the purl normalises).
    pub name: String,
    /// As the ecosystem writes it: deb `[epoch:]upstream[-revision]` (epoch kept, as dpkg
    /// prints it), apk `1.2.3-r0`, rpm `version-release` (epoch apart, in `epoch`), language
    /// packages verbatim.
    pub version: String,
    /// rpm only: the EPOCH tag when present.
    pub epoch: Option<u64>,
    pub arch: Option<String>,
    /// The source package (deb `Source:`, apk origin, rpm source rpm's name).
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    /// Declared licenses, verbatim (one entry per declaration).
    pub licenses: Vec<String>,
    /// Root-relative path of the database or metadata file this record came from.
    pub database: String,
    /// Root-relative paths of the files the package owns, when the database lists them.
    pub files: Vec<String>,
    /// Names of the packages it depends on, as recorded (no versions, no alternatives' syntax;
    /// Python names PEP 503-normalised).
    pub depends_on: Vec<String>,
    /// The purl, for ecosystems that build their own (every language ecosystem: their purls
    /// carry no distro). OS records leave it `None`; the scan derives theirs from the distro.
    pub purl: Option<String>,
    /// From a lockfile or pin list: what *should* be installed, not what is.
    pub declared: bool,
    /// CPEs the cataloguer knows (a classifier knows vendor and product); empty: the scan
    /// derives its own candidate from the name.
    pub cpes: Vec<String>,
    /// The binary classifier that named this package from content patterns, not metadata.
    /// Such a hit on a file an OS package owns exactly is dropped by the scan.
    pub classifier: Option<&'static str>,
    /// Ecosystem-specific fields (maintainer, installedSize, vendor, author, homepage, …),
    /// camelCase keys. Language cataloguers fill it from typed structs (`serde_json::to_value`).
    pub metadata: BTreeMap<String, serde_json::Value>,
}

impl PackageRecord {
    /// A record with the identifying fields set and everything else empty.
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str, database: &str) -> Self {
        PackageRecord {
            ecosystem,
            name: name.to_string(),
            version: version.to_string(),
            epoch: None,
            arch: None,
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            database: database.to_string(),
            files: Vec::new(),
            depends_on: Vec::new(),
            purl: None,
            declared: false,
            cpes: Vec::new(),
            classifier: None,
            metadata: BTreeMap::new(),
        }
    }
}

/// A cataloguer's answer for one view: records, and problems that did not stop it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogued {
    pub packages: Vec<PackageRecord>,
    pub warnings: Vec<String>,
}

impl Catalogued {
    /// Puts the records in the deterministic order every cataloguer returns: name, version,
    /// arch, database.
    #[must_use]
    pub fn sorted(mut self) -> Self {
        self.packages.sort_by(|a, b| {
            (&a.name, &a.version, &a.arch, &a.database).cmp(&(
                &b.name,
                &b.version,
                &b.arch,
                &b.database,
            ))
        });
        self
    }
}

/// What one file parsed to while its layer streamed. Only this is kept, never the bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFindings {
    /// Packages this file describes (a METADATA: one; a lockfile or `installed.json`: many).
    pub packages: Vec<PackageRecord>,
    /// What a supporting file (not itself a package) tells about the package beside it.
    pub support: Option<Support>,
    /// Problems that did not stop the parse, each naming the file (the scan adds the layer).
    pub warnings: Vec<String>,
}

impl FileFindings {
    /// Findings holding just a warning (an unreadable or unparsable file).
    pub fn warning(message: impl Into<String>) -> Self {
        FileFindings {
            warnings: vec![message.into()],
            ..FileFindings::default()
        }
    }
}

/// Facts from a supporting file, joined to the package record beside it by the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// Files the installer wrote, root-relative (Python `RECORD`, egg `installed-files.txt`).
    OwnedFiles(Vec<String>),
    /// Import names the package provides (Python `top_level.txt`).
    TopLevel(Vec<String>),
    /// Where the package was installed from (Python `direct_url.json`, PEP 610).
    DirectUrl(DirectUrl),
}

/// PEP 610 `direct_url.json`: the URL a package was installed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectUrl {
    pub url: String,
    /// `git`, `hg`, `svn`, `bzr` when installed from version control.
    pub vcs: Option<String>,
    pub commit_id: Option<String>,
    pub requested_revision: Option<String>,
    /// `dir_info.editable`.
    pub editable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_roots() {
        let site = "usr/lib/python3/dist-packages";
        assert_eq!(
            install_root(&format!("{site}/x-1.dist-info/METADATA")),
            site
        );
        assert_eq!(install_root(&format!("{site}/six-1.16.0.egg-info")), site);
        assert_eq!(
            install_root("app/node_modules/ms/package.json"),
            "app/node_modules"
        );
        assert_eq!(
            install_root("app/node_modules/@s/c/package.json"),
            "app/node_modules"
        );
    }

    #[test]
    fn pep503_names() {
        assert_eq!(
            pep503_name(" Charset__Normalizer.x "),
            "charset-normalizer-x"
        );
        assert_eq!(pep503_name("PyYAML"), "pyyaml");
    }
}
