//! A reader that hashes and counts what passes through it.

use std::io::{self, Read};

use sbomgen_model::Digest;
use sha2::{Digest as _, Sha256};

/// Wraps a reader, feeding every byte read into a SHA-256 and a counter, so the digest of a
/// stream is known at its end without a second pass.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    limit: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self::with_limit(inner, u64::MAX)
    }

    /// Like `new`, but reading past `limit` bytes fails (a decompression-bomb guard).
    pub(crate) fn with_limit(inner: R, limit: u64) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
            limit,
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Reads the rest of the stream so the digest covers all of it (tar end-of-archive padding,
    /// estargz's table of contents after the tar end marker).
    pub(crate) fn drain(&mut self) -> io::Result<()> {
        io::copy(self, &mut io::sink()).map(|_| ())
    }

    pub(crate) fn finish(self) -> (Digest, u64) {
        let bytes: [u8; 32] = self.hasher.finalize().into();
        (Digest::sha256_from_bytes(&bytes), self.count)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.count > self.limit {
            return Err(io::Error::other(format!(
                "stream longer than {} bytes",
                self.limit
            )));
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}
