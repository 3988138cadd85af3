//! Installed Python packages: wheel (`*.dist-info/METADATA`) and egg (`*.egg-info/PKG-INFO`,
//! single-file `*.egg-info`, unzipped `*.egg/EGG-INFO/PKG-INFO`) metadata, joined with the
//! supporting files beside it (`RECORD` or `installed-files.txt`, `top_level.txt`,
//! `direct_url.json`).
//!
//! Each file is parsed alone as its layer streams (modules `metadata`, `record`, `support`);
//! [`PythonCataloguer::complete`] then joins a record to its metadata directory's supporting
//! files as visible at the same layer. Paths are anywhere in the image, as with Syft and
//! Trivy: virtualenvs, `/usr/lib/python3/dist-packages` (Debian), `site-packages`.
//! Zipped `.egg` and `.whl` files are not read (neither tool reads them in images either).

mod headers;
mod licenses;
mod metadata;
pub(crate) mod purl;
mod record;
mod requirement;
mod support;

use sbomgen_model::{DirectUrl, FileFindings, PackageRecord, Support};
use serde::Serialize;

use crate::path::{file_name, parent};
use crate::{FileCataloguer, SupportLookup};

/// Installed Python packages, from their core-metadata files.
#[derive(Debug, Clone, Copy)]
pub struct PythonCataloguer;

impl FileCataloguer for PythonCataloguer {
    fn name(&self) -> &'static str {
        "python"
    }

    fn patterns(&self) -> &'static [&'static str] {
        // `**/` also matches at the root. Syft additionally finds metadata directories named
        // just `dist-info`/`egg-info` (its globs are `**/*dist-info/METADATA`); its own test
        // image has them, so they are accepted too.
        &[
            "**/*.dist-info/METADATA",
            "**/*.dist-info/RECORD",
            "**/*.dist-info/top_level.txt",
            "**/*.dist-info/direct_url.json",
            "**/dist-info/METADATA",
            "**/dist-info/RECORD",
            "**/dist-info/top_level.txt",
            "**/dist-info/direct_url.json",
            // Only the single-file form reaches `parse`: directories are never parsed.
            "**/*.egg-info",
            "**/*.egg-info/PKG-INFO",
            "**/*.egg-info/top_level.txt",
            "**/*.egg-info/installed-files.txt",
            "**/egg-info/PKG-INFO",
            "**/egg-info/top_level.txt",
            "**/egg-info/installed-files.txt",
            "**/EGG-INFO/PKG-INFO",
            "**/EGG-INFO/top_level.txt",
        ]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        match file_name(path) {
            "METADATA" | "PKG-INFO" => metadata::parse(path, bytes),
            "RECORD" => record::record(path, bytes),
            "installed-files.txt" => record::installed_files(path, bytes),
            "top_level.txt" => support::top_level(bytes),
            "direct_url.json" => support::direct_url(path, bytes),
            name if name.ends_with(".egg-info") => metadata::parse(path, bytes),
            _ => FileFindings::default(),
        }
    }

    fn complete(&self, record: &mut PackageRecord, path: &str, support: &SupportLookup<'_>) {
        // A single-file `.egg-info` has no directory, hence no supporting files.
        if path.ends_with(".egg-info") || !path.contains('/') {
            return;
        }
        let dir = parent(path);
        let beside = |name: &str| support(&format!("{dir}/{name}"));
        let owned = |name: &str| match beside(name) {
            Some(Support::OwnedFiles(files)) if !files.is_empty() => Some(files),
            _ => None,
        };
        // Syft's order: RECORD (wheels), else the egg's `installed-files.txt`.
        if let Some(files) = owned("RECORD").or_else(|| owned("installed-files.txt")) {
            record.files = files.clone();
        }
        if let Some(Support::TopLevel(names)) = beside("top_level.txt") {
            insert(record, "topLevelPackages", names);
        }
        if let Some(Support::DirectUrl(direct)) = beside("direct_url.json") {
            insert(record, "directUrl", &DirectUrlMetadata::from(direct));
            if let Some(vcs_url) = vcs_url(direct) {
                record.purl = Some(purl::pypi(&record.name, &record.version, Some(&vcs_url)));
            }
        }
    }
}

/// `direct_url.json` as the record's `directUrl` metadata.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DirectUrlMetadata<'a> {
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vcs: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_revision: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    editable: bool,
}

impl<'a> From<&'a DirectUrl> for DirectUrlMetadata<'a> {
    fn from(d: &'a DirectUrl) -> Self {
        DirectUrlMetadata {
            url: &d.url,
            vcs: d.vcs.as_deref(),
            commit_id: d.commit_id.as_deref(),
            requested_revision: d.requested_revision.as_deref(),
            editable: d.editable,
        }
    }
}

/// The purl's `vcs_url` qualifier, `<vcs>+<url>@<commit>`, as Syft builds it
/// (`vcsURLQualifierForPackage`); only for packages installed from version control.
fn vcs_url(direct: &DirectUrl) -> Option<String> {
    let vcs = direct.vcs.as_deref().filter(|v| !v.is_empty())?;
    let mut url = format!("{vcs}+{}", direct.url);
    if let Some(commit) = direct.commit_id.as_deref().filter(|c| !c.is_empty()) {
        url.push('@');
        url.push_str(commit);
    }
    Some(url)
}

fn insert(record: &mut PackageRecord, key: &str, value: &impl Serialize) {
    if let Ok(value) = serde_json::to_value(value) {
        record.metadata.insert(key.to_string(), value);
    }
}

pub use sbomgen_model::pep503_name as normalize_name;

#[cfg(test)]
mod tests;
