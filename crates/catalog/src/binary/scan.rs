//! One streaming pass over a file, looking for the first match of several byte patterns.
//!
//! Binaries can be hundreds of MB and arrive as a temporary file, so they are never read
//! whole: the pass reads [`Limits::chunk`] bytes at a time and searches a window made of the
//! last [`Limits::overlap`] bytes of the previous window followed by the new chunk. Syft does
//! the same with 1 MiB chunks and a 512 KiB overlap (`internal/regex_helpers.go`
//! `processReaderInChunks`); a 64 KiB overlap keeps the re-scanned share small (6 %) and is
//! still sixty times longer than the longest bounded pattern in the table (envoy's
//! `.{0,1000}`). A match longer than the overlap that straddles a window boundary is missed;
//! one that fits in a window is always found.
//!
//! A match that reaches the end of a window may be cut short (`1.2.3` of `1.2.34`), so it is
//! taken only from the next window, which searches those bytes again. A few bytes before the
//! overlap are kept as look-behind context only, so that `\b`, `^` and `(?:^|/)` see the real
//! preceding byte instead of a false start of text.
//!
//! Each pattern stops being searched at its first acceptable match; the pass stops when the
//! caller needs no more patterns, at end of file, or after [`Limits::max_scan`] bytes.

use std::io::{self, Read};
use std::ops::Range;

use regex::bytes::{Captures, Regex};

/// Bounds on the work done per file. Defaults: 1 MiB chunks, 64 KiB overlap, 512 MiB read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    /// New bytes read per window.
    pub chunk: usize,
    /// Bytes of the previous window searched again, so that matches straddling a boundary
    /// are found.
    pub overlap: usize,
    /// Bytes read at most per file; the rest is not searched (the caller warns).
    pub max_scan: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            chunk: 1 << 20,
            overlap: 64 << 10,
            max_scan: 512 << 20,
        }
    }
}

/// Bytes kept before the overlap for look-behind assertions only (never searched).
const CONTEXT: usize = 8;

/// One pattern to look for, and what makes a match acceptable.
#[derive(Debug)]
pub(super) struct Slot<'a> {
    pub regex: &'a Regex,
    /// When set, a match's `version` group must be this or extend it (see [`extends`]).
    pub version_prefix: Option<&'a str>,
}

/// A pattern's first acceptable match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hit {
    /// Offset in the file of the first byte of `matched`.
    pub offset: u64,
    /// Named groups that matched, as text.
    pub groups: Vec<(String, String)>,
    /// The matched bytes, at most [`MAX_KEPT`] of them, around the version.
    pub matched: Vec<u8>,
    /// Where the `version` group sits in `matched`, if the pattern has one.
    pub version: Option<Range<usize>>,
}

/// What a pass found.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Per slot, its first acceptable match.
    pub hits: Vec<Option<Hit>>,
    /// Whether the pass stopped at [`Limits::max_scan`] with bytes left unread.
    pub truncated: bool,
}

