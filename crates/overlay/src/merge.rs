//! The merge itself: whiteouts first (they only hide lower layers), then the layer's entries.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use sbomgen_model::{FileEntry, HiddenFile, LayerFiles, Whiteout};

/// What happened to a path in one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

/// One step of a path's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathEvent {
    pub layer: usize,
    pub change: Change,
}

/// A path as the final filesystem (or the filesystem after some layer) holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub entry: FileEntry,
    /// The layer that last wrote this path.
    pub layer: usize,
    /// The layer where this life of the path began.
    pub added_in: usize,
}

/// Per-layer counts of changed paths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerChanges {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PathRecord {
    history: Vec<PathEvent>,
    pub(crate) current: Option<Current>,
}

/// The merged view of all layers.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Every path any layer touched. Keys are shared with `visible`.
    pub(crate) paths: BTreeMap<Arc<str>, PathRecord>,
    /// The paths visible after the layers applied so far: whiteouts and opaque directories
    /// remove from this set, so each removal walks what is there, never the paths earlier
    /// layers already deleted (an opaque root in each of thousands of layers stays linear).
    visible: BTreeSet<Arc<str>>,
    hidden: Vec<HiddenFile>,
    changes: Vec<LayerChanges>,
}

/// Stacks the layers in order. See the crate docs for the semantics.
pub fn merge(layers: &[LayerFiles]) -> Overlay {
    let mut overlay = Overlay::default();
    for (index, layer) in layers.iter().enumerate() {
        let entries = layer.entries.iter().map(|(p, e)| (p.clone(), e.clone()));
        overlay.apply(index, &layer.whiteouts, entries);
    }
    overlay.hidden.sort();
    overlay
}

/// [`merge`], moving each layer's entries into the overlay instead of copying them: the
/// layers keep only the entries `keep` names. The file index of a large image exists once, not
/// twice, at the merge's peak.
pub fn merge_draining(layers: &mut [LayerFiles], keep: impl Fn(&str) -> bool) -> Overlay {
    let mut overlay = Overlay::default();
    for (index, layer) in layers.iter_mut().enumerate() {
        let entries = std::mem::take(&mut layer.entries);
        let kept = &mut layer.entries;
        let entries = entries.into_iter().inspect(|(path, entry)| {
            if keep(path) {
                kept.insert(path.clone(), entry.clone());
            }
        });
        overlay.apply(index, &layer.whiteouts, entries);
    }
    overlay.hidden.sort();
    overlay
}

impl Overlay {
    fn apply(
        &mut self,
        index: usize,
        whiteouts: &[Whiteout],
        entries: impl Iterator<Item = (String, FileEntry)>,
    ) {
        let mut changes = LayerChanges::default();
        // The OCI spec: whiteouts apply to lower layers only, so they go before this layer's
        // own entries (a layer may delete a directory and recreate it).
        for whiteout in whiteouts {
            match whiteout {
                Whiteout::File(path) => {
                    self.remove(path, index, &mut changes);
                    self.remove_below(path, index, &mut changes);
                }
                Whiteout::Opaque(dir) => self.remove_below(dir, index, &mut changes),
            }
        }
        for (path, entry) in entries {
            let key: Arc<str> = match self.paths.get_key_value(path.as_str()) {
                Some((key, _)) => Arc::clone(key),
                None => Arc::from(path.as_str()),
            };
            let record = self.paths.entry(Arc::clone(&key)).or_default();
            match &record.current {
                None => {
                    self.visible.insert(key);
                    record.current = Some(Current {
                        entry,
                        layer: index,
                        added_in: index,
                    });
                    push_event(
                        &mut record.history,
                        PathEvent {
                            layer: index,
                            change: Change::Added,
                        },
                    );
                    changes.added += 1;
                }
                Some(current) => {
                    let was_dir = current.entry.kind.is_dir();
                    let both_dirs = was_dir && entry.kind.is_dir();
                    // Tar writers repeat parent directories in every layer; only a change of
                    // ownership or mode makes that a modification.
                    let unchanged_dir = both_dirs
                        && current.entry.mode == entry.mode
                        && current.entry.uid == entry.uid
                        && current.entry.gid == entry.gid;
                    if unchanged_dir {
                        continue;
                    }
                    let added_in = current.added_in;
                    let now_dir = entry.kind.is_dir();
                    record.current = Some(Current {
                        entry,
                        layer: index,
                        added_in,
                    });
                    push_event(
                        &mut record.history,
                        PathEvent {
                            layer: index,
                            change: Change::Modified,
                        },
                    );
                    changes.modified += 1;
                    if was_dir && !now_dir {
                        // A file or symlink over a directory hides the directory's lower
                        // contents without any whiteout entry (Trivy #2637).
                        self.remove_below(&path, index, &mut changes);
                    }
                }
            }
        }
        self.changes.push(changes);
    }

