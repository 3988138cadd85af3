//! What a cataloguer reports: one record per package found in one database.

use std::collections::BTreeMap;

/// The package ecosystem, named by its purl type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Deb,
    Apk,
    Rpm,
}

impl Ecosystem {
    /// The purl type (`deb`, `apk`, `rpm`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
        }
    }
}

/// A package as its database records it, before provenance and identifiers are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRecord {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// As the ecosystem writes it: deb `[epoch:]upstream[-revision]` (epoch kept, as dpkg
    /// prints it), apk `1.2.3-r0`, rpm `version-release` (epoch apart, in `epoch`).
    pub version: String,
    /// rpm only: the EPOCH tag when present.
    pub epoch: Option<u64>,
    pub arch: Option<String>,
    /// The source package (deb `Source:`, apk origin, rpm source rpm's name).
    pub source_name: Option<String>,
    pub source_version: Option<String>,
    /// Declared licenses, verbatim (one entry per declaration).
    pub licenses: Vec<String>,
    /// Root-relative path of the database file this record came from.
    pub database: String,
    /// Root-relative paths of the files the package owns, when the database lists them.
    pub files: Vec<String>,
    /// Names of the packages it depends on, as recorded (no versions, no alternatives' syntax).
    pub depends_on: Vec<String>,
    /// Ecosystem-specific fields (maintainer, installedSize, vendor, sourceRpm, origin, …),
    /// camelCase keys.
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
