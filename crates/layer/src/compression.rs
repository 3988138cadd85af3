//! Layer compression: declared by media type, confirmed by magic bytes.

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression a layer media type declares, or `Err` with the media type when it is not a
    /// layer type sbomgen reads. OCI, Docker (incl. foreign/nondistributable) and BuildKit's
    /// non-standard `application/vnd.docker.image.rootfs.diff.tar.zstd` are accepted.
    pub fn from_media_type(media_type: &str) -> Result<Compression, String> {
        match media_type {
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Ok(Compression::None),
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Ok(Compression::Gzip),
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Ok(Compression::Zstd),
            other => Err(other.to_string()),
        }
    }

    /// Sniffs the compression from a blob's first bytes. Anything that is neither gzip nor zstd is
    /// taken as a plain tar (the tar parser then judges it).
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&ZSTD_MAGIC) || is_zstd_skippable(head) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The compression a blob's first bytes show when it is one sbomgen does not read (and no
/// layer media type allows): bzip2, xz, lzip, lz4 or Unix compress. A head that is a valid
/// tar header is never one (a first entry may be named `BZh…`).
pub(crate) fn unsupported(head: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 5] = [
        (b"BZh", "bzip2"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz"),
        (b"LZIP", "lzip"),
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (&[0x1f, 0x9d], "compress (.Z)"),
    ];
    if is_tar_header(head) {
        return None;
    }
    MAGICS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Whether `head` starts with a tar header whose checksum is right.
fn is_tar_header(head: &[u8]) -> bool {
    head.get(..512).is_some_and(crate::tar_guard::checksum_ok)
}

/// zstd:chunked blobs may start with a skippable frame (magic 0x184D2A5? little-endian).
fn is_zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+zstd"),
            Ok(Compression::Zstd)
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Ok(Compression::Gzip)
        );
        assert!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+bzip2").is_err()
        );
        assert!(Compression::from_media_type("application/json").is_err());
    }

    #[test]
    fn sniffing() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(
            Compression::sniff(&[0x50, 0x2a, 0x4d, 0x18]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"etc/"), Compression::None);
        assert_eq!(Compression::sniff(&[]), Compression::None);
    }

    #[test]
    fn unsupported_compressions_are_named() {
        assert_eq!(unsupported(b"BZh91AY&SY"), Some("bzip2"));
        assert_eq!(
            unsupported(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0]),
            Some("xz")
        );
        assert_eq!(unsupported(&[0x1f, 0x8b, 8]), None);
        assert_eq!(unsupported(b"etc/passwd\0"), None);
        // A tar whose first entry is named `BZh91AY&SY` is a tar.
        let mut header = tar::Header::new_gnu();
        header.set_path("BZh91AY&SY").unwrap();
        header.set_size(0);
        header.set_cksum();
        assert_eq!(unsupported(header.as_bytes()), None);
        let mut broken = header.as_bytes().to_vec();
        broken[200] ^= 1;
        assert_eq!(unsupported(&broken), Some("bzip2"));
    }
}
