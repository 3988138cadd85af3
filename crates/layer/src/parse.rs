//! Files parsed while the layer streams: the hook file cataloguers plug into.
//!
//! Thousands of `package.json` files across many layers must not be kept as bytes and re-read
//! for every layer (that is quadratic). An [`EntryParser`] sees each wanted regular file once,
//! as its tar entry streams past, and only what it returns ([`FileFindings`]) is kept in
//! [`sbomgen_model::LayerFiles::parsed`]; the bytes are dropped at once.
//!
//! Files are wanted by path ([`EntryParser::wants`]) or by their first bytes
//! ([`EntryParser::sniffs`]: ELF, PE, Mach-O, zip magic), whatever their name or mode bits.
//! A wanted file up to [`crate::Limits::max_in_memory_file`] is read into memory; a larger one
//! (a 300 MB Go binary, a fat jar) is spooled to an anonymous temporary file, which gives the
//! parser random access (ELF section headers sit at the end) without holding it in memory.
//! In-memory reads reuse one buffer per layer read: a fresh buffer per file (every ELF and zip
//! is sniffed and read, up to 32 MiB each) cost a page fault per 4 KiB, most of the page faults
//! of a scan of a `/usr/lib` layer.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use sbomgen_model::FileFindings;

use crate::Limits;

/// How many leading bytes [`EntryParser::sniffs`] sees (fewer for smaller files).
pub const HEAD_LEN: usize = 64;

/// A wanted file's content.
#[derive(Debug)]
pub enum Content<'a> {
    /// The whole file.
    Memory(&'a [u8]),
    /// The whole file, spooled to a temporary file (positioned at its start), `size` bytes; for
    /// a `dir:` source, the file itself, opened read-only.
    Spooled { file: &'a mut File, size: u64 },
}

/// Parses the regular files it wants, one at a time.
pub trait EntryParser: Send + Sync {
    /// Whether the regular file at root-relative `path` should be read and parsed. Called for
    /// every regular entry of every layer: keep it cheap.
    fn wants(&self, path: &str) -> bool;
    /// Whether a regular file whose content starts with `head` ([`HEAD_LEN`] bytes, fewer
    /// for smaller files) should be parsed whatever its path. Called for every regular entry
    /// that [`Self::wants`] declined, when [`Self::sniffing`] is true.
    fn sniffs(&self, _head: &[u8]) -> bool {
        false
    }
    /// What the readers ask instead of [`Self::sniffs`] (which it defaults to): the entry's
    /// path and size too, so a parser can decline a large file before it is read or spooled
    /// (the audit's size cap).
    fn sniffs_entry(&self, _path: &str, head: &[u8], _size: u64) -> bool {
        self.sniffs(head)
    }
    /// Whether [`Self::sniffs`] can ever say yes (else no head is read).
    fn sniffing(&self) -> bool {
        false
    }
    /// Parses one file. Must not panic; problems go into the findings' warnings.
    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings;
}

/// A shareable parser, as the [`crate::PathMatcher`] carries it.
#[derive(Clone)]
pub(crate) struct SharedParser(pub Arc<dyn EntryParser>);

impl fmt::Debug for SharedParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntryParser")
    }
}

/// Reads a regular file of `size` bytes from `read` and parses it if `parser` wants it by
/// path or by its head; `None` when it does not. Small files are read into memory (into
/// `scratch`, whose earlier content is discarded), large ones spooled (see the module docs).
pub(crate) fn parse_entry(
    parser: &dyn EntryParser,
    path: &str,
    size: u64,
    limits: &Limits,
    mut read: impl Read,
    scratch: &mut Vec<u8>,
) -> io::Result<Option<FileFindings>> {
    let by_path = parser.wants(path);
    let mut head = [0u8; HEAD_LEN];
    let mut filled = 0;
    if !by_path {
        if !parser.sniffing() {
            return Ok(None);
        }
        while filled < HEAD_LEN {
            match read.read(&mut head[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        if !parser.sniffs_entry(path, &head[..filled], size) {
            return Ok(None);
        }
    }
    let mut rest = read.take(limits.max_spooled_file.saturating_add(1));
    if size <= limits.max_in_memory_file {
        scratch.clear();
        scratch.reserve(usize::try_from(size).unwrap_or(0));
        scratch.extend_from_slice(&head[..filled]);
        rest.read_to_end(scratch)?;
        return Ok(Some(parser.parse(path, Content::Memory(scratch))));
    }
    if size > limits.max_spooled_file {
        return Ok(Some(FileFindings::warning(format!(
            "{path}: {size} bytes, above the {}-byte cap for parsed files: not read",
            limits.max_spooled_file
        ))));
    }
    let mut file = match tempfile::tempfile() {
        Ok(file) => file,
        Err(e) => {
            return Ok(Some(FileFindings::warning(format!(
                "{path}: cannot spool {size} bytes to a temporary file: {e}"
            ))))
        }
    };
    file.write_all(&head[..filled])?;
    let copied = io::copy(&mut rest, &mut file)? + filled as u64;
    file.seek(SeekFrom::Start(0))?;
    Ok(Some(parser.parse(
        path,
        Content::Spooled {
            file: &mut file,
            size: copied,
        },
    )))
}

/// Parses a regular file the parser wants: from its kept copy when the capture already
/// consumed it, else from what `open` gives (read into `scratch` when small). Shared by the
/// tar and directory readers.
pub(crate) fn parse_regular<R: Read>(
    parser: &dyn EntryParser,
    path: &str,
    size: u64,
    limits: &Limits,
    kept: Option<&[u8]>,
    open: impl FnOnce() -> io::Result<R>,
    scratch: &mut Vec<u8>,
) -> io::Result<Option<FileFindings>> {
    match kept {
        Some(bytes) => Ok(parse_kept(parser, path, bytes)),
        None => parse_entry(parser, path, size, limits, open()?, scratch),
    }
}

/// Parses a file whose bytes were already kept, if `parser` wants it by path or head.
fn parse_kept(parser: &dyn EntryParser, path: &str, bytes: &[u8]) -> Option<FileFindings> {
    let wanted = parser.wants(path)
        || (parser.sniffing()
            && parser.sniffs_entry(
                path,
                &bytes[..bytes.len().min(HEAD_LEN)],
                bytes.len() as u64,
            ));
    wanted.then(|| parser.parse(path, Content::Memory(bytes)))
}
