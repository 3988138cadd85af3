//! What every lockfile parser shares: purls, declared records, bounded warnings, and the
//! per-file set that deduplicates and orders what a parser found.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::npm::json::metadata_map;
use crate::{Ecosystem, FileFindings, PackageRecord};

/// Warnings kept verbatim per file; the rest are counted. A garbage file (binary, or a text file
/// the glob caught by accident) would otherwise give one warning per line.
const MAX_WARNINGS: usize = 5;

/// Characters of a file's text quoted in a warning: a 10 MB line must not become a 10 MB
/// warning.
const QUOTE_CHARS: usize = 80;

/// Whether a lockfile sits inside installed dependencies (`node_modules/`, `vendor/`): there it
/// locks some dependency's own development tree, not what the image's project installs, and
/// both Syft and Trivy skip it (syft #431, trivy #4948 and #147). npm's hidden
/// `node_modules/.package-lock.json` is covered by the same rule.
pub(super) fn inside_dependencies(path: &str) -> bool {
    let mut components = path.split('/');
    // The last component is the file itself.
    components.next_back();
    components.any(|c| c == "node_modules" || c == "vendor")
}

/// `text` cut to a short, single-line quote for a warning. Lazy: a warning past the shown
/// few is counted, never formatted, so a file of a million bad lines stays cheap.
pub(super) fn quote(text: &str) -> Quoted<'_> {
    Quoted(text)
}

/// A quote of file text, formatted only when shown (see [`quote`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Quoted<'t>(&'t str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = match self.0.char_indices().nth(QUOTE_CHARS) {
            Some((at, _)) => &self.0[..at],
            None => self.0,
        };
        write!(f, "{cut:?}")?;
        if cut.len() < self.0.len() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// `pkg:<type>/[<namespace>/]<name>@<version>`, each component encoded.
pub(super) fn purl(
    ecosystem: Ecosystem,
    namespace: Option<&str>,
    name: &str,
    version: &str,
) -> String {
    crate::purl::purl(ecosystem.purl_type(), namespace, name, version, &[])
}

/// What `parse` finds in `text`, the file at `path`.
pub(super) fn find(
    path: &str,
    text: &str,
    parse: impl FnOnce(&mut Found<'_>, &str),
) -> FileFindings {
    let mut found = Found::new(path);
    parse(&mut found, text);
    found.finish()
}

/// `text` as a JSON document; `None`, with a problem, when it is not one.
pub(super) fn json_document(found: &mut Found<'_>, text: &str) -> Option<serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(document) => Some(document),
        Err(error) => {
            found.problems.push(format_args!("not valid JSON: {error}"));
            None
        }
    }
}

/// Problems met while reading one file, each naming it; at most [`MAX_WARNINGS`] verbatim.
#[derive(Debug)]
pub(super) struct Problems<'p> {
    path: &'p str,
    shown: Vec<String>,
    hidden: usize,
}

impl<'p> Problems<'p> {
    pub(super) fn new(path: &'p str) -> Self {
        Problems {
            path,
            shown: Vec::new(),
            hidden: 0,
        }
    }

    pub(super) fn push(&mut self, problem: impl std::fmt::Display) {
        if self.shown.len() < MAX_WARNINGS {
            self.shown.push(format!("{}: {problem}", self.path));
        } else {
            self.hidden += 1;
        }
    }

    fn into_warnings(mut self) -> Vec<String> {
        if self.hidden > 0 {
            self.shown.push(format!(
                "{}: {} more problems not shown",
                self.path, self.hidden
            ));
        }
        self.shown
    }
}

/// The packages one lockfile declares, keyed by name and version: a lockfile may list one
/// version at several places (npm's nested `node_modules`, yarn's several ranges), and the
/// file is one location, so it is one record.
#[derive(Debug)]
pub(super) struct Found<'p> {
    path: &'p str,
    packages: BTreeMap<(String, String), PackageRecord>,
    pub(super) problems: Problems<'p>,
}

impl<'p> Found<'p> {
    pub(super) fn new(path: &'p str) -> Self {
        Found {
            path,
            packages: BTreeMap::new(),
            problems: Problems::new(path),
        }
    }

    /// Adds a declared record. An empty name or version is a problem, not a record. A
    /// duplicate keeps the first copy, unless only the new one is needed outside development
    /// (then the package is not dev-only); dependencies are merged either way.
    pub(super) fn add<M: Serialize>(&mut self, package: Package<'_, M>) {
        let Package {
            ecosystem,
            name,
            version,
            purl,
            depends_on,
            metadata,
        } = package;
        if name.is_empty() || version.is_empty() {
            self.problems.push(format_args!(
                "entry {} without a {}; skipped",
                quote(if name.is_empty() { version } else { name }),
                if name.is_empty() { "name" } else { "version" }
            ));
            return;
        }
        let mut record = PackageRecord::new(ecosystem, name, version, self.path);
        record.declared = true;
        record.purl = purl;
        record.depends_on = depends_on;
        record.depends_on.sort_unstable();
        record.depends_on.dedup();
        record.metadata = metadata_map(&metadata);
        let key = (record.name.clone(), record.version.clone());
        match self.packages.get_mut(&key) {
            None => {
                self.packages.insert(key, record);
            }
            Some(existing) => {
                let mut depends_on = std::mem::take(&mut existing.depends_on);
                depends_on.append(&mut record.depends_on);
                if is_dev(existing) && !is_dev(&record) {
                    *existing = record;
                }
                depends_on.sort_unstable();
                depends_on.dedup();
                existing.depends_on = depends_on;
            }
        }
    }

