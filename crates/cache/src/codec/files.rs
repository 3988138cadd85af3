//! A layer report's body: the file index (front-coded paths, packed entries), whiteouts, kept
//! bytes and parsed findings, then the layer's digests, sizes and warnings.

use std::collections::BTreeMap;

use sbomgen_layer::{Compression, LayerReport};
use sbomgen_model::{Digest, FileEntry, FileKind, LayerFiles, Whiteout};

use super::records::{get_findings, put_findings, Classes};
use super::wire::{Malformed, Reader, Writer};

// The first byte of an entry: its kind in the low bits, then flags.
const HAS_LINK: u8 = 0x10;
const ROOT_OWNED: u8 = 0x20;

pub(crate) fn put_report(w: &mut Writer, report: &LayerReport) {
    put_files(w, &report.files);
    put_digest(w, report.digest.as_ref());
    put_digest(w, report.diff_id.as_ref());
    w.opt_u64(report.compressed_size);
    w.opt_u64(report.uncompressed_size);
    w.u8(match report.compression {
        None => 0,
        Some(Compression::None) => 1,
        Some(Compression::Gzip) => 2,
        Some(Compression::Zstd) => 3,
    });
    w.strs(&report.warnings);
}

pub(crate) fn get_report(r: &mut Reader<'_>, classes: &Classes) -> Result<LayerReport, Malformed> {
    let files = get_files(r, classes)?;
    Ok(LayerReport {
        files,
        digest: get_digest(r)?,
        diff_id: get_digest(r)?,
        compressed_size: r.opt_u64()?,
        uncompressed_size: r.opt_u64()?,
        compression: match r.u8()? {
            0 => None,
            1 => Some(Compression::None),
            2 => Some(Compression::Gzip),
            3 => Some(Compression::Zstd),
            other => return Err(format!("unknown compression tag {other}")),
        },
        warnings: r.strings()?,
    })
}

fn put_digest(w: &mut Writer, digest: Option<&Digest>) {
    w.opt_str(digest.map(Digest::as_str));
}

fn get_digest(r: &mut Reader<'_>) -> Result<Option<Digest>, Malformed> {
    r.opt_string()?
        .map(|s| s.parse().map_err(|e| format!("{e}")))
        .transpose()
}

fn put_files(w: &mut Writer, files: &LayerFiles) {
    // Paths arrive sorted, so each shares a long prefix with the one before
    // (`usr/share/doc/…`): storing only the rest halves the index.
    w.len(files.entries.len());
    let mut previous = "";
    for (path, entry) in &files.entries {
        let shared = shared_prefix(previous, path);
        w.len(shared);
        w.str(&path[shared..]);
        put_entry(w, entry);
        previous = path;
    }
    w.len(files.whiteouts.len());
    for whiteout in &files.whiteouts {
        let (tag, path) = match whiteout {
            Whiteout::File(p) => (0, p),
            Whiteout::Opaque(p) => (1, p),
        };
        w.u8(tag);
        w.str(path);
    }
    w.len(files.captured.len());
    for (path, bytes) in &files.captured {
        w.str(path);
        w.bytes(bytes);
    }
    w.len(files.parsed.len());
    for (path, findings) in &files.parsed {
        w.str(path);
        put_findings(w, findings);
    }
}

