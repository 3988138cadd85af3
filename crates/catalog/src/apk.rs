//! apk: Alpine (and Wolfi, Chainguard) packages from `lib/apk/db/installed`.
//!
//! The database is a text file of stanzas separated by blank lines, each line `X:value` with a
//! one-letter key (<https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2>). Every
//! stanza with a name (`P`) and a version (`V`) is an installed package; one without either is
//! reported and skipped, as trivy does (Syft keeps it with version `UNKNOWN`, which no
//! vulnerability database can match). `F` (directory) and `R` (file) lines give the owned files.
//!
//! `D` dependencies are kept as recorded, minus version constraints: package names, but also
//! `so:` and `cmd:` capabilities and file paths, which name what another package `p`rovides.

use serde_json::Value;

use crate::{Catalogued, Cataloguer, Ecosystem, FileView, PackageRecord};

/// Reads apk's installed database.
#[derive(Debug)]
pub struct ApkCataloguer;

const INSTALLED: &str = "lib/apk/db/installed";

impl Cataloguer for ApkCataloguer {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &[INSTALLED]
    }

    fn catalog(&self, files: &FileView<'_>) -> Catalogued {
        let mut found = Catalogued::default();
        if let Some(bytes) = files.get(INSTALLED) {
            read_database(INSTALLED, &String::from_utf8_lossy(bytes), &mut found);
        }
        found.sorted()
    }
}

/// One stanza's lines, as read.
#[derive(Debug, Default)]
struct Stanza<'t> {
    /// 1-based line of the stanza's first line, for diagnostics.
    line: usize,
    /// `(key, value)` in recorded order, `F`/`R` included.
    fields: Vec<(u8, &'t str)>,
}

impl<'t> Stanza<'t> {
    /// The first value of `key`: apk writes each scalar once.
    fn get(&self, key: u8) -> Option<&'t str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty())
    }

    fn has_name(&self) -> bool {
        self.fields.iter().any(|(k, _)| *k == b'P')
    }
}

fn read_database(database: &str, text: &str, found: &mut Catalogued) {
    let mut stanzas: Vec<Stanza<'_>> = Vec::new();
    let mut current = Stanza::default();
    let mut unreadable: Vec<usize> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            stanzas.push(std::mem::take(&mut current));
            continue;
        }
        let bytes = line.as_bytes();
        if bytes.len() < 2 || bytes[1] != b':' || !bytes[0].is_ascii_alphabetic() {
            unreadable.push(number);
            continue;
        }
        // A second name without a blank line between is a new package: a lost separator should
        // not merge two packages into one.
        if bytes[0] == b'P' && current.has_name() {
            stanzas.push(std::mem::take(&mut current));
        }
        if current.fields.is_empty() {
            current.line = number;
        }
        current.fields.push((bytes[0], &line[2..]));
    }
    stanzas.push(current);
    if let Some(first) = unreadable.first() {
        found.warnings.push(format!(
            "{database}: {} line(s) not of the form `X:value` skipped (first at line {first})",
            unreadable.len()
        ));
    }
    let first_new = found.packages.len();
    for stanza in stanzas.iter().filter(|s| !s.fields.is_empty()) {
        let mut problems = Vec::new();
        found
            .packages
            .extend(record(database, stanza, &mut problems));
        found.warnings.extend(
            problems
                .iter()
                .map(|problem| format!("{database}: line {}: {problem}", stanza.line)),
        );
    }
    resolve_dependencies(&mut found.packages[first_new..]);
}

/// Turns `D:` entries (package names, `so:`/`cmd:`/`pc:` capabilities, file paths) into the
/// names of the packages of the same database that satisfy them, as apk's solver would, so
/// `depends_on` names packages in every ecosystem. The raw entries stay in `metadata.depends`.
fn resolve_dependencies(packages: &mut [PackageRecord]) {
    let mut providers = std::collections::BTreeMap::<String, String>::new();
    for package in packages.iter() {
        providers
            .entry(package.name.clone())
            .or_insert_with(|| package.name.clone());
        let provided = package.metadata.get("provides").and_then(Value::as_array);
        for capability in provided.into_iter().flatten().filter_map(Value::as_str) {
            let name = capability
                .split(['=', '>', '<', '~'])
                .next()
                .unwrap_or(capability);
            providers
                .entry(name.to_string())
                .or_insert_with(|| package.name.clone());
        }
        for file in &package.files {
            providers
                .entry(format!("/{file}"))
                .or_insert_with(|| package.name.clone());
        }
    }
    for package in packages.iter_mut() {
        let raw = std::mem::take(&mut package.depends_on);
        if raw.is_empty() {
            continue;
        }
        let providing = raw
            .iter()
            .filter_map(|dependency| providers.get(dependency))
            .filter(|provider| **provider != package.name);
        crate::unique::extend_unique(&mut package.depends_on, providing);
        package.metadata.insert(
            "depends".into(),
            raw.into_iter().map(Value::from).collect::<Vec<_>>().into(),
        );
    }
}

