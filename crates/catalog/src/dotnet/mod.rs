//! dotnet: NuGet packages of a .NET application, from the `<app>.deps.json` the SDK writes
//! next to it (<https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md>).
//!
//! `libraries` lists everything the build resolved, keyed `Name/Version`; the target named by
//! `runtimeTarget.name` says, for each, which assets the application loads at run time. Only
//! `type: package` libraries are reported: `project` entries are the application and its own
//! projects (not packages anyone could look up), and `runtimepack` entries are the .NET runtime
//! of a self-contained app (Trivy reports those with the `runtimepack.` prefix stripped; the
//! runtime is better found from its own files than named after a build input).
//!
//! A package whose target entry claims no `runtime`, `runtimeTargets` or `native` asset ships
//! nothing the application loads (reference-only or meta packages such as
//! `Microsoft.NETCore.Platforms`, or packages the shared framework supersedes), so it is left
//! out, as Syft (`DepPackagesMustClaimDLL`) and Trivy do. When the target or the entry is
//! missing, nothing says so: the package is kept.

use std::collections::BTreeMap;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::npm::excerpt;
use crate::npm::json::{self, lenient, non_empty, Lenient, Obj};
use crate::purl;
use crate::FileCataloguer;

/// Reads the packages a .NET application was built with.
#[derive(Debug, Clone, Copy)]
pub struct DotnetCataloguer;

impl FileCataloguer for DotnetCataloguer {
    fn name(&self) -> &'static str {
        "dotnet"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/*.deps.json"]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let deps: DepsJson = match json::first_object(bytes) {
            Ok(deps) => deps,
            Err(err) => {
                return FileFindings::warning(format!("{path}: unreadable deps.json: {err}"))
            }
        };
        let target = deps.runtime_target();
        let mut found = FileFindings::default();
        for (key, library) in deps.libraries.iter().flatten() {
            let Some(Obj(library)) = &library.0 else {
                found
                    .warnings
                    .push(format!("{path}: library {} is not an object", excerpt(key)));
                continue;
            };
            if !library
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("package"))
            {
                continue;
            }
            let Some((name, version)) = split_key(key) else {
                found.warnings.push(format!(
                    "{path}: library key {} is not Name/Version",
                    excerpt(key)
                ));
                continue;
            };
            let entry = target
                .and_then(|t| t.get(key))
                .and_then(|e| e.0.as_ref())
                .map(|Obj(e)| e);
            if entry.is_some_and(|e| !e.claims_assets()) {
                continue;
            }
            found
                .packages
                .push(record(path, name, version, library, entry));
        }
        found
    }
}

/// Target entries by `Name/Version` key.
type Entries<T> = BTreeMap<String, Lenient<Obj<T>>>;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepsJson {
    #[serde(default, deserialize_with = "lenient")]
    runtime_target: Option<Obj<RuntimeTarget>>,
    #[serde(default, deserialize_with = "lenient")]
    targets: Option<BTreeMap<String, Lenient<Entries<TargetEntry>>>>,
    #[serde(default, deserialize_with = "lenient")]
    libraries: Option<Entries<Library>>,
}

#[derive(Debug, Deserialize)]
struct RuntimeTarget {
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetEntry {
    #[serde(default, deserialize_with = "lenient")]
    dependencies: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    runtime: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    runtime_targets: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    native: Option<BTreeMap<String, IgnoredAny>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Library {
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    sha512: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    path: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    hash_path: Option<String>,
}

/// The extra fields a NuGet record carries: where the package sits in the NuGet cache and
/// the hash of its `.nupkg`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NugetMetadata<'l> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sha512: Option<&'l str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'l str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash_path: Option<&'l str>,
}

impl DepsJson {
    /// The entries of the runtime target; with no `runtimeTarget`, the only target if there
    /// is exactly one (hand-trimmed files), else none.
    fn runtime_target(&self) -> Option<&Entries<TargetEntry>> {
        let targets = self.targets.as_ref()?;
        let named = self
            .runtime_target
            .as_ref()
            .and_then(|Obj(t)| non_empty(t.name.as_deref()));
        let target = match named {
            Some(name) => targets.get(name)?,
            None if targets.len() == 1 => targets.values().next()?,
            None => return None,
        };
        target.0.as_ref()
    }
}

impl TargetEntry {
    fn claims_assets(&self) -> bool {
        [&self.runtime, &self.runtime_targets, &self.native]
            .into_iter()
            .any(|assets| assets.as_ref().is_some_and(|a| !a.is_empty()))
    }
}

/// `Newtonsoft.Json/13.0.3` → (`Newtonsoft.Json`, `13.0.3`). NuGet ids never hold a `/`.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let (name, version) = key.split_once('/')?;
    let (name, version) = (name.trim(), version.trim());
    let valid =
        |s: &str| !s.is_empty() && !s.contains(['/', ' ']) && !s.chars().any(char::is_control);
    (valid(name) && valid(version)).then_some((name, version))
}

fn record(
    path: &str,
    name: &str,
    version: &str,
    library: &Library,
    entry: Option<&TargetEntry>,
) -> PackageRecord {
    let mut record = PackageRecord::new(Ecosystem::Nuget, name, version, path);
    record.purl = Some(purl::purl("nuget", None, name, version, &[]));
    record.depends_on = entry
        .and_then(|e| e.dependencies.as_ref())
        .map(|deps| {
            deps.keys()
                .filter(|d| !d.trim().is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    record.metadata = json::metadata_map(&NugetMetadata {
        sha512: non_empty(library.sha512.as_deref()),
        path: non_empty(library.path.as_deref()),
        hash_path: non_empty(library.hash_path.as_deref()),
    });
    record
}

#[cfg(test)]
mod tests;
