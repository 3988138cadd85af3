//! A human summary (`-o table`): image, layers, hidden files, packages.

use std::io::Write;

use sbomgen_model::Sbom;

use crate::FormatError;

/// Writes aligned plain-text tables. Meant for people; scripts should read `json`.
pub fn write(sbom: &Sbom, out: &mut dyn Write) -> Result<(), FormatError> {
    let source = &sbom.source;
    let location = source
        .path
        .as_deref()
        .or(source.reference.as_deref())
        .unwrap_or("-");
    writeln!(out, "Source:   {} {}", source.kind, location)?;
    if let Some(digest) = &source.manifest_digest {
        writeln!(out, "Manifest: {digest}")?;
    }
    if let Some(platform) = &source.platform {
        writeln!(out, "Platform: {platform}")?;
    }
    if let Some(distro) = &sbom.distro {
        let name = distro.pretty_name.clone().unwrap_or_else(|| {
            format!(
                "{} {}",
                distro.id,
                distro.version_id.as_deref().unwrap_or("")
            )
        });
        writeln!(out, "Distro:   {}", name.trim())?;
    }

    writeln!(out)?;
    let rows: Vec<Vec<String>> = sbom
        .layers
        .iter()
        .map(|l| {
            vec![
                l.index.to_string(),
                l.diff_id
                    .as_ref()
                    .map_or("-".into(), |d| d.short().to_string()),
                l.size.map_or("-".into(), human_size),
                format!("+{} ~{} -{}", l.added, l.modified, l.deleted),
                shorten(l.created_by.as_deref().unwrap_or("-"), 60),
            ]
        })
        .collect();
    table(
        out,
        &["LAYER", "DIFF ID", "SIZE", "CHANGES", "CREATED BY"],
        &rows,
    )?;

    if !sbom.hidden_files.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Hidden files (in the image's layers, deleted from its final filesystem):"
        )?;
        let rows: Vec<Vec<String>> = sbom
            .hidden_files
            .iter()
            .map(|h| {
                vec![
                    h.path.clone(),
                    human_size(h.size),
                    h.added_in.to_string(),
                    h.removed_in.to_string(),
                ]
            })
            .collect();
        table(out, &["PATH", "SIZE", "ADDED IN", "REMOVED IN"], &rows)?;
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
        table(
            out,
            &["NAME", "VERSION", "TYPE", "INTRODUCED", "REMOVED"],
            &rows,
        )?;
        let removed = sbom
            .packages
            .iter()
            .filter(|p| p.removed_in.is_some())
            .count();
        if removed > 0 {
            writeln!(out)?;
            writeln!(out, "{}", removed_note(removed))?;
        }
    }
    Ok(())
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

fn table(out: &mut dyn Write, headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
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

/// Keeps table rows on one line: history commands can be kilobytes long.
fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_shortening() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(61_000_000), "61.0 MB");
        assert_eq!(shorten("RUN  apt-get\n install", 60), "RUN apt-get install");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }

    fn rendered(packages: Vec<sbomgen_model::Package>) -> String {
        let sbom = Sbom {
            packages,
            ..Sbom::default()
        };
        let mut out = Vec::new();
        write(&sbom, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn removed_packages_come_with_where_they_went() {
        let package = |name: &str, removed_in| sbomgen_model::Package {
            name: name.into(),
            version: "1".into(),
            kind: "deb".into(),
            introduced_in: Some(0),
            removed_in,
            ..Default::default()
        };
        let table = rendered(vec![package("kept", None), package("gone", Some(1))]);
        assert!(
            table.contains("1 package installed by a layer and removed"),
            "{table}"
        );
        assert!(table.contains("CycloneDX formulation"), "{table}");
        let table = rendered(vec![package("kept", None)]);
        assert!(!table.contains("removed by a later one"), "{table}");
    }
}
