//! SHA-256 on helper threads, fed batches of a stream.
//!
//! A layer's two digests (blob and diff_id) cost about as much CPU as inflating it, and an
//! image is often one large layer, which would leave every other core idle while one thread
//! inflates, parses and hashes. So each digest runs on its own scoped thread, fed 256 KiB
//! batches: [`ChunkHasher`] takes batches that are shared with another consumer (the inflated
//! tar stream, which the tar parser reads from the same buffers), [`HashingReader`] copies what
//! passes through a reader into batches (the blob, one memcpy).
//!
//! Batches are [`Buffer`]s from a [`Pool`]: once hashed (and read) a buffer goes back to its
//! pool and is refilled. A fresh 256 KiB buffer per batch cost more than the copy (the kernel
//! zeroes every new page, ~7% of a scan's CPU).
//!
//! A stream whose source verifies its digest itself (a registry download) is only counted: its
//! bytes are hashed once, where the blob cache needs it, not twice.

use std::io::{self, Read};
use std::ops::Deref;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use sbomgen_model::Digest;
use sha2::{Digest as _, Sha256};

pub(crate) const BATCH: usize = 256 * 1024;
/// Batches queued per hasher: bounds memory at a few MiB per layer.
const IN_FLIGHT: usize = 8;

/// Byte buffers handed between threads and given back when dropped.
pub(crate) struct Pool {
    home: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
}

impl Pool {
    /// A pool keeping up to `keep` spare buffers (more given back are freed).
    pub(crate) fn new(keep: usize) -> Self {
        let (home, spare) = sync_channel(keep);
        Pool { home, spare }
    }

    /// A spare buffer (its content is whatever it held: callers set its length), or a new one.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH))
    }

    /// Wraps `bytes` so that they come back to this pool once the last user drops them.
    pub(crate) fn wrap(&self, bytes: Vec<u8>) -> Buffer {
        Buffer {
            bytes,
            home: self.home.clone(),
        }
    }
}

/// Bytes from a [`Pool`], returned to it on drop.
pub(crate) struct Buffer {
    bytes: Vec<u8>,
    home: SyncSender<Vec<u8>>,
}

impl Deref for Buffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // A full pool or a finished reader: the buffer is just freed.
        let _ = self.home.try_send(std::mem::take(&mut self.bytes));
    }
}

/// Bytes a [`ChunkHasher`] can be sent: a buffer it owns, or one it shares.
pub(crate) trait Batch: Send {
    fn bytes(&self) -> &[u8];
}

impl Batch for Buffer {
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl Batch for std::sync::Arc<Buffer> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// A SHA-256 computed on a scoped helper thread over the batches it is sent, in order.
pub(crate) struct ChunkHasher<'scope, B> {
    sender: SyncSender<B>,
    worker: ScopedJoinHandle<'scope, [u8; 32]>,
}

impl<'scope, B: Batch + 'scope> ChunkHasher<'scope, B> {
    pub(crate) fn new<'env>(scope: &'scope Scope<'scope, 'env>) -> Self {
        let (sender, receiver) = sync_channel::<B>(IN_FLIGHT);
        let worker = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for batch in receiver {
                hasher.update(batch.bytes());
            }
            hasher.finalize().into()
        });
        ChunkHasher { sender, worker }
    }

    /// Queues the next batch (blocking while [`IN_FLIGHT`] are queued).
    pub(crate) fn update(&self, batch: B) -> io::Result<()> {
        self.sender
            .send(batch)
            .map_err(|_| io::Error::other("the hashing thread stopped"))
    }

    /// The digest of every batch sent.
    pub(crate) fn finish(self) -> Digest {
        drop(self.sender);
        let bytes = self
            .worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Digest::sha256_from_bytes(&bytes)
    }
}

/// Wraps a reader, feeding every byte read into a SHA-256 (on a scoped helper thread) and a
/// counter, so the digest of a stream is known at its end without a second pass.
pub(crate) struct HashingReader<'scope, R> {
    inner: R,
    hashing: Hashing<'scope>,
    count: u64,
}

enum Hashing<'scope> {
    Thread {
        /// The batch being filled.
        batch: Vec<u8>,
        pool: Pool,
        hasher: ChunkHasher<'scope, Buffer>,
    },
    /// The stream's source verifies this digest itself; only bytes are counted.
    Vouched(Digest),
}

impl<'scope, R: Read> HashingReader<'scope, R> {
    pub(crate) fn new<'env>(scope: &'scope Scope<'scope, 'env>, inner: R) -> Self {
        let pool = Pool::new(IN_FLIGHT + 2);
        HashingReader {
            inner,
            hashing: Hashing::Thread {
                batch: pool.take(),
                pool,
                hasher: ChunkHasher::new(scope),
            },
            count: 0,
        }
    }

    /// Counts without hashing: `digest` is what the source already verifies the stream against.
    pub(crate) fn vouched(inner: R, digest: Digest) -> Self {
        HashingReader {
            inner,
            hashing: Hashing::Vouched(digest),
            count: 0,
        }
    }

    pub(crate) fn finish(self) -> (Digest, u64) {
        match self.hashing {
            Hashing::Thread {
                batch,
                pool,
                hasher,
            } => {
                // An update fails only if the worker is gone, which finish reports.
                let _ = hasher.update(pool.wrap(batch));
                (hasher.finish(), self.count)
            }
            Hashing::Vouched(digest) => (digest, self.count),
        }
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Hashing::Thread {
            batch,
            pool,
            hasher,
        } = &mut self.hashing
        {
            batch.extend_from_slice(&buf[..n]);
            if batch.len() >= BATCH {
                let mut next = pool.take();
                next.clear();
                hasher.update(pool.wrap(std::mem::replace(batch, next)))?;
            }
        }
        self.count += n as u64;
        Ok(n)
    }
}
