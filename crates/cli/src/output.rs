//! `-o FORMAT[=FILE]` and writing outputs all-or-nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use sbomgen_format::table::TableOptions;
use sbomgen_format::{DocumentInfo, Format};
use sbomgen_model::{RemovedPackageFiles, Sbom};

/// One requested output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl FromStr for OutputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, file) = split_format_file(s)?;
        let format = name.parse::<Format>().map_err(|e| e.to_string())?;
        Ok(OutputSpec { format, file })
    }
}

/// Splits `FORMAT[=FILE]` into the format's name and the file, if any; `FORMAT=` alone is an
/// error. Shared by every command that takes `-o`.
pub(crate) fn split_format_file(s: &str) -> Result<(&str, Option<PathBuf>), String> {
    match s.split_once('=') {
        Some((name, "")) => Err(format!("{name}= needs a file name")),
        Some((name, file)) => Ok((name, Some(PathBuf::from(file)))),
        None => Ok((s, None)),
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

/// Where an output path leads once its symlinks are followed.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    /// A regular file (existing, with its permission bits, or not yet existing) to rename over.
    File { target: PathBuf, mode: Option<u32> },
    /// An existing device, FIFO or socket, written in place.
    Stream,
}

/// How many symlinks one output path may pass through, as Linux allows (`ELOOP` after 40).
const MAX_SYMLINK_HOPS: usize = 40;

/// Follows `path`'s symlinks, dangling ones included: a symlink pointing at a file that does not
/// exist yet must stay a symlink, with the file created where it points.
fn destination(path: &Path) -> Result<Destination> {
    use std::os::unix::fs::PermissionsExt;
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::File {
                    target: current,
                    mode: None,
                })
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current)
                .with_context(|| format!("cannot write {}", path.display()))?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
        } else if kind.is_dir() {
            anyhow::bail!("cannot write {}: it is a directory", path.display());
        } else if kind.is_file() {
            return Ok(Destination::File {
                target: current,
                mode: Some(meta.permissions().mode() & 0o7777),
            });
        } else {
            return Ok(Destination::Stream);
        }
    }
    anyhow::bail!(
        "cannot write {}: more than {MAX_SYMLINK_HOPS} symlinks to follow",
        path.display()
    )
}

/// Refuses two outputs that would land in the same file, where the last would silently win.
/// Called before any work, so a mistyped command line fails at once.
pub(crate) fn check_distinct(specs: &[OutputSpec]) -> Result<()> {
    let mut seen: Vec<(PathBuf, &OutputSpec)> = Vec::new();
    for spec in specs {
        let Some(path) = &spec.file else { continue };
        let key = match destination(path)? {
            Destination::File { target, .. } => same_file_key(&target),
            Destination::Stream => continue,
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            anyhow::bail!(
                "two outputs name the same file {}: -o {}={} and -o {}={}",
                path.display(),
                first.format.name(),
                first.file.as_deref().unwrap_or(path).display(),
                spec.format.name(),
                path.display()
            );
        }
        seen.push((key, spec));
    }
    Ok(())
}

/// A comparable name for a file that may not exist yet: its directory resolved, its name kept.
fn same_file_key(target: &Path) -> PathBuf {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match target.file_name() {
        Some(name) => dir.join(name),
        None => dir,
    }
}

/// Renders every output, then publishes them: files appear by rename only after all rendered, so
/// a failure leaves no partial or half-updated file behind; stdout gets its outputs last.
///
/// Document timestamps come from `SOURCE_DATE_EPOCH` when set, else from the image.
pub(crate) fn write_all(specs: &[OutputSpec], sbom: &Sbom) -> Result<()> {
    write_all_with(specs, sbom, &[])
}

