//! OCI 1.1 referrers: listing the artifacts attached to a manifest, and attaching one.
//!
//! Registries with the referrers API (`GET /v2/<name>/referrers/<digest>`) index a pushed
//! manifest's `subject` themselves and say so with an `OCI-Subject` answer. The others (the
//! Debian/distribution 2.8 registry, GHCR, Docker Hub) need the referrers tag schema: an OCI
//! index under the tag `sha256-<hex>` listing each referrer's descriptor, kept by the writers
//! (read, append, write back). Readers try the API and fall back to the tag.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode};

use sbomgen_model::Digest;

use crate::client::{
    read_limited, RegistryClient, MAX_MANIFEST_BYTES, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
use crate::error::RegistryError;
use crate::oci::{Descriptor, ImageIndex, ImageManifest};
use crate::push::{manifest_destination, repository_of, sha256};
use crate::reference::Reference;
use crate::transport::{Access, Call, Target};

/// Says which filters a referrers API answer already applied.
const OCI_FILTERS_APPLIED: &str = "oci-filters-applied";
/// A referrers API answer split into pages links the next one; more pages than this is a
/// registry looping, not a long list.
const MAX_PAGES: usize = 64;

/// The referrers of a manifest, and where they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Referrers {
    pub descriptors: Vec<Descriptor>,
    pub via: ReferrersVia,
}

/// Where a referrers list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferrersVia {
    /// The registry's referrers API.
    Api,
    /// The referrers tag `sha256-<hex>` (missing: no referrers).
    Tag,
}

/// The referrers tag of `subject`: `<algorithm>-<hex>`, truncated as the distribution spec
/// says (algorithm to 32 characters, hex to 64) so it is always a valid tag.
pub fn referrers_tag(subject: &Digest) -> String {
    let algorithm: String = subject.algorithm().chars().take(32).collect();
    let hex: String = subject.hex().chars().take(64).collect();
    format!("{algorithm}-{hex}")
}