fn get_files(r: &mut Reader<'_>, classes: &Classes) -> Result<LayerFiles, Malformed> {
    // Each entry takes at least three bytes (prefix length, suffix length, kind).
    let n = r.count(3)?;
    let mut entries = Vec::with_capacity(n);
    let mut previous = String::new();
    for _ in 0..n {
        let shared = usize::try_from(r.varint()?).unwrap_or(usize::MAX);
        if shared > previous.len() || !previous.is_char_boundary(shared) {
            return Err(format!("path prefix {shared} does not fit {previous:?}"));
        }
        let suffix = r.str()?;
        let mut path = String::with_capacity(shared + suffix.len());
        path.push_str(&previous[..shared]);
        path.push_str(suffix);
        let entry = get_entry(r)?;
        previous.clone_from(&path);
        entries.push((path, entry));
    }
    // Sorted input: the map is built in bulk, without a search per path.
    let entries: BTreeMap<String, FileEntry> = entries.into_iter().collect();

    let n = r.count(2)?;
    let mut whiteouts = Vec::with_capacity(n);
    for _ in 0..n {
        whiteouts.push(match r.u8()? {
            0 => Whiteout::File(r.string()?),
            1 => Whiteout::Opaque(r.string()?),
            other => return Err(format!("unknown whiteout tag {other}")),
        });
    }
    let n = r.count(2)?;
    let mut captured = BTreeMap::new();
    for _ in 0..n {
        let path = r.string()?;
        captured.insert(path, r.bytes()?.to_vec());
    }
    let n = r.count(2)?;
    let mut parsed = BTreeMap::new();
    for _ in 0..n {
        let path = r.string()?;
        parsed.insert(path, get_findings(r, classes)?);
    }
    Ok(LayerFiles {
        entries,
        whiteouts,
        captured,
        parsed,
    })
}

fn put_entry(w: &mut Writer, entry: &FileEntry) {
    let root_owned = entry.uid == 0 && entry.gid == 0;
    let mut head = kind_tag(entry.kind);
    if entry.link_target.is_some() {
        head |= HAS_LINK;
    }
    if root_owned {
        head |= ROOT_OWNED;
    }
    w.u8(head);
    w.varint(u64::from(entry.mode));
    if !root_owned {
        w.varint(entry.uid);
        w.varint(entry.gid);
    }
    w.varint(entry.size);
    if let Some(target) = &entry.link_target {
        w.str(target);
    }
}

fn get_entry(r: &mut Reader<'_>) -> Result<FileEntry, Malformed> {
    let head = r.u8()?;
    if head & !(0x0f | HAS_LINK | ROOT_OWNED) != 0 {
        return Err(format!("unknown entry flags {head:#x}"));
    }
    let kind = kind_from(head & 0x0f)?;
    let mode = u32::try_from(r.varint()?).map_err(|_| "file mode above 32 bits".to_string())?;
    let (uid, gid) = if head & ROOT_OWNED != 0 {
        (0, 0)
    } else {
        (r.varint()?, r.varint()?)
    };
    let size = r.varint()?;
    let link_target = if head & HAS_LINK != 0 {
        Some(r.string()?)
    } else {
        None
    };
    Ok(FileEntry {
        kind,
        mode,
        uid,
        gid,
        size,
        link_target,
    })
}

fn kind_tag(kind: FileKind) -> u8 {
    match kind {
        FileKind::Regular => 0,
        FileKind::Directory => 1,
        FileKind::Symlink => 2,
        FileKind::Hardlink => 3,
        FileKind::CharDevice => 4,
        FileKind::BlockDevice => 5,
        FileKind::Fifo => 6,
        FileKind::Other => 7,
    }
}

fn kind_from(tag: u8) -> Result<FileKind, Malformed> {
    Ok(match tag {
        0 => FileKind::Regular,
        1 => FileKind::Directory,
        2 => FileKind::Symlink,
        3 => FileKind::Hardlink,
        4 => FileKind::CharDevice,
        5 => FileKind::BlockDevice,
        6 => FileKind::Fifo,
        7 => FileKind::Other,
        other => return Err(format!("unknown file kind {other}")),
    })
}

/// Length of the longest common prefix of `a` and `b` that ends on a character boundary.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefixes_end_on_character_boundaries() {
        assert_eq!(shared_prefix("usr/bin/a", "usr/bin/b"), 8);
        assert_eq!(shared_prefix("", "etc"), 0);
        // "é" and "è" share their first UTF-8 byte.
        assert_eq!(shared_prefix("a/é", "a/è"), 2);
    }

    #[test]
    fn a_prefix_longer_than_the_previous_path_is_an_error() {
        let mut w = Writer::default();
        w.len(1);
        w.len(5);
        w.str("x");
        let err = get_files(&mut Reader::new(&w.buf), &Classes::default()).unwrap_err();
        assert!(err.contains("prefix 5"), "{err}");
    }
}
