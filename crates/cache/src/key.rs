//! Cache keys: what a layer's analysis depends on, hashed.
//!
//! A layer report is a function of the layer's bytes and of the analysis asked for, so the
//! key covers exactly those: the entry format, the analysers' version, the uncompressed
//! content (diff_id), the stored blob and its declared media type (the report carries the
//! blob's digest, size, compression and a warning when the media type mislabels it: a
//! recompressed copy of the same tar gets its own entry, so a warm scan stays byte-identical),
//! the cataloguers in their order, the `declared` flag and every per-layer limit.

use sbomgen_layer::Limits;
use sbomgen_model::Digest;
use sha2::{Digest as _, Sha256};

use crate::codec::FORMAT_VERSION;

/// Version of what the layer reader and the cataloguers produce from a layer. Bump it with
/// any change that alters a `LayerReport` for the same input (a cataloguer reads a new field,
/// a parser is fixed, a warning is reworded): old entries then stop matching any key.
pub const ANALYSIS_VERSION: u32 = 1;

/// The analysers' identity as keys see it: this sbomgen's version and [`ANALYSIS_VERSION`].
pub fn analyser_version() -> String {
    format!(
        "sbomgen {} analysis {ANALYSIS_VERSION}",
        env!("CARGO_PKG_VERSION")
    )
}

/// What identifies one stored layer.
#[derive(Debug, Clone, Copy)]
pub struct LayerId<'a> {
    /// `rootfs.diff_ids[i]`: the digest of the uncompressed tar.
    pub diff_id: &'a Digest,
    /// The descriptor digest of the stored blob.
    pub digest: &'a Digest,
    /// The descriptor media type, as the manifest states it.
    pub media_type: Option<&'a str>,
}

/// Everything about a scan that changes a layer's analysis, hashed once per scan; each
/// layer's key then hashes this with the layer's identity.
#[derive(Debug, Clone)]
pub struct KeyContext {
    context: [u8; 32],
}

impl KeyContext {
    /// The context of a scan by this build of sbomgen.
    pub fn new(cataloguers: &[&str], declared: bool, limits: &Limits) -> Self {
        Self::with_versions(
            FORMAT_VERSION,
            &analyser_version(),
            cataloguers,
            declared,
            limits,
        )
    }

    /// [`KeyContext::new`] with the versions given (tests vary them).
    pub fn with_versions(
        format_version: u32,
        analyser: &str,
        cataloguers: &[&str],
        declared: bool,
        limits: &Limits,
    ) -> Self {
        let mut h = Fields::new("sbomgen layer cache context");
        h.u64(u64::from(format_version));
        h.str(analyser);
        h.u64(cataloguers.len() as u64);
        for name in cataloguers {
            h.str(name);
        }
        h.u64(u64::from(declared));
        // Exhaustive on purpose: a new limit fails to compile here until someone decides
        // whether it changes what a layer read produces.
        let Limits {
            max_captured_file,
            max_in_memory_file,
            max_spooled_file,
            max_captured_total,
            max_entries,
            max_uncompressed,
            max_extension_header,
            max_path_bytes,
            // Charged over the whole image after each layer is read, never inside a read.
            max_entries_per_image: _,
            max_captured_per_image: _,
            max_packages_per_database: _,
            max_layers: _,
        } = *limits;
        for limit in [
            max_captured_file,
            max_in_memory_file,
            max_spooled_file,
            max_captured_total,
            max_entries,
            max_uncompressed,
            max_extension_header,
            max_path_bytes as u64,
        ] {
            h.u64(limit);
        }
        KeyContext {
            context: h.finish(),
        }
    }

    /// The key of `layer`'s analysis under this context: 64 hex characters.
    pub fn key(&self, layer: &LayerId<'_>) -> String {
        let mut h = Fields::new("sbomgen layer cache key");
        h.bytes(&self.context);
        h.str(layer.diff_id.as_str());
        h.str(layer.digest.as_str());
        h.str(layer.media_type.unwrap_or(""));
        h.u64(u64::from(layer.media_type.is_some()));
        hex(&h.finish())
    }
}

