//! A layer blob as a blocking `Read`: streamed from the registry (teeing into the cache) or read
//! from the cache, hashed as it passes and checked at its end.
//!
//! The download runs as a task on the client's runtime and hands chunks over a small bounded
//! channel, so memory stays bounded by a few chunks however large the layer, and the network
//! read overlaps the reader's decompression. A connection that breaks mid-blob is resumed with
//! `Range: bytes=N-` (N = bytes already handed over), so the reader never sees a byte twice;
//! a registry that ignores the range and answers 200 has the first N bytes skipped.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use reqwest::header::CONTENT_RANGE;
use reqwest::{Response, StatusCode};
use tokio::sync::mpsc;

use sbomgen_model::Digest;

use crate::cache::{BlobCache, CacheWriter};
use crate::error::RegistryError;
use crate::hashing::Hasher;
use crate::options::Progress;
use crate::retry::{self, Next};
use crate::transport::{Target, Transport};

/// Chunks in flight between the download task and the reader (hyper yields up to ~16 KiB
/// each, often less): enough to keep the connection busy while the reader decompresses.
const CHANNEL_CHUNKS: usize = 64;
/// Read size for cached blobs.
const FILE_CHUNK: usize = 256 << 10;

/// What one blob is: where it lives and what it must hash to.
#[derive(Debug, Clone)]
pub(crate) struct BlobTarget {
    pub(crate) target: Target,
    pub(crate) digest: Digest,
    pub(crate) size: Option<u64>,
}

enum Source {
    /// The runtime is held so the download outlives the client the reader came from.
    Network {
        rx: mpsc::Receiver<Result<Bytes, RegistryError>>,
        _runtime: Arc<tokio::runtime::Runtime>,
    },
    Cache(File),
}

/// The reader handed to the layer reader.
pub(crate) struct BlobReader {
    blob: BlobTarget,
    source: Source,
    pending: Bytes,
    hasher: Hasher,
    read: u64,
    cache: Option<BlobCache>,
    writer: Option<CacheWriter>,
    progress: Option<Arc<dyn Progress>>,
    finished: bool,
}

impl BlobReader {
    /// A reader over a cached file.
    pub(crate) fn cached(
        blob: BlobTarget,
        file: File,
        cache: BlobCache,
        progress: Option<Arc<dyn Progress>>,
    ) -> Self {
        if let Some(p) = &progress {
            p.blob_started(&blob.digest, blob.size, true);
        }
        Self::new(blob, Source::Cache(file), Some(cache), None, progress)
    }

    /// A reader over a download: `response` is the first (already successful) answer, the
    /// task continues (and resumes) from there on `runtime`.
    pub(crate) fn download(
        runtime: &Arc<tokio::runtime::Runtime>,
        transport: Arc<Transport>,
        blob: BlobTarget,
        response: Response,
        cache: Option<BlobCache>,
        progress: Option<Arc<dyn Progress>>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        runtime.spawn(stream(transport, blob.clone(), response, tx));
        // A cache that cannot be written to is not a reason to fail the scan.
        let writer = cache.as_ref().and_then(|c| c.writer(&blob.digest).ok());
        if let Some(p) = &progress {
            p.blob_started(&blob.digest, blob.size, false);
        }
        Self::new(
            blob,
            Source::Network {
                rx,
                _runtime: runtime.clone(),
            },
            cache,
            writer,
            progress,
        )
    }

    fn new(
        blob: BlobTarget,
        source: Source,
        cache: Option<BlobCache>,
        writer: Option<CacheWriter>,
        progress: Option<Arc<dyn Progress>>,
    ) -> Self {
        Self {
            hasher: Hasher::like(&blob.digest),
            blob,
            source,
            pending: Bytes::new(),
            read: 0,
            cache,
            writer,
            progress,
            finished: false,
        }
    }

