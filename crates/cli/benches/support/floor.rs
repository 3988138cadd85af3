//! The decompression floor: every layer inflated by the decoders sbomgen uses, on the same
//! threads, output discarded; optionally with the SHA-256 of blob and tar every verifying scan
//! must also compute.

use std::io::{BufRead, BufReader, Read};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sbomgen_source::{LayerContent, LayerSource};
use sha2::Digest as _;

/// Inflated bytes are read in chunks of this size, as sbomgen's inflating thread reads them
/// (smaller reads cost zlib-rs more CPU: the floor must be the cheapest way).
const CHUNK: usize = 256 * 1024;

/// Inflates every layer with sbomgen's decoders, in parallel, discarding the output; with
/// `verify`, also SHA-256s the blob and the tar on the same thread, as any reader that checks
/// digest and diff_id must: the cost of verification alone, with layer-level parallelism.
/// Returns the wall time and the inflated bytes.
pub(crate) fn decompress_all(layers: &[LayerSource], verify: bool) -> (Duration, u64) {
    let start = Instant::now();
    // Largest layer first, from a shared queue, as sbomgen schedules them: the best layer-level
    // parallelism the same threads allow.
    let mut order: Vec<&LayerSource> = layers.iter().collect();
    order.sort_by_key(|l| std::cmp::Reverse(l.size.unwrap_or(0)));
    let total: u64 = order
        .into_iter()
        .par_bridge()
        .map(|layer| {
            let LayerContent::Blob(blob) = &layer.content else {
                return 0;
            };
            let blob = Hashed::new(blob.open().expect("open blob"), verify);
            let mut reader = BufReader::with_capacity(CHUNK, blob);
            let head = reader.fill_buf().expect("read blob").to_vec();
            let mut decoder: Box<dyn Read + '_> = if head.starts_with(&[0x1f, 0x8b]) {
                Box::new(flate2::bufread::MultiGzDecoder::new(&mut reader))
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                Box::new(zstd::Decoder::with_buffer(&mut reader).expect("zstd"))
            } else {
                Box::new(&mut reader)
            };
            let mut tar = verify.then(sha2::Sha256::new);
            let mut chunk = vec![0u8; CHUNK];
            let mut n = 0u64;
            loop {
                let read = decoder.read(&mut chunk).expect("decompress");
                if read == 0 {
                    break;
                }
                if let Some(hasher) = &mut tar {
                    hasher.update(&chunk[..read]);
                }
                n += read as u64;
            }
            drop(decoder);
            std::io::copy(&mut reader, &mut std::io::sink()).expect("read blob");
            let tar_digest = tar.map(sha2::Sha256::finalize);
            std::hint::black_box((tar_digest, reader.into_inner().finish()));
            n
        })
        .sum();
    (start.elapsed(), total)
}

/// A reader that SHA-256s what passes through it, when asked to.
struct Hashed<R> {
    inner: R,
    hasher: Option<sha2::Sha256>,
}

impl<R: Read> Hashed<R> {
    fn new(inner: R, verify: bool) -> Self {
        Hashed {
            inner,
            hasher: verify.then(sha2::Sha256::new),
        }
    }

    fn finish(self) -> Option<[u8; 32]> {
        self.hasher.map(|h| h.finalize().into())
    }
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}