/// Length-prefixed fields into SHA-256, so no two different field lists hash the same input.
/// Layer keys are made of them here; image-result keys by the scan, which knows its options.
#[derive(Debug, Clone)]
pub struct Fields(Sha256);

impl Fields {
    /// Starts a hash in `domain` (what is being keyed), so keys of two kinds never collide.
    pub fn new(domain: &str) -> Self {
        let mut f = Fields(Sha256::new());
        f.str(domain);
        f
    }

    pub fn u64(&mut self, value: u64) {
        self.0.update(value.to_le_bytes());
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.0.update(bytes);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// An optional string: absent and empty hash differently.
    pub fn opt_str(&mut self, s: Option<&str>) {
        self.u64(u64::from(s.is_some()));
        self.str(s.unwrap_or(""));
    }

    fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }

    /// The key: 64 lowercase hex characters.
    pub fn finish_hex(self) -> String {
        hex(&self.finish())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(byte: u8) -> Digest {
        Digest::sha256_from_bytes(&[byte; 32])
    }

    fn key_with(context: &KeyContext) -> String {
        let (diff_id, blob) = (digest(1), digest(2));
        context.key(&LayerId {
            diff_id: &diff_id,
            digest: &blob,
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip"),
        })
    }

    fn base() -> KeyContext {
        KeyContext::with_versions(1, "v1", &["dpkg", "python"], false, &Limits::default())
    }

    #[test]
    fn keys_are_stable_hex() {
        let key = key_with(&base());
        assert_eq!(key.len(), 64);
        assert!(key
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(key, key_with(&base()));
    }

    #[test]
    fn a_version_bump_changes_every_key() {
        let limits = Limits::default();
        let names = ["dpkg", "python"];
        let bumped_analyser = KeyContext::with_versions(1, "v2", &names, false, &limits);
        let bumped_format = KeyContext::with_versions(2, "v1", &names, false, &limits);
        assert_ne!(key_with(&base()), key_with(&bumped_analyser));
        assert_ne!(key_with(&base()), key_with(&bumped_format));
        assert!(analyser_version().contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn options_that_change_the_analysis_change_the_key() {
        let limits = Limits::default();
        let small = Limits {
            max_captured_file: 1,
            ..Limits::default()
        };
        let variants = [
            KeyContext::with_versions(1, "v1", &["dpkg"], false, &limits),
            KeyContext::with_versions(1, "v1", &["python", "dpkg"], false, &limits),
            KeyContext::with_versions(1, "v1", &["dpkg", "python"], true, &limits),
            KeyContext::with_versions(1, "v1", &["dpkg", "python"], false, &small),
            KeyContext::with_versions(1, "v1", &["dpkgpython"], false, &limits),
        ];
        let mut keys: Vec<String> = variants.iter().map(key_with).collect();
        keys.push(key_with(&base()));
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count, "every variant has its own key");
    }

    #[test]
    fn image_wide_limits_do_not_change_the_key() {
        let limits = Limits {
            max_entries_per_image: 5,
            max_packages_per_database: 5,
            max_layers: 5,
            ..Limits::default()
        };
        let other = KeyContext::with_versions(1, "v1", &["dpkg", "python"], false, &limits);
        assert_eq!(key_with(&base()), key_with(&other));
    }

    #[test]
    fn the_blob_and_its_media_type_are_part_of_the_layer_identity() {
        let context = base();
        let (diff_id, a, b) = (digest(1), digest(2), digest(3));
        let id = |blob, media_type| LayerId {
            diff_id: &diff_id,
            digest: blob,
            media_type,
        };
        let keys = [
            context.key(&id(&a, None)),
            context.key(&id(&b, None)),
            context.key(&id(&a, Some(""))),
            context.key(&id(&a, Some("application/vnd.oci.image.layer.v1.tar"))),
        ];
        for (i, x) in keys.iter().enumerate() {
            for y in &keys[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }
}
