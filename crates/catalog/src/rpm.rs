//! rpm: the rpm database in any of its three stores (SQLite, BerkeleyDB hash, NDB), wherever
//! distros keep it.
//!
//! Every header in the database is a package, as `rpm -qa` lists them (gpg-pubkey entries
//! included: rpm lists them too). `version` is `VERSION-RELEASE`; the epoch stays apart.
//! Requirements are resolved to the names of the packages that provide them (by capability or
//! by file path), which is what `dependsOn` means in every ecosystem; the raw requirement names
//! stay in `metadata.requires`.

use std::collections::BTreeMap;

use sbomgen_rpmdb::{read_packages, RpmPackage};

use crate::{Catalogued, Cataloguer, Ecosystem, FileView, PackageRecord};

/// Reads rpm databases.
#[derive(Debug)]
pub struct RpmCataloguer;

impl Cataloguer for RpmCataloguer {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[
            "var/lib/rpm/Packages",
            "var/lib/rpm/Packages.db",
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/Packages",
            "usr/lib/sysimage/rpm/Packages.db",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "usr/share/rpm/Packages",
            "usr/share/rpm/rpmdb.sqlite",
        ]
    }

    fn catalog(&self, files: &FileView<'_>) -> Catalogued {
        let mut found = Catalogued::default();
        for (path, bytes) in files.iter() {
            match read_packages(bytes) {
                Ok(packages) => found.packages.extend(records(path, &packages)),
                Err(e) => found
                    .warnings
                    .push(format!("{path}: unreadable rpm database: {e}")),
            }
        }
        found.sorted()
    }
}

fn records(database: &str, packages: &[RpmPackage]) -> Vec<PackageRecord> {
    let mut providers: BTreeMap<&str, &str> = BTreeMap::new();
    for package in packages {
        for capability in &package.provides {
            providers
                .entry(capability.as_str())
                .or_insert(package.name.as_str());
        }
        for file in &package.files {
            providers
                .entry(file.path.as_str())
                .or_insert(package.name.as_str());
        }
    }
    packages
        .iter()
        .map(|package| record(database, package, &providers))
        .collect()
}

fn record(database: &str, package: &RpmPackage, providers: &BTreeMap<&str, &str>) -> PackageRecord {
    let version = format!("{}-{}", package.version, package.release);
    let mut record = PackageRecord::new(Ecosystem::Rpm, &package.name, &version, database);
    record.epoch = package.epoch;
    record.arch = package
        .arch
        .clone()
        .filter(|a| !a.is_empty() && a != "(none)");
    if let Some(source_rpm) = &package.source_rpm {
        if let Some((name, version)) = split_source_rpm(source_rpm) {
            record.source_name = Some(name);
            record.source_version = Some(version);
        }
        record
            .metadata
            .insert("sourceRpm".into(), source_rpm.as_str().into());
    }
    record
        .licenses
        .extend(package.license.iter().filter(|l| !l.is_empty()).cloned());
    record.files = package
        .files
        .iter()
        .map(|f| f.path.trim_start_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let mut depends: Vec<String> = Vec::new();
    let providing = package
        .requires
        .iter()
        .filter(|requirement| !requirement.starts_with("rpmlib("))
        .filter_map(|requirement| providers.get(requirement.as_str()))
        .filter(|provider| **provider != package.name);
    crate::unique::extend_unique(&mut depends, providing);
    record.depends_on = depends;
    let mut put = |key: &str, value: Option<serde_json::Value>| {
        if let Some(value) = value {
            record.metadata.insert(key.to_string(), value);
        }
    };
    put("vendor", package.vendor.clone().map(Into::into));
    put("summary", package.summary.clone().map(Into::into));
    put("size", package.size.map(Into::into));
    put(
        "modularityLabel",
        package.modularity_label.clone().map(Into::into),
    );
    put("release", Some(package.release.clone().into()));
    put(
        "requires",
        (!package.requires.is_empty()).then(|| package.requires.clone().into()),
    );
    put(
        "provides",
        (!package.provides.is_empty()).then(|| package.provides.clone().into()),
    );
    record
}

/// `util-linux-2.32.1-42.el8_8.src.rpm` → (`util-linux`, `2.32.1-42.el8_8`).
fn split_source_rpm(file: &str) -> Option<(String, String)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty()).then(|| (name.to_string(), format!("{version}-{release}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm"),
            Some(("util-linux".into(), "2.32.1-42.el8_8".into()))
        );
        assert_eq!(
            split_source_rpm("gcc11-11.2.1+git610-1.3.9.src.rpm"),
            Some(("gcc11".into(), "11.2.1+git610-1.3.9".into()))
        );
        assert_eq!(split_source_rpm("broken.src.rpm"), None);
        assert_eq!(split_source_rpm("x-1-2.rpm"), None);
    }

    #[test]
    fn corrupt_database_is_a_warning() {
        let bytes = b"SQLite format 3\0garbage".to_vec();
        let view = FileView::new([("var/lib/rpm/rpmdb.sqlite", bytes.as_slice())]);
        let found = RpmCataloguer.catalog(&view);
        assert!(found.packages.is_empty());
        assert!(
            found.warnings[0].starts_with("var/lib/rpm/rpmdb.sqlite: "),
            "{:?}",
            found.warnings
        );
    }
}