impl RegistryClient {
    /// The referrers of `subject` in `reference`'s repository, those of `artifact_type` only
    /// when given. Asks the referrers API first; a 400, 404 or 405 or an answer that is not
    /// an OCI index (the distribution registry answers 404 in plain text) means the registry
    /// has none, and the referrers tag is read instead (missing: an empty list). Other
    /// failures (401, 403, 5xx after retries) are errors.
    pub fn referrers(
        &self,
        reference: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Referrers, RegistryError> {
        let repository = repository_of(reference);
        self.runtime
            .block_on(self.referrers_async(&repository, subject, artifact_type, Access::Pull))
            .map_err(|e| e.while_doing(format!("list referrers of {subject} in {repository}")))
    }

    async fn referrers_async(
        &self,
        repository: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
        access: Access,
    ) -> Result<Referrers, RegistryError> {
        if let Some(descriptors) = self
            .referrers_api(repository, subject, artifact_type, access)
            .await?
        {
            return Ok(Referrers {
                descriptors,
                via: ReferrersVia::Api,
            });
        }
        let tag = referrers_tag(subject);
        let mut descriptors = match self.read_referrers_tag(repository, &tag, access).await? {
            Some(index) => index.manifests,
            None => Vec::new(),
        };
        if let Some(wanted) = artifact_type {
            descriptors.retain(|d| d.artifact_type.as_deref() == Some(wanted));
        }
        Ok(Referrers {
            descriptors,
            via: ReferrersVia::Tag,
        })
    }

    /// The referrers API's list, following `Link: <…>; rel="next"` pages; `None` when the
    /// registry has no such API.
    async fn referrers_api(
        &self,
        repository: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
        access: Access,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        let mut path = format!("referrers/{subject}");
        if let Some(wanted) = artifact_type {
            path.push_str("?artifactType=");
            path.push_str(&percent_encode(wanted));
        }
        let target = Target {
            reference: repository.clone(),
            path,
            what: format!("referrers of {subject}"),
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(MEDIA_OCI_INDEX));
        let mut descriptors = Vec::new();
        let mut next: Option<reqwest::Url> = None;
        for page in 0..MAX_PAGES {
            let response = self
                .transport
                .send(Call {
                    url: next.as_ref(),
                    headers: headers.clone(),
                    access,
                    ..Call::new(Method::GET, &target, &[200, 400, 404, 405])
                })
                .await?;
            if response.status() != StatusCode::OK {
                // A registry without the API; a later page going missing is an error.
                return match page {
                    0 => Ok(None),
                    _ => Err(RegistryError::NotFound {
                        registry: repository.registry.clone(),
                        reference: target.label(),
                        what: format!("page {} of the referrers of {subject}", page + 1),
                    }),
                };
            }
            let filtered = response
                .headers()
                .get_all(OCI_FILTERS_APPLIED)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|f| f.trim() == "artifactType");
            let is_index = content_type(&response).as_deref() == Some(MEDIA_OCI_INDEX);
            next = next_link(&response);
            let body = read_limited(response, MAX_MANIFEST_BYTES, &target).await?;
            let index = match ImageIndex::from_json(&body) {
                Ok(index) if is_index || index.media_type.as_deref() == Some(MEDIA_OCI_INDEX) => {
                    index
                }
                // Something other than the API answering 200 (a catch-all page): no API.
                _ if page == 0 => return Ok(None),
                Err(e) => return Err(e),
                Ok(_) => {
                    return Err(RegistryError::Malformed {
                        what: format!("referrers list of {subject}"),
                        reason: "a page is not an OCI image index".into(),
                    })
                }
            };
            let mut manifests = index.manifests;
            if let (Some(wanted), false) = (artifact_type, filtered) {
                manifests.retain(|d| d.artifact_type.as_deref() == Some(wanted));
            }
            descriptors.extend(manifests);
            if next.is_none() {
                return Ok(Some(descriptors));
            }
        }
        Err(RegistryError::Malformed {
            what: format!("referrers list of {subject}"),
            reason: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// The index under the referrers tag, `None` when there is no such tag. Anything there
    /// that is not an OCI index is an error: it is not ours to overwrite.
    async fn read_referrers_tag(
        &self,
        repository: &Reference,
        tag: &str,
        access: Access,
    ) -> Result<Option<ImageIndex>, RegistryError> {
        let mut tagged = repository.clone();
        tagged.tag = Some(tag.to_string());
        let Some(fetched) = self
            .fetch_manifest_async(&tagged, &[MEDIA_OCI_INDEX], access, true)
            .await?
        else {
            return Ok(None);
        };
        let index = ImageIndex::from_json(&fetched.bytes).map_err(|e| match e {
            RegistryError::Malformed { reason, .. } => RegistryError::Malformed {
                what: format!("referrers index (tag {tag} of {repository})"),
                reason,
            },
            other => other,
        })?;
        if index
            .media_type
            .as_deref()
            .is_some_and(|m| m != MEDIA_OCI_INDEX)
        {
            return Err(RegistryError::Malformed {
                what: format!("referrers index (tag {tag} of {repository})"),
                reason: "it is a Docker manifest list, not an OCI image index".into(),
            });
        }
        Ok(Some(index))
    }

    /// Pushes `manifest` (which must have a `subject`; its config and layer blobs must be
    /// pushed already) by digest, and makes it discoverable as a referrer of its subject.
    /// When the registry answers with `OCI-Subject` it indexed the manifest itself and nothing
    /// more is done; otherwise the referrers tag `sha256-<hex>` of the subject gets the
    /// manifest's descriptor (with `artifactType` and the manifest's annotations) appended,
    /// unless it lists that digest already. Returns the artifact manifest's digest.
    ///
    /// Two writers updating the same tag at the same moment can lose one entry: the
    /// distribution API has no conditional PUT.
    pub fn push_referrer(
        &self,
        reference: &Reference,
        manifest: &ImageManifest,
    ) -> Result<Digest, RegistryError> {
        let Some(subject) = &manifest.subject else {
            return Err(RegistryError::Invalid(format!(
                "cannot push a referrer to {}: the manifest has no subject",
                repository_of(reference)
            )));
        };
        let media_type = manifest.media_type.as_deref().unwrap_or(MEDIA_OCI_MANIFEST);
        let bytes = manifest.to_json();
        let pushed = self.push_manifest(reference, None, &bytes, media_type)?;
        if pushed.oci_subject.is_some() {
            return Ok(pushed.digest);
        }

        // The spec's rule: the descriptor's artifactType is the manifest's, else its config's
        // media type.
        let artifact_type = manifest
            .artifact_type
            .clone()
            .unwrap_or_else(|| manifest.config.media_type.clone());
        let entry = Descriptor {
            artifact_type: Some(artifact_type),
            annotations: manifest.annotations.clone(),
            ..Descriptor::of(media_type, &bytes)
        };
        self.update_referrers_tag(reference, &subject.digest, Some(&pushed.digest), |index| {
            if index.manifests.iter().any(|d| d.digest == entry.digest) {
                return false;
            }
            index.manifests.push(entry.clone());
            true
        })?;
        Ok(pushed.digest)
    }

    /// Removes the descriptors of `digests` from the referrers tag of `subject` (for cleanups
    /// such as `--replace`); the manifests themselves stay. Returns how many were removed; a
    /// missing tag or nothing to remove writes nothing.
    pub fn remove_referrers(
        &self,
        reference: &Reference,
        subject: &Digest,
        digests: &[Digest],
    ) -> Result<usize, RegistryError> {
        let mut removed = 0;
        self.update_referrers_tag(reference, subject, None, |index| {
            let before = index.manifests.len();
            index.manifests.retain(|d| !digests.contains(&d.digest));
            removed = before - index.manifests.len();
            removed > 0
        })?;
        Ok(removed)
    }

    /// Reads the referrers tag of `subject` (missing: an empty OCI index), lets `change` edit
    /// it, and writes it back when `change` says it changed something. `pushed` is the
    /// artifact already pushed, for the message when the index would be too large.
    fn update_referrers_tag(
        &self,
        reference: &Reference,
        subject: &Digest,
        pushed: Option<&Digest>,
        change: impl FnOnce(&mut ImageIndex) -> bool,
    ) -> Result<(), RegistryError> {
        let repository = repository_of(reference);
        let tag = referrers_tag(subject);
        let action = || format!("update referrers tag {tag} of {repository}");
        let current = self
            .runtime
            .block_on(self.read_referrers_tag(&repository, &tag, Access::Push))
            .map_err(|e| e.while_doing(action()))?;
        let existed = current.is_some();
        let mut index = current.unwrap_or_else(ImageIndex::empty);
        if !change(&mut index) {
            return Ok(());
        }
        if !existed && index.manifests.is_empty() {
            return Ok(());
        }
        // The PUT's Content-Type must equal the body's mediaType.
        index.media_type = Some(MEDIA_OCI_INDEX.to_string());
        let body = index.to_json();
        if body.len() as u64 > MAX_MANIFEST_BYTES {
            return match pushed {
                Some(pushed) => Err(RegistryError::ReferrersIndexTooLarge {
                    registry: repository.registry.clone(),
                    reference: repository.to_string(),
                    tag,
                    size: body.len() as u64,
                    limit: MAX_MANIFEST_BYTES,
                    pushed: pushed.clone(),
                }),
                None => Err(RegistryError::TooLarge {
                    reference: repository.to_string(),
                    what: format!("referrers index {tag} ({} bytes, not pushed)", body.len()),
                    limit: MAX_MANIFEST_BYTES,
                }
                .while_doing(action())),
            };
        }
        let digest = sha256(&body);
        let destination = manifest_destination(&repository, Some(&tag), &digest);
        self.runtime
            .block_on(self.put_manifest(&destination, &digest, Bytes::from(body), MEDIA_OCI_INDEX))
            .map_err(|e| e.while_doing(action()))?;
        Ok(())
    }
}

/// The `Content-Type` without parameters.
fn content_type(response: &Response) -> Option<String> {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
}

/// The `rel="next"` target of a `Link` header, resolved against the response's URL.
fn next_link(response: &Response) -> Option<reqwest::Url> {
    response
        .headers()
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.trim().split_once(';')?;
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            let is_next = params.split(';').any(|p| {
                p.trim()
                    .strip_prefix("rel=")
                    .is_some_and(|rel| rel.trim_matches('"').split(' ').any(|r| r == "next"))
            });
            is_next.then(|| response.url().join(target).ok()).flatten()
        })
}

/// `text` percent-encoded for a query value (everything but RFC 3986 unreserved characters:
/// a `+` in a media type must not turn into a space).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_tags_follow_the_spec() {
        let d: Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        assert_eq!(referrers_tag(&d), format!("sha256-{}", "ab".repeat(32)));
        let d: Digest = format!("sha512:{}", "c".repeat(128)).parse().unwrap();
        assert_eq!(referrers_tag(&d), format!("sha512-{}", "c".repeat(64)));
    }

    #[test]
    fn media_types_are_percent_encoded() {
        assert_eq!(
            percent_encode("application/vnd.cyclonedx+json"),
            "application%2Fvnd.cyclonedx%2Bjson"
        );
    }
}
