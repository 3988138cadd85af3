//! A reader that hashes and counts what passes through it.
//!
//! The SHA-256 itself runs on a helper thread: a layer's two digests (blob and diff_id) cost
//! about as much CPU as inflating it, and an image is often one large layer, which would leave
//! every other core idle while one thread inflates, parses and hashes. Handing hashing off in
//! 256 KiB batches lets it overlap with decompression at the price of one memcpy. The hashing
//! thread hands each batch back once hashed, and the reader refills it: a fresh 256 KiB buffer
//! per batch cost more than the copy (the kernel zeroes every new page, ~7% of a scan's CPU).
//!
//! A stream whose source verifies its digest itself (a registry download) is only counted: its
//! bytes are hashed once, where the blob cache needs it, not twice.

use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use sbomgen_model::Digest;
use sha2::{Digest as _, Sha256};

const BATCH: usize = 256 * 1024;
/// Batches in flight per hasher: bounds memory at a few MiB per layer.
const IN_FLIGHT: usize = 8;

/// Wraps a reader, feeding every byte read into a SHA-256 (on a scoped helper thread) and a
/// counter, so the digest of a stream is known at its end without a second pass.
pub(crate) struct HashingReader<'scope, R> {
    inner: R,
    hashing: Hashing<'scope>,
    count: u64,
    limit: u64,
}

enum Hashing<'scope> {
    Thread {
        batch: Vec<u8>,
        sender: SyncSender<Vec<u8>>,
        /// Hashed batches, emptied, to refill.
        spent: Receiver<Vec<u8>>,
        worker: ScopedJoinHandle<'scope, [u8; 32]>,
    },
    /// The stream's source verifies this digest itself; only bytes are counted.
    Vouched(Digest),
}

impl<'scope, R: Read> HashingReader<'scope, R> {
    pub(crate) fn new<'env>(scope: &'scope Scope<'scope, 'env>, inner: R) -> Self {
        Self::with_limit(scope, inner, u64::MAX)
    }

    /// Like `new`, but reading past `limit` bytes fails (a decompression-bomb guard).
    pub(crate) fn with_limit<'env>(
        scope: &'scope Scope<'scope, 'env>,
        inner: R,
        limit: u64,
    ) -> Self {
        let (sender, receiver) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        // Room for every batch there is (in flight, being hashed, being filled): returning
        // one never blocks the hashing thread.
        let (give_back, spent) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        let worker = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for mut batch in receiver {
                hasher.update(&batch);
                batch.clear();
                // The reader may be gone (finished or failed): the batch is then just freed.
                let _ = give_back.try_send(batch);
            }
            hasher.finalize().into()
        });
        HashingReader {
            inner,
            hashing: Hashing::Thread {
                batch: Vec::with_capacity(BATCH),
                sender,
                spent,
                worker,
            },
            count: 0,
            limit,
        }
    }

    /// Counts without hashing: `digest` is what the source already verifies the stream against.
    pub(crate) fn vouched(inner: R, digest: Digest) -> Self {
        HashingReader {
            inner,
            hashing: Hashing::Vouched(digest),
            count: 0,
            limit: u64::MAX,
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
        match self.hashing {
            Hashing::Thread {
                batch,
                sender,
                worker,
                ..
            } => {
                // A send fails only if the worker is gone, which join below reports.
                let _ = sender.send(batch);
                drop(sender);
                let bytes = worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (Digest::sha256_from_bytes(&bytes), self.count)
            }
            Hashing::Vouched(digest) => (digest, self.count),
        }
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.count > self.limit {
            return Err(io::Error::other(format!(
                "stream longer than {} bytes",
                self.limit
            )));
        }
        let n = self.inner.read(buf)?;
        if let Hashing::Thread {
            batch,
            sender,
            spent,
            ..
        } = &mut self.hashing
        {
            batch.extend_from_slice(&buf[..n]);
            if batch.len() >= BATCH {
                let next = spent
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                let full = std::mem::replace(batch, next);
                sender
                    .send(full)
                    .map_err(|_| io::Error::other("the hashing thread stopped"))?;
            }
        }
        self.count += n as u64;
        Ok(n)
    }
}
