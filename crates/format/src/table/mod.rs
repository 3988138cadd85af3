//! A human summary (`-o table`): image, a one-line summary, layers, hidden files, packages.
//!
//! Meant for people at a terminal; scripts should read `json`. Rows never wrap: given a width
//! (the CLI passes the terminal's), columns are cut with `…`; without one (a file, a pipe), rows
//! keep their full cells. Hidden files are sorted for a reader: secret-looking paths first,
//! files that went with a removed package folded into one line per package, the rest capped.

mod hidden;
mod layout;
mod secrets;

use std::collections::BTreeMap;
use std::io::Write;

use sbomgen_model::{RemovedPackageFiles, Sbom};

use crate::FormatError;
use hidden::HiddenView;
use layout::{column, cut, wrap, write_table, Cut};

/// How the table is laid out, and what a scan knows beyond the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions<'a> {
    /// Columns to fit in; `None` keeps every cell whole.
    pub width: Option<usize>,
    /// The hidden files each removed package owned (from the scan; a converted document has
    /// no file lists, and its hidden files are then not folded).
    pub removed_files: &'a [RemovedPackageFiles],
}

/// A history command is cut to this many characters when there is no width to fit.
const CREATED_BY_UNFITTED: usize = 60;

/// Writes the table with no width and nothing known beyond the document.
pub fn write(sbom: &Sbom, out: &mut dyn Write) -> Result<(), FormatError> {
    write_with(sbom, &TableOptions::default(), out)
}

/// Writes the table laid out as `options` says.
pub fn write_with(
    sbom: &Sbom,
    options: &TableOptions<'_>,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    let width = options.width;
    let hidden = HiddenView::new(&sbom.hidden_files, options.removed_files);
    let source = &sbom.source;
    let location = source
        .path
        .as_deref()
        .or(source.reference.as_deref())
        .unwrap_or("-");
    let mut header = vec![("Source:", format!("{} {}", source.kind, location), Cut::End)];
    if let Some(digest) = &source.manifest_digest {
        // Cut in the middle: digests are compared by their first and last characters.
        header.push(("Manifest:", digest.to_string(), Cut::Middle));
    }
    if let Some(platform) = &source.platform {
        header.push(("Platform:", platform.to_string(), Cut::End));
    }
    if let Some(distro) = &sbom.distro {
        let name = distro.pretty_name.clone().unwrap_or_else(|| {
            format!(
                "{} {}",
                distro.id,
                distro.version_id.as_deref().unwrap_or("")
            )
        });
        header.push(("Distro:", name.trim().to_string(), Cut::End));
    }
    for (label, value, how) in header {
        let value = match width {
            Some(width) => cut(&value, width.saturating_sub(10), how),
            None => value,
        };
        writeln!(out, "{label:<9} {value}")?;
    }
    // The summary is the line a reader needs whole: it folds under its label instead of
    // being cut.
    let indent = " ".repeat(10);
    let summary = summary(sbom, &hidden);
    let folded = wrap(
        &summary,
        width.map(|w| w.saturating_sub(indent.len()).max(20)),
    );
    for (i, line) in folded.iter().enumerate() {
        let label = if i == 0 { "Summary:  " } else { &indent };
        writeln!(out, "{label}{line}")?;
    }

    writeln!(out)?;
    let rows: Vec<Vec<String>> = sbom
        .layers
        .iter()
        .map(|l| {
            let created_by = l.created_by.as_deref().unwrap_or("-");
            vec![
                l.index.to_string(),
                l.diff_id
                    .as_ref()
                    .map_or("-".into(), |d| d.short().to_string()),
                l.size.map_or("-".into(), human_size),
                format!("+{} ~{} -{}", l.added, l.modified, l.deleted),
                match width {
                    Some(_) => one_line(created_by),
                    None => shorten(created_by, CREATED_BY_UNFITTED),
                },
            ]
        })
        .collect();
    let columns = [
        column("LAYER", Cut::Fixed),
        column("DIFF ID", Cut::Fixed),
        column("SIZE", Cut::Fixed),
        column("CHANGES", Cut::Fixed),
        column("CREATED BY", Cut::End),
    ];
    write_table(out, width, &columns, &rows)?;

    if !sbom.hidden_files.is_empty() {
        writeln!(out)?;
        hidden.write(out, width)?;
    }

    writeln!(out)?;
    if sbom.packages.is_empty() {
        writeln!(out, "No packages found.")?;
    } else {
        let rows: Vec<Vec<String>> = sbom
            .packages
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.version.clone(),
                    if p.declared {
                        format!("{} (declared)", p.kind)
                    } else {
                        p.kind.clone()
                    },
                    p.introduced_in.map_or("-".into(), |i| i.to_string()),
                    p.removed_in.map_or(String::new(), |i| i.to_string()),
                ]
            })
            .collect();
        let columns = [
            column("NAME", Cut::End),
            column("VERSION", Cut::End),
            column("TYPE", Cut::End),
            column("INTRODUCED", Cut::Fixed),
            column("REMOVED", Cut::Fixed),
        ];
        write_table(out, width, &columns, &rows)?;
        let removed = removed_packages(sbom);
        if removed > 0 {
            writeln!(out)?;
            for line in wrap(&removed_note(removed), width) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// One line for the top of the table: packages by type, removed packages, hidden files.
fn summary(sbom: &Sbom, hidden: &HiddenView<'_>) -> String {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for package in &sbom.packages {
        *by_kind.entry(&package.kind).or_default() += 1;
    }
    let mut text = match sbom.packages.len() {
        0 => "no packages".to_string(),
        n => {
            let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
            format!("{} ({})", plural(n, "package"), kinds.join(", "))
        }
    };
    let removed = removed_packages(sbom);
    if removed > 0 {
        text.push_str(&format!(", {removed} removed by a later layer"));
    }
    text.push_str(&format!(
        "; {}",
        plural(sbom.hidden_files.len(), "hidden file")
    ));
    let mut parts = Vec::new();
    if !hidden.secrets.is_empty() {
        parts.push(format!("{} secret-looking", hidden.secrets.len()));
    }
    if !hidden.groups.is_empty() {
        parts.push(format!(
            "{} with {}",
            hidden.grouped_files(),
            plural(hidden.groups.len(), "removed package")
        ));
    }
    if !parts.is_empty() {
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    text
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn removed_packages(sbom: &Sbom) -> usize {
    sbom.packages
        .iter()
        .filter(|p| p.removed_in.is_some())
        .count()
}

/// Where the packages with a REMOVED layer went in the other formats: a reader of the table
/// must not expect them among a standard document's installed packages.
fn removed_note(removed: usize) -> String {
    let packages = if removed == 1 { "package" } else { "packages" };
    format!(
        "{removed} {packages} installed by a layer and removed by a later one (REMOVED column): \
         absent from the final filesystem, still in the image's lower layers. Standard documents \
         keep them out of the installed packages (CycloneDX formulation, SPDX 2.3 image \
         annotations, SPDX 3.0 build-scoped relationships, syft-json descriptor); \
         --scope squashed leaves them out."
    )
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Table rows stay on one line: history commands can span many.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keeps table rows short where nothing else will: history commands can be kilobytes long.
fn shorten(text: &str, max: usize) -> String {
    let one_line = one_line(text);
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests;