/// Reads `reader` once, window by window, recording each slot's first acceptable match.
/// After every window `needed` says which slots still matter; the pass ends when none do.
pub(super) fn first_matches(
    reader: &mut dyn Read,
    slots: &[Slot<'_>],
    limits: Limits,
    needed: &dyn Fn(&[Option<Hit>]) -> Vec<bool>,
) -> io::Result<Outcome> {
    let chunk = limits.chunk.max(1);
    let mut outcome = Outcome {
        hits: vec![None; slots.len()],
        truncated: false,
    };
    let mut wanted = needed(&outcome.hits);
    let mut window: Vec<u8> = Vec::with_capacity(chunk + limits.overlap + CONTEXT);
    // File offset of `window[0]`, and where in `window` the search starts.
    let mut base: u64 = 0;
    let mut search_from = 0;
    let mut read: u64 = 0;
    while wanted.iter().any(|w| *w) {
        let budget = limits.max_scan.saturating_sub(read);
        let want = usize::try_from(budget).unwrap_or(usize::MAX).min(chunk);
        if want == 0 {
            break;
        }
        let got = fill(reader, &mut window, want)?;
        read += got as u64;
        // The last window: end of file (perhaps with no new bytes, when the file ends on a
        // chunk boundary: the kept tail is searched again for matches left to it), or the cap.
        let last = got < want || read >= limits.max_scan;
        for (index, slot) in slots.iter().enumerate() {
            if wanted[index] && outcome.hits[index].is_none() {
                outcome.hits[index] = search(slot, &window, search_from, base, last);
            }
        }
        wanted = needed(&outcome.hits);
        if last {
            break;
        }
        let keep = window.len().min(limits.overlap + CONTEXT);
        let drop = window.len() - keep;
        window.drain(..drop);
        base += drop as u64;
        search_from = keep.saturating_sub(limits.overlap);
    }
    if read >= limits.max_scan && wanted.iter().any(|w| *w) {
        // At the cap with patterns unresolved: truncated if anything is left to read.
        outcome.truncated = reader.read(&mut [0u8; 1])? > 0;
    }
    Ok(outcome)
}

/// Appends up to `want` bytes from `reader` to `buffer`; fewer only at end of file.
///
/// `read_to_end` reads into the buffer's spare capacity: files and in-memory content fill it
/// directly, where zero-filling `want` bytes first cost a 1 MiB memset per window.
fn fill(reader: &mut dyn Read, buffer: &mut Vec<u8>, want: usize) -> io::Result<usize> {
    let start = buffer.len();
    (&mut *reader)
        .take(want as u64)
        .read_to_end(buffer)
        .inspect_err(|_| buffer.truncate(start))
}

/// The first acceptable match of `slot` in `window[from..]`. Unless the window is the last,
/// a match reaching its end may be cut short (`1.2.3` of `1.2.34`): it is left for the next
/// window, which searches those bytes again.
fn search(slot: &Slot<'_>, window: &[u8], from: usize, base: u64, last: bool) -> Option<Hit> {
    let mut at = from;
    while at <= window.len() {
        let captures = slot.regex.captures_at(window, at)?;
        let whole = captures.get(0)?;
        if !last && whole.end() == window.len() {
            return None;
        }
        if acceptable(&captures, slot.version_prefix) {
            return Some(hit(slot.regex, &captures, base));
        }
        // Retry one byte further, not past the match: delimiters such as `\x00` may be
        // shared by a rejected match and the next candidate.
        at = whole.start() + 1;
    }
    None
}

/// A version must be short printable ASCII, and extend the version the path names.
fn acceptable(captures: &Captures<'_>, prefix: Option<&str>) -> bool {
    let Some(version) = captures.name("version") else {
        return true;
    };
    let version = version.as_bytes();
    let printable = !version.is_empty()
        && version.len() <= MAX_VERSION
        && version.iter().all(u8::is_ascii_graphic);
    printable && prefix.is_none_or(|p| extends(version, p.as_bytes()))
}

/// Versions longer than this are not versions.
const MAX_VERSION: usize = 100;

/// Whether `version` is `prefix`, or `prefix` followed by a non-digit (`3.11` → `3.11.2`,
/// `3.11rc1`; never `3.110`).
pub(super) fn extends(version: &[u8], prefix: &[u8]) -> bool {
    version.starts_with(prefix)
        && version
            .get(prefix.len())
            .is_none_or(|next| !next.is_ascii_digit())
}

fn hit(regex: &Regex, captures: &Captures<'_>, base: u64) -> Hit {
    let whole = captures.get(0).map_or(0..0, |m| m.range());
    let groups = regex
        .capture_names()
        .flatten()
        .filter_map(|name| {
            let m = captures.name(name)?;
            Some((
                name.to_string(),
                String::from_utf8_lossy(m.as_bytes()).into_owned(),
            ))
        })
        .collect();
    // A match can be long (`[^\x00]+`, `.{0,1000}`): keep at most MAX_KEPT bytes of it,
    // around the version when there is one.
    let version = captures.name("version").map(|m| m.range());
    let kept = match &version {
        Some(v) if whole.len() > MAX_KEPT => {
            let margin = MAX_KEPT.saturating_sub(v.len()) / 2;
            let start = v.start.saturating_sub(margin).max(whole.start);
            start..(start + MAX_KEPT).min(whole.end)
        }
        _ => whole.start..whole.end.min(whole.start + MAX_KEPT),
    };
    let window = captures.get(0).map_or(&[][..], |m| m.as_bytes());
    let local = kept.start - whole.start..kept.end - whole.start;
    Hit {
        offset: base + kept.start as u64,
        groups,
        matched: window[local].to_vec(),
        version: version.map(|v| v.start - kept.start..v.end - kept.start),
    }
}

/// Bytes of a match kept as evidence material (the evidence shown is shorter still).
const MAX_KEPT: usize = 512;
