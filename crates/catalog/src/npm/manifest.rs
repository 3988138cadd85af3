//! The fields of a `package.json` that describe an installed package, and their many shapes.
//!
//! Every field is lenient (an unexpected type reads as absent) because publishers write what
//! npm tolerates, not what the docs say: `license` as a string, a `{type, url}` object or an
//! array, the deprecated `licenses` array, `author` and `repository` as strings or objects
//! (<https://docs.npmjs.com/cli/v10/configuring-npm/package-json>).

use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::json::{lenient, non_empty, Lenient, Obj};

/// A `package.json`, as far as sbomgen reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Manifest {
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub homepage: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub private: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    author: Option<Person>,
    #[serde(default, deserialize_with = "lenient")]
    repository: Option<Repository>,
    #[serde(default, deserialize_with = "lenient")]
    license: Option<License>,
    #[serde(default, deserialize_with = "lenient")]
    licenses: Option<License>,
    #[serde(default, deserialize_with = "lenient")]
    dependencies: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    optional_dependencies: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    peer_dependencies: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default, deserialize_with = "lenient")]
    peer_dependencies_meta: Option<BTreeMap<String, Lenient<Obj<PeerMeta>>>>,
    #[serde(default, deserialize_with = "lenient")]
    engines: Option<BTreeMap<String, IgnoredAny>>,
    /// VS Code extensions' contribution points.
    contributes: Option<IgnoredAny>,
    /// Unity Package Manager manifests' editor version.
    unity: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Person {
    Text(String),
    Object(Obj<PersonFields>),
}

#[derive(Debug, Deserialize)]
struct PersonFields {
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Repository {
    /// `"github:user/repo"`, `"user/repo"` or a URL: kept as written.
    Text(String),
    Object(Obj<RepositoryFields>),
}

#[derive(Debug, Deserialize)]
struct RepositoryFields {
    #[serde(default, deserialize_with = "lenient")]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum License {
    /// An SPDX expression, `UNLICENSED`, or `SEE LICENSE IN <file>`: kept as written.
    Text(String),
    /// The deprecated `{ "type": "MIT", "url": "…" }`.
    Object(Obj<LicenseFields>),
    List(Vec<Lenient<License>>),
}

#[derive(Debug, Deserialize)]
struct LicenseFields {
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
    /// Some write `name` for `type`.
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PeerMeta {
    #[serde(default, deserialize_with = "lenient")]
    optional: Option<bool>,
}

impl Manifest {
    /// A VS Code extension or a Unity package: a manifest that looks like npm's but is not an
    /// npm package (syft #3381; scalibr skips both the same way).
    pub(super) fn is_foreign(&self) -> bool {
        let vscode = self
            .engines
            .as_ref()
            .is_some_and(|engines| engines.contains_key("vscode"));
        vscode || self.contributes.is_some() || self.unity.is_some()
    }

    /// Declared licenses: `license` when it names any, else the deprecated `licenses` (a
    /// manifest with both usually repeats itself: `utils-merge` does).
    pub(super) fn licenses(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(license) = &self.license {
            license.collect(&mut found);
        }
        if found.is_empty() {
            if let Some(licenses) = &self.licenses {
                licenses.collect(&mut found);
            }
        }
        let mut seen = BTreeSet::new();
        found.retain(|l| seen.insert(l.clone()));
        found
    }

    /// Names of what npm installs with it: `dependencies`, `optionalDependencies` and
    /// `peerDependencies` (npm ≥ 7 installs peers unless `peerDependenciesMeta` marks them
    /// optional). Never `devDependencies`: an installed package's are never installed.
    pub(super) fn depends_on(&self) -> Vec<String> {
        let optional_peer = |name: &str| {
            self.peer_dependencies_meta
                .as_ref()
                .and_then(|meta| meta.get(name))
                .and_then(|meta| meta.0.as_ref())
                .and_then(|Obj(meta)| meta.optional)
                .unwrap_or(false)
        };
        let peers = self.peer_dependencies.iter().flat_map(|m| m.keys());
        let names: BTreeSet<&String> = self
            .dependencies
            .iter()
            .chain(&self.optional_dependencies)
            .flat_map(|m| m.keys())
            .chain(peers.filter(|name| !optional_peer(name)))
            .filter(|name| !name.trim().is_empty())
            .collect();
        names.into_iter().cloned().collect()
    }

    /// `Name <email> (url)`, npm's own one-line form of a person.
    pub(super) fn author(&self) -> Option<String> {
        match self.author.as_ref()? {
            Person::Text(text) => non_empty(Some(text)).map(str::to_string),
            Person::Object(Obj(PersonFields { name, email, url })) => {
                let parts = [
                    non_empty(name.as_deref()).map(str::to_string),
                    non_empty(email.as_deref()).map(|e| format!("<{e}>")),
                    non_empty(url.as_deref()).map(|u| format!("({u})")),
                ];
                let line = parts.into_iter().flatten().collect::<Vec<_>>().join(" ");
                (!line.is_empty()).then_some(line)
            }
        }
    }