    /// Removes one visible path, recording the deletion.
    fn remove(&mut self, path: &str, layer: usize, changes: &mut LayerChanges) {
        if let Some(record) = self.paths.get_mut(path) {
            if let Some(current) = record.current.take() {
                self.visible.remove(path);
                push_event(
                    &mut record.history,
                    PathEvent {
                        layer,
                        change: Change::Deleted,
                    },
                );
                changes.deleted += 1;
                if !current.entry.kind.is_dir() {
                    self.hidden.push(HiddenFile {
                        path: path.to_string(),
                        size: current.entry.size,
                        added_in: current.added_in,
                        removed_in: layer,
                    });
                }
            }
        }
    }

    /// Removes every visible path strictly below `dir` (`""` is the root).
    fn remove_below(&mut self, dir: &str, layer: usize, changes: &mut LayerChanges) {
        let below: Vec<Arc<str>> = if dir.is_empty() {
            self.visible.iter().cloned().collect()
        } else {
            // '0' is the character after '/', so this range is exactly the paths under `dir/`.
            let start = format!("{dir}/");
            let end = format!("{dir}0");
            self.visible
                .range::<str, _>((
                    Bound::Included(start.as_str()),
                    Bound::Excluded(end.as_str()),
                ))
                .cloned()
                .collect()
        };
        for path in below {
            self.remove(&path, layer, changes);
        }
    }

    /// The final filesystem's entry at `path` (no symlink resolution).
    pub fn get(&self, path: &str) -> Option<&Current> {
        self.paths.get(path)?.current.as_ref()
    }

    /// Every path of the final filesystem, sorted.
    pub fn final_files(&self) -> impl Iterator<Item = (&str, &Current)> {
        self.paths
            .iter()
            .filter_map(|(path, record)| Some((&**path, record.current.as_ref()?)))
    }

    /// Every path any layer touched, with its history, sorted by path.
    pub fn histories(&self) -> impl Iterator<Item = (&str, &[PathEvent])> {
        self.paths
            .iter()
            .map(|(path, record)| (&**path, record.history.as_slice()))
    }

    /// The history of one path (empty if no layer touched it).
    pub fn history(&self, path: &str) -> &[PathEvent] {
        self.paths.get(path).map_or(&[], |r| r.history.as_slice())
    }

    /// Files written by a layer and removed by a later one, sorted by path then layer.
    pub fn hidden_files(&self) -> &[HiddenFile] {
        &self.hidden
    }

    /// Per-layer change counts, indexed like the input layers.
    pub fn layer_changes(&self) -> &[LayerChanges] {
        &self.changes
    }
}

/// Appends to a path's history. Most paths see one or two events in their whole life; the
/// growth policy of `Vec::push` would allocate room for four on the first, 48 bytes more per
/// path on an image of a million paths.
fn push_event(history: &mut Vec<PathEvent>, event: PathEvent) {
    if history.len() < 4 && history.len() == history.capacity() {
        history.reserve_exact(1);
    }
    history.push(event);
}
