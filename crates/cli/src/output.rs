//! `-o FORMAT[=FILE]` and writing outputs all-or-nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use sbomgen_format::{DocumentInfo, Format};
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

/// An output rendered and waiting to be published.
enum Staged<'a> {
    /// A regular file, written beside its destination and renamed over it.
    File(tempfile::NamedTempFile, PathBuf, &'a Path),
    /// An existing device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe): renaming over
    /// it would replace the device with a file, so it is opened and written in place.
    Stream(Vec<u8>, &'a Path),
}

/// Renders every output, then publishes them: files appear by rename only after all rendered, so
/// a failure leaves no partial or half-updated file behind; stdout gets its outputs last.
///
/// Document timestamps come from `SOURCE_DATE_EPOCH` when set, else from the image.
pub fn write_all(specs: &[OutputSpec], sbom: &Sbom) -> Result<()> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let info = DocumentInfo::resolve(sbom, epoch.as_deref().filter(|e| !e.is_empty()))?;
    let info = &info;
    let mut staged = Vec::new();
    let mut stdout_parts = Vec::new();
    for spec in specs {
        match &spec.file {
            Some(path) => staged.push(stage(spec.format, sbom, info, path)?),
            None => stdout_parts.push(render(spec.format, sbom, info)?),
        }
    }
    for output in staged {
        match output {
            Staged::File(temp, target, path) => {
                temp.persist(&target)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Staged::Stream(bytes, path) => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(&bytes))
                .with_context(|| format!("cannot write {}", path.display()))?,
        }
    }
    let mut stdout = std::io::stdout().lock();
    for part in stdout_parts {
        stdout.write_all(&part).context("cannot write to stdout")?;
    }
    stdout.flush().context("cannot write to stdout")?;
    Ok(())
}

/// One document in memory, with the same timestamp and identifiers `write_all` would give it.
pub fn render_document(format: Format, sbom: &Sbom) -> Result<Vec<u8>> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let info = DocumentInfo::resolve(sbom, epoch.as_deref().filter(|e| !e.is_empty()))?;
    render(format, sbom, &info)
}

fn render(format: Format, sbom: &Sbom, info: &DocumentInfo) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    sbomgen_format::write(format, sbom, info, &mut buffer)
        .with_context(|| format!("cannot produce {} output", format.name()))?;
    Ok(buffer)
}

/// Decides how `path` is published and renders into the staging place.
fn stage<'a>(
    format: Format,
    sbom: &Sbom,
    info: &DocumentInfo,
    path: &'a Path,
) -> Result<Staged<'a>> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("cannot write {}: it is a directory", path.display())
        }
        Ok(meta) if !meta.is_file() => Ok(Staged::Stream(render(format, sbom, info)?, path)),
        // A symlink to a regular file keeps being a symlink: the file it points to is replaced.
        Ok(_) => {
            let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            Ok(Staged::File(
                stage_file(format, sbom, info, &target)?,
                target,
                path,
            ))
        }
        Err(_) => Ok(Staged::File(
            stage_file(format, sbom, info, path)?,
            path.to_path_buf(),
            path,
        )),
    }
}

/// Writes one output into a temporary file beside its destination.
fn stage_file(
    format: Format,
    sbom: &Sbom,
    info: &DocumentInfo,
    path: &Path,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = temp_beside(path, None)?;
    let mut writer = std::io::BufWriter::new(temp.as_file_mut());
    sbomgen_format::write(format, sbom, info, &mut writer)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(writer);
    Ok(temp)
}

/// An empty temporary file beside `path` (same filesystem, so persisting it over `path` is an
/// atomic rename), created with `mode` when given.
pub fn temp_beside(path: &Path, mode: Option<u32>) -> Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sbomgen-");
    if let Some(mode) = mode {
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    builder.tempfile_in(dir).with_context(|| {
        format!(
            "cannot write {}: cannot create a file in {}",
            path.display(),
            dir.display()
        )
    })
}

/// A temporary file beside `path` holding `bytes`, ready to be persisted.
pub fn stage_bytes(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = temp_beside(path, mode)?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(temp)
}

/// Writes `bytes` to `path` all-or-nothing.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    stage_bytes(path, bytes, None)?
        .persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
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
