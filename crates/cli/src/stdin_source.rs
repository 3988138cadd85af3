//! `-` as the source: an archive on standard input (`cat app.tar | sbomgen -`), or
//! `SCHEME:-` for a given kind (`rootfs-archive:-`). Archives need random access (and
//! detection reads one twice), so standard input is first copied to a temporary file, at most
//! [`MAX_BYTES`] of it.

use std::io::{self, Read, Write};

use anyhow::{bail, Context, Result};
use tempfile::TempPath;

/// The most bytes taken from standard input: past it the scan fails rather than fill the disk.
pub(crate) const MAX_BYTES: u64 = 64 << 30;

/// Schemes that may name standard input as their path.
const SCHEMES: [&str; 3] = ["oci-archive", "docker-archive", "rootfs-archive"];

/// Standard input copied to a file, and the source string that names that file.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub(crate) source: String,
    /// Deletes the file when dropped, so it must outlive the scan.
    _file: TempPath,
}

/// Whether `source` names standard input: `-` or `SCHEME:-`.
pub(crate) fn names_stdin(source: &str) -> bool {
    source == "-"
        || source
            .split_once(':')
            .is_some_and(|(scheme, rest)| rest == "-" && SCHEMES.contains(&scheme))
}

/// Copies `input` to a temporary file and rewrites `source` to name it.
pub(crate) fn spool(source: &str, input: impl Read) -> Result<Spooled> {
    let mut file = tempfile::Builder::new()
        .prefix("sbomgen-stdin-")
        .tempfile()
        .context("cannot create a temporary file for standard input")?;
    let copied = io::copy(&mut input.take(MAX_BYTES + 1), &mut file)
        .and_then(|n| file.flush().map(|()| n))
        .context("cannot copy standard input to a temporary file")?;
    if copied > MAX_BYTES {
        bail!(
            "standard input is larger than {} GiB; save it to a file and scan that",
            MAX_BYTES >> 30
        );
    }
    if copied == 0 {
        bail!("standard input is empty: expected an image archive (cat app.tar | sbomgen -)");
    }
    let path = file.into_temp_path();
    let named = match source.split_once(':') {
        Some((scheme, _)) => format!("{scheme}:{}", path.display()),
        None => path.display().to_string(),
    };
    Ok(Spooled {
        source: named,
        _file: path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_names() {
        for s in ["-", "rootfs-archive:-", "oci-archive:-", "docker-archive:-"] {
            assert!(names_stdin(s), "{s}");
        }
        for s in ["--", "dir:-", "registry:-", "./-", "x"] {
            assert!(!names_stdin(s), "{s}");
        }
    }

    #[test]
    fn spools_to_a_file_the_source_names() {
        let spooled = spool("rootfs-archive:-", &b"abc"[..]).unwrap();
        let path = spooled.source.strip_prefix("rootfs-archive:").unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"abc");
        let kept = path.to_string();
        drop(spooled);
        assert!(!std::path::Path::new(&kept).exists());
        assert!(spool("-", &b""[..])
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }
}
