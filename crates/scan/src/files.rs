//! Provenance of packages that live at a path: each path's history, read through the overlay.
//!
//! A metadata file was parsed once per layer that wrote it ([`LayerFiles::parsed`]). Walking
//! the path's history turns those findings into snapshots for the overlay's package tracker:
//! the layer that first made a name and version visible at the path introduced it; the layer
//! that deleted the path (whiteout, opaque directory, a parent replaced) or rewrote it with
//! another version removed it. Supporting files are joined as visible at each snapshot's layer.

use std::collections::BTreeSet;

use sbomgen_model::{
    install_root, pep503_name, Ecosystem, FileKind, LayerFiles, PackageRecord, Support,
};
use sbomgen_overlay::{track, Change, Overlay, Snapshot, TrackedPackage};

use crate::parsers::FileParsers;

/// Tracks every package any layer's parsed files describe. Returns the tracked packages (by
/// path, then as [`track`] orders them) and the parse warnings, each naming its layer.
pub(crate) fn track_files(
    layers: &[LayerFiles],
    overlay: &Overlay,
    parsers: &FileParsers,
) -> (Vec<TrackedPackage>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut paths: BTreeSet<&str> = BTreeSet::new();
    for (index, layer) in layers.iter().enumerate() {
        for (path, findings) in &layer.parsed {
            warnings.extend(
                findings
                    .warnings
                    .iter()
                    .map(|w| format!("layer {index}: {w}")),
            );
            if !findings.packages.is_empty() {
                paths.insert(path);
            }
        }
    }
    let mut tracked = Vec::new();
    for path in paths {
        let snapshots = snapshots(path, layers, overlay, parsers);
        tracked.extend(track(snapshots));
    }
    link_replacements(&mut tracked);
    (tracked, warnings)
}

/// One snapshot per layer that changed `path`: what the path held right after that layer.
fn snapshots(
    path: &str,
    layers: &[LayerFiles],
    overlay: &Overlay,
    parsers: &FileParsers,
) -> Vec<Snapshot> {
    let history = overlay.history(path);
    let mut out: Vec<Snapshot> = Vec::new();
    for (i, event) in history.iter().enumerate() {
        // A layer may delete and recreate the path (`rm -rf node_modules && npm ci`): only
        // its last state counts, so a package present on both sides keeps its first life.
        if history
            .get(i + 1)
            .is_some_and(|next| next.layer == event.layer)
        {
            continue;
        }
        let layer = event.layer;
        let records = match event.change {
            Change::Deleted => Vec::new(),
            Change::Added | Change::Modified => match layers[layer].parsed.get(path) {
                Some(findings) => complete(
                    findings.packages.clone(),
                    path,
                    layer,
                    layers,
                    overlay,
                    parsers,
                ),
                // Not a regular file any more (a symlink or directory in its place): gone.
                None if layers[layer]
                    .entries
                    .get(path)
                    .is_some_and(|e| e.kind != FileKind::Regular) =>
                {
                    Vec::new()
                }
                // Written but not parsed (over the size cap): what it holds is unknown, so
                // the previous state stands.
                None => continue,
            },
        };
        out.push(Snapshot {
            layer,
            records,
            database_layers: [(path.to_string(), layer)].into_iter().collect(),
        });
    }
    out
}

/// Lets each record's cataloguer join the supporting files beside it, as visible at `layer`.
fn complete(
    mut records: Vec<PackageRecord>,
    path: &str,
    layer: usize,
    layers: &[LayerFiles],
    overlay: &Overlay,
    parsers: &FileParsers,
) -> Vec<PackageRecord> {
    let support = |other: &str| -> Option<&Support> {
        let event = overlay
            .history(other)
            .iter()
            .rev()
            .find(|e| e.layer <= layer)?;
        if event.change == Change::Deleted {
            return None;
        }
        layers[event.layer].parsed.get(other)?.support.as_ref()
    };
    for cataloguer in parsers.matching(path) {
        for record in &mut records {
            cataloguer.complete(record, path, &support);
        }
    }
    records
}

fn same_name(ecosystem: Ecosystem, a: &str, b: &str) -> bool {
    match ecosystem {
        Ecosystem::Python => pep503_name(a) == pep503_name(b),
        _ => a == b,
    }
}

/// An upgrade that moved a package's metadata to another path (pip replaces
/// `x-1.dist-info` with `x-2.dist-info`): the removed version is replaced by the same name
/// installed in the same place by the layer that removed it.
fn link_replacements(tracked: &mut [TrackedPackage]) {
    // Only where each package has its own metadata directory beside its peers; a module in
    // one Go binary is not replaced by the same module in another.
    let moves = |e: Ecosystem| matches!(e, Ecosystem::Python | Ecosystem::Npm | Ecosystem::Gem);
    let successors: Vec<(usize, String)> = tracked
        .iter()
        .enumerate()
        .filter(|(_, old)| old.replaced_by.is_none() && moves(old.record.ecosystem))
        .filter_map(|(i, old)| {
            let removed = old.removed_in?;
            let root = install_root(&old.record.database);
            let new = tracked.iter().find(|new| {
                new.introduced_in == removed
                    && new.record.ecosystem == old.record.ecosystem
                    && new.record.declared == old.record.declared
                    && new.record.version != old.record.version
                    && install_root(&new.record.database) == root
                    && same_name(old.record.ecosystem, &old.record.name, &new.record.name)
            })?;
            Some((i, new.record.version.clone()))
        })
        .collect();
    for (i, version) in successors {
        tracked[i].replaced_by = Some(version);
    }
}

