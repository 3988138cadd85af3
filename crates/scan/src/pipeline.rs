//! source → layers → overlay → document.

use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sbomgen_catalog::{distro, Cataloguer, FileCataloguer, CATALOGUERS, FILE_CATALOGUERS};
use sbomgen_layer::{read_directory, read_layer, Expected, LayerReport, Limits, PathMatcher};
use sbomgen_model::{LayerFiles, LayerSummary, Platform, RemovedPackageFiles, Sbom, SourceInfo};
use sbomgen_overlay::merge_draining;
use sbomgen_source::{
    open, Image, LayerContent, LayerSource, OpenOptions, RegistryOptions, SourceSpec,
};

use crate::audit::AuditRun;
use crate::cached::ScanCache;
use crate::files::track_files;
use crate::ownership::owners;
use crate::packages::{catalogue, to_package};
use crate::parsers::FileParsers;
use crate::progress::{self, ScanObserver};
use crate::removal::removed_package_files;
use crate::result_cache::{self, ImageResults};
use crate::ScanError;

/// The most layers read at once. Each reader holds a decompressor, a hashing thread and
/// buffers; thousands of threads only cost memory and thread-spawn failures, and no machine
/// reads 256 layer streams faster than fewer.
pub const MAX_JOBS: usize = 256;

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The platform to pick from a multi-platform index.
    pub platform: Option<Platform>,
    /// Layers read at once; `None` uses one thread per core. At most [`MAX_JOBS`] (more is
    /// clamped, with a warning) and never more than the image has layers.
    pub jobs: Option<usize>,
    pub limits: Limits,
    pub scope: Scope,
    /// Names of the cataloguers to run; `None` runs all, an empty list none (index only).
    pub cataloguers: Option<Vec<String>>,
    /// Whether lockfiles and pins are read (packages marked declared). `None`: for `dir:`
    /// sources only, where a source tree's lockfiles are the point; images ship lockfiles of
    /// builds that may not match what is installed (Syft and Trivy skip them too). Declared
    /// cataloguers named in `cataloguers` always run.
    pub declared: Option<bool>,
    /// How to reach registries, for `registry:` sources.
    pub registry: RegistryOptions,
    /// Told each layer's bytes as they are read, then when cataloguing starts (progress bars).
    pub observer: Option<Arc<dyn ScanObserver>>,
    /// Where layer analyses are looked up before a layer is read and stored after; `None`
    /// reads every layer. Only layers with a verified digest and diff_id are cached.
    pub layer_cache: Option<Arc<dyn sbomgen_cache::Store>>,
    /// Paths left out of the index and of cataloguing (`--exclude`), applied after each layer
    /// is read or taken from the cache, so cached analyses do not depend on them.
    pub exclusions: crate::Exclusions,
}

/// Which packages the document lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every package any layer installed, removed ones included and marked (`removedIn`).
    #[default]
    AllLayers,
    /// Only what the final filesystem holds.
    Squashed,
}

/// The cataloguers a scan runs.
#[derive(Clone, Default)]
pub struct Selection {
    /// Database cataloguers (dpkg, apk, rpm).
    pub os: Vec<&'static dyn Cataloguer>,
    /// Cataloguers of packages that live at a path (Python, npm, …, lockfiles).
    pub files: Vec<&'static dyn FileCataloguer>,
}

impl std::fmt::Debug for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.os.iter().map(|c| c.name()))
            .entries(self.files.iter().map(|c| c.name()))
            .finish()
    }
}

/// Every cataloguer's name, OS ones first.
pub fn cataloguer_names() -> Vec<&'static str> {
    CATALOGUERS
        .iter()
        .map(|c| c.name())
        .chain(FILE_CATALOGUERS.iter().map(|c| c.name()))
        .collect()
}

/// The cataloguers `names` selects (all installed-package ones when `None`, declared ones too
/// when `declared`); an unknown name is an error listing the known ones.
pub fn select_cataloguers(
    names: Option<&[String]>,
    declared: bool,
) -> Result<Selection, ScanError> {
    let Some(names) = names else {
        return Ok(Selection {
            os: CATALOGUERS.to_vec(),
            files: FILE_CATALOGUERS
                .iter()
                .copied()
                .filter(|c| declared || !c.declared())
                .collect(),
        });
    };
    let mut selection = Selection::default();
    for name in names {
        if let Some(c) = CATALOGUERS.iter().find(|c| c.name() == name) {
            selection.os.push(*c);
        } else if let Some(c) = FILE_CATALOGUERS.iter().find(|c| c.name() == name) {
            selection.files.push(*c);
        } else {
            return Err(ScanError::UnknownCataloguer(
                name.clone(),
                cataloguer_names().join(", "),
            ));
        }
    }
    Ok(selection)
}

