//! Digests of bytes as they pass, in the algorithm the expected digest names.

use sha2::{Digest as _, Sha256, Sha512};

use sbomgen_model::Digest;

/// A running sha256 or sha512, chosen to match the digest it will be compared with.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub(crate) fn like(expected: &Digest) -> Hasher {
        if expected.algorithm() == "sha512" {
            Hasher::Sha512(Sha512::new())
        } else {
            Hasher::Sha256(Sha256::new())
        }
    }

    pub(crate) fn sha256() -> Hasher {
        Hasher::Sha256(Sha256::new())
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest::sha256_from_bytes(&h.finalize().into()),
            Hasher::Sha512(h) => Digest::sha512_from_bytes(&h.finalize().into()),
        }
    }
}

/// The digest of `bytes` in the algorithm of `like`.
pub(crate) fn digest_like(like: &Digest, bytes: &[u8]) -> Digest {
    let mut h = Hasher::like(like);
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_empty_digests() {
        let e256: Digest =
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                .parse()
                .unwrap();
        assert_eq!(digest_like(&e256, b""), e256);
        let e512: Digest = "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e".parse().unwrap();
        assert_eq!(digest_like(&e512, b""), e512);
    }
}