    /// The findings: records ordered by name and version.
    pub(super) fn finish(self) -> FileFindings {
        FileFindings {
            packages: self.packages.into_values().collect(),
            support: None,
            warnings: self.problems.into_warnings(),
        }
    }
}

fn is_dev(record: &PackageRecord) -> bool {
    record.metadata.get("dev") == Some(&serde_json::Value::Bool(true))
}

/// One declared package, as a parser read it.
#[derive(Debug)]
pub(super) struct Package<'a, M> {
    pub(super) ecosystem: Ecosystem,
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    pub(super) purl: Option<String>,
    pub(super) depends_on: Vec<String>,
    /// A typed struct with camelCase fields; serialised into the record's metadata.
    pub(super) metadata: M,
}

impl<'a, M> Package<'a, M> {
    /// A PyPI package, its purl naming it PEP 503-normalised.
    pub(super) fn python(
        name: &'a str,
        version: &'a str,
        depends_on: Vec<String>,
        metadata: M,
    ) -> Self {
        Package {
            ecosystem: Ecosystem::Python,
            name,
            version,
            purl: Some(crate::python::purl::pypi(name, version, None)),
            depends_on,
            metadata,
        }
    }
}

/// `serde(skip_serializing_if)` for flags that are only worth writing when set.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes the field by reference
pub(super) fn is_false(flag: &bool) -> bool {
    !*flag
}

/// `name@version purl` of every record (`-` without a purl), as the parsers' tests compare
/// them.
#[cfg(test)]
pub(super) fn name_version_purl(findings: &FileFindings) -> Vec<String> {
    findings
        .packages
        .iter()
        .map(|p| {
            format!(
                "{}@{} {}",
                p.name,
                p.version,
                p.purl.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

/// `purl dev` of every record: its purl and whether it is marked `dev`, as the parsers'
/// tests compare them.
#[cfg(test)]
pub(super) fn purl_and_dev(findings: &FileFindings) -> Vec<String> {
    findings
        .packages
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.purl.as_deref().unwrap(),
                p.metadata.contains_key("dev")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_purl_spec() {
        assert_eq!(
            purl(Ecosystem::Npm, Some("@babel"), "core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Cargo, None, "a_b", "1.0.0+zstd.1.5"),
            "pkg:cargo/a_b@1.0.0%2Bzstd.1.5"
        );
        assert_eq!(
            purl(Ecosystem::Gem, None, "a b/ü~", "1"),
            "pkg:gem/a%20b%2F%C3%BC~@1"
        );
    }

    #[test]
    fn dependency_directories_are_skipped() {
        assert!(inside_dependencies("app/node_modules/x/package-lock.json"));
        assert!(inside_dependencies("node_modules/.package-lock.json"));
        assert!(inside_dependencies("app/vendor/x/y/composer.lock"));
        assert!(!inside_dependencies("app/package-lock.json"));
        assert!(!inside_dependencies("package-lock.json"));
        assert!(!inside_dependencies("my_node_modules/package-lock.json"));
    }

    #[test]
    fn warnings_are_bounded_and_quotes_short() {
        let mut problems = Problems::new("p");
        for i in 0..20 {
            problems.push(i);
        }
        let warnings = problems.into_warnings();
        assert_eq!(warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(warnings[MAX_WARNINGS], "p: 15 more problems not shown");
        assert!(quote(&"x".repeat(1 << 20)).to_string().len() < 100);
        assert_eq!(quote("a\"b").to_string(), "\"a\\\"b\"");
    }

    #[test]
    fn duplicates_merge_and_prefer_the_non_dev_copy() {
        #[derive(Serialize)]
        struct Meta {
            dev: bool,
        }
        let mut found = Found::new("l");
        for (dev, dep) in [(true, "a"), (false, "b"), (true, "c")] {
            found.add(Package {
                ecosystem: Ecosystem::Npm,
                name: "x",
                version: "1",
                purl: None,
                depends_on: vec![dep.to_string()],
                metadata: Meta { dev },
            });
        }
        let findings = found.finish();
        assert_eq!(findings.packages.len(), 1);
        let record = &findings.packages[0];
        assert_eq!(record.depends_on, ["a", "b", "c"]);
        assert_eq!(record.metadata["dev"], false);
        assert!(record.declared);
    }
}
