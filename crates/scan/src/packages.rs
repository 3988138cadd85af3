//! Cataloguing stage: which package databases each layer changed, what they list as of that
//! layer, and the resulting provenance.
//!
//! A layer's own files are not enough: `status.d/` entries, `info/*.list` files and rpm databases
//! written by lower layers are still there when a later layer installs one more package. So for
//! every layer that touched a cataloguer's files, the cataloguer sees *all* its files as visible
//! after that layer ([`FileView`]), each read from the layer that wrote it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use sbomgen_catalog::{Catalogued, Cataloguer, FileView};
use sbomgen_layer::PathMatcher;
use sbomgen_model::{Distro, LayerFiles, Location, Package};
use sbomgen_overlay::{Change, Overlay, Snapshot, TrackedPackage, Tracker};

use crate::identify;
use crate::ScanError;

/// The files a cataloguer sees in one layer: path and bytes.
type View<'a> = Vec<(&'a str, &'a [u8])>;

/// One cataloguer run: a layer, and the files the cataloguer sees there.
struct Job<'a> {
    layer: usize,
    files: View<'a>,
    database_layers: BTreeMap<String, usize>,
}

/// Whether both views hold the same paths with the same bytes.
fn same_files(one: &[(&str, &[u8])], other: &[(&str, &[u8])]) -> bool {
    one.len() == other.len()
        && one
            .iter()
            .zip(other)
            .all(|((p, a), (q, b))| p == q && (std::ptr::eq(*a, *b) || a == b))
}

/// How many layers' views of one cataloguer are parsed at once (in parallel) before their
/// records are folded into the tracker and dropped.
const VIEWS_IN_FLIGHT: usize = 16;

/// Runs every cataloguer on every layer that changed its files (in parallel) and follows the
/// packages across layers. Returns tracked packages and deduplicated warnings.
///
/// Views are parsed a few at a time and folded into the tracker in layer order, so memory holds
/// a bounded number of snapshots whatever the layer count; a view byte-identical to the
/// previous one (a layer rewrote the database unchanged) is not parsed: its packages are
/// only seen in one more place.
pub(crate) fn catalogue(
    layers: &[LayerFiles],
    overlay: &Overlay,
    cataloguers: &[&dyn Cataloguer],
    max_packages: u64,
) -> Result<(Vec<TrackedPackage>, Vec<String>), ScanError> {
    let captured: BTreeSet<&str> = layers
        .iter()
        .flat_map(|l| l.captured.keys().map(String::as_str))
        .collect();
    let mut warnings = BTreeSet::new();
    let mut tracked = Vec::new();
    for cataloguer in cataloguers {
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
        let changed: Vec<usize> = paths
            .iter()
            .flat_map(|p| overlay.history(p).iter().map(|e| e.layer))
            .collect::<BTreeSet<usize>>()
            .into_iter()
            .collect();
        let mut tracker = Tracker::default();
        // The last view's files: an identical next view is not parsed again.
        let mut previous: Option<View<'_>> = None;
        for chunk in changed.chunks(VIEWS_IN_FLIGHT) {
            let jobs: Vec<Job<'_>> = chunk
                .iter()
                .map(|&layer| view_at(layer, &paths, layers, overlay))
                .collect();
            // Only a view unlike the one before it is parsed.
            let mut parse = Vec::with_capacity(jobs.len());
            let mut last = previous.as_deref();
            for job in &jobs {
                parse.push(last.is_none_or(|last| !same_files(last, &job.files)));
                last = Some(&job.files);
            }
            let found: Vec<Option<Catalogued>> = jobs
                .par_iter()
                .zip(&parse)
                .map(|(job, parse)| {
                    parse.then(|| cataloguer.catalog(&FileView::new(job.files.clone())))
                })
                .collect();
            for (job, found) in jobs.into_iter().zip(found) {
                let Job {
                    layer,
                    files,
                    database_layers,
                } = job;
                let Some(found) = found else {
                    // The same files as the view before: the same records, already tracked.
                    tracker.push_unchanged(layer, &database_layers);
                    previous = Some(files);
                    continue;
                };
                let listed = found.packages.len() as u64;
                if listed > max_packages {
                    return Err(ScanError::TooManyPackages {
                        layer,
                        cataloguer: cataloguer.name(),
                        count: listed,
                        limit: max_packages,
                    });
                }
                warnings.extend(found.warnings);
                tracker.push(Snapshot {
                    layer,
                    records: found.packages,
                    database_layers,
                });
                previous = Some(files);
            }
        }
        tracked.extend(tracker.finish());
    }
    Ok((tracked, warnings.into_iter().collect()))
}

/// The cataloguer's files as visible right after `layer`, each with the layer that wrote it.
fn view_at<'a>(
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
        layer,
        files,
        database_layers,
    }
}

/// The document's view of a tracked package; owned files are checked against the final
/// filesystem.
pub(crate) fn to_package(
    tracked: TrackedPackage,
    distro: Option<&Distro>,
    overlay: &Overlay,
) -> Package {
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
            .map(|(path, layer_index)| Location {
                path: path.to_string(),
                layer_index,
            })
            .collect(),
        files: record.files.len() as u64,
        files_present,
        depends_on: record.depends_on,
        owned_by: None,
        declared: record.declared,
        metadata: serde_json::Value::Object(metadata),
    }
}
