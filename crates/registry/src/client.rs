//! The blocking face of the registry client: fetch a manifest, a small JSON blob, or open a
//! layer blob as a `Read`.
//!
//! The rest of sbomgen is synchronous (layers are read on a rayon pool), so the async HTTP
//! stack stays inside: the client owns a small tokio runtime and every call blocks on it. Push
//! operations (`push.rs`) and referrers (`referrers.rs`) add `impl` blocks of their own,
//! sharing the runtime, the transport and its auth.

use std::io::Read;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode};

use sbomgen_model::Digest;

use crate::blob::{BlobReader, BlobTarget};
use crate::cache::BlobCache;
use crate::error::RegistryError;
use crate::hashing::{digest_like, Hasher};
use crate::options::{ClientOptions, Progress};
use crate::reference::Reference;
use crate::transport::{Access, Call, Target, Transport};

pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// What to accept when fetching an image by reference. Every type must be listed: a registry
/// answers 404 for an OCI manifest not named in `Accept`, and rewrites a Docker schema-2
/// manifest to schema 1 (with a different digest) when `Accept` lacks it.
pub const MANIFEST_ACCEPT: &[&str] = &[
    MEDIA_OCI_INDEX,
    MEDIA_DOCKER_LIST,
    MEDIA_OCI_MANIFEST,
    MEDIA_DOCKER_MANIFEST,
];

/// Registries refuse manifests above 4 MiB, so nothing larger is read.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// Partial cache files older than this are from runs that died; younger ones may be another
/// scan's download in progress.
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A fetched manifest or index.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The `Content-Type` the registry sent, without parameters.
    pub media_type: Option<String>,
    /// The digest of `bytes` (in the pinned digest's algorithm, else sha256).
    pub digest: Digest,
}

