//! The `dir:` source: one "layer" built by walking a directory instead of a tar stream.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sbomgen_model::{FileEntry, FileFindings, FileKind};

use crate::name::name_from_bytes;
use crate::parse::parse_regular;
use crate::{LayerError, LayerReport, Limits, PathMatcher};

/// Filesystem types whose contents are the kernel's, not the image's: scanning `dir:/` must not
/// descend into them (Syft likewise skips /proc, /sys and /dev).
const PSEUDO_FILESYSTEMS: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "configfs",
    "fusectl",
    "mqueue",
    "hugetlbfs",
    "binfmt_misc",
    "autofs",
    "efivarfs",
    "rpc_pipefs",
    "nsfs",
];

/// Indexes a directory tree like a single layer: no whiteouts, symlinks not followed, entries in
/// sorted order, unreadable entries reported as warnings. Matched regular files are read under
/// the same caps as tar entries.
pub fn read_directory(
    root: &Path,
    matcher: &PathMatcher,
    limits: &Limits,
) -> Result<LayerReport, LayerError> {
    let directory_error = |source| LayerError::Directory {
        path: root.display().to_string(),
        source,
    };
    let meta = fs::metadata(root).map_err(directory_error)?;
    if !meta.is_dir() {
        return Err(directory_error(std::io::Error::other("not a directory")));
    }
    let skip = pseudo_mounts(root);
    let mut report = LayerReport::default();
    let mut captured_total = 0u64;
    let mut scratch = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel_dir)) = stack.pop() {
        let mut children: Vec<fs::DirEntry> = match fs::read_dir(&dir) {
            Ok(iter) => iter.filter_map(Result::ok).collect(),
            Err(e) => {
                report
                    .warnings
                    .push(format!("cannot list {}: {e}", dir.display()));
                continue;
            }
        };
        children.sort_by_key(|c| c.file_name());
        for child in children {
            let name = name_from_bytes(child.file_name().as_encoded_bytes()).into_owned();
            let rel = if rel_dir.is_empty() {
                name
            } else {
                format!("{rel_dir}/{name}")
            };
            let full = child.path();
            let meta = match fs::symlink_metadata(&full) {
                Ok(m) => m,
                Err(e) => {
                    report
                        .warnings
                        .push(format!("cannot stat {}: {e}", full.display()));
                    continue;
                }
            };
            if report.files.entries.len() as u64 >= limits.max_entries {
                return Err(LayerError::LimitExceeded {
                    what: "entries in one directory tree",
                    name: "entries-per-layer",
                    limit: limits.max_entries,
                });
            }
            let kind = kind_of(&meta.file_type());
            let entry = FileEntry {
                kind,
                mode: meta.mode() & 0o7777,
                uid: u64::from(meta.uid()),
                gid: u64::from(meta.gid()),
                size: if kind == FileKind::Regular {
                    meta.len()
                } else {
                    0
                },
                link_target: (kind == FileKind::Symlink)
                    .then(|| fs::read_link(&full).ok())
                    .flatten()
                    .map(|t| name_from_bytes(t.as_os_str().as_encoded_bytes()).into_owned()),
            };
            if kind == FileKind::Regular && matcher.is_match(&rel) {
                if let Some(bytes) = read_capped(&full, entry.size, limits, &mut report.warnings) {
                    captured_total += bytes.len() as u64;
                    if captured_total > limits.max_captured_total {
                        return Err(LayerError::LimitExceeded {
                            what: "bytes kept from one directory tree",
                            name: "captured-per-layer",
                            limit: limits.max_captured_total,
                        });
                    }
                    report.files.captured.insert(rel.clone(), bytes);
                }
            }
            if kind == FileKind::Regular {
                if let Some(parser) = matcher.parser() {
                    let kept = report.files.captured.get(&rel).map(Vec::as_slice);
                    let findings = match parse_regular(
                        parser,
                        &rel,
                        entry.size,
                        limits,
                        kept,
                        || fs::File::open(&full),
                        &mut scratch,
                    ) {
                        Ok(findings) => findings,
                        Err(e) => Some(FileFindings::warning(format!("{rel}: cannot read: {e}"))),
                    };
                    if let Some(findings) = findings {
                        report.files.parsed.insert(rel.clone(), findings);
                    }
                }
            }
            if kind == FileKind::Directory && !skip.contains(&full) {
                stack.push((full, rel.clone()));
            }
            report.files.entries.insert(rel, entry);
        }
    }
    Ok(report)
}

