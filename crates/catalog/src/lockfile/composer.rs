//! Composer's `composer.lock`: `packages`, and `packages-dev` marked `dev`.
//!
//! Format: <https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control>.
//! Names are `vendor/name`: the vendor is the purl namespace. Dependencies come from
//! `require`, minus platform requirements (`php`, `ext-*`, `lib-*`, `composer-plugin-api`),
//! which name no package and carry no `/`. Syft keeps `packages` only; dev entries are kept
//! here, flagged, as for npm.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{is_false, json_document, purl, quote, Found, Package};
use crate::Ecosystem;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<Location>,
    dist: Option<Location>,
    require: BTreeMap<String, Value>,
}

/// A `source` (VCS checkout) or `dist` (archive).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Location {
    url: Option<String>,
    reference: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "is_false")]
    dev: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dist_url: Option<&'a str>,
}

/// Parses one `composer.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    let Some(document) = json_document(found, text) else {
        return;
    };
    let mut any_section = false;
    for (section, dev) in [("packages", false), ("packages-dev", true)] {
        let Some(entries) = document.get(section).and_then(Value::as_array) else {
            continue;
        };
        any_section = true;
        for (index, entry) in entries.iter().enumerate() {
            match LockPackage::deserialize(entry) {
                Ok(package) => add(found, &package, dev),
                Err(error) => found.problems.push(format_args!(
                    "`{section}` entry {} {}: {error}; skipped",
                    index + 1,
                    quote(
                        entry
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    )
                )),
            }
        }
    }
    if !any_section {
        found
            .problems
            .push("neither `packages` nor `packages-dev`: not a composer.lock");
    }
}

fn add(found: &mut Found<'_>, package: &LockPackage, dev: bool) {
    let (vendor, name) = match package.name.split_once('/') {
        Some((vendor, name)) => (Some(vendor), name),
        None => (None, package.name.as_str()),
    };
    let source = package.source.as_ref();
    found.add(Package {
        ecosystem: Ecosystem::Composer,
        name: &package.name,
        version: &package.version,
        purl: Some(purl(Ecosystem::Composer, vendor, name, &package.version)),
        depends_on: package
            .require
            .keys()
            .filter(|name| name.contains('/'))
            .cloned()
            .collect(),
        metadata: Metadata {
            lockfile: "composer.lock",
            dev,
            source_url: source.and_then(|s| s.url.as_deref()),
            source_reference: source.and_then(|s| s.reference.as_deref()),
            dist_url: package.dist.as_ref().and_then(|d| d.url.as_deref()),
        },
    });
}

#[cfg(test)]
mod tests {
    use super::super::common::{find, purl_and_dev};
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("var/www/composer.lock", text, parse)
    }

    /// Composer 2 output, trimmed to the fields that matter (autoload, descriptions, … gone).
    const SAMPLE: &str = include_str!("../../tests/data/lockfile/composer.lock");

    #[test]
    fn packages_and_dev_packages() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        assert_eq!(
            purl_and_dev(&findings),
            [
                "pkg:composer/monolog/monolog@3.5.0 false",
                "pkg:composer/phpunit/phpunit@10.5.11 true",
                "pkg:composer/psr/log@3.0.0 false",
                "pkg:composer/symfony/polyfill-mbstring@v1.29.0 false",
            ]
        );
        let monolog = &findings.packages[0];
        assert!(monolog.declared);
        assert_eq!(monolog.depends_on, ["psr/log"]);
        assert_eq!(
            monolog.metadata["sourceUrl"],
            "https://github.com/Seldaek/monolog.git"
        );
        assert!(monolog.metadata["distUrl"]
            .as_str()
            .unwrap()
            .contains("zipball"));
        assert_eq!(findings.packages[1].depends_on, ["sebastian/diff"]);
    }

    #[test]
    fn malformed() {
        assert_eq!(read("\u{0}garbage").warnings.len(), 1);
        assert_eq!(read("{\"packages\": {}}").warnings.len(), 1);
        let findings = read(
            r#"{"packages": [{"name": "a/b", "version": 1}, "x", {"name": "c/d", "version": "1.0"}, {"name": "e/f"}]}"#,
        );
        assert_eq!(findings.packages.len(), 1);
        assert_eq!(findings.warnings.len(), 3, "{:?}", findings.warnings);
    }
}
