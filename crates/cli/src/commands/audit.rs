//! `sbomgen audit SOURCE` and what `scan --audit` shares with it: the allow-list, `--fail-on`,
//! and the findings added to the native JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use sbomgen_audit::{AllowList, Kind, Report};
use sbomgen_scan::{ScanOptions, ScanOutput, Scope, SourceSpec};
use serde_json::json;

use crate::args::{AuditArgs, AuditFlags};
use crate::exit::{Coded, Reason};

/// The allow-list read when `--allow-list` is not given and the file exists.
const DEFAULT_ALLOW_LIST: &str = ".sbomgen-audit.yaml";

/// An audit output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuditFormat {
    Table,
    Json,
    Sarif,
}

/// One `-o FORMAT[=FILE]` of `audit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditOutput {
    pub format: AuditFormat,
    pub file: Option<PathBuf>,
}

impl FromStr for AuditOutput {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, file) = crate::output::split_format_file(s)?;
        let format = match name {
            "table" => AuditFormat::Table,
            "json" => AuditFormat::Json,
            "sarif" => AuditFormat::Sarif,
            other => {
                return Err(format!(
                    "unknown audit format {other:?} (known: table, json, sarif)"
                ))
            }
        };
        Ok(AuditOutput { format, file })
    }
}

pub(crate) fn run(args: &AuditArgs) -> Result<()> {
    let mut seen: Vec<&Path> = Vec::new();
    for output in &args.outputs {
        if let Some(file) = &output.file {
            anyhow::ensure!(
                !seen.contains(&file.as_path()),
                "two outputs name the same file {}",
                file.display()
            );
            seen.push(file);
        }
    }
    let allow = allow_list(&args.audit)?;
    let context = || format!("cannot audit {}", args.source);
    let spec = SourceSpec::parse(&args.source).with_context(context)?;
    let platform = super::platform(args.platform.as_deref())?;
    let registry = if matches!(spec, SourceSpec::Registry { .. }) {
        args.registry.options(None).with_context(context)?
    } else {
        sbomgen_registry::ClientOptions::default()
    };
    let options = ScanOptions {
        platform,
        jobs: args.jobs,
        registry,
        scope: Scope::AllLayers,
        ..ScanOptions::default()
    };
    let scanned = sbomgen_scan::audit_spec(&spec, &options, &allow).with_context(context)?;
    if !args.quiet {
        for warning in &scanned.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let report = scanned.audit.as_ref().expect("audit_spec audits");
    let mut stdout = Vec::new();
    for output in &args.outputs {
        let bytes = render(output.format, &scanned, report)?;
        match &output.file {
            Some(path) => crate::output::write_file(path, &bytes)?,
            None => stdout.extend_from_slice(&bytes),
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&stdout)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    fail_on(&args.audit, report)
}

fn render(format: AuditFormat, scanned: &ScanOutput, report: &Report) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match format {
        AuditFormat::Table => sbomgen_audit::write_table(report, &mut bytes)?,
        AuditFormat::Sarif => {
            sbomgen_audit::write_sarif(report, env!("CARGO_PKG_VERSION"), &mut bytes)?;
        }
        AuditFormat::Json => {
            let layers: Vec<_> = (scanned.sbom.layers.iter())
                .map(|l| json!({ "index": l.index, "digest": l.digest, "createdBy": l.created_by }))
                .collect();
            let document = json!({
                "source": scanned.sbom.source,
                "layers": layers,
                "findings": report.findings,
                "skipped": report.skipped,
                "allowed": report.allowed,
            });
            serde_json::to_writer_pretty(&mut bytes, &document)?;
            bytes.push(b'\n');
        }
    }
    Ok(bytes)
}

/// The allow-list `flags` name, else `./.sbomgen-audit.yaml` if it exists, else none.
pub(crate) fn allow_list(flags: &AuditFlags) -> Result<AllowList> {
    match &flags.allow_list {
        Some(path) => Ok(AllowList::read(path)?),
        None if Path::new(DEFAULT_ALLOW_LIST).is_file() => {
            Ok(AllowList::read(Path::new(DEFAULT_ALLOW_LIST))?)
        }
        None => Ok(AllowList::default()),
    }
}

/// Exit status 3 when a finding of a `--fail-on` kind remains.
pub(crate) fn fail_on(flags: &AuditFlags, report: &Report) -> Result<()> {
    let matched: Vec<Kind> = (flags.fail_on.iter().copied())
        .filter(|kind| report.of_kind(*kind).next().is_some())
        .collect();
    if matched.is_empty() {
        return Ok(());
    }
    let counts: Vec<String> = matched
        .iter()
        .map(|kind| format!("{} {}", report.of_kind(*kind).count(), kind.name()))
        .collect();
    Err(Coded::error(
        Reason::Findings,
        format!("audit findings matched --fail-on: {}", counts.join(", ")),
    ))
}

/// The native JSON document with a top-level `findings` list, in its sorted-key place.
///
/// The format crate writes the document with sorted keys, two-space indentation and one key
/// per line at the top level; the findings go in as one more key there, so the document is
/// byte-identical to a plain scan's but for that key (and SPDX/CycloneDX never see it).
pub(crate) fn with_findings(document: &[u8], report: &Report) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(document).context("native JSON is UTF-8")?;
    let findings = serde_json::to_string_pretty(&report.findings)?;
    let indented = findings.replace('\n', "\n  ");
    let entry = format!("  \"findings\": {indented}");
    let mut lines: Vec<&str> = text.lines().collect();
    let close = lines
        .iter()
        .rposition(|l| *l == "}")
        .context("native JSON ends with }")?;
    // The first top-level key sorting after "findings", else the end of the object.
    let at = (1..close)
        .find(|&i| {
            let line = lines[i];
            line.starts_with("  \"")
                && !line.starts_with("   ")
                && line[3..]
                    .split('"')
                    .next()
                    .is_some_and(|key| key > "findings")
        })
        .unwrap_or(close);
    let mut out = String::with_capacity(text.len() + entry.len() + 2);
    for (i, line) in lines.iter_mut().enumerate() {
        if i == at {
            out.push_str(&entry);
            out.push_str(if at == close { "\n" } else { ",\n" });
        }
        if i + 1 == at && at == close && i > 0 {
            // The key before the end needs a comma now.
            out.push_str(line);
            out.push_str(",\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_go_in_sorted_place() {
        let report = Report::default();
        let doc = "{\n  \"distro\": null,\n  \"hiddenFiles\": [],\n  \"packages\": []\n}\n";
        let out = String::from_utf8(with_findings(doc.as_bytes(), &report).unwrap()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["findings"], json!([]));
        assert!(out.find("\"distro\"") < out.find("\"findings\""));
        assert!(out.find("\"findings\"") < out.find("\"hiddenFiles\""));
        let last = "{\n  \"distro\": null\n}\n";
        let out = String::from_utf8(with_findings(last.as_bytes(), &report).unwrap()).unwrap();
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
    }

    #[test]
    fn output_specs() {
        assert_eq!(
            "sarif=out.sarif".parse::<AuditOutput>().unwrap(),
            AuditOutput {
                format: AuditFormat::Sarif,
                file: Some(PathBuf::from("out.sarif"))
            }
        );
        assert!("spdx-json".parse::<AuditOutput>().is_err());
    }
}