/// The record of one stanza, or `None` (with a problem pushed) when it has no name or version.
fn record(
    database: &str,
    stanza: &Stanza<'_>,
    problems: &mut Vec<String>,
) -> Option<PackageRecord> {
    let Some(name) = stanza.get(b'P') else {
        problems.push("stanza without a package name (P:); skipped".into());
        return None;
    };
    let Some(version) = stanza.get(b'V') else {
        problems.push(format!("{name}: no version (V:); skipped"));
        return None;
    };
    let mut record = PackageRecord::new(Ecosystem::Apk, name, version, database);
    record.arch = stanza.get(b'A').map(str::to_string);
    if let Some(license) = stanza.get(b'L') {
        record.licenses.push(license.to_string());
    }
    if let Some(origin) = stanza.get(b'o') {
        // Subpackages are built with their origin in one run, so they share its version.
        record.source_name = Some(origin.to_string());
        record.source_version = Some(version.to_string());
    }
    let mut directory = "";
    for (key, value) in &stanza.fields {
        match key {
            b'F' => directory = value.trim_matches('/'),
            b'R' if !value.is_empty() => record.files.push(if directory.is_empty() {
                value.to_string()
            } else {
                format!("{directory}/{value}")
            }),
            b'D' => {
                for dependency in value.split_whitespace().filter_map(dependency_name) {
                    if !record.depends_on.iter().any(|d| d == dependency) {
                        record.depends_on.push(dependency.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    record.files.sort_unstable();
    record.files.dedup();
    metadata(stanza, &mut record, problems);
    Some(record)
}

fn metadata(stanza: &Stanza<'_>, record: &mut PackageRecord, problems: &mut Vec<String>) {
    for (key, field) in [
        ("origin", b'o'),
        ("maintainer", b'm'),
        ("url", b'U'),
        ("description", b'T'),
        ("commit", b'c'),
        ("pullChecksum", b'C'),
    ] {
        if let Some(value) = stanza.get(field) {
            record.metadata.insert(key.into(), value.into());
        }
    }
    for (key, field) in [("buildTime", b't'), ("size", b'S'), ("installedSize", b'I')] {
        if let Some(value) = stanza.get(field) {
            match value.trim().parse::<u64>() {
                Ok(number) => {
                    record.metadata.insert(key.into(), number.into());
                }
                // A warning, not a skip: the package is there whatever its size field says.
                Err(_) => problems.push(format!(
                    "{}: {}:{value} is not a number; left out",
                    record.name, field as char
                )),
            }
        }
    }
    let provides: Vec<Value> = stanza
        .fields
        .iter()
        .filter(|(k, _)| *k == b'p')
        .flat_map(|(_, v)| v.split_whitespace())
        .map(Value::from)
        .collect();
    if !provides.is_empty() {
        record.metadata.insert("provides".into(), provides.into());
    }
}

/// `musl>=1.2` → `musl`; `so:libc.musl-x86_64.so.1` stays whole; `!foo` (a conflict, not a
/// dependency) gives nothing.
fn dependency_name(dependency: &str) -> Option<&str> {
    if dependency.starts_with('!') {
        return None;
    }
    let end = dependency
        .find(['<', '>', '=', '~'])
        .unwrap_or(dependency.len());
    let name = &dependency[..end];
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(text: &str) -> Catalogued {
        let view = FileView::new([(INSTALLED, text.as_bytes())]);
        ApkCataloguer.catalog(&view)
    }

    const MUSL: &str = "\
C:Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=
P:musl
V:1.1.24-r2
A:x86_64
S:377123
I:614400
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1584790550
c:4024cc3b29ad4c65544ad068b8f59172b5494306
p:so:libc.musl-x86_64.so.1=1
F:lib
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q19mQZaYKY6yTQWQm0hkvsrh39O7Y=
";

    #[test]
    fn a_stanza_becomes_a_record_with_its_fields() {
        let found = catalog(MUSL);
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        let [musl] = found.packages.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(musl.ecosystem, Ecosystem::Apk);
        assert_eq!(
            (musl.name.as_str(), musl.version.as_str()),
            ("musl", "1.1.24-r2")
        );
        assert_eq!(musl.arch.as_deref(), Some("x86_64"));
        assert_eq!(musl.licenses, ["MIT"]);
        assert_eq!(
            (musl.source_name.as_deref(), musl.source_version.as_deref()),
            (Some("musl"), Some("1.1.24-r2"))
        );
        assert_eq!(
            musl.files,
            ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
        );
        assert_eq!(musl.database, INSTALLED);
        assert_eq!(
            serde_json::to_value(&musl.metadata).unwrap(),
            serde_json::json!({
                "origin": "musl",
                "maintainer": "Timo Teräs <timo.teras@iki.fi>",
                "url": "https://musl.libc.org/",
                "description": "the musl c library (libc) implementation",
                "commit": "4024cc3b29ad4c65544ad068b8f59172b5494306",
                "pullChecksum": "Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=",
                "buildTime": 1584790550,
                "size": 377123,
                "installedSize": 614400,
                "provides": ["so:libc.musl-x86_64.so.1=1"],
            })
        );
    }

    #[test]
    fn dependencies_lose_constraints_and_conflicts() {
        let found = catalog(
            "P:apk-tools\nV:2\nD:musl>=1.2 ca-certificates-bundle so:libc.musl-x86_64.so.1 /bin/sh a=1 b~2 c<3 d>4 !e musl\n",
        );
        assert_eq!(
            found.packages[0].metadata["depends"],
            serde_json::json!([
                "musl",
                "ca-certificates-bundle",
                "so:libc.musl-x86_64.so.1",
                "/bin/sh",
                "a",
                "b",
                "c",
                "d"
            ])
        );
    }

    #[test]
    fn dependencies_resolve_to_providing_packages() {
        let found = catalog(
            "P:musl\nV:1\np:so:libc.musl-x86_64.so.1=1\nF:bin\nR:sh\n\n\
             P:busybox\nV:1\nD:so:libc.musl-x86_64.so.1 /bin/sh busybox missing\n",
        );
        let busybox = found.packages.iter().find(|p| p.name == "busybox").unwrap();
        assert_eq!(busybox.depends_on, ["musl"]);
    }

    #[test]
    fn stanzas_without_name_or_version_are_warned_and_skipped() {
        let found = catalog("P:invalidPackageWithoutAVersion\n\nV:1\nA:x86_64\n\nP:ok\nV:1\n");
        assert_eq!(found.packages.len(), 1);
        assert_eq!(
            found.warnings,
            [
                "lib/apk/db/installed: line 1: invalidPackageWithoutAVersion: no version (V:); skipped",
                "lib/apk/db/installed: line 3: stanza without a package name (P:); skipped",
            ]
        );
    }

    #[test]
    fn crlf_and_a_missing_trailing_newline_read_the_same() {
        let lf = catalog(MUSL);
        let crlf = catalog(&MUSL.replace('\n', "\r\n"));
        let unterminated = catalog(MUSL.trim_end());
        assert_eq!(lf, crlf);
        assert_eq!(lf, unterminated);
    }

    #[test]
    fn garbage_lines_are_counted_once_and_do_not_stop_the_read() {
        let found = catalog("P:a\nV:1\ngarbage\n:\n1:x\nR\nF:usr\nR:x\n");
        assert_eq!(found.packages[0].files, ["usr/x"]);
        assert_eq!(
            found.warnings,
            ["lib/apk/db/installed: 4 line(s) not of the form `X:value` skipped (first at line 3)"]
        );
    }

    #[test]
    fn a_repeated_name_without_a_blank_line_starts_a_new_package() {
        let found = catalog("P:a\nV:1\nP:b\nV:2\n");
        let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_non_numeric_size_only_loses_the_size() {
        let found = catalog("P:a\nV:1\nS:big\nI:2\n");
        assert_eq!(found.packages[0].metadata.get("size"), None);
        assert_eq!(found.packages[0].metadata["installedSize"], 2);
        assert_eq!(
            found.warnings,
            ["lib/apk/db/installed: line 1: a: S:big is not a number; left out"]
        );
    }

    #[test]
    fn files_before_any_directory_are_at_the_root() {
        let found = catalog("P:a\nV:1\nR:top\nF:/etc/\nR:conf\nR:\n");
        assert_eq!(found.packages[0].files, ["etc/conf", "top"]);
    }

    #[test]
    fn empty_database_gives_nothing() {
        assert_eq!(catalog(""), Catalogued::default());
        assert_eq!(catalog("\n\n\r\n"), Catalogued::default());
    }
}
