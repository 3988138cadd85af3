//! Turns one header blob into an [`RpmPackage`]: which tags we read and how they combine.
//!
//! Tag numbers are rpm's (`lib/rpmtag.h`).

use crate::header::Header;
use crate::limits::{MAX_PACKAGE_PATH_BYTES, MAX_PATH_BYTES};
use crate::RpmDbError;

mod tag {
    pub(super) const SIGMD5: u32 = 261;
    pub(super) const NAME: u32 = 1000;
    pub(super) const VERSION: u32 = 1001;
    pub(super) const RELEASE: u32 = 1002;
    pub(super) const EPOCH: u32 = 1003;
    pub(super) const SUMMARY: u32 = 1004;
    pub(super) const INSTALLTIME: u32 = 1008;
    pub(super) const SIZE: u32 = 1009;
    pub(super) const VENDOR: u32 = 1011;
    pub(super) const LICENSE: u32 = 1014;
    pub(super) const PACKAGER: u32 = 1015;
    pub(super) const ARCH: u32 = 1022;
    pub(super) const OLDFILENAMES: u32 = 1027;
    pub(super) const FILESIZES: u32 = 1028;
    pub(super) const FILEMODES: u32 = 1030;
    pub(super) const FILEDIGESTS: u32 = 1035;
    pub(super) const FILEFLAGS: u32 = 1037;
    pub(super) const FILEUSERNAME: u32 = 1039;
    pub(super) const FILEGROUPNAME: u32 = 1040;
    pub(super) const SOURCERPM: u32 = 1044;
    pub(super) const PROVIDENAME: u32 = 1047;
    pub(super) const REQUIRENAME: u32 = 1049;
    pub(super) const DIRINDEXES: u32 = 1116;
    pub(super) const BASENAMES: u32 = 1117;
    pub(super) const DIRNAMES: u32 = 1118;
    pub(super) const LONGFILESIZES: u32 = 5008;
    pub(super) const LONGSIZE: u32 = 5009;
    pub(super) const MODULARITYLABEL: u32 = 5096;
}

/// One installed package as its rpmdb header describes it.
///
/// Optional text fields are `None` when the tag is absent, empty, or rpm's `(none)` placeholder.
/// The database also holds `gpg-pubkey` pseudo-packages (imported signing keys, no arch, no
/// files); they are returned like any other header and left to the caller to filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<u64>,
    pub arch: Option<String>,
    /// SOURCERPM, e.g. `curl-7.76.0-6.cm2.src.rpm`.
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    pub summary: Option<String>,
    /// Installed size in bytes: LONGSIZE (5009) when present, else SIZE (1009).
    pub size: Option<u64>,
    pub packager: Option<String>,
    /// Seconds since the Unix epoch.
    pub install_time: Option<u64>,
    /// MODULARITYLABEL (5096), set for packages from RHEL/Fedora modules.
    pub modularity_label: Option<String>,
    /// SIGMD5 (261), the md5 of header and payload, as lowercase hex.
    pub sig_md5: Option<String>,
    pub files: Vec<RpmFile>,
    pub requires: Vec<String>,
    pub provides: Vec<String>,
}

impl RpmPackage {
    /// `name-[epoch:]version-release[.arch]`, the form `rpm -qa` prints with an epoch.
    pub fn nevra(&self) -> String {
        let epoch = self.epoch.map(|e| format!("{e}:")).unwrap_or_default();
        let arch = self
            .arch
            .as_ref()
            .map(|a| format!(".{a}"))
            .unwrap_or_default();
        format!(
            "{}-{epoch}{}-{}{arch}",
            self.name, self.version, self.release
        )
    }
}

/// One file the package installed. Per-file attributes are `None` when their array is missing
/// or does not have one element per file (a corrupt header must not shift attributes onto the
/// wrong files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmFile {
    /// Absolute path as stored (directory name + base name).
    pub path: String,
    /// `st_mode`: file type and permission bits.
    pub mode: Option<u16>,
    pub size: Option<u64>,
    /// Hex digest in the package's file digest algorithm; `None` for directories and links.
    pub digest: Option<String>,
    /// rpm file flags (config = 1, doc = 2, license = 128, ...).
    pub flags: Option<u32>,
    pub username: Option<String>,
    pub groupname: Option<String>,
}

