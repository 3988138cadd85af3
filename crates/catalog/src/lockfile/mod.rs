//! Declared packages: what lockfiles and pin lists say should be installed.
//!
//! Five [`FileCataloguer`]s, one per ecosystem, listed among [`crate::FILE_CATALOGUERS`] as
//! the declared ones; every record
//! they return is `declared`. Neither Syft nor Trivy reads these files in images by default
//! (Trivy's exceptions: `Cargo.lock`, .NET locks), because a lockfile says what a build *would*
//! install, which the image may not hold; they run on `dir:` sources, and on images only when
//! asked.
//!
//! | cataloguer | files | module |
//! |---|---|---|
//! | `npm-lock` | `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock` | `npm`, `yarn` |
//! | `python-lock` | `*requirements*.txt`, `poetry.lock`, `Pipfile.lock`, `uv.lock` | `requirements`, `poetry`, `pipfile`, `uv` |
//! | `gem-lock` | `Gemfile.lock`, `Gemfile.next.lock` | `gemfile` |
//! | `composer-lock` | `composer.lock` | `composer` |
//! | `cargo-lock` | `Cargo.lock` | `cargo` |
//!
//! Common rules (`common`): a lockfile inside `node_modules/` or `vendor/` belongs to an
//! installed dependency, not to the project, and is skipped (syft #431, trivy #4948, #147);
//! the project's own entry and local workspace members are skipped where the format marks
//! them; dev-only entries are kept with `dev: true` in metadata where the format says so; one
//! name and version listed several times in a file is one record. Malformed input gives
//! warnings naming the file (at most a few per file) and whatever could be read.

mod cargo;
mod common;
mod composer;
mod gemfile;
mod npm;
mod pipfile;
mod poetry;
mod requirements;
mod toml_lock;
mod uv;
mod yarn;

use common::{find, inside_dependencies, Found};

use crate::path::file_name;
use crate::{FileCataloguer, FileFindings};

/// Decodes `bytes` and runs `parse`, unless the file sits inside installed dependencies.
fn read(path: &str, bytes: &[u8], parse: impl FnOnce(&mut Found<'_>, &str)) -> FileFindings {
    if inside_dependencies(path) {
        return FileFindings::default();
    }
    // Lossy: a stray invalid byte costs one character, not the file.
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    find(path, text, parse)
}

/// npm and Yarn lockfiles.
#[derive(Debug, Clone, Copy)]
pub struct NpmLockCataloguer;

impl FileCataloguer for NpmLockCataloguer {
    fn name(&self) -> &'static str {
        "npm-lock"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[
            "**/package-lock.json",
            "**/npm-shrinkwrap.json",
            "**/yarn.lock",
        ]
    }

    fn declared(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        read(path, bytes, |found, text| match file_name(path) {
            "yarn.lock" => yarn::parse(found, text),
            "npm-shrinkwrap.json" => npm::parse(found, "npm-shrinkwrap.json", text),
            _ => npm::parse(found, "package-lock.json", text),
        })
    }
}

/// Python pins and lockfiles: pip, Poetry, Pipenv, uv.
#[derive(Debug, Clone, Copy)]
pub struct PythonLockCataloguer;

impl FileCataloguer for PythonLockCataloguer {
    fn name(&self) -> &'static str {
        "python-lock"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[
            "**/*requirements*.txt",
            "**/poetry.lock",
            "**/Pipfile.lock",
            "**/uv.lock",
        ]
    }

    fn declared(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        read(path, bytes, |found, text| match file_name(path) {
            "poetry.lock" => poetry::parse(found, text),
            "Pipfile.lock" => pipfile::parse(found, text),
            "uv.lock" => uv::parse(found, text),
            _ => requirements::parse(found, text),
        })
    }
}

/// Bundler's `Gemfile.lock` (and `Gemfile.next.lock`, the dual-boot lock of Rails upgrades).
#[derive(Debug, Clone, Copy)]
pub struct GemLockCataloguer;

impl FileCataloguer for GemLockCataloguer {
    fn name(&self) -> &'static str {
        "gem-lock"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/Gemfile.lock", "**/Gemfile.next.lock"]
    }

    fn declared(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        read(path, bytes, gemfile::parse)
    }
}

/// Composer's `composer.lock`.
#[derive(Debug, Clone, Copy)]
pub struct ComposerLockCataloguer;

impl FileCataloguer for ComposerLockCataloguer {
    fn name(&self) -> &'static str {
        "composer-lock"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/composer.lock"]
    }

    fn declared(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        read(path, bytes, composer::parse)
    }
}

/// Cargo's `Cargo.lock`.
#[derive(Debug, Clone, Copy)]
pub struct CargoLockCataloguer;

impl FileCataloguer for CargoLockCataloguer {
    fn name(&self) -> &'static str {
        "cargo-lock"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/Cargo.lock"]
    }

    fn declared(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        read(path, bytes, cargo::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_patterns_relative_all_declared() {
        let lockfiles: [&dyn FileCataloguer; 5] = [
            &NpmLockCataloguer,
            &PythonLockCataloguer,
            &GemLockCataloguer,
            &ComposerLockCataloguer,
            &CargoLockCataloguer,
        ];
        for cataloguer in lockfiles {
            assert!(cataloguer.declared(), "{}", cataloguer.name());
            for pattern in cataloguer.patterns() {
                assert!(pattern.starts_with("**/"), "{pattern}");
            }
        }
    }

    #[test]
    fn locks_inside_dependencies_are_skipped() {
        let lock =
            br#"{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}}"#;
        assert_eq!(
            NpmLockCataloguer
                .parse("app/package-lock.json", lock)
                .packages
                .len(),
            1
        );
        for path in [
            "app/node_modules/x/package-lock.json",
            "app/node_modules/.package-lock.json",
            "app/vendor/acme/lib/package-lock.json",
        ] {
            assert_eq!(
                NpmLockCataloguer.parse(path, lock),
                FileFindings::default(),
                "{path}"
            );
        }
        assert_eq!(
            ComposerLockCataloguer.parse("app/vendor/acme/lib/composer.lock", b"garbage"),
            FileFindings::default()
        );
    }

    #[test]
    fn dispatch_by_file_name_and_bom() {
        let findings =
            PythonLockCataloguer.parse("srv/dev-requirements.txt", "\u{feff}a==1\n".as_bytes());
        assert_eq!(findings.packages[0].name, "a");
        assert_eq!(findings.packages[0].database, "srv/dev-requirements.txt");
        let findings = NpmLockCataloguer.parse("yarn.lock", b"a@^1:\n  version \"1.0.0\"\n");
        assert_eq!(
            findings.packages[0].purl.as_deref(),
            Some("pkg:npm/a@1.0.0")
        );
        let findings = NpmLockCataloguer.parse(
            "npm-shrinkwrap.json",
            br#"{"dependencies": {"a": {"version": "1.0.0"}}}"#,
        );
        assert_eq!(
            findings.packages[0].metadata["lockfile"],
            "npm-shrinkwrap.json"
        );
    }

    #[test]
    fn invalid_utf8_is_read_lossily() {
        let findings = GemLockCataloguer.parse(
            "Gemfile.lock",
            b"GEM\n  specs:\n    rack (3.0.9)\n\xff\xfe\n",
        );
        assert_eq!(findings.packages.len(), 1);
    }
}