fn read_capped(
    path: &Path,
    size: u64,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Option<Vec<u8>> {
    if size > limits.max_captured_file {
        warnings.push(format!(
            "{} is {size} bytes, above the {}-byte cap for kept files: not read",
            path.display(),
            limits.max_captured_file
        ));
        return None;
    }
    let mut bytes = Vec::with_capacity(size as usize);
    let read = fs::File::open(path)
        .and_then(|f| f.take(limits.max_captured_file + 1).read_to_end(&mut bytes));
    match read {
        Ok(_) => Some(bytes),
        Err(e) => {
            warnings.push(format!("cannot read {}: {e}", path.display()));
            None
        }
    }
}

fn kind_of(file_type: &fs::FileType) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        FileKind::Directory
    } else if file_type.is_symlink() {
        FileKind::Symlink
    } else if file_type.is_file() {
        FileKind::Regular
    } else if file_type.is_char_device() {
        FileKind::CharDevice
    } else if file_type.is_block_device() {
        FileKind::BlockDevice
    } else if file_type.is_fifo() {
        FileKind::Fifo
    } else {
        FileKind::Other
    }
}

/// Mount points of pseudo filesystems at or below `root`, from `/proc/self/mountinfo`.
fn pseudo_mounts(root: &Path) -> HashSet<PathBuf> {
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return HashSet::new();
    };
    info.lines()
        .filter_map(|line| {
            // Fields: id parent major:minor root mount-point options ... - fstype source options
            let (left, right) = line.split_once(" - ")?;
            let mount_point = left.split(' ').nth(4)?;
            let fstype = right.split(' ').next()?;
            PSEUDO_FILESYSTEMS
                .contains(&fstype)
                .then(|| PathBuf::from(unescape_mountinfo(mount_point)))
        })
        .filter(|mount| mount.starts_with(&root) && *mount != root)
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as octal `\ooo`.
fn unescape_mountinfo(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let digits: String = chars.clone().take(3).collect();
            if let Ok(value) = u8::from_str_radix(&digits, 8) {
                out.push(value as char);
                for _ in 0..3 {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_keeps_matched_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("etc")).unwrap();
        fs::write(tmp.path().join("etc/os-release"), "ID=test\n").unwrap();
        fs::write(tmp.path().join("etc/other"), "x").unwrap();
        std::os::unix::fs::symlink("etc/os-release", tmp.path().join("link")).unwrap();
        let matcher = PathMatcher::new(["etc/os-release"]).unwrap();
        let report = read_directory(tmp.path(), &matcher, &Limits::default()).unwrap();
        let paths: Vec<&str> = report.files.entries.keys().map(String::as_str).collect();
        assert_eq!(paths, ["etc", "etc/os-release", "etc/other", "link"]);
        assert_eq!(report.files.captured["etc/os-release"], b"ID=test\n");
        assert!(!report.files.captured.contains_key("etc/other"));
        assert_eq!(
            report.files.entries["link"].link_target.as_deref(),
            Some("etc/os-release")
        );
        assert_eq!(report.digest, None);
    }

    #[test]
    fn missing_directory_is_an_error_naming_it() {
        let err = read_directory(
            Path::new("/nonexistent/x"),
            &PathMatcher::empty(),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/x"), "{err}");
    }

    #[test]
    fn mountinfo_unescape() {
        assert_eq!(unescape_mountinfo(r"/a\040b"), "/a b");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
    }
}
