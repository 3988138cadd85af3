//! `docker save` archives (`docker-archive:`): `manifest.json` → config → layer files.
//!
//! `manifest.json` is `[{"Config": "<file>", "RepoTags": [...], "Layers": ["<file>", ...]}]`.
//! Writers name files differently: legacy docker `<id>/layer.tar` and `<hex>.json`, kaniko
//! `<hex>.tar.gz` and `sha256:<hex>`, docker 25+ `blobs/sha256/<hex>`. Where a name is a digest,
//! it is used as the expected digest; elsewhere the layer reader computes it.

use serde::Deserialize;

use sbomgen_model::{Digest, SourceInfo};

use crate::config::{parse_json, ImageConfig, MAX_JSON_BYTES};
use crate::container::{BlobHandle, Container};
use crate::error::SourceError;
use crate::image::{Image, LayerContent, LayerSource, OpenOptions};
use crate::select::{self, Candidate};
use crate::verify;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEntry {
    config: String,
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// One `manifest.json` entry with its config read and checked.
struct Entry {
    tags: Vec<String>,
    layers: Vec<String>,
    config: ImageConfig,
    config_digest: Digest,
}

/// Opens the image of a docker archive held by `container`.
pub(crate) fn open(
    container: &Container,
    info: SourceInfo,
    reference: Option<&str>,
    options: &OpenOptions,
) -> Result<Image, SourceError> {
    let origin = container.origin().to_string();
    let manifest_what = container.describe("manifest.json");
    let bytes = container.read_limited("manifest.json", MAX_JSON_BYTES)?;
    let mut entries: Vec<RawEntry> = parse_json(&bytes, &manifest_what)?;

    if let Some(reference) = reference {
        let wanted = normalise_tag(reference);
        let mut available: Vec<String> = entries
            .iter()
            .flat_map(|e| e.repo_tags.iter().flatten().cloned())
            .collect();
        available.sort();
        available.dedup();
        entries.retain(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|t| normalise_tag(t) == wanted)
        });
        if entries.is_empty() {
            return Err(SourceError::ReferenceNotFound {
                reference: reference.to_string(),
                origin,
                available,
            });
        }
    }

    // Configs are read before choosing: only they say which platform each entry is.
    let candidates = entries
        .into_iter()
        .map(|raw| {
            let label = match &raw.repo_tags {
                Some(tags) if !tags.is_empty() => tags.join(" "),
                _ => raw.config.clone(),
            };
            let entry = read_entry(container, raw)?;
            Ok(Candidate {
                platform: entry.config.platform.clone(),
                label,
                item: entry,
            })
        })
        .collect::<Result<Vec<_>, SourceError>>()?;
    let chosen = select::choose(candidates, options.platform.as_ref(), &origin)?.item;

    let mut layers = Vec::with_capacity(chosen.layers.len());
    for (k, name) in chosen.layers.iter().enumerate() {
        let size = container.size(name)?;
        layers.push(LayerSource {
            index: k,
            digest: digest_in_name(name, &["", ".tar", ".tar.gz"]),
            diff_id: chosen.config.diff_ids.get(k).cloned(),
            media_type: None,
            size: Some(size),
            created_by: chosen.config.created_by.get(k).cloned().flatten(),
            content: LayerContent::Blob(BlobHandle::new(container, name, &format!("layer {name}"))),
        });
    }

    let reference = reference
        .map(str::to_string)
        .or_else(|| chosen.tags.first().cloned());
    Ok(Image {
        info: SourceInfo {
            reference,
            manifest_digest: None,
            config_digest: Some(chosen.config_digest),
            platform: chosen.config.platform.clone(),
            ..info
        },
        created: chosen.config.created,
        tags: chosen.tags,
        layers,
        launch: Some(chosen.config.launch),
    })
}

fn read_entry(container: &Container, raw: RawEntry) -> Result<Entry, SourceError> {
    let what = format!("config {}", container.describe(&raw.config));
    let bytes = container.read_limited(&raw.config, MAX_JSON_BYTES)?;
    let config_digest = verify::sha256(&bytes);
    if let Some(expected) = digest_in_name(&raw.config, &["", ".json"]) {
        verify::check(&bytes, &expected, None, &what)?;
    }
    let config = ImageConfig::parse(&bytes, &what, raw.layers.len())?;
    Ok(Entry {
        tags: raw.repo_tags.unwrap_or_default(),
        layers: raw.layers,
        config,
        config_digest,
    })
}

/// The sha256 a file name states: `blobs/sha256/<hex>`, or at the top level `<hex>` or
/// `sha256:<hex>` followed by one of `suffixes`. `<id>/layer.tar` states none (the id is not
/// a content digest).
fn digest_in_name(name: &str, suffixes: &[&str]) -> Option<Digest> {
    let name = name.trim_start_matches("./");
    if let Some(hex) = name.strip_prefix("blobs/sha256/") {
        return format!("sha256:{hex}").parse().ok();
    }
    if name.contains('/') {
        return None;
    }
    let bare = name.strip_prefix("sha256:").unwrap_or(name);
    suffixes
        .iter()
        .filter_map(|s| bare.strip_suffix(s))
        .find_map(|hex| format!("sha256:{hex}").parse().ok())
}

/// `alpine` → `alpine:latest`, `docker.io/library/alpine:3` → `alpine:3`: the forms `docker`
/// treats as the same tag.
fn normalise_tag(tag: &str) -> String {
    let short = tag
        .strip_prefix("docker.io/library/")
        .or_else(|| tag.strip_prefix("index.docker.io/library/"))
        .or_else(|| tag.strip_prefix("docker.io/"))
        .or_else(|| tag.strip_prefix("index.docker.io/"))
        .unwrap_or(tag);
    let last = short.rsplit('/').next().unwrap_or(short);
    if last.contains(':') || last.contains('@') {
        short.to_string()
    } else {
        format!("{short}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "5c4213be9af904dd74649d250f22023f532b2f9179ffcb15260b5eaa10d7a3b4";

    #[test]
    fn digests_in_names() {
        let layer = [".tar", ".tar.gz", ""];
        let want = Some(format!("sha256:{HEX}"));
        for name in [
            format!("{HEX}.tar.gz"),
            format!("{HEX}.tar"),
            format!("blobs/sha256/{HEX}"),
            format!("./blobs/sha256/{HEX}"),
        ] {
            let got = digest_in_name(&name, &layer).map(|d| d.to_string());
            assert_eq!(got, want, "{name}");
        }
        for name in [
            format!("{HEX}/layer.tar"),
            "layer.tar".into(),
            format!("{HEX}.zip"),
        ] {
            assert_eq!(digest_in_name(&name, &layer), None, "{name}");
        }
        let config = ["", ".json"];
        assert!(digest_in_name(&format!("{HEX}.json"), &config).is_some());
        assert!(digest_in_name(&format!("sha256:{HEX}"), &config).is_some());
    }

    #[test]
    fn normalises_tags() {
        assert_eq!(normalise_tag("alpine"), "alpine:latest");
        assert_eq!(
            normalise_tag("docker.io/library/alpine:3.10"),
            "alpine:3.10"
        );
        assert_eq!(
            normalise_tag("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(
            normalise_tag("dive-test:kaniko-latest"),
            "dive-test:kaniko-latest"
        );
    }
}