#[cfg(test)]
mod tracking {
    use sbomgen_catalog::FileCataloguer;
    use sbomgen_model::{FileEntry, FileFindings, Whiteout};
    use sbomgen_overlay::merge;

    use super::*;

    /// `name@version` per file.
    struct Fake;

    impl FileCataloguer for Fake {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn patterns(&self) -> &'static [&'static str] {
            &["**/package.json", "**/*.dist-info/METADATA"]
        }
        fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
            let text = String::from_utf8_lossy(bytes);
            let (name, version) = text.split_once('@').unwrap_or(("?", "?"));
            let ecosystem = if path.ends_with("METADATA") {
                Ecosystem::Python
            } else {
                Ecosystem::Npm
            };
            FileFindings {
                packages: vec![PackageRecord::new(ecosystem, name, version, path)],
                ..FileFindings::default()
            }
        }
    }

    static FAKE: Fake = Fake;

    fn layer(files: &[(&str, &str)], whiteouts: &[Whiteout]) -> LayerFiles {
        let mut layer = LayerFiles::default();
        for (path, content) in files {
            layer.entries.insert(
                path.to_string(),
                FileEntry {
                    kind: FileKind::Regular,
                    mode: 0o644,
                    uid: 0,
                    gid: 0,
                    size: content.len() as u64,
                    link_target: None,
                },
            );
            layer
                .parsed
                .insert(path.to_string(), FAKE.parse(path, content.as_bytes()));
        }
        layer.whiteouts = whiteouts.to_vec();
        layer
    }

    type Row = (
        String,
        String,
        usize,
        Option<usize>,
        Option<String>,
        Vec<(String, usize)>,
    );

    fn run(layers: &[LayerFiles]) -> Vec<Row> {
        let overlay = merge(layers);
        let parsers = FileParsers::new(vec![&FAKE]).unwrap();
        let (tracked, _) = track_files(layers, &overlay, &parsers);
        tracked
            .into_iter()
            .map(|t| {
                (
                    t.record.name,
                    t.record.version,
                    t.introduced_in,
                    t.removed_in,
                    t.replaced_by,
                    t.locations
                        .iter()
                        .map(|(p, l)| (p.to_string(), *l))
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_path_history_gives_introduced_removed_and_replaced() {
        let ms = "app/node_modules/ms/package.json";
        let nested = "app/node_modules/debug/node_modules/ms/package.json";
        let rows = run(&[
            layer(&[(ms, "ms@2.0.0"), (nested, "ms@2.0.0")], &[]),
            // Rewritten with the same version: still the first life, a second location.
            layer(&[(ms, "ms@2.0.0")], &[]),
            layer(&[(ms, "ms@2.1.3")], &[]),
            layer(&[], &[Whiteout::Opaque("app/node_modules".into())]),
        ]);
        assert_eq!(
            rows,
            [
                (
                    "ms".into(),
                    "2.0.0".into(),
                    0,
                    Some(3),
                    None,
                    vec![(nested.into(), 0)]
                ),
                (
                    "ms".into(),
                    "2.0.0".into(),
                    0,
                    Some(2),
                    Some("2.1.3".into()),
                    vec![(ms.into(), 0), (ms.into(), 1)]
                ),
                (
                    "ms".into(),
                    "2.1.3".into(),
                    2,
                    Some(3),
                    None,
                    vec![(ms.into(), 2)]
                ),
            ]
        );
    }

    #[test]
    fn deleted_and_recreated_in_one_layer_keeps_the_first_life() {
        let ms = "app/node_modules/ms/package.json";
        let rows = run(&[
            layer(&[(ms, "ms@2.0.0")], &[]),
            layer(
                &[(ms, "ms@2.0.0")],
                &[Whiteout::Opaque("app/node_modules".into())],
            ),
        ]);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].2, rows[0].3), (0, None));
    }

    #[test]
    fn a_pip_upgrade_moves_the_metadata_and_names_the_replacement() {
        let site = "venv/lib/python3.11/site-packages";
        let old = format!("{site}/requests-2.31.0.dist-info/METADATA");
        let new = format!("{site}/requests-2.32.3.dist-info/METADATA");
        let other = "other/site-packages/requests-2.32.3.dist-info/METADATA".to_string();
        let rows = run(&[
            layer(&[(&old, "requests@2.31.0")], &[]),
            layer(
                &[(&new, "Requests@2.32.3"), (&other, "requests@9")],
                &[Whiteout::File(format!("{site}/requests-2.31.0.dist-info"))],
            ),
        ]);
        let old_row = rows.iter().find(|r| r.1 == "2.31.0").unwrap();
        assert_eq!((old_row.3, old_row.4.as_deref()), (Some(1), Some("2.32.3")));
    }
}
