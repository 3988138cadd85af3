//! composer: installed PHP packages, from the `vendor/composer/installed.json` Composer
//! writes into every vendor directory.
//!
//! The pattern is `**/composer/installed.json`, not Syft's `**/installed.json` (which also
//! catches unrelated files of that name): the vendor directory may be renamed
//! (`config.vendor-dir`) but Composer always writes into its `composer/` subdirectory.
//!
//! Two shapes exist: Composer 2 writes `{"packages": […], "dev": …, "dev-package-names": […]}`,
//! Composer 1 a bare array of packages; both are read, as Syft does (Trivy reads only the
//! first). Development packages are in the vendor directory too, so they are installed and
//! reported, marked `dev: true`. Versions are kept as written (`v5.4.0`, `dev-main`), not as
//! `version_normalized` (`5.4.0.0`), as Syft does: that is what Packagist and advisories use.

use std::collections::{BTreeMap, BTreeSet};

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::npm::excerpt;
use crate::npm::json::{self, lenient, non_empty, Lenient, Obj};
use crate::purl;
use crate::FileCataloguer;

/// Reads Composer's record of the packages in a vendor directory.
#[derive(Debug, Clone, Copy)]
pub struct ComposerCataloguer;

impl FileCataloguer for ComposerCataloguer {
    fn name(&self) -> &'static str {
        "composer"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/composer/installed.json"]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let (packages, dev_names) = match json::first_document::<Installed>(bytes) {
            Ok(Installed::Composer1(packages)) => (packages, BTreeSet::new()),
            Ok(Installed::Composer2(Obj(installed))) => (
                installed.packages,
                installed.dev_package_names.into_iter().flatten().collect(),
            ),
            Err(err) => {
                return FileFindings::warning(format!("{path}: unreadable installed.json: {err}"))
            }
        };
        let mut found = FileFindings::default();
        for (index, package) in packages.into_iter().enumerate() {
            let record = match package.0 {
                Some(Obj(package)) => record(path, &package, &dev_names),
                None => Err("is not an object".to_string()),
            };
            match record {
                Ok(record) => found.packages.push(record),
                Err(problem) => found
                    .warnings
                    .push(format!("{path}: package {index} {problem}")),
            }
        }
        found
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Installed {
    /// Tried first: an array is never Composer 2, whose struct would also accept one.
    Composer1(Vec<Lenient<Obj<Package>>>),
    Composer2(Obj<Composer2>),
}

#[derive(Debug, Deserialize)]
struct Composer2 {
    packages: Vec<Lenient<Obj<Package>>>,
    #[serde(default, rename = "dev-package-names", deserialize_with = "lenient")]
    dev_package_names: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Package {
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    version: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    license: Option<Licenses>,
    #[serde(default, deserialize_with = "lenient")]
    require: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    homepage: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    source: Option<Obj<Location>>,
    #[serde(default, deserialize_with = "lenient")]
    dist: Option<Obj<Location>>,
}

/// Composer normalises `license` to an array; a hand-edited file may hold a string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Licenses {
    One(String),
    Many(Vec<Lenient<String>>),
}

#[derive(Debug, Deserialize)]
struct Location {
    #[serde(default, deserialize_with = "lenient")]
    url: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    reference: Option<String>,
}

/// The extra fields a Composer record carries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ComposerMetadata<'p> {
    /// `library`, `symfony-bundle`, `composer-plugin`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<&'p str>,
    /// The VCS commit the package was installed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    source_reference: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dist_url: Option<&'p str>,
    /// Listed in `dev-package-names`: installed by `composer install` without `--no-dev`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dev: bool,
}

fn record(
    path: &str,
    package: &Package,
    dev_names: &BTreeSet<String>,
) -> Result<PackageRecord, String> {
    let (Some(name), Some(version)) = (
        non_empty(package.name.as_deref()),
        non_empty(package.version.as_deref()),
    ) else {
        return Err("has no name or no version".to_string());
    };
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("has an invalid name {}", excerpt(name)));
    }
    let mut record = PackageRecord::new(Ecosystem::Composer, name, version, path);
    record.purl = Some(package_url(name, version));
    record.licenses = match &package.license {
        Some(Licenses::One(license)) => non_empty(Some(license))
            .into_iter()
            .map(str::to_string)
            .collect(),
        Some(Licenses::Many(licenses)) => licenses
            .iter()
            .filter_map(|l| non_empty(l.0.as_deref()))
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    // Platform requirements (`php`, `ext-json`, `lib-icu`, `composer-plugin-api`) are not
    // packages: every real package name has a vendor, so a name without `/` is one of them.
    record.depends_on = package
        .require
        .iter()
        .flat_map(|require| require.keys())
        .filter(|name| name.contains('/'))
        .cloned()
        .collect();
    let source = location(package.source.as_ref());
    record.metadata = json::metadata_map(&ComposerMetadata {
        kind: non_empty(package.kind.as_deref()),
        description: non_empty(package.description.as_deref()),
        homepage: non_empty(package.homepage.as_deref()),
        source_url: non_empty(source.and_then(|s| s.url.as_deref())),
        source_reference: non_empty(source.and_then(|s| s.reference.as_deref())),
        dist_url: non_empty(location(package.dist.as_ref()).and_then(|d| d.url.as_deref())),
        dev: dev_names.contains(name),
    });
    Ok(record)
}

fn location(location: Option<&Obj<Location>>) -> Option<&Location> {
    location.map(|Obj(location)| location)
}

/// `pkg:composer/<vendor>/<name>@<version>`; a name of more than two segments keeps the first
/// as the vendor and joins the rest with `-`, as Syft does (`packageURLFromComposer`).
fn package_url(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((vendor, rest)) => purl::purl(
            "composer",
            Some(vendor),
            &rest.replace('/', "-"),
            version,
            &[],
        ),
        None => purl::purl("composer", None, name, version, &[]),
    }
}

#[cfg(test)]
mod tests;
