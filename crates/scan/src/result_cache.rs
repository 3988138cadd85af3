//! Image results: a whole scan's output, cached on top of the layer cache under what the
//! output is a function of.
//!
//! A re-scan of an unchanged image reads its index, manifest and config (verified as always),
//! finds the result and reads no layer, merges nothing and runs no cataloguer. The key hashes
//! the entry format and analysers' versions, the config digest, every layer's blob digest,
//! diff_id, media type, size and history line (all of which the document shows), the platform,
//! and every option that changes the document ([`key`] says which do not). Where the image
//! was found (path, reference, index) is not in the key: the document's `source` is always
//! the scan's own, so the same image under another path or tag hits too. Another image
//! sharing the layers misses here and still hits the layer entries.
//!
//! The trust rule is the layer cache's: a result is stored only after a scan whose every layer
//! was read and verified (or came from a layer entry such a read stored), and only when it
//! reads back equal to what was computed (serde_json may parse a float a hair off: such a
//! result is left uncached). A damaged entry is a warning and a scan that replaces it.

use std::sync::Arc;

use sbomgen_cache::{analyser_version, Fields, ResultCache, Store, RESULT_FORMAT_VERSION};
use sbomgen_layer::{LayerReport, Limits};
use sbomgen_model::{Digest, RemovedPackageFiles, Sbom};
use sbomgen_source::{Image, LayerContent};
use serde::{Deserialize, Serialize};

use crate::pipeline::{jobs_warning, source_info};
use crate::{ScanOptions, ScanOutput, Scope, Selection};

/// The result cache of one scan of one image.
#[derive(Debug)]
pub(crate) struct ImageResults {
    cache: ResultCache,
    key: String,
}

/// What a lookup found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) stored: Option<Stored>,
    /// A damaged entry or a failing store.
    pub(crate) warning: Option<String>,
    /// The store failed: the layer cache leaves it alone too.
    pub(crate) store_failed: bool,
}

/// An entry's content: the output minus what belongs to the run that made it (the document's
/// `source`, cache and `-j` warnings), which [`Stored::into_output`] takes from the scan at hand.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Stored {
    sbom: Sbom,
    warnings: Vec<String>,
    removed_files: Vec<RemovedPackageFiles>,
}

/// The same, borrowed from an output, for writing.
#[derive(Serialize)]
struct StoredRef<'a> {
    sbom: &'a Sbom,
    warnings: &'a [String],
    removed_files: &'a [RemovedPackageFiles],
}

impl ImageResults {
    /// The result cache for scanning `image`; `None` without a store, or when a layer is not
    /// named by both a blob digest and a diff_id (directories, unnamed docker archive layers):
    /// nothing would verify what the result was computed from.
    pub(crate) fn new(
        image: &Image,
        selection: &Selection,
        declared: bool,
        options: &ScanOptions,
    ) -> Option<Self> {
        let store: Arc<dyn Store> = options.layer_cache.clone()?;
        let id = ImageId::of(image)?;
        let key = key(
            RESULT_FORMAT_VERSION,
            &analyser_version(),
            &id,
            selection,
            declared,
            options,
        );
        Some(ImageResults {
            cache: ResultCache::new(store),
            key,
        })
    }

    /// The stored result, if a sound one is there.
    pub(crate) fn find(&self) -> Found {
        let lookup = self.cache.get(&self.key);
        let mut found = Found {
            stored: None,
            warning: lookup.warning,
            store_failed: lookup.store_failed,
        };
        if let Some(payload) = lookup.payload {
            match serde_json::from_slice::<Stored>(&payload) {
                Ok(stored) => found.stored = Some(stored),
                // A sound envelope around content this build cannot read: damage all the same.
                Err(e) => {
                    found.warning = Some(self.cache.damaged(&self.key, &format!("payload: {e}")));
                }
            }
        }
        found
    }

    /// Stores `output`, whose warnings from `run_warnings` on belong to the image (those
    /// before are the run's own); a warning when the store failed.
    pub(crate) fn store(&self, output: &ScanOutput, run_warnings: usize) -> Option<String> {
        let stored = StoredRef {
            sbom: &output.sbom,
            warnings: output.warnings.get(run_warnings..).unwrap_or_default(),
            removed_files: &output.removed_files,
        };
        let payload = serde_json::to_vec(&stored).ok()?;
        let back: Stored = serde_json::from_slice(&payload).ok()?;
        let faithful = back.sbom == *stored.sbom
            && back.warnings == stored.warnings
            && back.removed_files == stored.removed_files;
        if !faithful {
            tracing::debug!("image result does not survive serialisation; not cached");
            return None;
        }
        self.cache.put(&self.key, payload)
    }
}

