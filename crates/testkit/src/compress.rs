//! Layer compression (single and multi-member/frame) and the hashing writer behind digests.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use sbomgen_model::Digest;
use sha2::{Digest as _, Sha256};

use crate::Compression;

/// zstd level for every frame: fixed, single-threaded, so output bytes are reproducible.
const ZSTD_LEVEL: i32 = 3;
/// Chunk size for [`compress`]'s multi-member split: whole 512-byte tar blocks.
const CHUNK: usize = 4 * 512;

/// Compresses `data` as `c` would compress a layer blob.
///
/// The multi-member/frame variants split `data` every 2 KiB (tar block aligned) and always emit
/// at least two members/frames, so readers that stop after the first one are caught.
pub fn compress(data: &[u8], c: Compression) -> Vec<u8> {
    let write = || -> io::Result<Vec<u8>> {
        let mut enc = Encoder::new(Vec::new(), c)?;
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            if i > 0 {
                enc.boundary()?;
            }
            enc.write_all(chunk)?;
        }
        enc.finish()
    };
    write().expect("compressing into a Vec cannot fail")
}

/// The OCI layer media type for a compression (multi-member gzip is still `+gzip`, and so on).
pub(crate) fn media_type(c: Compression) -> &'static str {
    match c {
        Compression::None => "application/vnd.oci.image.layer.v1.tar",
        Compression::Gzip | Compression::GzipMultiMember => {
            "application/vnd.oci.image.layer.v1.tar+gzip"
        }
        Compression::Zstd | Compression::ZstdMultiFrame => {
            "application/vnd.oci.image.layer.v1.tar+zstd"
        }
    }
}

enum Inner<W: Write> {
    Plain(W),
    Gzip(GzEncoder<W>),
    Zstd(zstd::Encoder<'static, W>),
}

/// A streaming compressor whose [`Encoder::boundary`] ends the current gzip member or zstd
/// frame for the multi variants (and is a no-op otherwise).
pub(crate) struct Encoder<W: Write> {
    kind: Compression,
    /// Members/frames already closed.
    closed: u32,
    inner: Option<Inner<W>>,
}

impl<W: Write> Encoder<W> {
    pub(crate) fn new(w: W, kind: Compression) -> io::Result<Self> {
        let inner = start(w, kind)?;
        Ok(Encoder {
            kind,
            closed: 0,
            inner: Some(inner),
        })
    }

    fn is_multi(&self) -> bool {
        matches!(
            self.kind,
            Compression::GzipMultiMember | Compression::ZstdMultiFrame
        )
    }

    fn inner(&mut self) -> io::Result<&mut Inner<W>> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::other("encoder used after an error"))
    }

    /// Closes the current member/frame and opens the next; zstd frames get a skippable frame
    /// between them, as zstd:chunked puts its metadata there.
    pub(crate) fn boundary(&mut self) -> io::Result<()> {
        if !self.is_multi() {
            return Ok(());
        }
        let inner = self
            .inner
            .take()
            .ok_or_else(|| io::Error::other("encoder used after an error"))?;
        let mut w = end(inner)?;
        if self.kind == Compression::ZstdMultiFrame {
            // Skippable frame: magic 0x184D2A5? (LE), 4-byte LE payload length, payload.
            let payload = format!("sbomgen-testkit skippable {}", self.closed);
            w.write_all(&(0x184D_2A50 + self.closed % 16).to_le_bytes())?;
            let len = u32::try_from(payload.len()).expect("a short payload");
            w.write_all(&len.to_le_bytes())?;
            w.write_all(payload.as_bytes())?;
        }
        self.closed += 1;
        self.inner = Some(start(w, self.kind)?);
        Ok(())
    }

    /// Ends the stream (at least two members/frames for the multi variants) and returns the sink.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if self.is_multi() && self.closed == 0 {
            self.boundary()?;
        }
        let inner = self
            .inner
            .take()
            .ok_or_else(|| io::Error::other("encoder used after an error"))?;
        end(inner)
    }
}

fn start<W: Write>(w: W, kind: Compression) -> io::Result<Inner<W>> {
    Ok(match kind {
        Compression::None => Inner::Plain(w),
        // GzEncoder's default header has mtime 0 and no file name: deterministic.
        Compression::Gzip | Compression::GzipMultiMember => {
            Inner::Gzip(GzEncoder::new(w, flate2::Compression::default()))
        }
        Compression::Zstd | Compression::ZstdMultiFrame => {
            Inner::Zstd(zstd::Encoder::new(w, ZSTD_LEVEL)?)
        }
    })
}

fn end<W: Write>(inner: Inner<W>) -> io::Result<W> {
    match inner {
        Inner::Plain(w) => Ok(w),
        Inner::Gzip(e) => e.finish(),
        Inner::Zstd(e) => e.finish(),
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.inner()? {
            Inner::Plain(w) => w.write(buf),
            Inner::Gzip(e) => e.write(buf),
            Inner::Zstd(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.inner()? {
            Inner::Plain(w) => w.flush(),
            Inner::Gzip(e) => e.flush(),
            Inner::Zstd(e) => e.flush(),
        }
    }
}

/// Passes bytes through while computing their sha256 and length.
pub(crate) struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The sink, the digest of everything written and its length.
    pub(crate) fn finish(self) -> (W, Digest, u64) {
        let digest = Digest::sha256_from_bytes(&self.hasher.finalize().into());
        (self.inner, digest, self.len)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The sha256 digest of a byte slice.
pub fn sha256(bytes: &[u8]) -> Digest {
    Digest::sha256_from_bytes(&Sha256::digest(bytes).into())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::tests::{decompress, gzip_members};

    fn sample() -> Vec<u8> {
        (0..10_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect()
    }

    #[test]
    fn every_compression_round_trips() {
        let data = sample();
        for c in ALL {
            assert_eq!(decompress(&compress(&data, c), c), data, "{c:?}");
            assert_eq!(decompress(&compress(b"", c), c), b"", "{c:?} empty");
        }
    }

    #[test]
    fn output_is_deterministic() {
        for c in ALL {
            assert_eq!(compress(&sample(), c), compress(&sample(), c), "{c:?}");
        }
    }

    #[test]
    fn gzip_multi_member_has_several_members() {
        for data in [sample(), b"tiny".to_vec()] {
            let blob = compress(&data, Compression::GzipMultiMember);
            let members = gzip_members(&blob);
            assert!(members >= 2, "{members} members");
            // A single-member reader sees only a prefix: exactly what the variant is for.
            let mut first = Vec::new();
            flate2::read::GzDecoder::new(&blob[..])
                .read_to_end(&mut first)
                .unwrap();
            assert!(first.len() < data.len() || data.len() <= CHUNK);
        }
    }

    #[test]
    fn zstd_multi_frame_has_skippable_frames() {
        let blob = compress(&sample(), Compression::ZstdMultiFrame);
        let magic = 0x184D_2A50u32.to_le_bytes();
        assert!(blob.windows(4).any(|w| w == magic));
        assert!(
            blob.windows(4)
                .filter(|w| *w == 0xFD2F_B528u32.to_le_bytes())
                .count()
                >= 2
        );
    }

    const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Gzip,
        Compression::Zstd,
        Compression::GzipMultiMember,
        Compression::ZstdMultiFrame,
    ];
}
