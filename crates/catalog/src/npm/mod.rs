//! npm: installed Node.js packages, one `package.json` at each package root.
//!
//! `**/package.json` matches far more than packages: export-map stubs inside a package
//! (`node_modules/firebase/firestore/package.json`, which Syft reports as `firestore@UNKNOWN`,
//! syft #5118), test fixtures, the application's own manifest. So only a *package root* counts,
//! decided from the path alone, as Trivy's `IsPackageRoot` does:
//!
//! - `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`,
//!   at any depth (nested `node_modules/a/node_modules/b` is its own installed copy, and pnpm's
//!   `node_modules/.pnpm/<id>/node_modules/<name>` holds the real files behind its symlinks);
//! - Debian's packaged modules, at the same depth under `usr/share/nodejs/`, `usr/lib/nodejs/`
//!   or `usr/lib/<triplet>/nodejs/`. They are the deb's files too: deciding between the two
//!   reports is the overlay's ownership policy, not this parser's.
//!
//! Any other `package.json` is skipped without a word. That includes the application's own
//! manifest (`/app/package.json`): it *declares* dependencies, it is not an installed package,
//! and its dependencies are reported where they are installed. Inside a package root a manifest
//! must have a non-empty `name` and `version` and a well-formed name, else it is reported and
//! skipped; VS Code extensions and Unity packages are skipped silently.
//!
//! The directory need not be named after the package: `npm i x@npm:y` installs `y`'s manifest
//! at `node_modules/x`. The record keeps the manifest's name, which is what was installed.

pub(crate) mod json;
mod manifest;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::Serialize;

use crate::{purl, FileCataloguer};
use json::non_empty;
use manifest::Manifest;

/// Reads installed packages' `package.json` at package roots.
#[derive(Debug, Clone, Copy)]
pub struct NpmCataloguer;

impl FileCataloguer for NpmCataloguer {
    fn name(&self) -> &'static str {
        "npm"
    }

    /// Broad on purpose: the glob cannot express "the directory right under a `node_modules`
    /// or scope directory", so [`is_package_root`] decides in `parse`.
    fn patterns(&self) -> &'static [&'static str] {
        &["**/package.json"]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        if !is_package_root(path) {
            return FileFindings::default();
        }
        let manifest: Manifest = match json::first_object(bytes) {
            Ok(manifest) => manifest,
            Err(err) => {
                return FileFindings::warning(format!("{path}: unreadable package.json: {err}"))
            }
        };
        if manifest.is_foreign() {
            return FileFindings::default();
        }
        match record(path, &manifest) {
            Ok(record) => FileFindings {
                packages: vec![record],
                ..FileFindings::default()
            },
            Err(problem) => FileFindings::warning(format!("{path}: {problem}")),
        }
    }
}

/// The extra fields an npm record carries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NpmMetadata<'m> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<String>,
    /// Only when `true`: a private package in `node_modules` is a workspace or local one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    private: bool,
}

fn record(path: &str, manifest: &Manifest) -> Result<PackageRecord, String> {
    let (Some(name), Some(version)) = (
        non_empty(manifest.name.as_deref()),
        non_empty(manifest.version.as_deref()),
    ) else {
        return Err("package.json has no name or no version".to_string());
    };
    if !is_valid_name(name) {
        return Err(format!("invalid npm package name {}", excerpt(name)));
    }
    let mut record = PackageRecord::new(Ecosystem::Npm, name, version, path);
    let (scope, bare) = match name.split_once('/') {
        Some((scope, bare)) => (Some(scope), bare),
        None => (None, name),
    };
    record.purl = Some(purl::purl("npm", scope, bare, version, &[]));
    record.licenses = manifest.licenses();
    record.depends_on = manifest.depends_on();
    record.metadata = json::metadata_map(&NpmMetadata {
        description: non_empty(manifest.description.as_deref()),
        homepage: non_empty(manifest.homepage.as_deref()),
        author: manifest.author(),
        repository: manifest.repository(),
        private: manifest.private.unwrap_or(false),
    });
    Ok(record)
}

/// Whether `path` is the `package.json` of a package root (see the module docs).
pub fn is_package_root(path: &str) -> bool {
    let Some(dir) = path
        .strip_suffix("package.json")
        .and_then(|dir| dir.strip_suffix('/'))
    else {
        return false;
    };
    let segments: Vec<&str> = dir.split('/').collect();
    let Some((name, mut parents)) = segments.split_last() else {
        return false;
    };
    if name.is_empty() || name.starts_with(['@', '.']) {
        return false;
    }
    if let Some((scope, above)) = parents.split_last() {
        if scope.starts_with('@') {
            if *scope == "@" {
                return false;
            }
            parents = above;
        }
    }
    match parents {
        [.., "node_modules"] | ["usr", "share" | "lib", "nodejs"] => true,
        ["usr", "lib", triplet, "nodejs"] => !triplet.is_empty(),
        _ => false,
    }
}

/// npm's rule for installable names, as Trivy applies it:
/// `^(@[A-Za-z0-9-._]+/)?[A-Za-z0-9-._]+$`.
fn is_valid_name(name: &str) -> bool {
    let part = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    match name.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, bare)| part(scope) && part(bare)),
        None => part(name),
    }
}

/// `s` quoted for a diagnostic, cut to a readable length (a hostile manifest's "name" can be
/// megabytes long).
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

#[cfg(test)]
mod tests;