/// A finished scan.
#[derive(Debug, Clone)]
pub struct ScanOutput {
    pub sbom: Sbom,
    /// Problems that did not stop the scan, each naming where it happened.
    pub warnings: Vec<String>,
    /// The hidden files that went with each removed package (the table folds them).
    pub removed_files: Vec<RemovedPackageFiles>,
    /// The layer audit, for [`audit_spec`] scans.
    pub audit: Option<sbomgen_audit::Report>,
}

/// Parses `source` (see [`SourceSpec::parse`]) and scans it.
pub fn scan(source: &str, options: &ScanOptions) -> Result<ScanOutput, ScanError> {
    scan_spec(&SourceSpec::parse(source)?, options)
}

/// Scans an already parsed source.
pub fn scan_spec(spec: &SourceSpec, options: &ScanOptions) -> Result<ScanOutput, ScanError> {
    run(spec, options, None)
}

/// Scans and audits a source: [`ScanOutput::audit`] holds the findings, `allow` removed.
/// Every layer is read (the layer cache is bypassed: see `audit.rs`).
pub fn audit_spec(
    spec: &SourceSpec,
    options: &ScanOptions,
    allow: &sbomgen_audit::AllowList,
) -> Result<ScanOutput, ScanError> {
    run(spec, options, Some(allow))
}

