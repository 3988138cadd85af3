//! Files parsed while the layer streams: the hook file cataloguers plug into.
//!
//! Thousands of `package.json` files across many layers must not be kept as bytes and re-read
//! for every layer (that is quadratic). An [`EntryParser`] sees each wanted regular file once,
//! as its tar entry streams past, and only what it returns ([`FileFindings`]) is kept in
//! [`sbomgen_model::LayerFiles::parsed`]; the bytes are dropped at once.

use std::fmt;
use std::sync::Arc;

use sbomgen_model::FileFindings;

/// Parses the regular files it wants, one at a time.
///
/// Selection is by path today ([`EntryParser::wants`]); content selection (magic bytes, for
/// binaries and archives) will be a second method with a default, so path parsers stay as
/// they are.
pub trait EntryParser: Send + Sync {
    /// Whether the regular file at root-relative `path` should be read and parsed. Called for
    /// every regular entry of every layer: keep it cheap.
    fn wants(&self, path: &str) -> bool;
    /// Parses one file's bytes. Must not panic; problems go into the findings' warnings.
    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings;
}

/// A shareable parser, as the [`crate::PathMatcher`] carries it.
#[derive(Clone)]
pub struct SharedParser(pub Arc<dyn EntryParser>);

impl fmt::Debug for SharedParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntryParser")
    }
}

/// Reads and parses `size` bytes from `read` when `size` fits `max`, else a warning finding.
/// The read is capped at `max + 1` bytes whatever the header claimed.
pub(crate) fn parse_entry(
    parser: &dyn EntryParser,
    path: &str,
    size: u64,
    max: u64,
    read: impl std::io::Read,
) -> std::io::Result<FileFindings> {
    use std::io::Read as _;
    if size > max {
        return Ok(FileFindings::warning(format!(
            "{path}: {size} bytes, above the {max}-byte cap for parsed files: not read"
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    read.take(max + 1).read_to_end(&mut bytes)?;
    Ok(parser.parse(path, &bytes))
}
