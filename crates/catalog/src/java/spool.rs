//! Where a nested archive goes while it is read: memory while it is small, an anonymous
//! temporary file once it outgrows its share of memory.
//!
//! A nested archive needs random access (its central directory is at its end), so it must be
//! inflated somewhere first. Syft writes every one to a temporary file; most nested jars are a
//! few hundred KB, so memory is cheaper, but a fat jar's nested jars can be hundreds of MB and
//! nesting multiplies what is held, hence the threshold the caller sets from what is already
//! held up the stack. The declared size is not trusted: the switch happens as bytes arrive.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

/// A sink that holds up to `threshold` bytes in memory, then moves everything to a file.
#[derive(Debug)]
pub(super) struct SpoolWriter {
    memory: Vec<u8>,
    file: Option<File>,
    threshold: u64,
    written: u64,
}

impl SpoolWriter {
    pub(super) fn new(threshold: u64) -> Self {
        SpoolWriter {
            memory: Vec::new(),
            file: None,
            threshold,
            written: 0,
        }
    }

    /// The bytes written, ready to read from the start.
    pub(super) fn finish(self) -> io::Result<Spooled> {
        match self.file {
            Some(mut file) => {
                file.flush()?;
                file.seek(SeekFrom::Start(0))?;
                Ok(Spooled::File(file))
            }
            None => Ok(Spooled::Memory(Cursor::new(self.memory))),
        }
    }
}

impl Write for SpoolWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.written + buf.len() as u64 > self.threshold {
            let mut file = tempfile::tempfile()?;
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write_all(buf)?,
            None => self.memory.extend_from_slice(buf),
        }
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// A nested archive's bytes, readable with random access.
#[derive(Debug)]
pub(super) enum Spooled {
    Memory(Cursor<Vec<u8>>),
    File(File),
}

impl Spooled {
    /// Bytes held in memory (what counts against the in-memory cap).
    pub(super) fn in_memory(&self) -> u64 {
        match self {
            Spooled::Memory(cursor) => cursor.get_ref().len() as u64,
            Spooled::File(_) => 0,
        }
    }
}

impl Read for Spooled {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Spooled::Memory(cursor) => cursor.read(buf),
            Spooled::File(file) => file.read(buf),
        }
    }
}

impl Seek for Spooled {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Spooled::Memory(cursor) => cursor.seek(pos),
            Spooled::File(file) => file.seek(pos),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool(threshold: u64, chunks: &[&[u8]]) -> Spooled {
        let mut w = SpoolWriter::new(threshold);
        for chunk in chunks {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    fn contents(mut s: Spooled) -> Vec<u8> {
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn small_stays_in_memory() {
        let s = spool(8, &[b"abc", b"defgh"]);
        assert_eq!(s.in_memory(), 8);
        assert_eq!(contents(s), b"abcdefgh");
    }

    #[test]
    fn large_moves_to_a_file_with_what_came_before() {
        let s = spool(4, &[b"abc", b"defgh"]);
        assert!(matches!(s, Spooled::File(_)));
        assert_eq!(s.in_memory(), 0);
        assert_eq!(contents(s), b"abcdefgh");
    }
}