fn run(
    spec: &SourceSpec,
    options: &ScanOptions,
    allow: Option<&sbomgen_audit::AllowList>,
) -> Result<ScanOutput, ScanError> {
    let declared = options
        .declared
        .unwrap_or(matches!(spec, SourceSpec::Dir { .. }));
    let selection = select_cataloguers(options.cataloguers.as_deref(), declared)?;
    let image = open(
        spec,
        &OpenOptions {
            platform: options.platform.clone(),
            registry: options.registry.clone(),
        },
    )?;
    tracing::info!(source = %spec, layers = image.layers.len(), "source opened");
    if let Some(observer) = &options.observer {
        observer.layers(&progress::plan(&image.layers));
    }
    // Audits read every layer, so they neither use nor make image results.
    let results = (allow.is_none())
        .then(|| ImageResults::new(&image, &selection, declared, options))
        .flatten();
    let found = results.as_ref().map(ImageResults::find).unwrap_or_default();
    if let Some(stored) = found.stored {
        return Ok(stored.into_output(&image, options));
    }
    let cache = (options.layer_cache.clone())
        .filter(|_| !found.store_failed)
        .map(|store| ScanCache::new(store, &selection, declared, &options.limits));
    let layer_count = image.layers.len() as u64;
    if layer_count > options.limits.max_layers {
        return Err(ScanError::TooManyLayers {
            count: layer_count,
            limit: options.limits.max_layers,
        });
    }
    let patterns = sbomgen_catalog::patterns_for(&selection.os);
    let parsers = Arc::new(FileParsers::new(selection.files)?);
    let mut matcher = PathMatcher::new(patterns).map_err(ScanError::Internal)?;
    let audit = allow.map(|_| {
        let command = image.launch.as_ref().map(sbomgen_source::Launch::argv);
        AuditRun::new(
            matcher.clone(),
            parsers.clone(),
            &options.exclusions,
            command,
        )
    });
    if !parsers.is_empty() {
        matcher = matcher.with_parser(parsers.clone());
    }
    let reports = read_layers(&image, &matcher, options, cache.as_ref(), audit.as_ref())?;
    let verified = result_cache::verified(&image, &reports);
    if let Some(observer) = &options.observer {
        observer.cataloguing();
    }

    let mut warnings: Vec<String> = found.warning.into_iter().collect();
    let store_failed = cache.as_ref().is_some_and(ScanCache::gave_up);
    warnings.extend(cache.map(ScanCache::into_warnings).unwrap_or_default());
    warnings.extend(jobs_warning(options));
    // The warnings so far are this run's; the rest are the image's (and go in its result).
    let run_warnings = warnings.len();
    let mut layers = Vec::with_capacity(reports.len());
    let mut files: Vec<LayerFiles> = Vec::with_capacity(reports.len());
    for (source, report) in image.layers.iter().zip(reports) {
        warnings.extend(
            report
                .warnings
                .iter()
                .map(|w| format!("layer {}: {w}", source.index)),
        );
        layers.push(LayerSummary {
            index: source.index,
            digest: report.digest.or_else(|| source.digest.clone()),
            diff_id: report.diff_id.or_else(|| source.diff_id.clone()),
            media_type: source.media_type.clone(),
            size: source.size.or(report.compressed_size),
            created_by: source.created_by.clone(),
            ..LayerSummary::default()
        });
        let mut layer_files = report.files;
        options.exclusions.apply(&mut layer_files);
        files.push(layer_files);
    }

    // Only the file cataloguers look at a layer's entries after the merge (is a parsed path
    // still a regular file?); the rest of the file index moves into the overlay.
    let parsed: BTreeSet<String> = files
        .iter()
        .flat_map(|f| f.parsed.keys().cloned())
        .collect();
    let permissions = audit
        .as_ref()
        .map(|_| sbomgen_audit::permission_events(&files))
        .unwrap_or_default();
    let overlay = merge_draining(&mut files, |path| parsed.contains(path));
    for (summary, changes) in layers.iter_mut().zip(overlay.layer_changes()) {
        summary.added = changes.added;
        summary.modified = changes.modified;
        summary.deleted = changes.deleted;
    }
    let distro = distro::detect(|path| overlay.read(path, &files).map(|c| c.bytes));

    let (os_tracked, catalogue_warnings) = catalogue(
        &files,
        &overlay,
        &selection.os,
        options.limits.max_packages_per_database,
    )?;
    warnings.extend(catalogue_warnings);
    let (file_tracked, file_warnings) = track_files(&files, &overlay, &parsers);
    warnings.extend(file_warnings);
    let owned_by = owners(&os_tracked, &file_tracked);
    tracing::info!(
        os_packages = os_tracked.len(),
        other_packages = file_tracked.len(),
        warnings = warnings.len(),
        "cataloguers run"
    );
    let removed_files = removed_package_files(
        os_tracked.iter().chain(&file_tracked),
        overlay.hidden_files(),
    );
    let audit = audit.zip(allow).map(|(audit, allow)| {
        audit.assemble(
            files.len(),
            permissions,
            &overlay,
            os_tracked.iter().chain(&file_tracked),
            &removed_files,
            allow,
        )
    });

    let keep = |t: &sbomgen_overlay::TrackedPackage| {
        options.scope == Scope::AllLayers || t.removed_in.is_none()
    };
    let os_packages: Vec<_> = os_tracked
        .into_iter()
        .map(|t| (keep(&t), to_package(t, distro.as_ref(), &overlay)))
        .collect();
    let mut packages = Vec::with_capacity(os_packages.len() + file_tracked.len());
    for (tracked, owner) in file_tracked.into_iter().zip(owned_by) {
        // A classifier hit on a file an OS package owns exactly names software the OS
        // package already names (and matchers already know it by that name). A hit in a
        // directory some unrelated package owns is kept: a vendored copy (syft #5214).
        if owner.is_some() && tracked.record.classifier.is_some() {
            continue;
        }
        if keep(&tracked) {
            let mut package = to_package(tracked, distro.as_ref(), &overlay);
            package.owned_by = owner.and_then(|i| os_packages[i].1.purl.clone());
            packages.push(package);
        }
    }
    packages.extend(os_packages.into_iter().filter(|(k, _)| *k).map(|(_, p)| p));

    let mut sbom = Sbom {
        source: source_info(&image),
        distro,
        layers,
        hidden_files: overlay.hidden_files().to_vec(),
        packages,
    };
    sbom.sort_packages();
    let mut output = ScanOutput {
        sbom,
        warnings,
        removed_files,
        audit,
    };
    if let Some(results) = results.filter(|_| verified && !store_failed) {
        output.warnings.extend(results.store(&output, run_warnings));
    }
    Ok(output)
}

/// The warning for a `-j` above [`MAX_JOBS`].
pub(crate) fn jobs_warning(options: &ScanOptions) -> Option<String> {
    let jobs = options.jobs.filter(|j| *j > MAX_JOBS)?;
    Some(format!(
        "-j {jobs} is more than {MAX_JOBS} parallel layer reads; using {MAX_JOBS}"
    ))
}

/// The document's `source`: the image as this scan found it.
pub(crate) fn source_info(image: &Image) -> SourceInfo {
    SourceInfo {
        created: image.created.clone(),
        ..image.info.clone()
    }
}

