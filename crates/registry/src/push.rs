//! Writes to a registry: blobs (skipped when already there) and manifests, with the push
//! scope, the size limit checked before sending, and the registry's digest checked against
//! ours.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{Method, Response, StatusCode};

use sbomgen_model::Digest;

use crate::client::{RegistryClient, MAX_MANIFEST_BYTES};
use crate::error::RegistryError;
use crate::hashing::Hasher;
use crate::reference::Reference;
use crate::transport::{Access, Call, Target};

/// The registry's digest of what it stored.
const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";
/// Sent by registries with the referrers API when a pushed manifest has a `subject`.
const OCI_SUBJECT: &str = "oci-subject";

/// What a manifest push produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The manifest's digest (sha256 of the bytes pushed).
    pub digest: Digest,
    /// The registry's `OCI-Subject` answer: it indexed the manifest as a referrer of that
    /// subject. Registries without the referrers API send none.
    pub oci_subject: Option<String>,
}

impl RegistryClient {
    /// Uploads `bytes` as a blob of `reference`'s repository unless the registry already has
    /// it (`HEAD /v2/<name>/blobs/<digest>` answers 200). A monolithic upload: `POST
    /// /v2/<name>/blobs/uploads/`, then `PUT <Location>&digest=<digest>` with the bytes.
    /// Returns the sha256 digest.
    pub fn push_blob(&self, reference: &Reference, bytes: &[u8]) -> Result<Digest, RegistryError> {
        let digest = sha256(bytes);
        let repository = repository_of(reference);
        let body = Bytes::copy_from_slice(bytes);
        self.runtime
            .block_on(self.push_blob_async(&repository, &digest, body))
            .map_err(|e| e.while_doing(format!("push blob {digest} to {repository}")))?;
        Ok(digest)
    }

    async fn push_blob_async(
        &self,
        repository: &Reference,
        digest: &Digest,
        body: Bytes,
    ) -> Result<(), RegistryError> {
        let blob = Target {
            reference: repository.clone(),
            path: format!("blobs/{digest}"),
            what: format!("blob {digest}"),
        };
        let head = self
            .transport
            .send(Call {
                access: Access::Push,
                ..Call::new(Method::HEAD, &blob, &[200, 404])
            })
            .await?;
        if head.status() == StatusCode::OK {
            return Ok(());
        }

        let uploads = Target {
            reference: repository.clone(),
            path: "blobs/uploads/".to_string(),
            what: format!("upload of blob {digest}"),
        };
        // `Content-Length: 0` said explicitly: hyper sends none for an empty body, and some
        // registries (and the proxies in front of them) refuse a POST without one.
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        let started = self
            .transport
            .send(Call {
                headers,
                body: Some(Bytes::new()),
                access: Access::Push,
                ..Call::new(Method::POST, &uploads, &[202])
            })
            .await?;
        let mut location = upload_location(&started, &uploads)?;
        // The location may carry state of its own (`?_state=…`): append, never replace.
        location
            .query_pairs_mut()
            .append_pair("digest", digest.as_str());

        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let done = self
            .transport
            .send(Call {
                url: Some(&location),
                headers,
                body: Some(body),
                access: Access::Push,
                ..Call::new(Method::PUT, &uploads, &[201, 204])
            })
            .await?;
        check_registry_digest(&done, digest, &uploads)
    }

