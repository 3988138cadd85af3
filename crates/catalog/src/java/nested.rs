//! Reading a walk's entries within the caps, and recursing into nested archives.
//!
//! Every read goes through [`Walk::read_entry`], which holds the per-entry cap, the total
//! inflated-bytes budget of the top-level archive, and the warnings when either is reached;
//! nested archives go to a [`SpoolWriter`] whose in-memory share shrinks with what the
//! archives up the stack already hold.

use std::io::Write;

use super::archive::{Archive, Open, Walk};
use super::entry;
use super::spool::SpoolWriter;
use super::zip::Entry;

impl Walk<'_> {
    /// Recurses into nested archives; returns their own packages' names.
    pub(super) fn nested(
        &mut self,
        a: &Archive,
        open: &mut Open<'_>,
        nested: &[Entry],
    ) -> Vec<String> {
        let mut names = Vec::new();
        if a.depth >= self.limits.max_depth {
            if let Some(first) = nested.first() {
                let (n, depth) = (nested.len(), self.limits.max_depth);
                let message = format!(
                    "{n} nested archive(s) beyond the nesting depth cap of {depth} not read (first: {})",
                    first.name
                );
                self.warn(a, None, message);
            }
            return names;
        }
        for e in nested {
            if self.stopped {
                break;
            }
            let mut sink = SpoolWriter::new(self.limits.max_in_memory.saturating_sub(self.held));
            let Some(size) = self.read_entry(a, open, e, self.limits.max_entry_size, &mut sink)
            else {
                continue;
            };
            let mut spooled = match sink.finish() {
                Ok(s) => s,
                Err(err) => {
                    self.warn(a, Some(&e.name), format_args!("cannot spool: {err}"));
                    continue;
                }
            };
            let held = spooled.in_memory();
            self.held += held;
            let child = Archive {
                location: format!("{}!/{}", a.location, e.name),
                inner: match a.inner.as_str() {
                    "" => e.name.clone(),
                    inner => format!("{inner}!/{}", e.name),
                },
                depth: a.depth + 1,
                java: true,
            };
            names.extend(self.archive(&child, &mut spooled, size));
            self.held -= held;
        }
        names
    }

    /// A `MANIFEST.MF` or `pom.properties`, whole, within the metadata cap.
    pub(super) fn read_small(
        &mut self,
        a: &Archive,
        open: &mut Open<'_>,
        e: &Entry,
    ) -> Option<Vec<u8>> {
        let cap = self.limits.max_metadata_size;
        let mut bytes = Vec::with_capacity(usize::try_from(e.size.min(cap)).unwrap_or(0));
        self.read_entry(a, open, e, cap, &mut bytes)?;
        Some(bytes)
    }

    /// Inflates an entry into `sink` within `cap` and the total budget: the bytes written, or
    /// `None`, with a warning, when it cannot be read whole.
    fn read_entry(
        &mut self,
        a: &Archive,
        open: &mut Open<'_>,
        e: &Entry,
        cap: u64,
        sink: &mut dyn Write,
    ) -> Option<u64> {
        if self.stopped {
            return None;
        }
        if e.size > cap {
            let message = format!(
                "{} bytes inflated, above the {cap}-byte cap: not read",
                e.size
            );
            self.warn(a, Some(&e.name), message);
            return None;
        }
        let budget = self.limits.max_total_inflated.saturating_sub(self.inflated);
        let limit = cap.min(budget);
        let read = match entry::inflate(open.content, open.size, e, sink, limit) {
            Ok(read) => read,
            Err(err) => {
                self.warn(a, Some(&e.name), err);
                return None;
            }
        };
        self.inflated += read.bytes;
        if let Some(how) = read.mismatch {
            open.mismatched.push(format!("{}: {how}", e.name));
        }
        if !read.complete {
            let message = if limit < cap {
                self.stopped = true;
                let total = self.limits.max_total_inflated;
                format!("the cap of {total} bytes inflated per top-level archive is reached: the rest is not read")
            } else {
                format!("inflates past the {cap}-byte cap: not read")
            };
            self.warn(a, Some(&e.name), message);
            return None;
        }
        if let Some(corrupt) = read.corrupt {
            self.warn(a, Some(&e.name), corrupt);
        }
        Some(read.bytes)
    }
}