/// Reads every layer once, in parallel, keeping manifest order in the result.
fn read_layers(
    image: &Image,
    matcher: &PathMatcher,
    options: &ScanOptions,
    cache: Option<&ScanCache>,
    audit: Option<&AuditRun>,
) -> Result<Vec<LayerReport>, ScanError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs {
        // A directory is walked by every thread of the pool; blob layers use one each.
        let walked = image
            .layers
            .iter()
            .any(|l| matches!(l.content, LayerContent::Directory(_)));
        let layers = if walked { MAX_JOBS } else { image.layers.len() };
        let useful = jobs.clamp(1, MAX_JOBS).min(layers.max(1));
        pool = pool.num_threads(useful);
    }
    let pool = pool
        .build()
        .map_err(|e| ScanError::Internal(format!("cannot start worker threads: {e}")))?;
    let order = largest_first(&image.layers);
    let budget = ImageBudget::new(&options.limits);
    let mut reports: Vec<(usize, LayerReport)> = pool.install(|| {
        order
            .iter()
            // A shared queue, one layer per pull: each thread takes the next largest layer
            // when it is free (a split `par_iter` would hand one thread the largest layers).
            .par_bridge()
            .map(|&i| {
                let layer = &image.layers[i];
                let observer = options.observer.as_ref();
                let read = || read_one(layer, matcher, &options.limits, observer);
                let report = progress::observed(layer, observer, || match (audit, cache) {
                    (Some(audit), _) => audit.read_layer(layer.index, |matcher| {
                        read_one(layer, matcher, &options.limits, observer)
                    }),
                    (None, Some(cache)) => cache.read(layer, read),
                    (None, None) => read(),
                })?;
                budget.charge(layer, &report)?;
                Ok::<_, ScanError>((i, report))
            })
            .collect::<Result<_, _>>()
    })?;
    reports.sort_unstable_by_key(|(i, _)| *i);
    Ok(reports.into_iter().map(|(_, report)| report).collect())
}

/// The image-wide limits, charged as each layer is read (in whatever order the threads finish):
/// the per-layer limits alone would let a thousand layers each keep their full allowance.
struct ImageBudget<'a> {
    limits: &'a Limits,
    entries: AtomicU64,
    captured: AtomicU64,
}

impl<'a> ImageBudget<'a> {
    fn new(limits: &'a Limits) -> Self {
        ImageBudget {
            limits,
            entries: AtomicU64::new(0),
            captured: AtomicU64::new(0),
        }
    }

    fn charge(&self, layer: &LayerSource, report: &LayerReport) -> Result<(), ScanError> {
        let files = &report.files;
        let captured: u64 = files.captured.values().map(|b| b.len() as u64).sum();
        let entries = (files.entries.len() + files.whiteouts.len()) as u64;
        let charges = [
            (
                &self.entries,
                entries,
                self.limits.max_entries_per_image,
                "entries of all layers",
                "entries-per-image",
            ),
            (
                &self.captured,
                captured,
                self.limits.max_captured_per_image,
                "bytes kept from all layers",
                "captured-per-image",
            ),
        ];
        for (counter, amount, limit, what, flag) in charges {
            let total = counter.fetch_add(amount, Ordering::Relaxed) + amount;
            if total > limit {
                return Err(ScanError::ImageLimit {
                    index: layer.index,
                    name: layer
                        .digest
                        .as_ref()
                        .map_or_else(|| format!("layer {}", layer.index), ToString::to_string),
                    what,
                    flag,
                    total,
                    limit,
                });
            }
        }
        Ok(())
    }
}

/// Layer positions, largest blob first: layer sizes are lopsided (one layer often holds half
/// the image), and a large layer started last leaves the other cores idle while it finishes.
/// Starting it first bounds the wall time by about the larger of that layer and an even share
/// of the whole (longest-processing-time-first scheduling).
fn largest_first(layers: &[LayerSource]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..layers.len()).collect();
    // Stable: layers of unknown or equal size keep manifest order.
    order.sort_by_key(|&i| std::cmp::Reverse(layers[i].size.unwrap_or(0)));
    order
}

fn read_one(
    layer: &LayerSource,
    matcher: &PathMatcher,
    limits: &Limits,
    observer: Option<&Arc<dyn ScanObserver>>,
) -> Result<LayerReport, ScanError> {
    match &layer.content {
        LayerContent::Directory(path) => {
            read_directory(path, matcher, limits).map_err(|source| ScanError::Layer {
                index: layer.index,
                name: path.display().to_string(),
                source,
            })
        }
        LayerContent::Blob(blob) => {
            let name = layer
                .digest
                .as_ref()
                .map_or_else(|| blob.describe(), ToString::to_string);
            let reader = blob.open().map_err(|source| ScanError::OpenLayer {
                index: layer.index,
                name: name.clone(),
                source: Box::new(source),
            })?;
            let reader = progress::counted(reader, layer.index, observer);
            let expected = Expected {
                digest: layer.digest.clone(),
                diff_id: layer.diff_id.clone(),
                media_type: layer.media_type.clone(),
                size: layer.size.filter(|_| layer.digest.is_some()),
                digest_verified_by_source: blob.verifies_digest(),
            };
            read_layer(reader, &expected, matcher, limits).map_err(|source| ScanError::Layer {
                index: layer.index,
                name,
                source,
            })
        }
    }
}
