//! pip requirements files (`requirements.txt`, `dev-requirements.txt`, …): exact pins only.
//!
//! Format: <https://pip.pypa.io/en/stable/reference/requirements-file-format/>. Only
//! `name==version` and `name===version` pin one version; ranges (`>=`, `~=`, `==1.*`, several
//! clauses), bare names, `-r`/`-c` includes, `-e` editables, options, and URL or path
//! requirements (`name @ https://…`, `./pkg`) declare no version and are skipped without a
//! warning, as Syft does. Extras are kept in metadata; environment markers too (a pin whose
//! marker excludes the image's platform is still reported: a declared SBOM says what the file
//! says). Only lines that are not requirements at all are reported.

use serde::Serialize;

use super::common::{quote, Found, Package};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    lockfile: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extras: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    markers: Option<&'a str>,
}

/// Parses one requirements file.
pub(super) fn parse(found: &mut Found<'_>, text: &str) {
    let mut logical = String::new();
    let mut first_line = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = strip_comment(raw.strip_suffix('\r').unwrap_or(raw));
        if logical.is_empty() {
            first_line = index + 1;
        }
        // A trailing backslash continues the requirement on the next line (usually before
        // `--hash` options).
        if let Some(joined) = line.strip_suffix('\\') {
            logical.push_str(joined);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        read_line(found, first_line, logical.trim());
        logical.clear();
    }
    if !logical.trim().is_empty() {
        read_line(found, first_line, logical.trim());
    }
}

/// Drops a `#` comment: one that starts the line or follows whitespace (`#egg=` in a URL is
/// not one).
fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    for (at, c) in line.char_indices() {
        if c == '#' && previous_blank {
            return &line[..at];
        }
        previous_blank = c.is_whitespace();
    }
    line
}

fn read_line(found: &mut Found<'_>, number: usize, line: &str) {
    if line.is_empty() || line.starts_with('-') {
        return;
    }
    // pip splits options off first: they start at the first word beginning with `-`.
    let mut requirement = line;
    let mut offset = 0;
    for word in line.split_inclusive(char::is_whitespace) {
        if word.starts_with('-') {
            requirement = &line[..offset];
            break;
        }
        offset += word.len();
    }
    let (requirement, markers) = match requirement.split_once(';') {
        Some((requirement, markers)) => {
            (requirement, Some(markers.trim()).filter(|m| !m.is_empty()))
        }
        None => (requirement, None),
    };
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(requirement.len());
    let name = &requirement[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        // A path (`./pkg`, `/wheels/x.whl`) or a URL is a requirement too, without a version.
        if !looks_like_location(requirement) {
            found.problems.push(format_args!(
                "line {number}: not a requirement: {}",
                quote(line)
            ));
        }
        return;
    }
    let mut rest = requirement[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(bracketed) = rest.strip_prefix('[') {
        let Some((inside, after)) = bracketed.split_once(']') else {
            return found.problems.push(format_args!(
                "line {number}: unclosed extras: {}",
                quote(line)
            ));
        };
        extras = inside
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        rest = after.trim_start();
    }
    let Some(version) = pinned_version(rest) else {
        return;
    };
    found.add(Package::python(
        name,
        version,
        Vec::new(),
        Metadata {
            lockfile: "requirements.txt",
            extras,
            markers,
        },
    ));
}

fn looks_like_location(requirement: &str) -> bool {
    requirement.contains("://")
        || requirement.starts_with(['.', '/', '~'])
        || [".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|extension| has_extension(requirement, extension))
}

/// Whether `name` ends with `extension` in any case, as pip's `is_archive_file` compares.
fn has_extension(name: &str, extension: &str) -> bool {
    name.len()
        .checked_sub(extension.len())
        .and_then(|at| name.as_bytes().get(at..))
        .is_some_and(|end| end.eq_ignore_ascii_case(extension.as_bytes()))
}

/// The version of a `==` or `===` pin; `None` for ranges, wildcards and several clauses.
fn pinned_version(spec: &str) -> Option<&str> {
    let version = spec
        .strip_prefix("===")
        .or_else(|| spec.strip_prefix("=="))?
        .trim();
    let single = !version.is_empty()
        && !version.contains(char::is_whitespace)
        && !version.contains(['*', ',', '<', '>', '=', '~'])
        && !version.contains("!=");
    single.then_some(version)
}

#[cfg(test)]
mod tests {
    use super::super::common::find;
    use super::*;
    use crate::FileFindings;

    fn read(text: &str) -> FileFindings {
        find("app/requirements.txt", text, parse)
    }

    /// pip-compile output (`--generate-hashes`) plus hand-written lines of every other kind.
    const SAMPLE: &str = include_str!("../../tests/data/lockfile/requirements.txt");

    #[test]
    fn pins_only() {
        let findings = read(SAMPLE);
        assert_eq!(findings.warnings, Vec::<String>::new());
        let summary: Vec<String> = findings
            .packages
            .iter()
            .map(|p| format!("{} {} {}", p.name, p.version, p.purl.as_deref().unwrap()))
            .collect();
        assert_eq!(
            summary,
            [
                "Django 4.2.11 pkg:pypi/django@4.2.11",
                "certifi 2024.2.2 pkg:pypi/certifi@2024.2.2",
                "charset-normalizer 3.3.2 pkg:pypi/charset-normalizer@3.3.2",
                "requests 2.31.0 pkg:pypi/requests@2.31.0",
                "torch 2.2.1+cpu pkg:pypi/torch@2.2.1%2Bcpu",
                "zope.interface 6.2 pkg:pypi/zope-interface@6.2",
            ]
        );
        let requests = &findings.packages[3];
        assert!(requests.declared);
        assert_eq!(
            requests.metadata["extras"],
            serde_json::json!(["security", "socks"])
        );
        assert_eq!(requests.metadata["lockfile"], "requirements.txt");
        assert_eq!(
            findings.packages[2].metadata["markers"],
            "python_version >= \"3.7\""
        );
    }

    #[test]
    fn pins() {
        for (spec, version) in [
            ("==1.0", Some("1.0")),
            ("=== 1!2.0.post1", Some("1!2.0.post1")),
            ("==1.*", None),
            (">=1", None),
            ("==1,!=1.1", None),
            ("====1", None),
            ("==", None),
            ("", None),
            ("~=1.0", None),
        ] {
            assert_eq!(pinned_version(spec), version, "{spec}");
        }
    }

    #[test]
    fn not_requirements_are_bounded_warnings() {
        let mut text = "<html>\n".repeat(100);
        text.push_str("ok==1\n\u{0}\u{1}\n");
        text.push_str(&"é".repeat(5 << 20));
        text.push_str("\nrequests[security==2\nend \\");
        let findings = read(&text);
        assert_eq!(findings.packages.len(), 1);
        assert_eq!(findings.warnings.len(), 6);
        assert!(findings.warnings.iter().all(|w| w.len() < 200));
    }

    #[test]
    fn locations() {
        for (requirement, location) in [
            ("./pkg", true),
            ("https://x/y", true),
            ("wheels/Pkg-1.0-py3-none-any.WHL", true),
            ("dist/pkg-1.0.TAR.GZ", true),
            ("pkg.zip", true),
            ("zip", false),
            ("pkg==1.0", false),
            ("é", false),
        ] {
            assert_eq!(looks_like_location(requirement), location, "{requirement}");
        }
    }

    #[test]
    fn comments() {
        assert_eq!(strip_comment("a==1 # x"), "a==1 ");
        assert_eq!(strip_comment("# x"), "");
        assert_eq!(strip_comment("https://x/y#egg=z"), "https://x/y#egg=z");
    }
}
