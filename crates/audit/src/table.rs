//! The human table: findings grouped by severity, one line each, with the layer column.

use std::io::Write;

use crate::finding::{Fate, Finding, Report, Severity};
use crate::AuditError;

/// Writes the table (plain text, no colour: it may go to a file).
pub fn write_table(report: &Report, out: &mut dyn Write) -> Result<(), AuditError> {
    if report.findings.is_empty() {
        writeln!(out, "No findings.")?;
    }
    for severity in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let rows: Vec<[String; 5]> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(row)
            .collect();
        if rows.is_empty() {
            continue;
        }
        writeln!(out, "{} ({})", severity.name().to_uppercase(), rows.len())?;
        let header = ["RULE", "PATH", "LAYER", "FINAL", "DETAIL"].map(str::to_string);
        let mut widths = [0usize; 4];
        for cells in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter_mut().zip(cells) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for cells in std::iter::once(&header).chain(&rows) {
            let mut line = String::from("  ");
            for (w, cell) in widths.iter().zip(cells) {
                line.push_str(&format!("{cell:<w$}  "));
            }
            line.push_str(&cells[4]);
            writeln!(out, "{}", line.trim_end())?;
        }
        writeln!(out)?;
    }
    let skipped = report.skipped;
    writeln!(
        out,
        "{} findings; not scanned: {} binary files, {} files above the size cap; {} allow-listed",
        report.findings.len(),
        skipped.binary,
        skipped.too_large,
        report.allowed
    )?;
    Ok(())
}

fn row(f: &Finding) -> [String; 5] {
    let path = match f.line {
        Some(line) => format!("/{}:{line}", f.path),
        None => format!("/{}", f.path),
    };
    let layer = match (f.fate, f.fate_layer) {
        (Some(Fate::Deleted), Some(at)) => format!("{} (deleted in {at})", f.layer),
        (Some(Fate::Changed), Some(at)) => format!("{} (changed in {at})", f.layer),
        _ => f.layer.to_string(),
    };
    let mut detail = f.message.clone();
    if let Some(fp) = &f.fingerprint {
        detail.push_str(&format!(" [{fp}]"));
    }
    [
        f.rule.to_string(),
        path,
        layer,
        if f.in_final { "yes" } else { "no" }.to_string(),
        detail,
    ]
}
