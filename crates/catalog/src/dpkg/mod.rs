//! dpkg: Debian and Ubuntu packages from `var/lib/dpkg/status` and distroless `status.d/`.
//!
//! Each stanza of the status file is a package; distroless images instead write one file per
//! package (sometimes several stanzas per file) under `status.d/`, without a `Status` field,
//! and those are installed by construction.
//!
//! Which packages count: the third word of `Status:` (want, error flag, state) is the state.
//! A package is reported when its files are on disk: `installed`, `triggers-awaited`,
//! `triggers-pending`, `half-configured`, `unpacked` and `half-installed`. `config-files`
//! (removed, only conffiles left; `dpkg -l` shows `rc`) and `not-installed` (`pn`) are
//! dropped: no code of theirs is in the image. This is trivy's count; Syft also reports
//! `config-files` packages. See dpkg(1), "PACKAGE STATES".
//!
//! Owned files come from `info/<package>.list` (the `files` module); declared licenses from
//! `usr/share/doc/<package>/copyright` (the `copyright` module). `Depends` and `Pre-Depends`
//! become bare package names in `depends_on` (alternatives `a | b` give both names, since
//! either may be the one installed; virtual names stay as written).

mod control;
mod copyright;
mod files;

use rayon::prelude::*;
use serde_json::Value;

use crate::{Catalogued, Cataloguer, Ecosystem, FileView, PackageRecord};

/// Reads dpkg's status database and its distroless variant.
#[derive(Debug)]
pub struct DpkgCataloguer;

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d";

/// Files that sit beside a package's stanza file in `status.d/` but are its control-archive
/// members (distroless copies some of them), not stanzas.
const COMPANION_SUFFIXES: &[&str] = &[
    ".md5sums",
    ".conffiles",
    ".list",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".config",
    ".templates",
    ".triggers",
    ".shlibs",
    ".symbols",
];

impl Cataloguer for DpkgCataloguer {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/*",
            "var/lib/dpkg/info/*.list",
            "var/lib/dpkg/info/*.md5sums",
            "usr/share/doc/*/copyright",
        ]
    }

    fn catalog(&self, files: &FileView<'_>) -> Catalogued {
        let mut found = Catalogued::default();
        let status = files.get(STATUS).map(|bytes| (STATUS, bytes));
        let status_d = files.under(STATUS_D).filter(|(path, _)| {
            let name = &path[STATUS_D.len() + 1..];
            !name.contains('/') && !COMPANION_SUFFIXES.iter().any(|s| name.ends_with(s))
        });
        for (database, bytes) in status.into_iter().chain(status_d) {
            read_database(database, bytes, files, &mut found);
        }
        found.sorted()
    }
}

/// `bytes` as text, invalid UTF-8 replaced. The strict check first: it skips ASCII a word at
/// a time, several times faster than the lossy decoder on the megabytes of file lists a
/// Debian image holds, which are nearly always valid.
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn read_database(database: &str, bytes: &[u8], view: &FileView<'_>, found: &mut Catalogued) {
    let parsed = control::parse(&text(bytes));
    found.warnings.extend(
        parsed
            .problems
            .iter()
            .map(|problem| format!("{database}: {problem}")),
    );
    // Reading each package's file list and copyright is independent work, and on a full
    // Debian image it is most of the cataloguer's time: spread it over the cores.
    let results: Vec<(Option<PackageRecord>, Vec<String>)> = parsed
        .stanzas
        .par_iter()
        .map(|stanza| {
            let mut problems = Vec::new();
            let record = record(database, stanza, &mut problems);
            let mut warnings: Vec<String> = problems
                .iter()
                .map(|problem| format!("{database}: line {}: {problem}", stanza.line))
                .collect();
            let record = record.map(|mut record| {
                let (paths, file_warnings) =
                    files::owned_files(view, &record.name, record.arch.as_deref());
                record.files = paths;
                warnings.extend(file_warnings);
                let copyright = format!("usr/share/doc/{}/copyright", record.name);
                if let Some(bytes) = view.get(&copyright) {
                    record.licenses = copyright::licenses(&text(bytes));
                }
                record
            });
            (record, warnings)
        })
        .collect();
    for (record, warnings) in results {
        found.warnings.extend(warnings);
        found.packages.extend(record);
    }
}

