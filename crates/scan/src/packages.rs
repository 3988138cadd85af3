//! Cataloguing stage: which package databases each layer changed, what they list as of that
//! layer, and the resulting provenance.
//!
//! A layer's own files are not enough: `status.d/` entries, `info/*.list` files and rpm databases
//! written by lower layers are still there when a later layer installs one more package. So for
//! every layer that touched a cataloguer's files, the cataloguer sees *all* its files as visible
//! after that layer ([`FileView`]), each read from the layer that wrote it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use sbomgen_catalog::{Cataloguer, FileView};
use sbomgen_layer::PathMatcher;
use sbomgen_model::{Distro, LayerFiles, Location, Package};
use sbomgen_overlay::{track, Change, Overlay, Snapshot, TrackedPackage};

use crate::identify;

/// One cataloguer run: a cataloguer, a layer, and the files it sees there.
struct Job<'a> {
    cataloguer: usize,
    layer: usize,
    files: Vec<(&'a str, &'a [u8])>,
    database_layers: BTreeMap<String, usize>,
}

/// Runs every cataloguer on every layer that changed its files (in parallel) and follows the
/// packages across layers. Returns tracked packages and deduplicated warnings.
pub fn catalogue(
    layers: &[LayerFiles],
    overlay: &Overlay,
    cataloguers: &[&dyn Cataloguer],
) -> (Vec<TrackedPackage>, Vec<String>) {
    let captured: BTreeSet<&str> = layers
        .iter()
        .flat_map(|l| l.captured.keys().map(String::as_str))
        .collect();
    let mut jobs = Vec::new();
    let mut warnings = BTreeSet::new();
    for (index, cataloguer) in cataloguers.iter().enumerate() {
        let matcher = match PathMatcher::new(cataloguer.patterns()) {
            Ok(m) => m,
            Err(e) => {
                warnings.insert(format!("cataloguer {}: {e}", cataloguer.name()));
                continue;
            }
        };
        let paths: Vec<&str> = captured
            .iter()
            .copied()
            .filter(|p| matcher.is_match(p))
            .collect();
        let changed: BTreeSet<usize> = paths
            .iter()
            .flat_map(|p| overlay.history(p).iter().map(|e| e.layer))
            .collect();
        for layer in changed {
            jobs.push(view_at(index, layer, &paths, layers, overlay));
        }
    }

    let results: Vec<(usize, Snapshot, Vec<String>)> = jobs
        .into_par_iter()
        .map(|job| {
            let found = cataloguers[job.cataloguer].catalog(&FileView::new(job.files));
            let snapshot = Snapshot {
                layer: job.layer,
                records: found.packages,
                database_layers: job.database_layers,
            };
            (job.cataloguer, snapshot, found.warnings)
        })
        .collect();

    let mut per_cataloguer: BTreeMap<usize, Vec<Snapshot>> = BTreeMap::new();
    for (index, snapshot, found_warnings) in results {
        per_cataloguer.entry(index).or_default().push(snapshot);
        warnings.extend(found_warnings);
    }
    let tracked = per_cataloguer.into_values().flat_map(track).collect();
    (tracked, warnings.into_iter().collect())
}

/// The cataloguer's files as visible right after `layer`, each with the layer that wrote it.
fn view_at<'a>(
    cataloguer: usize,
    layer: usize,
    paths: &[&'a str],
    layers: &'a [LayerFiles],
    overlay: &Overlay,
) -> Job<'a> {
    let mut files = Vec::new();
    let mut database_layers = BTreeMap::new();
    for &path in paths {
        let last = overlay
            .history(path)
            .iter()
            .rev()
            .find(|e| e.layer <= layer);
        let Some(event) = last.filter(|e| e.change != Change::Deleted) else {
            continue;
        };
        if let Some(bytes) = layers[event.layer].captured.get(path) {
            files.push((path, bytes.as_slice()));
            database_layers.insert(path.to_string(), event.layer);
        }
    }
    Job {
        cataloguer,
        layer,
        files,
        database_layers,
    }
}

/// The document's view of a tracked package; owned files are checked against the final
/// filesystem.
pub fn to_package(tracked: TrackedPackage, distro: Option<&Distro>, overlay: &Overlay) -> Package {
    let TrackedPackage {
        record,
        introduced_in,
        removed_in,
        replaced_by,
        locations,
    } = tracked;
    // Identifiers and counts first, while the record is whole; then its fields move out.
    // Language ecosystems build their own purls (no distro qualifier).
    let purl = if record.ecosystem.is_os() {
        identify::purl(&record, distro)
    } else {
        record.purl.clone()
    };
    let cpes = identify::cpes(&record);
    let version = match record.epoch {
        Some(epoch) => format!("{epoch}:{}", record.version),
        None => record.version,
    };
    let mut licenses: Vec<String> = Vec::with_capacity(record.licenses.len());
    for raw in &record.licenses {
        let license = identify::license(raw, record.ecosystem);
        if !licenses.contains(&license) {
            licenses.push(license);
        }
    }
    let files_present = record
        .files
        .iter()
        .filter(|path| overlay.get(path).is_some())
        .count() as u64;
    let mut metadata: serde_json::Map<String, serde_json::Value> =
        record.metadata.into_iter().collect();
    if let Some(epoch) = record.epoch {
        metadata.insert("epoch".into(), epoch.into());
    }
    Package {
        name: record.name,
        version,
        kind: record.ecosystem.purl_type().to_string(),
        purl,
        cpes,
        licenses,
        arch: record.arch,
        source_name: record.source_name,
        source_version: record.source_version,
        introduced_in: Some(introduced_in),
        removed_in,
        replaced_by,
        locations: locations
            .into_iter()
            .map(|(path, layer_index)| Location { path, layer_index })
            .collect(),
        files: record.files.len() as u64,
        files_present,
        depends_on: record.depends_on,
        owned_by: None,
        declared: record.declared,
        metadata: serde_json::Value::Object(metadata),
    }
}
