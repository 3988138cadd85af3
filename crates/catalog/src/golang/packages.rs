//! Build info → package records, as Syft's Go binary cataloguer names them
//! (`parse_go_binary.go`, `package.go`, `stdlib_package.go`).
//!
//! - One record per `dep` (not the main module), named by its replacement unless that is a
//!   local directory (`./x`, `/x`): then the original path, and the original version when the
//!   replacement has none (Syft leaves it empty).
//! - The main module, its `(devel)` version resolved by [`super::version`]; a GOPATH or
//!   `go build file.go` binary gets one from `path` or its only `(devel)` dep, as in Syft.
//! - `stdlib` at the toolchain version, when the binary gave at least one module. purl form:
//!   Syft's `pkg:golang/stdlib@1.22.3` (no `go`, no `v`; Trivy writes `@v1.22.3`), version
//!   `go1.22.3` with experiments and vendor suffixes removed.
//! - purls keep the module path's case (Go paths are case-sensitive; Trivy lowercases) and the
//!   version as recorded, `v` included (`pkg:golang/github.com/cli/cli/v2@v2.63.0`).
//!
//! A universal Mach-O gives one build per architecture; a module found in several (same name
//! and version) is one record, listing them all in `architectures`, its other fields from the
//! first slice: the overlay keys records by name and version, and one file is one location.

use std::collections::BTreeMap;

use sbomgen_model::{Ecosystem, PackageRecord};
use serde::Serialize;

use super::modinfo::{self, BuildInfo, Module};
use super::version::{self, DEVEL};
use crate::npm::json::metadata_map;
use crate::purl::purl;

/// One image's build info, with the machine its headers name.
#[derive(Debug, Clone)]
pub(super) struct Build {
    pub version: String,
    pub modinfo: String,
    pub machine: String,
}

/// The extra fields of a Go module record (Syft's `GolangBinaryBuildinfoEntry`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct GoMetadata {
    /// The toolchain version as the binary records it (`go1.25.1 X:…` included).
    go_compiled_version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    h1_digest: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    main_module: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    go_experiments: Vec<String>,
    /// `GOARCH`, else the machine of the headers (Go < 1.18 records no settings).
    architecture: String,
    /// Every slice of a universal binary holding this module; empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    architectures: Vec<String>,
    /// Main module only: the `build` lines, quoting undone.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    build_settings: BTreeMap<String, String>,
    /// Main module only, when the version reported is not the one recorded (`(devel)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    main_module_version_raw: Option<String>,
    /// The module this record replaces (it is named after its `=>` replacement).
    #[serde(skip_serializing_if = "Option::is_none")]
    replaces: Option<ModuleRef>,
    /// The local directory that replaced this module (the record keeps the original name).
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced_by: Option<ModuleRef>,
}

#[derive(Debug, Clone, Serialize)]
struct ModuleRef {
    path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    version: String,
}

/// The records of every build of one file, and problems worth a warning.
pub(super) fn records(path: &str, builds: &[Build]) -> (Vec<PackageRecord>, Vec<String>) {
    let universal = builds.len() > 1;
    let mut out: Vec<(PackageRecord, GoMetadata)> = Vec::new();
    // (name, version) → index in `out`: a 4 MiB module info holds tens of thousands of lines.
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for build in builds {
        let info = modinfo::parse(&build.modinfo);
        if let Some(first) = info.problems.first() {
            let count = info.skipped;
            problems.push(format!("{count} module info lines skipped ({first})"));
        }
        for (record, mut meta) in build_records(path, build, info) {
            if universal {
                meta.architectures = vec![meta.architecture.clone()];
            }
            let key = (record.name.clone(), record.version.clone());
            let Some(&index) = seen.get(&key) else {
                seen.insert(key, out.len());
                out.push((record, meta));
                continue;
            };
            let (kept, kept_meta) = &mut out[index];
            if kept.depends_on != record.depends_on {
                kept.depends_on.extend(record.depends_on);
                kept.depends_on.sort();
                kept.depends_on.dedup();
            }
            if !kept_meta.architectures.contains(&meta.architecture) {
                kept_meta.architectures.push(meta.architecture);
            }
        }
    }
    let records = out
        .into_iter()
        .map(|(mut record, meta)| {
            record.metadata = metadata_map(&meta);
            record
        })
        .collect();
    (records, problems)
}

