//! Pseudo filesystems mounted inside a scanned directory, which the walk must not enter.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

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

/// Mount points of pseudo filesystems at or below `root`, from `/proc/self/mountinfo`.
pub(super) fn pseudo_mounts(root: &Path) -> HashSet<PathBuf> {
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
    fn mountinfo_unescape() {
        assert_eq!(unescape_mountinfo(r"/a\040b"), "/a b");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
    }
}