/// The record of one stanza, or `None` for a package whose files are not on disk or a stanza
/// that cannot be a package (the latter with a problem pushed).
fn record(
    database: &str,
    stanza: &control::Stanza,
    problems: &mut Vec<String>,
) -> Option<PackageRecord> {
    let Some(name) = nonempty(stanza.get("Package")) else {
        problems.push("stanza without a Package name; skipped".into());
        return None;
    };
    if let Some(status) = stanza.get("Status") {
        match status.split_whitespace().nth(2) {
            Some(state) if ON_DISK.contains(&state) => {}
            Some(state) if GONE.contains(&state) => return None,
            _ => {
                problems.push(format!("{name}: unknown Status `{status}`; skipped"));
                return None;
            }
        }
    }
    let Some(version) = nonempty(stanza.get("Version")) else {
        problems.push(format!("{name}: no Version; skipped"));
        return None;
    };
    let mut record = PackageRecord::new(Ecosystem::Deb, name, version, database);
    record.arch = nonempty(stanza.get("Architecture")).map(str::to_string);
    if let Some((source, source_version)) = stanza.get("Source").and_then(parse_source) {
        if source != name || source_version.is_some() {
            record.source_name = Some(source.to_string());
        }
        record.source_version = source_version.map(str::to_string);
    }
    for (field, value) in stanza.fields() {
        if field.eq_ignore_ascii_case("Depends") || field.eq_ignore_ascii_case("Pre-Depends") {
            crate::unique::extend_unique(&mut record.depends_on, relation_names(value));
        }
    }
    metadata(stanza, &mut record, problems);
    Some(record)
}

/// dpkg(1) states in which the package's files are unpacked on disk.
const ON_DISK: &[&str] = &[
    "installed",
    "triggers-awaited",
    "triggers-pending",
    "half-configured",
    "unpacked",
    "half-installed",
];
/// dpkg(1) states in which no file of the package but conffiles remains.
const GONE: &[&str] = &["config-files", "not-installed"];

fn metadata(stanza: &control::Stanza, record: &mut PackageRecord, problems: &mut Vec<String>) {
    let mut put = |key: &str, value: Value| {
        record.metadata.insert(key.to_string(), value);
    };
    for (key, field) in [
        ("maintainer", "Maintainer"),
        ("homepage", "Homepage"),
        ("multiArch", "Multi-Arch"),
        ("section", "Section"),
        ("priority", "Priority"),
    ] {
        if let Some(value) = nonempty(stanza.get(field)) {
            put(key, value.into());
        }
    }
    // The synopsis; the extended description is prose nobody queries in an SBOM.
    if let Some(line) = stanza.get("Description").and_then(|d| d.lines().next()) {
        if !line.is_empty() {
            put("description", line.into());
        }
    }
    match nonempty(stanza.get("Essential")).map(str::to_ascii_lowercase) {
        Some(yes) if yes == "yes" => put("essential", true.into()),
        Some(no) if no == "no" => put("essential", false.into()),
        _ => {}
    }
    let provides: Vec<Value> = stanza
        .get("Provides")
        .map(|p| {
            p.split(',')
                .map(|entry| entry.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|entry| !entry.is_empty())
                .map(Value::from)
                .collect()
        })
        .unwrap_or_default();
    if !provides.is_empty() {
        put("provides", provides.into());
    }
    if let Some(size) = nonempty(stanza.get("Installed-Size")) {
        match size.parse::<u64>() {
            Ok(kib) => put("installedSize", kib.into()),
            // A warning, not a skip: the package is there whatever its size field says.
            Err(_) => problems.push(format!(
                "{}: Installed-Size `{size}` is not a number of KiB; left out",
                record.name
            )),
        }
    }
}

fn nonempty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// `Source: name` or `Source: name (version)`, the latter when the binary's version differs
/// from its source's (binNMUs, or binaries versioned apart like `bsdutils`).
fn parse_source(value: &str) -> Option<(&str, Option<&str>)> {
    let value = value.trim();
    let (name, rest) = match value.find(|c: char| c.is_whitespace() || c == '(') {
        Some(at) => (&value[..at], value[at..].trim()),
        None => (value, ""),
    };
    let version = rest
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .map(|(v, _)| v.trim())
        .filter(|v| !v.is_empty());
    (!name.is_empty()).then_some((name, version))
}

/// The package names of a relationship field (deb-control(5)): `a (>= 1), b:any | c [amd64]`
/// gives `a`, `b`, `c`.
fn relation_names(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .flat_map(|alternatives| alternatives.split('|'))
        .filter_map(|relation| {
            let relation = relation.trim();
            let end = relation
                .find(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '<'))
                .unwrap_or(relation.len());
            // `:any`, `:native` or an architecture qualify the name; they are not part of it.
            let name = relation[..end].split(':').next().unwrap_or_default();
            (!name.is_empty()).then_some(name)
        })
}

#[cfg(test)]
mod tests;