    pub(super) fn repository(&self) -> Option<String> {
        let url = match self.repository.as_ref()? {
            Repository::Text(text) => text,
            Repository::Object(Obj(RepositoryFields { url })) => url.as_ref()?,
        };
        non_empty(Some(url)).map(str::to_string)
    }
}

impl License {
    fn collect(&self, out: &mut Vec<String>) {
        match self {
            License::Text(text) => out.extend(non_empty(Some(text)).map(str::to_string)),
            License::Object(Obj(LicenseFields { kind, name })) => out.extend(
                non_empty(kind.as_deref())
                    .or(non_empty(name.as_deref()))
                    .map(str::to_string),
            ),
            License::List(items) => {
                for item in items.iter().filter_map(|item| item.0.as_ref()) {
                    item.collect(out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(json: &str) -> Manifest {
        super::super::json::first_object(json.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn license_shapes() {
        let cases: &[(&str, &[&str])] = &[
            (r#"{"license":"MIT"}"#, &["MIT"]),
            (
                r#"{"license":" (MIT OR Apache-2.0) "}"#,
                &["(MIT OR Apache-2.0)"],
            ),
            (
                r#"{"license":"SEE LICENSE IN LICENSE.md"}"#,
                &["SEE LICENSE IN LICENSE.md"],
            ),
            (r#"{"license":{"type":"ISC","url":"https://x"}}"#, &["ISC"]),
            (r#"{"license":{"name":"BSD-2-Clause"}}"#, &["BSD-2-Clause"]),
            (
                r#"{"license":["MIT",{"type":"GPL-2.0"},7,null]}"#,
                &["MIT", "GPL-2.0"],
            ),
            (
                r#"{"licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}"#,
                &["MIT", "Apache-2.0"],
            ),
            (r#"{"license":"MIT","licenses":[{"type":"MIT"}]}"#, &["MIT"]),
            (r#"{"license":"","licenses":"BSD"}"#, &["BSD"]),
            (r#"{"license":{"url":"https://x"}}"#, &[]),
            (r#"{"license":42,"licenses":{}}"#, &[]),
            (r#"{"license":["MIT","MIT"]}"#, &["MIT"]),
            (r#"{"license":[["GPL","x"]]}"#, &["GPL", "x"]),
        ];
        for (json, want) in cases {
            assert_eq!(manifest(json).licenses(), *want, "{json}");
        }
    }

    #[test]
    fn author_and_repository_shapes() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                r#"{"author":"TJ <tj@x.ca>","repository":"zeit/ms"}"#,
                Some("TJ <tj@x.ca>"),
                Some("zeit/ms"),
            ),
            (
                r#"{"author":{"name":"Jared","email":"j@x.com","url":"http://j"},"repository":{"type":"git","url":"git://g/u.git"}}"#,
                Some("Jared <j@x.com> (http://j)"),
                Some("git://g/u.git"),
            ),
            (
                r#"{"author":{"email":"e@x"},"repository":{"type":"git"}}"#,
                Some("<e@x>"),
                None,
            ),
            (r#"{"author":{},"repository":[]}"#, None, None),
            (r#"{"author":["a","b"],"repository":" "}"#, None, None),
            (r#"{"author":["a","b","c"],"repository":["u"]}"#, None, None),
        ];
        for (json, author, repository) in cases {
            let m = manifest(json);
            assert_eq!(m.author().as_deref(), *author, "{json}");
            assert_eq!(m.repository().as_deref(), *repository, "{json}");
        }
    }

    #[test]
    fn depends_on_installed_dependency_kinds() {
        let m = manifest(
            r#"{"dependencies":{"b":"1","a":"2"},"devDependencies":{"dev":"1"},
                "optionalDependencies":{"fsevents":"2","a":"2"},
                "peerDependencies":{"react":"18","types":"1"},
                "peerDependenciesMeta":{"types":{"optional":true},"react":"odd"}}"#,
        );
        assert_eq!(m.depends_on(), ["a", "b", "fsevents", "react"]);
        assert!(manifest(r#"{"dependencies":["a"]}"#)
            .depends_on()
            .is_empty());
    }

    #[test]
    fn foreign_manifests() {
        assert!(manifest(r#"{"engines":{"vscode":"^1.80.0"}}"#).is_foreign());
        assert!(manifest(r#"{"contributes":{"commands":[]}}"#).is_foreign());
        assert!(manifest(r#"{"unity":"2021.3"}"#).is_foreign());
        assert!(!manifest(r#"{"engines":{"node":">=6"}}"#).is_foreign());
        assert!(!manifest(r#"{"engines":"node"}"#).is_foreign());
    }
}