/// Parses one header blob as stored in an rpmdb (see [`crate::header_blobs`]).
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, RpmDbError> {
    let h = Header::parse(blob)?;
    let required = |t: u32, what: &str| -> Result<String, RpmDbError> {
        h.string(t)?
            .ok_or_else(|| RpmDbError::tag(t, format!("required tag {what} is missing")))
    };
    let optional = |t: u32| -> Result<Option<String>, RpmDbError> {
        Ok(h.string(t)?.filter(|s| !s.is_empty() && s != "(none)"))
    };
    let size_tag = if h.has(tag::LONGSIZE) {
        tag::LONGSIZE
    } else {
        tag::SIZE
    };
    Ok(RpmPackage {
        name: required(tag::NAME, "NAME")?,
        version: required(tag::VERSION, "VERSION")?,
        release: required(tag::RELEASE, "RELEASE")?,
        epoch: h.int(tag::EPOCH)?,
        arch: optional(tag::ARCH)?,
        source_rpm: optional(tag::SOURCERPM)?,
        license: optional(tag::LICENSE)?,
        vendor: optional(tag::VENDOR)?,
        summary: optional(tag::SUMMARY)?,
        size: h.int(size_tag)?,
        packager: optional(tag::PACKAGER)?,
        install_time: h.int(tag::INSTALLTIME)?,
        modularity_label: optional(tag::MODULARITYLABEL)?,
        sig_md5: h.bin(tag::SIGMD5)?.map(hex),
        files: files(&h)?,
        requires: h.strings(tag::REQUIRENAME)?.unwrap_or_default(),
        provides: h.strings(tag::PROVIDENAME)?.unwrap_or_default(),
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut out, b| {
            let _ = write!(out, "{b:02x}"); // a String never fails to grow
            out
        })
}

/// Paths from the compressed form (`DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, rpm ≥ 4) or from
/// OLDFILENAMES (rpm 3 era headers), then the per-file attribute arrays.
fn files(h: &Header<'_>) -> Result<Vec<RpmFile>, RpmDbError> {
    let paths = if let Some(basenames) = h.strings(tag::BASENAMES)? {
        let dirnames = h.strings(tag::DIRNAMES)?.unwrap_or_default();
        let indexes = h.ints(tag::DIRINDEXES)?.unwrap_or_default();
        if indexes.len() != basenames.len() {
            return Err(RpmDbError::tag(
                tag::DIRINDEXES,
                format!(
                    "{} dir indexes for {} base names",
                    indexes.len(),
                    basenames.len()
                ),
            ));
        }
        let mut paths = Vec::with_capacity(basenames.len());
        let mut spelled = 0u64;
        for (i, (base, &index)) in basenames.iter().zip(&indexes).enumerate() {
            let dir = usize::try_from(index).ok().and_then(|d| dirnames.get(d));
            let dir = dir.ok_or_else(|| {
                RpmDbError::tag(
                    tag::DIRINDEXES,
                    format!(
                        "file {i} points at dir {index}, there are {}",
                        dirnames.len()
                    ),
                )
            })?;
            let length = (dir.len() + base.len()) as u64;
            if length > MAX_PATH_BYTES {
                return Err(RpmDbError::limit("a file path", length, MAX_PATH_BYTES));
            }
            spelled += length;
            if spelled > MAX_PACKAGE_PATH_BYTES {
                return Err(RpmDbError::limit(
                    "the file paths of one package (bytes)",
                    spelled,
                    MAX_PACKAGE_PATH_BYTES,
                ));
            }
            paths.push(format!("{dir}{base}"));
        }
        paths
    } else {
        h.strings(tag::OLDFILENAMES)?.unwrap_or_default()
    };

    let n = paths.len();
    let size_tag = if h.has(tag::LONGFILESIZES) {
        tag::LONGFILESIZES
    } else {
        tag::FILESIZES
    };
    let sizes = per_file(h.ints(size_tag)?, n);
    let modes = per_file(h.ints(tag::FILEMODES)?, n);
    let flags = per_file(h.ints(tag::FILEFLAGS)?, n);
    let mut digests = per_file(h.strings(tag::FILEDIGESTS)?, n);
    let mut users = per_file(h.strings(tag::FILEUSERNAME)?, n);
    let mut groups = per_file(h.strings(tag::FILEGROUPNAME)?, n);
    Ok(paths
        .into_iter()
        .enumerate()
        .map(|(i, path)| RpmFile {
            path,
            mode: modes[i].and_then(|m| u16::try_from(m).ok()),
            size: sizes[i],
            digest: digests[i].take().filter(|d| !d.is_empty()),
            flags: flags[i].and_then(|f| u32::try_from(f).ok()),
            username: users[i].take(),
            groupname: groups[i].take(),
        })
        .collect())
}

/// One value per file, or all `None` when the array is absent or its length is not `n`.
fn per_file<T>(values: Option<Vec<T>>, n: usize) -> Vec<Option<T>> {
    match values {
        Some(v) if v.len() == n => v.into_iter().map(Some).collect(),
        _ => std::iter::repeat_with(|| None).take(n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::build::{self, ty};

    fn minimal(extra: Vec<build::Spec>) -> Vec<u8> {
        let mut specs = vec![
            build::string(tag::NAME, "curl"),
            build::string(tag::VERSION, "7.76.0"),
            build::string(tag::RELEASE, "6.cm2"),
        ];
        specs.extend(extra);
        build::blob(&specs)
    }

    #[test]
    fn a_hand_built_header_becomes_a_package() {
        let blob = minimal(vec![
            build::int32s(tag::EPOCH, &[1]),
            build::string(tag::ARCH, "x86_64"),
            build::string(tag::SOURCERPM, "(none)"),
            build::int32s(tag::SIZE, &[326023]),
            (tag::SIGMD5, ty::BIN, 3, vec![0xb5, 0xf5, 0x03]),
            build::strings(tag::BASENAMES, &["curl", "curl", "COPYING"]),
            build::strings(tag::DIRNAMES, &["/usr/bin/", "/usr/share/licenses/curl/"]),
            build::int32s(tag::DIRINDEXES, &[0, 1, 1]),
            build::int16s(tag::FILEMODES, &[0o100755, 0o40755, 0o100644]),
            build::strings(tag::FILEDIGESTS, &["7ef6", "", "abcd"]),
            build::int32s(tag::FILEFLAGS, &[0, 0]), // wrong length: ignored
            build::strings(tag::PROVIDENAME, &["curl", "curl(x86-64)"]),
        ]);
        let p = parse_header(&blob).unwrap();
        assert_eq!(p.nevra(), "curl-1:7.76.0-6.cm2.x86_64");
        assert_eq!(p.source_rpm, None);
        assert_eq!(p.size, Some(326023));
        assert_eq!(p.sig_md5.as_deref(), Some("b5f503"));
        assert_eq!(p.provides, ["curl", "curl(x86-64)"]);
        let paths: Vec<_> = p.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/usr/bin/curl",
                "/usr/share/licenses/curl/curl",
                "/usr/share/licenses/curl/COPYING"
            ]
        );
        assert_eq!(p.files[0].mode, Some(0o100755));
        assert_eq!(p.files[0].digest.as_deref(), Some("7ef6"));
        assert_eq!(p.files[1].digest, None, "empty digest of a directory");
        assert!(p.files.iter().all(|f| f.flags.is_none()));
    }

    #[test]
    fn old_filenames_and_long_sizes() {
        let blob = minimal(vec![
            build::strings(tag::OLDFILENAMES, &["/etc/a", "/etc/b"]),
            (
                tag::LONGSIZE,
                ty::INT64,
                1,
                (5u64 << 32).to_be_bytes().to_vec(),
            ),
            build::int32s(tag::SIZE, &[1]),
        ]);
        let p = parse_header(&blob).unwrap();
        assert_eq!(p.files.len(), 2);
        assert_eq!(p.files[1].path, "/etc/b");
        assert_eq!(p.size, Some(5 << 32));
        assert_eq!(p.epoch, None);
        assert_eq!(p.arch, None);
    }

    #[test]
    fn broken_file_lists_and_missing_names_are_errors() {
        let bad_index = minimal(vec![
            build::strings(tag::BASENAMES, &["a"]),
            build::strings(tag::DIRNAMES, &["/"]),
            build::int32s(tag::DIRINDEXES, &[3]),
        ]);
        assert!(matches!(
            parse_header(&bad_index),
            Err(RpmDbError::HeaderTag { tag: 1116, .. })
        ));
        let no_name = build::blob(&[build::string(tag::VERSION, "1")]);
        assert!(matches!(
            parse_header(&no_name),
            Err(RpmDbError::HeaderTag { tag: 1000, .. })
        ));
    }

    /// Base names index shared dir names: a small header can spell enormous paths.
    #[test]
    fn paths_spelled_from_shared_dir_names_are_bounded() {
        let long_dir = format!("/{}/", "d".repeat(1 << 20));
        let names: Vec<String> = (0..20_000).map(|i| format!("f{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let indexes = vec![0u32; names.len()];
        let amplified = minimal(vec![
            build::strings(tag::BASENAMES, &names),
            build::strings(tag::DIRNAMES, &[long_dir.as_str()]),
            build::int32s(tag::DIRINDEXES, &indexes),
        ]);
        assert!(amplified.len() < 2 << 20);
        match parse_header(&amplified) {
            Err(RpmDbError::LimitExceeded { what, limit, .. }) => {
                assert_eq!((what, limit), ("a file path", 4096));
            }
            other => panic!("{other:?}"),
        }
        // 4000-byte dirs within PATH_MAX, 20,000 files: 80 MB of paths from a 4 MB header.
        let dirs: Vec<String> = (0..1000).map(|i| format!("/{i:0>3998}/")).collect();
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        let indexes: Vec<u32> = (0..20_000).map(|i| i % 1000).collect();
        let amplified = minimal(vec![
            build::strings(tag::BASENAMES, &names),
            build::strings(tag::DIRNAMES, &dirs),
            build::int32s(tag::DIRINDEXES, &indexes),
        ]);
        assert!(matches!(
            parse_header(&amplified),
            Err(RpmDbError::LimitExceeded {
                what: "the file paths of one package (bytes)",
                ..
            })
        ));
    }

    #[test]
    fn a_name_is_required() {
        let no_name = build::blob(&[build::string(tag::VERSION, "1")]);
        assert!(matches!(
            parse_header(&no_name),
            Err(RpmDbError::HeaderTag { tag: 1000, .. })
        ));
    }
}