    /// PUTs a manifest or index to `/v2/<name>/manifests/<tag or digest>`: under `tag` when
    /// given, else by its own digest. `media_type` is sent as `Content-Type` (registries
    /// answer 400 when it differs from the body's `mediaType`). Bodies above
    /// [`MAX_MANIFEST_BYTES`] are refused before anything is sent
    /// ([`RegistryError::TooLarge`]). Returns the digest and the registry's `OCI-Subject`
    /// answer, if any.
    pub fn push_manifest(
        &self,
        reference: &Reference,
        tag: Option<&str>,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<Pushed, RegistryError> {
        let digest = sha256(bytes);
        let destination = manifest_destination(reference, tag, &digest);
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(RegistryError::TooLarge {
                reference: destination.to_string(),
                what: format!("manifest {digest} ({} bytes, not pushed)", bytes.len()),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        self.runtime
            .block_on(self.put_manifest(
                &destination,
                &digest,
                Bytes::copy_from_slice(bytes),
                media_type,
            ))
            .map_err(|e| e.while_doing(format!("push manifest {digest} to {destination}")))
    }

    /// The PUT behind [`push_manifest`](Self::push_manifest), errors without context:
    /// `destination` names the repository and the tag or digest pushed to.
    pub(crate) async fn put_manifest(
        &self,
        destination: &Reference,
        digest: &Digest,
        body: Bytes,
        media_type: &str,
    ) -> Result<Pushed, RegistryError> {
        let content_type = HeaderValue::from_str(media_type).map_err(|_| {
            RegistryError::Invalid(format!(
                "media type {media_type:?} cannot be sent as a Content-Type"
            ))
        })?;
        let api_ref = destination.reference_for_api();
        let target = Target {
            reference: destination.clone(),
            path: format!("manifests/{api_ref}"),
            what: format!("manifest {api_ref}"),
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type);
        let response = self
            .transport
            .send(Call {
                headers,
                body: Some(body),
                access: Access::Push,
                ..Call::new(Method::PUT, &target, &[200, 201, 204])
            })
            .await?;
        check_registry_digest(&response, digest, &target)?;
        let oci_subject = response
            .headers()
            .get(OCI_SUBJECT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        Ok(Pushed {
            digest: digest.clone(),
            oci_subject,
        })
    }
}

/// The sha256 digest of `bytes`: what everything pushed is named by.
pub(crate) fn sha256(bytes: &[u8]) -> Digest {
    let mut hasher = Hasher::sha256();
    hasher.update(bytes);
    hasher.finish()
}

/// `reference` without its tag and digest: the repository written to.
pub(crate) fn repository_of(reference: &Reference) -> Reference {
    Reference {
        registry: reference.registry.clone(),
        repository: reference.repository.clone(),
        tag: None,
        digest: None,
    }
}

/// The repository with the tag (when given) or digest a manifest is pushed under.
pub(crate) fn manifest_destination(
    reference: &Reference,
    tag: Option<&str>,
    digest: &Digest,
) -> Reference {
    let mut destination = repository_of(reference);
    match tag {
        Some(tag) => destination.tag = Some(tag.to_string()),
        None => destination.digest = Some(digest.clone()),
    }
    destination
}

/// The upload URL of a `202` answer to `POST …/blobs/uploads/`: its `Location`, resolved
/// against the URL the POST went to when relative (distribution sends absolute ones, others
/// send `/v2/…` paths).
fn upload_location(response: &Response, target: &Target) -> Result<reqwest::Url, RegistryError> {
    let fail = |detail: &str| RegistryError::Status {
        registry: target.reference.registry.clone(),
        reference: target.label(),
        what: target.what.clone(),
        status: response.status().to_string(),
        detail: Some(detail.to_string()),
        attempts: 1,
    };
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| fail("the answer has no Location header"))?;
    response
        .url()
        .join(location)
        .map_err(|_| fail("the Location header is not a URL"))
}

/// Fails when the registry says it stored something other than what was sent
/// (`Docker-Content-Digest` in the same algorithm and different). Registries that send no
/// digest, or one in another algorithm, are taken at their word.
fn check_registry_digest(
    response: &Response,
    expected: &Digest,
    target: &Target,
) -> Result<(), RegistryError> {
    let reported = response
        .headers()
        .get(DOCKER_CONTENT_DIGEST)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<Digest>().ok());
    match reported {
        Some(actual) if actual.algorithm() == expected.algorithm() && &actual != expected => {
            Err(RegistryError::DigestMismatch {
                reference: target.label(),
                what: format!("{} (as stored by the registry)", target.what),
                expected: expected.clone(),
                actual,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_name_the_repository_and_what_is_pushed() {
        let r: Reference = "localhost:5000/ns/app:1.0".parse().unwrap();
        let d = sha256(b"x");
        assert_eq!(repository_of(&r).to_string(), "localhost:5000/ns/app");
        assert_eq!(
            manifest_destination(&r, Some("sha256-abc"), &d).to_string(),
            "localhost:5000/ns/app:sha256-abc"
        );
        assert_eq!(
            manifest_destination(&r, None, &d).reference_for_api(),
            d.as_str()
        );
    }
}