fn build_records(
    path: &str,
    build: &Build,
    mut info: BuildInfo,
) -> Vec<(PackageRecord, GoMetadata)> {
    let go = version::go_version(&build.version);
    let base = GoMetadata {
        go_compiled_version: build.version.clone(),
        go_experiments: go.experiments.clone(),
        architecture: info.setting("GOARCH").unwrap_or(&build.machine).to_string(),
        ..GoMetadata::default()
    };
    let main = main_module(&mut info);
    let main_path = main.as_ref().map(|m| m.path.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for dep in &info.deps {
        let same_as_main = main
            .as_ref()
            .is_some_and(|m| m.path == dep.path && m.version == dep.version);
        if same_as_main {
            continue;
        }
        let meta = GoMetadata {
            main_module: main_path.clone(),
            ..base.clone()
        };
        out.extend(module_record(path, dep, meta));
    }
    if let Some(main) = &main {
        let meta = GoMetadata {
            main_module: main_path.clone(),
            build_settings: info.settings.iter().cloned().collect(),
            ..base.clone()
        };
        if let Some((mut record, mut meta)) = module_record(path, main, meta) {
            if identity(main).version == DEVEL {
                record.version = devel_version(&info, &main_path).unwrap_or_default();
                record.purl = Some(module_purl(&record.name, &record.version));
                meta.main_module_version_raw = Some(DEVEL.to_string());
            }
            record.depends_on = out.iter().map(|(r, _)| r.name.clone()).collect();
            record.depends_on.sort();
            record.depends_on.dedup();
            out.push((record, meta));
        }
    }
    if out.is_empty() || go.release.is_empty() {
        return out;
    }
    for (record, _) in &mut out {
        record.depends_on.push("stdlib".to_string());
    }
    let number = go.release.strip_prefix("go").unwrap_or(&go.release);
    let mut stdlib = PackageRecord::new(Ecosystem::Golang, "stdlib", &go.release, path);
    stdlib.purl = Some(purl("golang", None, "stdlib", number, &[]));
    out.push((stdlib, base));
    out
}

/// The main module, or Syft's stand-in when the `mod` line is missing (GOPATH builds) or
/// names `command-line-arguments` (`go build file.go`): the only `(devel)` dep, taken out of
/// the deps, else `path` at `(devel)`.
fn main_module(info: &mut BuildInfo) -> Option<Module> {
    match &info.main {
        Some(main) if main.path != "command-line-arguments" => return Some(main.clone()),
        None if info.path.is_empty() => return None,
        _ => {}
    }
    let mut candidates = info
        .deps
        .iter()
        .enumerate()
        .filter(|(_, d)| d.version == DEVEL);
    if let (Some((index, _)), None) = (candidates.next(), candidates.next()) {
        return Some(info.deps.remove(index));
    }
    Some(Module {
        path: info.path.clone(),
        version: DEVEL.to_string(),
        ..Module::default()
    })
}

/// A `(devel)` main module's version: ldflags, else the VCS pseudo-version, else none.
fn devel_version(info: &BuildInfo, main_path: &str) -> Option<String> {
    let ldflags = info.setting("-ldflags").unwrap_or("");
    version::from_ldflags(ldflags, main_path).or_else(|| {
        let revision = info.setting("vcs.revision")?;
        let time = info.setting("vcs.time")?;
        Some(version::pseudo_version(time, revision))
    })
}

/// Name, version and sum of a module as reported, and how its replacement is described.
struct Identity<'a> {
    name: &'a str,
    version: &'a str,
    sum: &'a str,
    replaces: Option<ModuleRef>,
    replaced_by: Option<ModuleRef>,
}

/// The replacement decides name, version and sum, unless it is a local directory.
fn identity(module: &Module) -> Identity<'_> {
    match module.replace.as_deref() {
        None => Identity {
            name: &module.path,
            version: &module.version,
            sum: &module.sum,
            replaces: None,
            replaced_by: None,
        },
        Some(local) if local.path.starts_with('.') || local.path.starts_with('/') => Identity {
            name: &module.path,
            version: match local.version.as_str() {
                "" | DEVEL => &module.version,
                _ => &local.version,
            },
            sum: &local.sum,
            replaces: None,
            replaced_by: Some(module_ref(local)),
        },
        Some(replacement) => Identity {
            name: &replacement.path,
            version: &replacement.version,
            sum: &replacement.sum,
            replaces: Some(module_ref(module)),
            replaced_by: None,
        },
    }
}

/// A module's record; `None` for a module without a path.
fn module_record(
    path: &str,
    module: &Module,
    mut meta: GoMetadata,
) -> Option<(PackageRecord, GoMetadata)> {
    let id = identity(module);
    if id.name.is_empty() {
        return None;
    }
    // `(devel)` is no version (Syft PR #3873); the main module's is resolved by the caller.
    let version = if id.version == DEVEL { "" } else { id.version };
    meta.h1_digest = id.sum.to_string();
    meta.replaces = id.replaces;
    meta.replaced_by = id.replaced_by;
    let mut record = PackageRecord::new(Ecosystem::Golang, id.name, version, path);
    record.purl = Some(module_purl(id.name, version));
    Some((record, meta))
}

fn module_ref(module: &Module) -> ModuleRef {
    ModuleRef {
        path: module.path.clone(),
        version: module.version.clone(),
    }
}

/// `pkg:golang/<path up to the last '/'>/<last segment>@<version>`, case kept.
pub(super) fn module_purl(module: &str, version: &str) -> String {
    match module.rfind('/') {
        Some(slash) if slash > 0 && slash < module.len() - 1 => purl(
            "golang",
            Some(&module[..slash]),
            &module[slash + 1..],
            version,
            &[],
        ),
        _ => purl("golang", None, module, version, &[]),
    }
}

#[cfg(test)]
#[path = "packages_tests.rs"]
mod tests;
