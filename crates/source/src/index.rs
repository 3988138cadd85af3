//! Walking an OCI layout's `index.json` to the image manifests it names.
//!
//! See the OCI image spec, `image-layout.md` and `image-index.md`. Docker's manifest list and
//! schema-2 manifest media types are accepted too, as `docker save` (25+) and skopeo write them.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use sbomgen_model::{Digest, Platform};

use crate::config::{parse_json, MAX_JSON_BYTES};
use crate::container::Container;
use crate::error::SourceError;
use crate::verify;

pub(crate) const INDEX_OCI: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const INDEX_DOCKER: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const MANIFEST_OCI: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const MANIFEST_DOCKER: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Indexes nest one level in practice (index.json → multi-platform index); deeper is refused.
pub(crate) const MAX_INDEX_DEPTH: usize = 4;
/// Entries read across one layout's index tree, nested indexes counted each time they are
/// reached: real multi-platform images have a few dozen; a tree of indexes referencing each
/// other 30 times per level must not grow to millions of manifests.
pub(crate) const MAX_INDEX_ENTRIES: usize = 4096;

const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// containerd and `docker save` put the full reference here, next to the bare tag in `REF_NAME`.
const CONTAINERD_NAME: &str = "io.containerd.image.name";
const DOCKER_REFERENCE_TYPE: &str = "vnd.docker.reference.type";

#[derive(Deserialize)]
pub(crate) struct RawDescriptor {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    digest: String,
    size: Option<u64>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    platform: Option<RawPlatform>,
}

#[derive(Deserialize)]
struct RawPlatform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    variant: Option<String>,
}

#[derive(Deserialize)]
struct RawIndex {
    #[serde(default)]
    manifests: Vec<RawDescriptor>,
}

/// Enough of an unknown document to tell an index from a manifest (descriptors without a
/// `mediaType`, as older tools wrote them).
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    manifests: Option<serde_json::Value>,
    config: Option<serde_json::Value>,
}

pub(crate) struct Descriptor {
    pub(crate) media_type: Option<String>,
    pub(crate) digest: Digest,
    pub(crate) size: Option<u64>,
    pub(crate) annotations: BTreeMap<String, String>,
    pub(crate) platform: Option<Platform>,
}

impl Descriptor {
    pub(crate) fn from_raw(raw: RawDescriptor, what: &str) -> Result<Descriptor, SourceError> {
        let digest = raw
            .digest
            .parse()
            .map_err(|source| SourceError::InvalidDigest {
                what: what.to_string(),
                source,
            })?;
        let platform = raw
            .platform
            .filter(|p| !p.os.is_empty() && !p.architecture.is_empty())
            .map(|p| Platform::new(&p.os, &p.architecture, p.variant.as_deref()));
        Ok(Descriptor {
            media_type: raw.media_type,
            digest,
            size: raw.size,
            annotations: raw.annotations.unwrap_or_default(),
            platform,
        })
    }

    fn is_attestation(&self) -> bool {
        let unknown = self
            .platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
        let annotated = self
            .annotations
            .get(DOCKER_REFERENCE_TYPE)
            .is_some_and(|t| t == "attestation-manifest");
        unknown || annotated
    }
}

/// An image manifest found by walking the index, with every name pointing at it.
pub(crate) struct Found {
    pub(crate) descriptor: Descriptor,
    /// `ref.name` (and containerd name) annotations, from the entry or the index above it.
    pub(crate) names: Vec<String>,
}

/// Every image manifest the layout's `index.json` leads to (nested indexes followed,
/// attestations skipped), restricted to `reference` when given, one per manifest digest.
pub(crate) fn find(
    container: &Container,
    reference: Option<&str>,
) -> Result<Vec<Found>, SourceError> {
    let origin = container.origin().to_string();
    let index_bytes = container.read_limited("index.json", MAX_JSON_BYTES)?;
    let index: RawIndex = parse_json(&index_bytes, &container.describe("index.json"))?;

    let mut walk = Walk {
        container,
        found: Vec::new(),
        unknown: Vec::new(),
        entries: 0,
    };
    walk.index(index, &container.describe("index.json"), &[], 0)?;
    let Walk { found, unknown, .. } = walk;

    let found = match reference {
        Some(reference) => {
            let mut available: Vec<String> =
                found.iter().flat_map(|f| f.names.iter().cloned()).collect();
            available.sort();
            available.dedup();
            let matching: Vec<Found> = found
                .into_iter()
                .filter(|f| {
                    f.names.iter().any(|n| n == reference)
                        || f.descriptor.digest.as_str() == reference
                })
                .collect();
            if matching.is_empty() {
                return Err(SourceError::ReferenceNotFound {
                    reference: reference.to_string(),
                    origin,
                    available,
                });
            }
            matching
        }
        None => found,
    };
    if found.is_empty() {
        if let Some(media_type) = unknown.into_iter().next() {
            return Err(SourceError::UnknownMediaType {
                what: container.describe("index.json"),
                media_type,
            });
        }
    }
    Ok(dedup(found))
}

struct Walk<'a> {
    container: &'a Container,
    found: Vec<Found>,
    /// Media types of index entries that are neither indexes nor image manifests.
    unknown: Vec<String>,
    /// Entries read so far, against [`MAX_INDEX_ENTRIES`].
    entries: usize,
}