impl Stored {
    /// The output a scan of `image` with `options` would give: the stored analysis with this
    /// run's source and `-j` warning. The observer sees every layer done.
    pub(crate) fn into_output(self, image: &Image, options: &ScanOptions) -> ScanOutput {
        if let Some(observer) = &options.observer {
            for layer in &image.layers {
                observer.layer_done(layer.index);
            }
        }
        let mut sbom = self.sbom;
        sbom.source = source_info(image);
        let mut warnings: Vec<String> = jobs_warning(options).into_iter().collect();
        warnings.extend(self.warnings);
        ScanOutput {
            sbom,
            warnings,
            removed_files: self.removed_files,
            audit: None,
        }
    }
}

/// Whether every report was verified against the digests its layer is keyed by (the reader
/// fails on a mismatch; this guards against a source that stops passing them).
pub(crate) fn verified(image: &Image, reports: &[LayerReport]) -> bool {
    image.layers.len() == reports.len()
        && image.layers.iter().zip(reports).all(|(layer, report)| {
            layer.digest.is_some()
                && layer.diff_id.is_some()
                && report.digest == layer.digest
                && report.diff_id == layer.diff_id
        })
}

/// What identifies an image's content and every per-layer field the document shows.
#[derive(Debug)]
struct ImageId<'a> {
    config: &'a Digest,
    platform: Option<String>,
    layers: Vec<LayerId<'a>>,
}

#[derive(Debug)]
struct LayerId<'a> {
    digest: &'a Digest,
    diff_id: &'a Digest,
    media_type: Option<&'a str>,
    size: Option<u64>,
    created_by: Option<&'a str>,
}

impl<'a> ImageId<'a> {
    fn of(image: &'a Image) -> Option<Self> {
        let layers = image.layers.iter().map(|layer| match &layer.content {
            LayerContent::Blob(_) => Some(LayerId {
                digest: layer.digest.as_ref()?,
                diff_id: layer.diff_id.as_ref()?,
                media_type: layer.media_type.as_deref(),
                size: layer.size,
                created_by: layer.created_by.as_deref(),
            }),
            LayerContent::Directory(_) => None,
        });
        Some(ImageId {
            config: image.info.config_digest.as_ref()?,
            platform: image.info.platform.as_ref().map(ToString::to_string),
            layers: layers.collect::<Option<_>>()?,
        })
    }
}

/// The key of `image`'s result under `options`: 64 hex characters.
fn key(
    format_version: u32,
    analyser: &str,
    image: &ImageId<'_>,
    selection: &Selection,
    declared: bool,
    options: &ScanOptions,
) -> String {
    let mut h = Fields::new("sbomgen image result key");
    h.u64(u64::from(format_version));
    h.str(analyser);
    h.str(image.config.as_str());
    h.opt_str(image.platform.as_deref());
    h.u64(image.layers.len() as u64);
    for layer in &image.layers {
        h.str(layer.digest.as_str());
        h.str(layer.diff_id.as_str());
        h.opt_str(layer.media_type);
        h.u64(u64::from(layer.size.is_some()));
        h.u64(layer.size.unwrap_or(0));
        h.opt_str(layer.created_by);
    }
    // Exhaustive on purpose: a new option fails to compile here until someone decides
    // whether it changes the document.
    let ScanOptions {
        // Picked the image, whose config digest is in the key.
        platform: _,
        // Only the `-j` warning, which is the run's own.
        jobs: _,
        limits,
        scope,
        // As resolved into `selection` and `declared`.
        cataloguers: _,
        declared: _,
        // How the image is reached, not what it holds.
        registry: _,
        observer: _,
        layer_cache: _,
        exclusions,
    } = options;
    let names: Vec<&str> = (selection.os.iter().map(|c| c.name()))
        .chain(selection.files.iter().map(|c| c.name()))
        .collect();
    h.u64(names.len() as u64);
    for name in names {
        h.str(name);
    }
    h.u64(u64::from(declared));
    h.str(match scope {
        Scope::AllLayers => "all-layers",
        Scope::Squashed => "squashed",
    });
    let patterns = exclusions.patterns();
    h.u64(patterns.len() as u64);
    for pattern in patterns {
        h.str(pattern);
    }
    hash_limits(&mut h, limits);
    h.finish_hex()
}

/// Every limit: the per-layer ones change what layers yield, the image-wide ones what is
/// catalogued or whether the scan fails. `Limits`' own `Debug` lists every field, so a new
/// limit is part of the key without a change here.
fn hash_limits(h: &mut Fields, limits: &Limits) {
    h.str(&format!("{limits:?}"));
}

#[cfg(test)]
#[path = "result_cache_tests.rs"]
mod tests;