/// [`write_all`], with what a scan knows beyond the document for the table: the hidden files
/// each removed package owned. A table on stdout is fitted to its width ([`crate::terminal`]).
pub(crate) fn write_all_with(
    specs: &[OutputSpec],
    sbom: &Sbom,
    removed_files: &[RemovedPackageFiles],
) -> Result<()> {
    check_distinct(specs)?;
    let to_file = TableOptions {
        width: None,
        removed_files,
    };
    let to_stdout = TableOptions {
        width: crate::terminal::stdout_width(),
        removed_files,
    };
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let info = DocumentInfo::resolve(sbom, epoch.as_deref().filter(|e| !e.is_empty()))?;
    let info = &info;
    let mut staged = Vec::new();
    let mut stdout_parts = Vec::new();
    for spec in specs {
        match &spec.file {
            Some(path) => staged.push(stage(path, |out| {
                write_format(spec.format, sbom, info, &to_file, out)?;
                Ok(())
            })?),
            None => stdout_parts.push(render(spec.format, sbom, info, &to_stdout)?),
        }
    }
    for output in staged {
        output.publish()?;
    }
    let mut stdout = std::io::stdout().lock();
    for part in stdout_parts {
        stdout.write_all(&part).context("cannot write to stdout")?;
    }
    stdout.flush().context("cannot write to stdout")?;
    for spec in specs {
        let to = spec.file.as_deref().unwrap_or(Path::new("-"));
        tracing::info!(format = spec.format.name(), to = %to.display(), "document written");
    }
    Ok(())
}

/// One document in memory, with the same timestamp and identifiers `write_all` would give it.
pub(crate) fn render_document(format: Format, sbom: &Sbom) -> Result<Vec<u8>> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let info = DocumentInfo::resolve(sbom, epoch.as_deref().filter(|e| !e.is_empty()))?;
    render(format, sbom, &info, &TableOptions::default())
}

fn render(
    format: Format,
    sbom: &Sbom,
    info: &DocumentInfo,
    table: &TableOptions<'_>,
) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    write_format(format, sbom, info, table, &mut buffer)
        .with_context(|| format!("cannot produce {} output", format.name()))?;
    Ok(buffer)
}

/// One output: the table laid out as `table` says, every other format as the format crate
/// writes it.
fn write_format(
    format: Format,
    sbom: &Sbom,
    info: &DocumentInfo,
    table: &TableOptions<'_>,
    out: &mut dyn Write,
) -> Result<(), sbomgen_format::FormatError> {
    match format {
        Format::Table => sbomgen_format::table::write_with(sbom, table, out),
        _ => sbomgen_format::write(format, sbom, info, out),
    }
}

/// Decides how `path` is published and has `write` fill the staging place.
fn stage(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<Staged<'_>> {
    let context = || format!("cannot write {}", path.display());
    match destination(path)? {
        Destination::Stream => {
            let mut bytes = Vec::new();
            write(&mut bytes).with_context(context)?;
            Ok(Staged::Stream(bytes, path))
        }
        Destination::File { target, mode } => {
            let mut temp = temp_for(&target, path, mode)?;
            let mut writer = std::io::BufWriter::new(temp.as_file_mut());
            write(&mut writer).with_context(context)?;
            writer.flush().with_context(context)?;
            drop(writer);
            temp.as_file().sync_all().with_context(context)?;
            Ok(Staged::File(temp, target, path))
        }
    }
}

impl Staged<'_> {
    /// Puts the staged output in its place: a rename for files, a write for streams.
    fn publish(self) -> Result<()> {
        match self {
            Staged::File(temp, target, path) => temp
                .persist(&target)
                .map(drop)
                .with_context(|| format!("cannot write {}", path.display())),
            Staged::Stream(bytes, path) => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(&bytes))
                .with_context(|| format!("cannot write {}", path.display())),
        }
    }
}

