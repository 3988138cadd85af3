//! npm's `package-lock.json` and `npm-shrinkwrap.json` (same format): every locked package.
//!
//! Format: <https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json>. Lockfile v2 and
//! v3 hold a `packages` map keyed by install path; v1 (npm 5–6) only a `dependencies` tree. v2
//! holds both; `packages` is complete, so it wins whenever present.
//!
//! Skipped: the root `""` entry and other keys outside `node_modules` (the project itself and
//! its workspace members: local code, not dependencies), `link: true` entries (a symlink to such
//! a member), and v1 `file:` versions (local directories). Dev entries are kept and marked
//! `dev: true` (Syft drops them unless asked; a declared SBOM is more useful with them flagged).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{is_false, json_document, purl, quote, Found, Package};
use crate::Ecosystem;

/// One entry of the v2/v3 `packages` map.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LockPackage {
    /// Set on an alias's real package (`"node_modules/foo": {"name": "bar"}` installs `bar`
    /// under the name `foo`), and on the root entry.
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    link: bool,
    dev: bool,
    optional: bool,
    dependencies: BTreeMap<String, Value>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, Value>,
}

/// One entry of the v1 `dependencies` tree.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LockDependency {
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    dev: bool,
    optional: bool,
    /// What it depends on, by name (resolved in this tree or an ancestor's). Its nested
    /// `dependencies` (copies installed under its own `node_modules`) are walked from the JSON.
    requires: BTreeMap<String, Value>,
}

/// What a record keeps of an entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    dev: bool,
    #[serde(skip_serializing_if = "is_false")]
    optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    integrity: Option<&'a str>,
}

/// Parses one package lock; `lockfile` names its kind in metadata.
pub(super) fn parse(found: &mut Found<'_>, lockfile: &str, text: &str) {
    let Some(document) = json_document(found, text) else {
        return;
    };
    if let Some(packages) = document.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            read_package(found, lockfile, key, entry);
        }
    } else if let Some(dependencies) = document.get("dependencies").and_then(Value::as_object) {
        read_tree(found, lockfile, dependencies);
    } else {
        found
            .problems
            .push("neither `packages` nor `dependencies`: not a package lock");
    }
}

/// The installed name of a `packages` key: what follows its last `node_modules/`.
fn name_from_key(key: &str) -> Option<&str> {
    key.rfind("node_modules/")
        .map(|at| &key[at + "node_modules/".len()..])
}

fn read_package(found: &mut Found<'_>, lockfile: &str, key: &str, entry: &Value) {
    let Some(installed_as) = name_from_key(key) else {
        return;
    };
    let package: LockPackage = match LockPackage::deserialize(entry) {
        Ok(package) => package,
        Err(error) => {
            return found.problems.push(format_args!(
                "`packages` entry {}: {error}; skipped",
                quote(key)
            ))
        }
    };
    if package.link {
        return;
    }
    let name = package.name.as_deref().unwrap_or(installed_as);
    let version = package.version.as_deref().unwrap_or_default();
    found.add(Package {
        ecosystem: Ecosystem::Npm,
        name,
        version,
        purl: Some(npm_purl(name, version)),
        depends_on: package
            .dependencies
            .keys()
            .chain(package.optional_dependencies.keys())
            .cloned()
            .collect(),
        metadata: Metadata {
            lockfile,
            dev: package.dev,
            optional: package.optional,
            resolved: package.resolved.as_deref(),
            integrity: package.integrity.as_deref(),
        },
    });
}

/// Walks the v1 tree with an explicit stack (the JSON parser already bounds its depth at 128;
/// a stack keeps this walk from adding recursion of its own).
fn read_tree(found: &mut Found<'_>, lockfile: &str, top: &serde_json::Map<String, Value>) {
    let mut pending: Vec<(&str, &Value)> = top.iter().map(|(k, v)| (k.as_str(), v)).collect();
    while let Some((key, entry)) = pending.pop() {
        let dependency: LockDependency = match LockDependency::deserialize(entry) {
            Ok(dependency) => dependency,
            Err(error) => {
                found.problems.push(format_args!(
                    "`dependencies` entry {}: {error}; skipped",
                    quote(key)
                ));
                continue;
            }
        };
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            pending.extend(nested.iter().map(|(k, v)| (k.as_str(), v)));
        }
        let raw_version = dependency.version.as_deref().unwrap_or_default();
        if raw_version.starts_with("file:") || raw_version.starts_with("link:") {
            continue;
        }
        // An alias (`"foo": {"version": "npm:bar@1.2.3"}`) installs `bar` 1.2.3 as `foo`.
        let (name, version) = match raw_version
            .strip_prefix("npm:")
            .and_then(|spec| split_spec(spec))
        {
            Some((name, version)) => (name, version),
            None => (key, raw_version),
        };
        found.add(Package {
            ecosystem: Ecosystem::Npm,
            name,
            version,
            purl: Some(npm_purl(name, version)),
            depends_on: dependency.requires.keys().cloned().collect(),
            metadata: Metadata {
                lockfile,
                dev: dependency.dev,
                optional: dependency.optional,
                resolved: dependency.resolved.as_deref(),
                integrity: dependency.integrity.as_deref(),
            },
        });
    }
}

/// Splits `name@range` (`@scope/name@range` too) at the `@` that ends the name.
pub(super) fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

/// `pkg:npm/[%40scope/]name@version`: the scope is the purl namespace, case kept (as Syft).
pub(super) fn npm_purl(name: &str, version: &str) -> String {
    match name
        .split_once('/')
        .filter(|(scope, _)| scope.starts_with('@'))
    {
        Some((scope, rest)) => purl(Ecosystem::Npm, Some(scope), rest, version),
        None => purl(Ecosystem::Npm, None, name, version),
    }
}

#[cfg(test)]
#[path = "npm_tests.rs"]
mod tests;
