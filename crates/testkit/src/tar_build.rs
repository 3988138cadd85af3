//! Tar streams for layers: deterministic headers, entries in the order given.

use std::fs::File;
use std::io::{self, Read, Write};

use tar::{Builder, EntryType, Header};

use crate::{Entry, LayerSpec};

/// Every header's mtime: 2024-01-01T00:00:00Z, so the same spec always gives the same bytes.
const MTIME: u64 = 1_704_067_200;

/// The uncompressed tar bytes of a layer, for small layers in unit tests.
///
/// Panics on specs the tar format cannot hold (an empty path, a NUL in a name): this is a test
/// helper, and a bad fixture should fail loudly where it is written.
pub fn layer_tar(layer: &LayerSpec) -> Vec<u8> {
    write_tar(layer, Vec::new(), |_| Ok(())).unwrap_or_else(|e| panic!("building layer tar: {e}"))
}

/// Writes `layer` as a tar into `w`, calling `boundary` after each entry (before the
/// end-of-archive blocks), where multi-member compressors start a new member.
pub(crate) fn write_tar<W: Write>(
    layer: &LayerSpec,
    w: W,
    mut boundary: impl FnMut(&mut W) -> io::Result<()>,
) -> io::Result<W> {
    let mut b = Builder::new(w);
    for entry in &layer.entries {
        if append_entry(&mut b, entry)? {
            boundary(b.get_mut())?;
        }
    }
    b.into_inner()
}

pub(crate) fn header(kind: EntryType, mode: u32, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(MTIME);
    h
}