/// A client for one or more registries. Cheap to clone; clones share connections, tokens and
/// the cache.
#[derive(Clone)]
pub struct RegistryClient {
    pub(crate) runtime: Arc<tokio::runtime::Runtime>,
    pub(crate) transport: Arc<Transport>,
    cache: Option<BlobCache>,
    progress: Option<Arc<dyn Progress>>,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl RegistryClient {
    pub fn new(options: &ClientOptions) -> Result<Self, RegistryError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            // Downloads are I/O-bound; the CPU work (decompression, hashing) runs on the
            // caller's threads.
            .worker_threads(2)
            .thread_name("sbomgen-registry")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| RegistryError::Setup(format!("cannot start the I/O runtime: {e}")))?;
        let cache = options.cache_dir.clone().map(BlobCache::new);
        if let Some(cache) = &cache {
            cache.sweep(STALE_PARTIAL);
        }
        Ok(Self {
            runtime: Arc::new(runtime),
            transport: Arc::new(Transport::new(options)?),
            cache,
            progress: options.progress.clone(),
        })
    }

    /// Where progress is reported, for callers that report image-level events.
    pub fn progress(&self) -> Option<&Arc<dyn Progress>> {
        self.progress.as_ref()
    }

    /// Fetches the manifest or index `reference` names (its digest when pinned, else its tag),
    /// accepting `accept` media types. A pinned digest is verified: a registry answering with
    /// other bytes is an error.
    pub fn fetch_manifest(
        &self,
        reference: &Reference,
        accept: &[&str],
    ) -> Result<Fetched, RegistryError> {
        let fetched = self.runtime.block_on(self.fetch_manifest_async(
            reference,
            accept,
            Access::Pull,
            false,
        ))?;
        // With `missing_ok` false a 404 is an error, so there is always a manifest here.
        fetched.ok_or_else(|| RegistryError::NotFound {
            registry: reference.registry.clone(),
            reference: reference.to_string(),
            what: format!("manifest {}", reference.reference_for_api()),
        })
    }

    /// Like [`fetch_manifest`](Self::fetch_manifest) but a 404 (manifest or repository
    /// unknown) is `Ok(None)`.
    pub fn fetch_manifest_optional(
        &self,
        reference: &Reference,
        accept: &[&str],
    ) -> Result<Option<Fetched>, RegistryError> {
        self.runtime
            .block_on(self.fetch_manifest_async(reference, accept, Access::Pull, true))
    }

    /// The fetch behind both: `access` chooses the credentials' scope (push operations read
    /// with the token they write with), `missing_ok` turns a 404 into `None`.
    pub(crate) async fn fetch_manifest_async(
        &self,
        reference: &Reference,
        accept: &[&str],
        access: Access,
        missing_ok: bool,
    ) -> Result<Option<Fetched>, RegistryError> {
        let api_ref = reference.reference_for_api();
        let target = Target {
            reference: reference.clone(),
            path: format!("manifests/{api_ref}"),
            what: format!("manifest {api_ref}"),
        };
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&accept.join(", ")) {
            headers.insert(ACCEPT, value);
        }
        let ok: &[u16] = if missing_ok { &[200, 404] } else { &[200] };
        let response = self
            .transport
            .send(Call {
                headers,
                access,
                ..Call::new(Method::GET, &target, ok)
            })
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let media_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let bytes = read_limited(response, MAX_MANIFEST_BYTES, &target).await?;
        let digest = match &reference.digest {
            Some(pinned) => digest_like(pinned, &bytes),
            None => {
                let mut h = Hasher::sha256();
                h.update(&bytes);
                h.finish()
            }
        };
        if let Some(pinned) = &reference.digest {
            if &digest != pinned {
                return Err(RegistryError::ManifestDigestMismatch {
                    reference: reference.to_string(),
                    actual: digest,
                });
            }
        }
        Ok(Some(Fetched {
            bytes,
            media_type,
            digest,
        }))
    }

    /// Reads a small blob (an image config) whole, verified against `digest` and `size`.
    /// `reference` is the image it belongs to: it gives the repository and names the image in
    /// errors.
    pub fn fetch_blob_bytes(
        &self,
        reference: &Reference,
        digest: &Digest,
        size: Option<u64>,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let target = blob_target(reference, digest);
        if size.is_some_and(|s| s > limit) {
            return Err(RegistryError::TooLarge {
                reference: target.label(),
                what: target.what,
                limit,
            });
        }
        if let Some(cache) = &self.cache {
            if let Some(file) = cache.open(digest, size) {
                let mut bytes = Vec::new();
                let ok = file.take(limit + 1).read_to_end(&mut bytes).is_ok()
                    && digest_like(digest, &bytes) == *digest;
                if ok {
                    return Ok(bytes);
                }
                cache.remove(digest);
            }
        }
        let bytes = self.runtime.block_on(async {
            let response = self.transport.get(&target, None, None).await?;
            read_limited(response, limit, &target).await
        })?;
        if let Some(expected) = size.filter(|s| *s != bytes.len() as u64) {
            return Err(RegistryError::SizeMismatch {
                reference: target.label(),
                what: target.what,
                expected,
                actual: bytes.len() as u64,
            });
        }
        let actual = digest_like(digest, &bytes);
        if &actual != digest {
            return Err(RegistryError::DigestMismatch {
                reference: target.label(),
                what: target.what,
                expected: digest.clone(),
                actual,
            });
        }
        if let Some(cache) = &self.cache {
            if let Ok(mut writer) = cache.writer(digest) {
                if writer.write(&bytes).is_ok() {
                    let _ = writer.commit(&actual);
                }
            }
        }
        Ok(bytes)
    }

    /// Opens a layer blob for streaming: from the cache when it holds `digest`, else from the
    /// registry (waiting for the response headers, so a missing blob or refused access fails
    /// here rather than at the first read). The reader verifies size and digest at its end
    /// and only then stores the blob in the cache.
    pub fn open_blob(
        &self,
        reference: &Reference,
        digest: &Digest,
        size: Option<u64>,
    ) -> Result<Box<dyn Read + Send>, RegistryError> {
        let blob = BlobTarget {
            target: blob_target(reference, digest),
            digest: digest.clone(),
            size,
        };
        if let Some(cache) = &self.cache {
            if let Some(file) = cache.open(digest, size) {
                return Ok(Box::new(BlobReader::cached(
                    blob,
                    file,
                    cache.clone(),
                    self.progress.clone(),
                )));
            }
        }
        let response = self
            .runtime
            .block_on(self.transport.get(&blob.target, None, None))?;
        Ok(Box::new(BlobReader::download(
            &self.runtime,
            self.transport.clone(),
            blob,
            response,
            self.cache.clone(),
            self.progress.clone(),
        )))
    }
}

fn blob_target(reference: &Reference, digest: &Digest) -> Target {
    Target {
        reference: reference.clone(),
        path: format!("blobs/{digest}"),
        what: format!("blob {digest}"),
    }
}

/// The whole body, refusing more than `limit` bytes.
pub(crate) async fn read_limited(
    mut response: Response,
    limit: u64,
    target: &Target,
) -> Result<Vec<u8>, RegistryError> {
    let too_large = || RegistryError::TooLarge {
        reference: target.label(),
        what: target.what.clone(),
        limit,
    };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() as u64 > limit {
                    return Err(too_large());
                }
            }
            Ok(None) => return Ok(bytes),
            Err(e) => {
                return Err(RegistryError::Transfer {
                    registry: target.reference.registry.clone(),
                    reference: target.label(),
                    what: target.what.clone(),
                    reason: crate::retry::describe(&e),
                    attempts: 1,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_lists_every_index_and_manifest_type() {
        for media_type in [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ] {
            assert!(MANIFEST_ACCEPT.contains(&media_type), "{media_type}");
        }
    }

    #[test]
    fn blob_urls_and_labels() {
        let r: Reference = "localhost:5000/ns/app:1.0".parse().unwrap();
        let d: Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
        let t = blob_target(&r, &d);
        assert_eq!(t.path, format!("blobs/sha256:{}", "a".repeat(64)));
        assert_eq!(t.label(), "localhost:5000/ns/app:1.0");
        assert!(t.what.starts_with("blob sha256:aaaa"));
    }
}