    /// The next chunk, `None` at the end.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        match &mut self.source {
            Source::Network { rx, .. } => match rx.blocking_recv() {
                Some(Ok(bytes)) => Ok(Some(bytes)),
                Some(Err(e)) => Err(io::Error::other(e)),
                None => Ok(None),
            },
            Source::Cache(file) => {
                let mut buf = vec![0; FILE_CHUNK];
                let n = file.read(&mut buf)?;
                buf.truncate(n);
                Ok((n > 0).then(|| Bytes::from(buf)))
            }
        }
    }

    /// Called at the end of the stream: size and digest must match, then the cache copy is
    /// published.
    fn finish(&mut self) -> io::Result<()> {
        let actual = std::mem::replace(&mut self.hasher, Hasher::sha256()).finish();
        let from_cache = matches!(self.source, Source::Cache(_));
        let label = self.blob.target.label();
        let what = format!("blob {}", self.blob.digest);
        let problem = if self.blob.size.is_some_and(|s| s != self.read) {
            Some(RegistryError::SizeMismatch {
                reference: label,
                what,
                expected: self.blob.size.unwrap_or_default(),
                actual: self.read,
            })
        } else if actual != self.blob.digest {
            Some(RegistryError::DigestMismatch {
                reference: label,
                what,
                expected: self.blob.digest.clone(),
                actual: actual.clone(),
            })
        } else {
            None
        };
        if let Some(problem) = problem {
            self.writer = None;
            if from_cache {
                // A damaged cache entry would fail every later scan too: drop it.
                if let Some(cache) = &self.cache {
                    cache.remove(&self.blob.digest);
                }
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{problem} (the cached copy was damaged and has been removed; run again)"
                    ),
                ));
            }
            return Err(io::Error::new(io::ErrorKind::InvalidData, problem));
        }
        if let Some(writer) = self.writer.take() {
            // Failing to publish only costs a download next time.
            let _ = writer.commit(&actual);
        }
        if let Some(p) = &self.progress {
            p.blob_finished(&self.blob.digest);
        }
        Ok(())
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pending.is_empty() {
            if self.finished {
                return Ok(0);
            }
            match self.next_chunk() {
                Ok(Some(chunk)) => {
                    self.hasher.update(&chunk);
                    if let Some(writer) = &mut self.writer {
                        if writer.write(&chunk).is_err() {
                            self.writer = None;
                        }
                    }
                    self.read += chunk.len() as u64;
                    if let Some(p) = &self.progress {
                        p.blob_progress(&self.blob.digest, self.read);
                    }
                    self.pending = chunk;
                }
                Ok(None) => {
                    self.finished = true;
                    self.finish()?;
                    return Ok(0);
                }
                Err(e) => {
                    self.finished = true;
                    self.writer = None;
                    return Err(e);
                }
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.advance(n);
        Ok(n)
    }
}

/// Streams the blob into `tx`, resuming after transient failures; ends by closing the channel
/// (end of blob) or sending one error. Stops quietly when the reader goes away.
async fn stream(
    transport: Arc<Transport>,
    blob: BlobTarget,
    first: Response,
    tx: mpsc::Sender<Result<Bytes, RegistryError>>,
) {
    let mut sent: u64 = 0;
    let mut failures = 0;
    let mut response = Some(first);
    loop {
        let mut current = match response.take() {
            Some(r) => r,
            None => match transport.get(&blob.target, None, Some(sent)).await {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            },
        };
        let mut skip = match resume_offset(&current, sent) {
            Ok(skip) => skip,
            Err(reason) => {
                let _ = tx.send(Err(transfer(&blob, reason, failures + 1))).await;
                return;
            }
        };
        let reason = loop {
            match current.chunk().await {
                Ok(Some(mut chunk)) => {
                    if skip > 0 {
                        let k = usize::try_from(skip).map_or(chunk.len(), |s| s.min(chunk.len()));
                        chunk.advance(k);
                        skip -= k as u64;
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                    sent += chunk.len() as u64;
                    if tx.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                }
                Ok(None) if blob.size.is_some_and(|s| sent < s) => {
                    break format!(
                        "connection closed after {sent} of {} bytes",
                        blob.size.unwrap_or_default()
                    );
                }
                Ok(None) => return,
                Err(e) if retry::is_transient_error(&e) => break retry::describe(&e),
                Err(e) => {
                    let _ = tx
                        .send(Err(transfer(&blob, retry::describe(&e), failures + 1)))
                        .await;
                    return;
                }
            }
        };
        failures += 1;
        match transport.retry.next(failures, None) {
            Next::Retry(wait) => tokio::time::sleep(wait).await,
            _ => {
                let _ = tx.send(Err(transfer(&blob, reason, failures))).await;
                return;
            }
        }
    }
}

/// How many leading bytes of `response` to drop so the stream continues at `sent`: none for a
/// first response or a matching 206, `sent` for a full 200 answer to a range request.
fn resume_offset(response: &Response, sent: u64) -> Result<u64, String> {
    if sent == 0 {
        return Ok(0);
    }
    match response.status() {
        StatusCode::OK => Ok(sent),
        StatusCode::PARTIAL_CONTENT => {
            let range = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            match content_range_start(range) {
                Some(start) if start == sent => Ok(0),
                _ => Err(format!(
                    "registry resumed at the wrong offset (asked for byte {sent}, got {range:?})"
                )),
            }
        }
        other => Err(format!("unexpected status {other} when resuming")),
    }
}

/// The first byte of `bytes START-END/TOTAL`.
fn content_range_start(value: &str) -> Option<u64> {
    let spec = value.trim().strip_prefix("bytes ")?;
    spec.split('-').next()?.trim().parse().ok()
}

fn transfer(blob: &BlobTarget, reason: String, attempts: u32) -> RegistryError {
    RegistryError::Transfer {
        registry: blob.target.reference.registry.clone(),
        reference: blob.target.label(),
        what: blob.target.what.clone(),
        reason,
        attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_is_parsed() {
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(content_range_start("bytes 0-0/*"), Some(0));
        assert_eq!(content_range_start("items 1-2/3"), None);
        assert_eq!(content_range_start(""), None);
    }
}