/// A temporary file beside `target` with the mode the published file must have: `existing`
/// (the replaced file's bits, so a 0644 SBOM stays 0644) or, for a new file, what `open(2)`
/// gives `0666` under the process umask (0644 under 022), as `cp` or a shell redirect would.
/// `named` is the path the user gave, for messages.
fn temp_for(target: &Path, named: &Path, existing: Option<u32>) -> Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let temp = temp_beside_named(target, named, Some(0o666))?;
    if let Some(mode) = existing {
        // Explicit, so the umask does not narrow the bits the file had.
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot write {}", named.display()))?;
    }
    Ok(temp)
}

/// An empty temporary file beside `path` (same filesystem, so persisting it over `path` is an
/// atomic rename), created with `mode` (under the umask) when given, else 0600.
pub(crate) fn temp_beside(path: &Path, mode: Option<u32>) -> Result<tempfile::NamedTempFile> {
    temp_beside_named(path, path, mode)
}

fn temp_beside_named(
    path: &Path,
    named: &Path,
    mode: Option<u32>,
) -> Result<tempfile::NamedTempFile> {
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
    let temp = builder.tempfile_in(dir).with_context(|| {
        format!(
            "cannot write {}: cannot create a file in {}",
            named.display(),
            dir.display()
        )
    })?;
    crate::interrupt::track(temp.path().to_path_buf());
    Ok(temp)
}

/// A temporary file beside `path` holding `bytes`, ready to be persisted.
pub(crate) fn stage_bytes(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = temp_beside(path, mode)?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(temp)
}

/// Writes `bytes` to `path` all-or-nothing, with the mode rules of [`write_all`].
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    stage(path, |out| Ok(out.write_all(bytes)?))?.publish()
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

    use std::os::unix::fs::PermissionsExt;

    /// The process umask, read without changing it (`umask(2)` would race other tests).
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn spec(format: Format, path: &Path) -> OutputSpec {
        OutputSpec {
            format,
            file: Some(path.to_path_buf()),
        }
    }

    #[test]
    fn a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("new.json");
        write_all(&[spec(Format::Json, &fresh)], &Sbom::default()).unwrap();
        assert_eq!(mode(&fresh), 0o666 & !umask());

        let existing = dir.path().join("existing.json");
        for bits in [0o640, 0o604] {
            std::fs::write(&existing, b"old").unwrap();
            std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(bits)).unwrap();
            write_all(&[spec(Format::Json, &existing)], &Sbom::default()).unwrap();
            assert_eq!(mode(&existing), bits);
            assert_ne!(std::fs::read(&existing).unwrap(), b"old");
        }
        write_file(&existing, b"{}").unwrap();
        assert_eq!(mode(&existing), 0o604);
    }

    #[test]
    fn a_dangling_symlink_stays_a_symlink_and_its_target_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("sbom.json");
        std::os::unix::fs::symlink("out/real.json", &link).unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        write_all(&[spec(Format::Json, &link)], &Sbom::default()).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(dir.path().join("out/real.json").is_file());
        let loop_link = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &loop_link).unwrap();
        let err = write_all(&[spec(Format::Json, &loop_link)], &Sbom::default()).unwrap_err();
        assert!(format!("{err:#}").contains("symlinks"), "{err:#}");
    }

    #[test]
    fn two_outputs_to_one_file_are_refused_before_any_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sbom.json");
        let alias = dir.path().join("alias.json");
        std::os::unix::fs::symlink("sbom.json", &alias).unwrap();
        let same = dir.path().join(".").join("sbom.json");
        for second in [&file, &alias, &same] {
            let specs = [spec(Format::Json, &file), spec(Format::SpdxJson, second)];
            let err = write_all(&specs, &Sbom::default()).unwrap_err().to_string();
            assert!(err.contains("two outputs name the same file"), "{err}");
            assert!(err.contains("json") && err.contains("spdx-json"), "{err}");
            assert!(!file.exists());
        }
        let other = dir.path().join("other.json");
        let specs = [spec(Format::Json, &file), spec(Format::SpdxJson, &other)];
        write_all(&specs, &Sbom::default()).unwrap();
        assert!(file.is_file() && other.is_file());
    }
}
