//! SARIF 2.1.0 (`-o sarif`), for GitHub code scanning and other SARIF viewers.
//!
//! One run; the rule list holds every rule a result uses (title, default level); results carry
//! the layer data in their property bag and a secret's fingerprint as a partial fingerprint,
//! so a viewer tracks the same finding across runs.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};

use crate::finding::{Finding, Report, Severity};
use crate::AuditError;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Writes `report` as a SARIF 2.1.0 log, pretty-printed, with a final newline.
pub fn write_sarif(
    report: &Report,
    tool_version: &str,
    out: &mut dyn Write,
) -> Result<(), AuditError> {
    serde_json::to_writer_pretty(&mut *out, &sarif(report, tool_version))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The SARIF log as a JSON value.
pub fn sarif(report: &Report, tool_version: &str) -> Value {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        let next = rule_index.len();
        rule_index.entry(finding.rule).or_insert(next);
    }
    let mut rules: Vec<(&str, usize)> = rule_index.iter().map(|(id, i)| (*id, *i)).collect();
    rules.sort_by_key(|(_, i)| *i);
    let rules: Vec<Value> = rules
        .iter()
        .map(|(id, _)| {
            let (kind, title) =
                crate::rules::describe(id).unwrap_or((crate::Kind::Secret, "sbomgen audit rule"));
            let severity = default_severity(id);
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": title },
                "defaultConfiguration": { "level": level(severity) },
                "properties": { "tags": ["container", kind.name()] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, rule_index[f.rule]))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sbomgen",
                "version": tool_version,
                "informationUri": "https://example.invalid/sbomgen",
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "skippedBinaryFiles": report.skipped.binary,
                "skippedLargeFiles": report.skipped.too_large,
                "allowListed": report.allowed,
            },
        }],
    })
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let mut location = json!({ "artifactLocation": { "uri": uri(&finding.path) } });
    if let Some(line) = finding.line {
        location["region"] = json!({ "startLine": line });
    }
    let mut properties = json!({
        "kind": finding.kind.name(),
        "severity": finding.severity.name(),
        "layer": finding.layer,
        "inFinalFilesystem": finding.in_final,
    });
    if let (Some(fate), Some(at)) = (finding.fate, finding.fate_layer) {
        properties["fate"] = serde_json::to_value(fate).unwrap_or(Value::Null);
        properties["fateLayer"] = json!(at);
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": format!("{} (layer {})", finding.message, finding.layer) },
        "locations": [{ "physicalLocation": location }],
        "properties": properties,
    });
    if let Some(fp) = &finding.fingerprint {
        result["partialFingerprints"] = json!({ "secretFingerprint/v1": fp });
    }
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn default_severity(id: &str) -> Severity {
    crate::rules::SECRET_RULES
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.severity)
        .or_else(|| {
            crate::rules::NAME_RULES
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.severity)
        })
        .or_else(|| {
            crate::rules::FIXED_RULES
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.severity)
        })
        .unwrap_or(Severity::Info)
}

/// A root-relative path as a relative URI reference: bytes outside RFC 3986's unreserved set
/// (and `/`) percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("app/my file.env"), "app/my%20file.env");
        assert_eq!(uri("usr/lib/é"), "usr/lib/%C3%A9");
    }
}
