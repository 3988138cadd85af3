//! A `blobs/sha256/` directory: content-addressed writes, layers streamed through hashers.

use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use sbomgen_model::Digest;
use tempfile::NamedTempFile;

use crate::compress::{Encoder, HashWriter};
use crate::{tar_build, Compression, LayerSpec};

/// A layer blob on disk: its two digests, size and compression.
#[derive(Debug, Clone)]
pub(crate) struct LayerBlob {
    pub(crate) digest: Digest,
    pub(crate) diff_id: Digest,
    pub(crate) size: u64,
    pub(crate) compression: Compression,
}

/// The `blobs/sha256` directory of an OCI layout (or a scratch one for archives).
#[derive(Debug)]
pub(crate) struct BlobDir {
    dir: PathBuf,
}

impl BlobDir {
    /// Creates `<root>/blobs/sha256` if needed.
    pub(crate) fn create(root: &Path) -> io::Result<Self> {
        let dir = root.join("blobs").join("sha256");
        fs::create_dir_all(&dir)?;
        Ok(BlobDir { dir })
    }

    /// Where the blob with this digest lives.
    pub(crate) fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(digest.hex())
    }

    /// Stores a small in-memory blob (config, manifest, index); returns its digest and size.
    pub(crate) fn put_bytes(&self, bytes: &[u8]) -> io::Result<(Digest, u64)> {
        let digest = crate::compress::sha256(bytes);
        fs::write(self.path(&digest), bytes)?;
        Ok((digest, bytes.len() as u64))
    }

    /// Streams a layer to disk in one pass: tar → sha256 (diff_id) → compressor → sha256
    /// (digest) → temp file, renamed to its digest once known. Nothing is held whole in memory
    /// beyond the entries' own in-memory contents.
    pub(crate) fn put_layer(&self, layer: &LayerSpec) -> io::Result<LayerBlob> {
        let file = BufWriter::new(NamedTempFile::new_in(&self.dir)?);
        let encoder = Encoder::new(HashWriter::new(file), layer.compression)?;
        let tar = HashWriter::new(encoder);
        let tar = tar_build::write_tar(layer, tar, |w| w.get_mut().boundary())?;
        let (encoder, diff_id, _) = tar.finish();
        let (file, digest, size) = encoder.finish()?.finish();
        let temp = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        temp.persist(self.path(&digest)).map_err(|e| e.error)?;
        Ok(LayerBlob {
            digest,
            diff_id,
            size,
            compression: layer.compression,
        })
    }
}