/// Layer paths are relative to the root; a leading `/` would be refused by the tar crate.
fn rel(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// Appends one entry; `false` when it was skipped (an unreadable [`Entry::DiskFile`]).
fn append_entry<W: Write>(b: &mut Builder<W>, entry: &Entry) -> io::Result<bool> {
    match entry {
        Entry::File {
            path,
            content,
            mode,
        } => {
            let mut h = header(EntryType::Regular, *mode, content.len() as u64);
            b.append_data(&mut h, rel(path), content.as_slice())?;
        }
        Entry::Dir { path, mode } => {
            let mut h = header(EntryType::Directory, *mode, 0);
            b.append_data(
                &mut h,
                format!("{}/", rel(path).trim_end_matches('/')),
                io::empty(),
            )?;
        }
        Entry::Symlink { path, target } => {
            let mut h = header(EntryType::Symlink, 0o777, 0);
            b.append_link(&mut h, rel(path), target)?;
        }
        Entry::Hardlink { path, target } => {
            let mut h = header(EntryType::Link, 0o644, 0);
            b.append_link(&mut h, rel(path), target)?;
        }
        Entry::Whiteout { path } => {
            let path = rel(path).trim_end_matches('/');
            let name = match path.rsplit_once('/') {
                Some((parent, name)) => format!("{parent}/.wh.{name}"),
                None => format!(".wh.{path}"),
            };
            b.append_data(&mut header(EntryType::Regular, 0o644, 0), name, io::empty())?;
        }
        Entry::Opaque { dir } => {
            let dir = rel(dir).trim_end_matches('/');
            let name = if dir.is_empty() {
                ".wh..wh..opq".to_string()
            } else {
                format!("{dir}/.wh..wh..opq")
            };
            b.append_data(&mut header(EntryType::Regular, 0o644, 0), name, io::empty())?;
        }
        Entry::RawFile { name, content } => append_raw(b, name.as_bytes(), content)?,
        Entry::DiskFile { path, source, mode } => {
            let Ok(mut file) = File::open(source) else {
                return Ok(false);
            };
            let Ok(size) = file.metadata().map(|m| m.len()) else {
                return Ok(false);
            };
            let mut h = header(EntryType::Regular, *mode, size);
            // Exactly `size` bytes whatever happens to the file meanwhile: the header is written
            // first, so a short read must be padded rather than corrupt the archive.
            let data = (&mut file).take(size).chain(io::repeat(0)).take(size);
            b.append_data(&mut h, rel(path), data)?;
        }
    }
    Ok(true)
}

/// Writes `name` into the header's name field as is. `Header::set_path` (and so `append_data`)
/// refuses `..` and rewrites `./`, which is exactly what path-traversal tests need to keep.
fn append_raw<W: Write>(b: &mut Builder<W>, name: &[u8], content: &[u8]) -> io::Result<()> {
    let mut h = header(EntryType::Regular, 0o644, content.len() as u64);
    let field_len = h.as_old().name.len();
    if name.len() > field_len {
        // GNU long name: an `L` entry whose data is the NUL-terminated name, as GNU tar writes.
        let mut long = header(EntryType::GNULongName, 0o644, name.len() as u64 + 1);
        long.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        long.set_cksum();
        b.append(&long, name.chain(&[0u8][..]))?;
    }
    let n = name.len().min(field_len);
    h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
    h.set_cksum();
    b.append(&h, content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Compression;

    /// (entry type, path bytes, link name bytes, data) of each entry, as the tar crate reads them.
    type Row = (EntryType, Vec<u8>, Option<Vec<u8>>, Vec<u8>);

    fn read_back(tar: &[u8]) -> Vec<Row> {
        let mut archive = tar::Archive::new(tar);
        let mut rows = Vec::new();
        for e in archive.entries().unwrap() {
            let mut e = e.unwrap();
            let kind = e.header().entry_type();
            let path = e.path_bytes().into_owned();
            let link = e.link_name_bytes().map(std::borrow::Cow::into_owned);
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            rows.push((kind, path, link, data));
        }
        rows
    }

    fn row(kind: EntryType, path: &str, link: Option<&str>, data: &[u8]) -> Row {
        (kind, path.into(), link.map(Into::into), data.to_vec())
    }

    #[test]
    fn entries_are_written_in_order_with_their_kinds() {
        use EntryType::*;
        let layer = LayerSpec::new(Compression::None)
            .entry(Entry::dir("etc"))
            .entry(Entry::file("/etc/os-release", "ID=alpine\n"))
            .entry(Entry::symlink("etc/alias", "../usr/lib/os-release"))
            .entry(Entry::hardlink("etc/hard", "etc/os-release"))
            .entry(Entry::whiteout("usr/share/doc"))
            .entry(Entry::whiteout("top"))
            .entry(Entry::opaque("var/cache/"));
        assert_eq!(
            read_back(&layer_tar(&layer)),
            [
                row(Directory, "etc/", None, b""),
                row(Regular, "etc/os-release", None, b"ID=alpine\n"),
                row(Symlink, "etc/alias", Some("../usr/lib/os-release"), b""),
                row(Link, "etc/hard", Some("etc/os-release"), b""),
                row(Regular, "usr/share/.wh.doc", None, b""),
                row(Regular, ".wh.top", None, b""),
                row(Regular, "var/cache/.wh..wh..opq", None, b""),
            ]
        );
    }

    #[test]
    fn raw_file_names_are_kept_verbatim() {
        let long = format!("./{}/../x", "d".repeat(120));
        for name in ["../x", "./x", "/abs/path", long.as_str()] {
            let layer = LayerSpec::new(Compression::None).entry(Entry::raw_file(name, "boom"));
            let rows = read_back(&layer_tar(&layer));
            assert_eq!(
                rows,
                [row(EntryType::Regular, name, None, b"boom")],
                "{name}"
            );
        }
    }

    #[test]
    fn long_paths_and_targets_use_gnu_extensions() {
        let path = format!("usr/{}/file", "p".repeat(150));
        let target = format!("/opt/{}", "t".repeat(150));
        let layer = LayerSpec::new(Compression::None)
            .entry(Entry::file(&path, "x"))
            .entry(Entry::symlink("usr/link", &target));
        let rows = read_back(&layer_tar(&layer));
        assert_eq!(rows[0].1, path.as_bytes());
        assert_eq!(rows[1].2.as_deref(), Some(target.as_bytes()));
    }

    #[test]
    fn same_spec_same_bytes_and_trailer_present() {
        let layer = LayerSpec::new(Compression::None).entry(Entry::file("a", "1"));
        let tar = layer_tar(&layer);
        assert_eq!(tar, layer_tar(&layer));
        assert_eq!(tar.len(), 512 * 2 + 1024);
        assert!(tar[tar.len() - 1024..].iter().all(|b| *b == 0));
        assert_eq!(layer_tar(&LayerSpec::new(Compression::Gzip)), vec![0; 1024]);
    }
}
