//! Registry images (`registry:REF`): reference → index → platform manifest → config → layers,
//! fetched through `sbomgen-registry` and checked with the same rules as OCI layouts.
//!
//! Every document is fetched by digest once the index names it, so the whole chain is verified:
//! a pinned reference against the top document, each child against its index entry. Layer
//! blobs are not fetched here; each layer's [`BlobHandle`] streams its blob when read.

use sbomgen_model::{Platform, SourceInfo};
use sbomgen_registry::{Fetched, Reference, RegistryClient, MANIFEST_ACCEPT};

use crate::config::{ImageConfig, MAX_JSON_BYTES};
use crate::container::BlobHandle;
use crate::error::SourceError;
use crate::image::{Image, OpenOptions};
use crate::index::{
    index_entries, probe_media_type, Descriptor, INDEX_DOCKER, INDEX_OCI, MANIFEST_DOCKER,
    MANIFEST_OCI, MAX_INDEX_DEPTH,
};
use crate::manifest::{check_platform, image_platform, layer_sources, Manifest};
use crate::select::{self, Candidate};

/// Opens the image `reference` names in its registry.
pub(crate) fn open(reference: &Reference, options: &OpenOptions) -> Result<Image, SourceError> {
    let client = RegistryClient::new(&options.registry)?;
    let label = reference.to_string();
    let origin = format!("registry image {label}");

    let top = client.fetch_manifest(reference, MANIFEST_ACCEPT)?;
    let top_digest = top.digest.clone();
    let Resolved {
        manifest: fetched,
        index_platform,
    } = resolve(&client, reference, top, options, &origin, 0)?;

    let manifest_what = format!("manifest {} of {label}", fetched.digest);
    let manifest = Manifest::parse(&fetched.bytes, &manifest_what)?;
    let config_bytes = client.fetch_blob_bytes(
        reference,
        &manifest.config.digest,
        manifest.config.size,
        MAX_JSON_BYTES,
    )?;
    let config_what = format!("config {} of {label}", manifest.config.digest);
    let config = ImageConfig::parse(&config_bytes, &config_what, manifest.layers.len())?;
    check_platform(
        index_platform.as_ref(),
        options.platform.as_ref(),
        &config,
        &origin,
    )?;

    if let Some(progress) = client.progress() {
        let bytes = manifest.layers.iter().filter_map(|l| l.size).sum();
        progress.image(&label, manifest.layers.len(), bytes);
    }
    let layers = layer_sources(manifest.layers, &config, |desc| {
        Ok(BlobHandle::remote(
            &client,
            reference,
            &desc.digest,
            desc.size,
        ))
    })?;

    let tags = reference.tag.iter().map(|_| label.clone()).collect();
    Ok(Image {
        info: SourceInfo {
            kind: "registry".to_string(),
            reference: Some(label),
            index_digest: (top_digest != fetched.digest).then_some(top_digest),
            manifest_digest: Some(fetched.digest),
            config_digest: Some(manifest.config.digest),
            platform: image_platform(config.platform, index_platform),
            ..SourceInfo::default()
        },
        created: config.created,
        tags,
        layers,
        launch: Some(config.launch),
    })
}

/// The image manifest a document leads to, and the platform its index entry stated.
struct Resolved {
    manifest: Fetched,
    index_platform: Option<Platform>,
}

/// Follows `fetched` down to an image manifest: an index gives way to the entry for the
/// requested platform (chosen as for local sources), fetched by digest.
fn resolve(
    client: &RegistryClient,
    reference: &Reference,
    fetched: Fetched,
    options: &OpenOptions,
    origin: &str,
    depth: usize,
) -> Result<Resolved, SourceError> {
    let what = format!("manifest {} of {reference}", fetched.digest);
    // The registry's Content-Type is authoritative (a schema-1 manifest is refused by its
    // type); a generic one, or none, defers to the document itself.
    let media_type = match fetched.media_type.as_deref() {
        None | Some("application/json" | "application/octet-stream" | "text/plain") => {
            probe_media_type(&fetched.bytes, &what)?
        }
        Some(mt) => mt.to_string(),
    };
    match media_type.as_str() {
        MANIFEST_OCI | MANIFEST_DOCKER => Ok(Resolved {
            manifest: fetched,
            index_platform: None,
        }),
        INDEX_OCI | INDEX_DOCKER => {
            if depth >= MAX_INDEX_DEPTH {
                return Err(SourceError::TooDeep {
                    what,
                    limit: MAX_INDEX_DEPTH,
                });
            }
            // Entries of other types (signatures, SBOM artifacts) are not images, as in
            // local layouts.
            let candidates = index_entries(&fetched.bytes, &what)?
                .into_iter()
                .filter(|desc| {
                    desc.media_type.as_deref().is_none_or(|mt| {
                        [INDEX_OCI, INDEX_DOCKER, MANIFEST_OCI, MANIFEST_DOCKER].contains(&mt)
                    })
                })
                .map(|desc| Candidate {
                    platform: desc.platform.clone(),
                    label: label(&desc),
                    item: desc,
                })
                .collect();
            let chosen = select::choose(candidates, options.platform.as_ref(), origin)?;
            let child = fetch_child(client, reference, &chosen.item)?;
            let resolved = resolve(client, reference, child, options, origin, depth + 1)?;
            Ok(Resolved {
                index_platform: resolved.index_platform.or(chosen.platform),
                manifest: resolved.manifest,
            })
        }
        other => Err(SourceError::UnknownMediaType {
            what,
            media_type: other.to_string(),
        }),
    }
}

/// Fetches an index entry by its digest; the client verifies the digest, the size is checked
/// here.
fn fetch_child(
    client: &RegistryClient,
    reference: &Reference,
    desc: &Descriptor,
) -> Result<Fetched, SourceError> {
    let by_digest = Reference {
        tag: None,
        digest: Some(desc.digest.clone()),
        ..reference.clone()
    };
    let accept: Vec<&str> = match desc.media_type.as_deref() {
        // Asking for exactly the entry's type keeps a registry from converting it.
        Some(mt) if sbomgen_registry::MANIFEST_ACCEPT.contains(&mt) => vec![mt],
        _ => MANIFEST_ACCEPT.to_vec(),
    };
    let fetched = client.fetch_manifest(&by_digest, &accept)?;
    if let Some(size) = desc.size.filter(|s| *s != fetched.bytes.len() as u64) {
        return Err(SourceError::SizeMismatch {
            what: format!("manifest {by_digest}"),
            expected: size,
            actual: fetched.bytes.len() as u64,
        });
    }
    Ok(fetched)
}

fn label(desc: &Descriptor) -> String {
    match &desc.platform {
        Some(p) => format!("{} {p}", desc.digest),
        None => desc.digest.to_string(),
    }
}
