//! The shape of one table entry, and its compiled form.
//!
//! An entry is data ([`Classifier`]): file-name globs, an optional condition on the whole
//! path, evidence patterns and the package it names. The patterns are strings so that the
//! table reads like Syft's `classifiers.go`; they compile once, on first use, into
//! [`Compiled`] (see [`compiled`]). An entry that fails to compile is left out and reported
//! (a table bug the invariant tests catch), never a panic.
//!
//! Evidence patterns are byte regexes compiled with Unicode *off*: `.` is any byte but `\n`
//! and `\d`, `\w`, `\s` are ASCII, which is what Syft's Go patterns mean when Go decodes
//! binary content (each invalid byte is one U+FFFD rune, matched by `.`).

use std::sync::LazyLock;

use regex::bytes::{Regex as BytesRegex, RegexBuilder};
use regex::Regex;

use super::all_classifiers;

/// How one classifier recognises one piece of software.
#[derive(Debug)]
pub(super) struct Classifier {
    /// Unique name, Syft's where Syft has one (`busybox-binary`); recorded as `classifier`.
    pub class: &'static str,
    /// Classifiers sharing a group are branches: of those whose globs match a file, the
    /// first in table order whose evidence matches wins (Syft's `BranchingEvidenceMatcher`).
    pub group: Option<&'static str>,
    /// File-name globs (globset dialect, `*` stays within a segment).
    pub globs: &'static [&'static str],
    /// A further regex on the whole root-relative path. A `version` group in it (Python's
    /// `python3.11`) must be a prefix of the version found in the content.
    pub path: Option<&'static str>,
    /// Alternatives, most trusted first; each a set of patterns that must all match
    /// (captures merged, later ones winning), as Syft's `MatchAny(FileContentsVersionMatcher…)`.
    /// The version comes from a `version` group, or from `major`, `minor` and `patch`.
    pub evidence: &'static [&'static [&'static str]],
    pub package: Package,
}

/// The package a classifier names.
#[derive(Debug)]
pub(super) struct Package {
    /// The record's name.
    pub name: &'static str,
    /// `generic`, or `golang` for Go programs Syft names by module path.
    pub purl_type: &'static str,
    pub namespace: Option<&'static str>,
    pub purl_name: &'static str,
    /// CPE 2.3 templates; `{version}` (and `{primary}`, `{update}` where the patterns capture
    /// them) are replaced by the quoted values.
    pub cpes: &'static [&'static str],
}

/// A `pkg:generic/<name>` package whose record is named `name`.
pub(super) const fn generic(name: &'static str, cpes: &'static [&'static str]) -> Package {
    Package {
        name,
        purl_type: "generic",
        namespace: None,
        purl_name: name,
        cpes,
    }
}

/// A `pkg:generic/<namespace>/<name>` package (Syft's JVM vendors).
pub(super) const fn vendored(
    namespace: &'static str,
    name: &'static str,
    cpes: &'static [&'static str],
) -> Package {
    Package {
        namespace: Some(namespace),
        ..generic(name, cpes)
    }
}

/// A Go program Syft names by module path: `pkg:golang/<namespace>/<name>`, the record named
/// by its module path, `module`.
pub(super) const fn golang(
    module: &'static str,
    namespace: &'static str,
    name: &'static str,
    cpes: &'static [&'static str],
) -> Package {
    Package {
        name: module,
        purl_type: "golang",
        namespace: Some(namespace),
        purl_name: name,
        cpes,
    }
}

/// A classifier with its globs and patterns compiled.
#[derive(Debug)]
pub(super) struct Compiled {
    pub classifier: &'static Classifier,
    pub globs: Vec<Regex>,
    pub path: Option<Regex>,
    pub evidence: Vec<Vec<BytesRegex>>,
}

/// A classifier that reads a file, and the version the file's path names, if any.
#[derive(Debug)]
pub(super) struct Selected<'a> {
    pub compiled: &'a Compiled,
    pub path_version: Option<String>,
}

impl Compiled {
    /// Whether this classifier reads `path`: `None` when it does not.
    pub(super) fn selects(&self, path: &str) -> Option<Selected<'_>> {
        if !self.globs.iter().any(|g| g.is_match(path)) {
            return None;
        }
        let path_version = match &self.path {
            None => None,
            Some(regex) => {
                let captures = regex.captures(path)?;
                captures.name("version").map(|m| m.as_str().to_string())
            }
        };
        Some(Selected {
            compiled: self,
            path_version,
        })
    }

    /// The group key: the branch group, or the class alone.
    pub(super) fn group(&self) -> &'static str {
        self.classifier.group.unwrap_or(self.classifier.class)
    }
}

/// The compiled table, and the entries that failed to compile.
#[derive(Debug, Default)]
pub(super) struct CompiledTable {
    pub classifiers: Vec<Compiled>,
    pub errors: Vec<String>,
}

/// The table, compiled on first use.
pub(super) fn compiled() -> &'static CompiledTable {
    static TABLE: LazyLock<CompiledTable> = LazyLock::new(|| {
        let mut table = CompiledTable::default();
        for classifier in all_classifiers() {
            match compile(classifier) {
                Ok(c) => table.classifiers.push(c),
                Err(e) => table.errors.push(format!("{}: {e}", classifier.class)),
            }
        }
        table
    });
    &TABLE
}

pub(super) fn compile(classifier: &'static Classifier) -> Result<Compiled, String> {
    let globs = classifier
        .globs
        .iter()
        .map(|g| glob_regex(g).and_then(|r| Regex::new(&r).map_err(|e| e.to_string())))
        .collect::<Result<_, _>>()?;
    let path = classifier
        .path
        .map(|p| Regex::new(p).map_err(|e| format!("path {p:?}: {e}")))
        .transpose()?;
    let evidence = classifier
        .evidence
        .iter()
        .map(|alternative| alternative.iter().map(|p| evidence_regex(p)).collect())
        .collect::<Result<_, _>>()?;
    Ok(Compiled {
        classifier,
        globs,
        path,
        evidence,
    })
}

pub(super) fn evidence_regex(pattern: &str) -> Result<BytesRegex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .map_err(|e| format!("pattern {pattern:?}: {e}"))
}

/// The anchored regex for a glob, with globset's `literal_separator(true)` meaning: `*` and
/// `?` stay within a segment, `**/` at the start or `/**/` inside match zero or more whole
/// segments. Classes and alternations (`[…]`, `{…}`) are refused rather than half-supported,
/// so the scan's glob set and this check never disagree.
pub(super) fn glob_regex(glob: &str) -> Result<String, String> {
    if glob.is_empty() || glob.starts_with('/') || glob.contains(['[', ']', '{', '}', '\\']) {
        return Err(format!("glob {glob:?}: unsupported syntax"));
    }
    let mut out = String::from("^");
    let mut rest = glob;
    if let Some(tail) = rest.strip_prefix("**/") {
        out.push_str("(?:.*/)?");
        rest = tail;
    }
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix("/**/") {
            out.push_str("/(?:.*/)?");
            rest = tail;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        match c {
            '*' if rest.starts_with("**") => return Err(format!("glob {glob:?}: stray **")),
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            _ => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push('$');
    Ok(out)
}

/// Fills a CPE template: `{name}` is replaced by the captured value, quoted as the CPE 2.3
/// formatted-string binding requires (NISTIR 7695 §6.2). `None` when a placeholder has no
/// value.
pub(super) fn render_cpe(template: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let captured = value(&rest[open + 1..close])?;
        for c in captured.chars() {
            if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
                out.push('\\');
            }
            out.push(c);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}
