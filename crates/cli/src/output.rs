//! `-o FORMAT[=FILE]` and writing outputs all-or-nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use sbomgen_format::Format;
use sbomgen_model::Sbom;

/// One requested output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl FromStr for OutputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, file) = match s.split_once('=') {
            Some((name, "")) => return Err(format!("{name}= needs a file name")),
            Some((name, file)) => (name, Some(PathBuf::from(file))),
            None => (s, None),
        };
        let format = name.parse::<Format>().map_err(|e| e.to_string())?;
        Ok(OutputSpec { format, file })
    }
}

/// Renders every output, then publishes them: files appear by rename only after all rendered, so
/// a failure leaves no partial or half-updated file behind; stdout gets its outputs last.
pub fn write_all(specs: &[OutputSpec], sbom: &Sbom) -> Result<()> {
    let mut staged = Vec::new();
    let mut stdout_parts = Vec::new();
    for spec in specs {
        match &spec.file {
            Some(path) => staged.push((stage(spec.format, sbom, path)?, path)),
            None => {
                let mut buffer = Vec::new();
                sbomgen_format::write(spec.format, sbom, &mut buffer)
                    .with_context(|| format!("cannot produce {} output", spec.format.name()))?;
                stdout_parts.push(buffer);
            }
        }
    }
    for (temp, path) in staged {
        temp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut stdout = std::io::stdout().lock();
    for part in stdout_parts {
        stdout.write_all(&part).context("cannot write to stdout")?;
    }
    stdout.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Writes one output into a temporary file beside its destination (same filesystem, so the
/// final rename is atomic).
fn stage(format: Format, sbom: &Sbom, path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".sbomgen-")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot write {}: cannot create a file in {}",
                path.display(),
                dir.display()
            )
        })?;
    let mut writer = std::io::BufWriter::new(temp.as_file_mut());
    sbomgen_format::write(format, sbom, &mut writer)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(writer);
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_output_specs() {
        assert_eq!(
            "json".parse(),
            Ok(OutputSpec {
                format: Format::Json,
                file: None
            })
        );
        assert_eq!(
            "table=out.txt".parse(),
            Ok(OutputSpec {
                format: Format::Table,
                file: Some("out.txt".into())
            })
        );
        assert!("json=".parse::<OutputSpec>().is_err());
        assert!("yaml"
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("unknown output format"));
    }
}
