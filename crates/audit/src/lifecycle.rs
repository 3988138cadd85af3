//! What later layers did to a path a layer wrote.

use sbomgen_overlay::{Change, Overlay};

use crate::finding::Fate;

/// For the version of `path` that `layer` wrote: what the next layer touching the path did to
/// it (and which layer that was), and whether that version is still in the final filesystem.
pub(crate) fn fate(
    overlay: &Overlay,
    path: &str,
    layer: usize,
) -> (Option<Fate>, Option<usize>, bool) {
    let next = overlay
        .history(path)
        .iter()
        .find(|event| event.layer > layer);
    match next {
        Some(event) => {
            let fate = match event.change {
                Change::Deleted => Fate::Deleted,
                Change::Added | Change::Modified => Fate::Changed,
            };
            (Some(fate), Some(event.layer), false)
        }
        None => (None, None, overlay.get(path).is_some()),
    }
}
