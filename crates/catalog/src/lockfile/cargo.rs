//! Cargo's `Cargo.lock`: every `[[package]]`.
//!
//! A package without `source` is a workspace member or a path dependency: local code. It is
//! kept (it is part of what the lock describes) but without a purl, as Syft does: a cargo purl
//! without a repository qualifier means crates.io, and a local crate that shares a name with a
//! published one would match the published crate's vulnerabilities.
//!
//! Dependencies are written `name`, `name version` or `name version (source)`, whichever is
//! unambiguous; the name is the first word.

use serde::{Deserialize, Serialize};

use super::common::{purl, Found, Package};
use super::toml_lock;
use crate::Ecosystem;

#[derive(Debug, Deserialize)]
struct CargoPackage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    /// `registry+https://github.com/rust-lang/crates.io-index`, `git+https://…#commit`, or
    /// `sparse+https://…`; absent for local crates.
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'a str>,
}

/// Parses one `Cargo.lock`.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    for package in toml_lock::packages::<CargoPackage>(&mut found.problems, text) {
        found.add(Package {
            ecosystem: Ecosystem::Cargo,
            name: &package.name,
            version: &package.version,
            purl: package
                .source
                .as_ref()
                .map(|_| purl(Ecosystem::Cargo, None, &package.name, &package.version)),
            depends_on: package
                .dependencies
                .iter()
                .filter_map(|d| d.split_whitespace().next())
                .map(str::to_string)
                .collect(),
            metadata: Metadata {
                lockfile: "Cargo.lock",
                source: package.source.as_deref(),
                checksum: package.checksum.as_deref(),
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::{find, name_version_purl};
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("src/app/Cargo.lock", text, parse)
    }

    /// Written by `cargo generate-lockfile` (lock version 4) for a crate depending on `log`,
    /// two majors of `itoa` and a path crate.
    const SAMPLE: &str = include_str!("../../tests/data/lockfile/Cargo.lock");

    #[test]
    fn registry_and_local_crates() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        assert_eq!(
            name_version_purl(&findings),
            [
                "demo-app@0.1.0 -",
                "itoa@0.4.8 pkg:cargo/itoa@0.4.8",
                "itoa@1.0.19 pkg:cargo/itoa@1.0.19",
                "local-util@0.1.0 -",
                "log@0.4.35 pkg:cargo/log@0.4.35",
            ],
            "local crates have no purl"
        );
        let app = &findings.packages[0];
        assert!(app.declared);
        assert_eq!(app.depends_on, ["itoa", "local-util", "log"]);
        assert!(!app.metadata.contains_key("source"));
        let log = &findings.packages[4];
        assert_eq!(
            log.metadata["source"],
            "registry+https://github.com/rust-lang/crates.io-index"
        );
        assert_eq!(log.metadata["lockfile"], "Cargo.lock");
        assert!(log.metadata.contains_key("checksum"));
    }

    #[test]
    fn git_source_has_a_purl() {
        let text = "version = 3\n\n[[package]]\nname = \"semver\"\nversion = \"1.0.23\"\nsource = \"git+https://github.com/dtolnay/semver?tag=1.0.23#3e64fdbfce78bfbd3a4bdb0c4e7cf5b7b36b3f8c\"\n";
        let findings = read(text);
        assert_eq!(
            findings.packages[0].purl.as_deref(),
            Some("pkg:cargo/semver@1.0.23")
        );
    }

    #[test]
    fn version_1_lock_and_truncation() {
        let text = r#"[[package]]
name = "demo"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)" = "6fd41f331ac7c5b8ac259b8bf82c75c0fb2e469bbf37d2becbba9a6a2221965b"

[[package]]
name = "trunc"
version = "0.1"#;
        let findings = read(text);
        let purls: Vec<Option<&str>> = findings
            .packages
            .iter()
            .map(|p| p.purl.as_deref())
            .collect();
        assert_eq!(purls, [None, Some("pkg:cargo/libc@0.2.40")]);
        assert_eq!(findings.packages[0].depends_on, ["libc"]);
        assert_eq!(findings.warnings.len(), 2, "{:?}", findings.warnings);
    }
}
