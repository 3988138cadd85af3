//! One core-metadata file (`METADATA`, `PKG-INFO`, a single-file `.egg-info`) to one record.

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::Serialize;

use super::headers::{self, Headers};
use super::{licenses, normalize_name, purl, requirement};
use crate::npm::json::metadata_map;
use crate::path::parent;

/// The ecosystem-specific fields of a Python record (camelCase in the document). The
/// supporting files add `topLevelPackages` and `directUrl` later.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PythonMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requires_python: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<String>,
    /// The directory that holds the package's metadata directory (or, for a single-file
    /// `.egg-info`, the file): the `sys.path` entry it was installed into. Root-relative.
    #[serde(skip_serializing_if = "str::is_empty")]
    site_packages_root_path: String,
}

/// Parses a metadata file at `path`: one record, or a warning when it names no package.
pub(super) fn parse(path: &str, bytes: &[u8]) -> FileFindings {
    let headers = headers::parse(bytes);
    let mut warnings: Vec<String> = headers
        .overlong
        .iter()
        .map(|field| {
            format!(
                "{path}: {field} longer than {} bytes; ignored",
                headers::MAX_VALUE_BYTES
            )
        })
        .collect();
    if headers.skipped_lines > 0 {
        warnings.push(format!(
            "{path}: {} lines that are neither `Key: value` nor a continuation skipped",
            headers.skipped_lines
        ));
    }
    let (Some(name), Some(version)) = (
        headers.name.as_deref().filter(|n| !n.is_empty()),
        headers.version.as_deref().filter(|v| !v.is_empty()),
    ) else {
        warnings.push(format!(
            "{path}: no Name and Version headers; not a package"
        ));
        return FileFindings {
            warnings,
            ..FileFindings::default()
        };
    };
    // Python 2.7 installs its own `Python-2.7.egg-info` (`lib-dynload/`): the interpreter,
    // not a package on PyPI. Syft skips it the same way (`parseWheelOrEgg`).
    if normalize_name(name) == "python" {
        return FileFindings {
            warnings,
            ..FileFindings::default()
        };
    }
    let mut record = PackageRecord::new(Ecosystem::Python, name, version, path);
    record.purl = Some(purl::pypi(name, version, None));
    record.licenses = licenses::declared(&headers);
    for dependency in headers
        .requires_dist
        .iter()
        .filter_map(|r| requirement::runtime_dependency(r))
    {
        if !record.depends_on.contains(&dependency) {
            record.depends_on.push(dependency);
        }
    }
    record.metadata = metadata_map(&metadata(path, &headers));
    FileFindings {
        packages: vec![record],
        support: None,
        warnings,
    }
}

fn metadata(path: &str, headers: &Headers) -> PythonMetadata {
    PythonMetadata {
        summary: set(headers.summary.as_deref()),
        author: set(headers.author.as_deref()),
        author_email: set(headers.author_email.as_deref()),
        home_page: set(headers.home_page.as_deref())
            .or_else(|| homepage_url(&headers.project_urls)),
        requires_python: set(headers.requires_python.as_deref()),
        platform: headers.platforms.iter().find(|p| is_set(p)).cloned(),
        site_packages_root_path: site_packages_root(path).to_string(),
    }
}

/// Where a metadata file's package was installed: `dir(path)` for a single-file
/// `.egg-info`, else the parent of its metadata directory (as Syft's
/// `determineSitePackagesRootPath`). For an unzipped `foo.egg/EGG-INFO/PKG-INFO` that is the
/// `.egg` directory, which is itself the `sys.path` entry.
fn site_packages_root(path: &str) -> &str {
    if path.ends_with(".egg-info") {
        parent(path)
    } else {
        parent(parent(path))
    }
}

/// `Project-URL: Homepage, https://…`; labels compare as PEP 753 normalises them
/// (lower case, punctuation and spaces removed), so `Home-page` and `homepage` match too.
fn homepage_url(project_urls: &[String]) -> Option<String> {
    project_urls.iter().find_map(|entry| {
        let (label, url) = entry.split_once(',')?;
        let label: String = label
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let url = url.trim();
        (label == "homepage" && !url.is_empty()).then(|| url.to_string())
    })
}

/// Old setuptools wrote `UNKNOWN` for every field left unset.
fn is_set(value: &str) -> bool {
    !value.is_empty() && value != "UNKNOWN"
}

fn set(value: Option<&str>) -> Option<String> {
    value.filter(|v| is_set(v)).map(str::to_string)
}

#[cfg(test)]
#[path = "metadata_tests.rs"]
mod tests;