impl Walk<'_> {
    fn index(
        &mut self,
        index: RawIndex,
        what: &str,
        inherited: &[String],
        depth: usize,
    ) -> Result<(), SourceError> {
        self.entries += index.manifests.len();
        if self.entries > MAX_INDEX_ENTRIES {
            return Err(SourceError::TooManyEntries {
                what: self.container.describe("index.json"),
                limit: MAX_INDEX_ENTRIES,
            });
        }
        for (k, raw) in index.manifests.into_iter().enumerate() {
            let desc = Descriptor::from_raw(raw, &format!("entry {k} of {what}"))?;
            if desc.is_attestation() {
                continue;
            }
            // Names on an entry pointing at a nested index are the names of all its images.
            let mut names: Vec<String> = [REF_NAME, CONTAINERD_NAME]
                .iter()
                .filter_map(|key| desc.annotations.get(*key).cloned())
                .collect();
            if names.is_empty() {
                names = inherited.to_vec();
            }
            let media_type = match &desc.media_type {
                Some(mt) => mt.clone(),
                None => self.probe(&desc)?,
            };
            match media_type.as_str() {
                INDEX_OCI | INDEX_DOCKER => {
                    let nested_what = format!("index {}", blob_label(self.container, &desc.digest));
                    if depth >= MAX_INDEX_DEPTH {
                        return Err(SourceError::TooDeep {
                            what: nested_what,
                            limit: MAX_INDEX_DEPTH,
                        });
                    }
                    let bytes = read_blob(self.container, &desc)?;
                    let nested: RawIndex = parse_json(&bytes, &nested_what)?;
                    self.index(nested, &nested_what, &names, depth + 1)?;
                }
                MANIFEST_OCI | MANIFEST_DOCKER => self.found.push(Found {
                    descriptor: desc,
                    names,
                }),
                _ => self.unknown.push(media_type),
            }
        }
        Ok(())
    }

    /// The media type of a descriptor that states none, from the document itself.
    fn probe(&self, desc: &Descriptor) -> Result<String, SourceError> {
        let bytes = read_blob(self.container, desc)?;
        let what = blob_label(self.container, &desc.digest);
        probe_media_type(&bytes, &what)
    }
}

/// The media type a manifest or index document declares, or the one its shape implies
/// (descriptors without a `mediaType`, as older tools wrote them).
pub(crate) fn probe_media_type(bytes: &[u8], what: &str) -> Result<String, SourceError> {
    let probe: Probe = parse_json(bytes, what)?;
    Ok(match (probe.media_type, probe.manifests, probe.config) {
        (Some(mt), _, _) => mt,
        (None, Some(_), _) => INDEX_OCI.to_string(),
        (None, None, Some(_)) => MANIFEST_OCI.to_string(),
        (None, None, None) => "(none)".to_string(),
    })
}

/// The entries of an index document, attestation manifests left out.
pub(crate) fn index_entries(bytes: &[u8], what: &str) -> Result<Vec<Descriptor>, SourceError> {
    let index: RawIndex = parse_json(bytes, what)?;
    let mut entries = Vec::with_capacity(index.manifests.len());
    for (k, raw) in index.manifests.into_iter().enumerate() {
        let desc = Descriptor::from_raw(raw, &format!("entry {k} of {what}"))?;
        if !desc.is_attestation() {
            entries.push(desc);
        }
    }
    Ok(entries)
}

/// Merges entries that point at the same manifest (one image tagged twice), in first-seen
/// order, in linear time.
fn dedup(found: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    let mut position: HashMap<Digest, usize> = HashMap::new();
    let mut names: Vec<HashSet<String>> = Vec::new();
    for f in found {
        match position.get(&f.descriptor.digest) {
            Some(&at) => {
                let o = &mut out[at];
                for n in f.names {
                    if names[at].insert(n.clone()) {
                        o.names.push(n);
                    }
                }
                if o.descriptor.platform.is_none() {
                    o.descriptor.platform = f.descriptor.platform;
                }
            }
            None => {
                position.insert(f.descriptor.digest.clone(), out.len());
                names.push(f.names.iter().cloned().collect());
                out.push(f);
            }
        }
    }
    out
}

pub(crate) fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.hex())
}

pub(crate) fn blob_label(container: &Container, digest: &Digest) -> String {
    format!("{digest} in {}", container.origin())
}

pub(crate) fn missing_blob(container: &Container, digest: &Digest) -> SourceError {
    SourceError::MissingBlob {
        digest: digest.clone(),
        origin: container.origin().to_string(),
    }
}

/// Reads a small blob (index, manifest, config) and checks it against its descriptor.
pub(crate) fn read_blob(container: &Container, desc: &Descriptor) -> Result<Vec<u8>, SourceError> {
    let name = blob_path(&desc.digest);
    if !container.contains(&name) {
        return Err(missing_blob(container, &desc.digest));
    }
    let bytes = container.read_limited(&name, MAX_JSON_BYTES)?;
    verify::check(
        &bytes,
        &desc.digest,
        desc.size,
        &format!("blob {}", blob_label(container, &desc.digest)),
    )?;
    Ok(bytes)
}
