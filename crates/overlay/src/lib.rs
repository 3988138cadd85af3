//! Merges per-layer file indexes the way an overlay filesystem stacks them.
//!
//! Role: [`merge`](fn@merge) takes every layer's [`LayerFiles`] in manifest order and computes
//! - the final filesystem (what a container started from the image sees),
//! - for every path, its history: added in layer i, modified in layer j, deleted in layer k,
//! - the [`HiddenFile`]s: files a layer wrote and a later layer removed (by a whiteout, an opaque
//!   directory, or a non-directory replacing a directory), still shipped in the image's blobs,
//! - per-layer counts of added, modified and deleted paths.
//!
//! [`track`] does the same for packages: given the records cataloguers found in the package
//! databases as visible after each layer that touched them, it says which layer introduced each
//! package, which removed it, and what replaced it.
//!
//! Pure: no I/O, deterministic. Neighbours: `sbomgen-layer` produces the inputs; `sbomgen-scan`
//! reads files of the final filesystem through [`Overlay::read`].
//!
//! ```
//! use sbomgen_model::{FileEntry, FileKind, LayerFiles, Whiteout};
//! let file = || FileEntry { kind: FileKind::Regular, mode: 0o600, uid: 0, gid: 0, size: 3, link_target: None };
//! let mut base = LayerFiles::default();
//! base.entries.insert(".env".into(), file());
//! let mut top = LayerFiles::default();
//! top.whiteouts.push(Whiteout::File(".env".into()));
//! let overlay = sbomgen_overlay::merge(&[base, top]);
//! assert!(overlay.get(".env").is_none());
//! assert_eq!(overlay.hidden_files()[0].removed_in, 1);
//! ```

mod merge;
mod packages;
mod resolve;

pub use merge::{merge, merge_draining, Change, Current, LayerChanges, Overlay, PathEvent};
pub use packages::{track, Snapshot, TrackedPackage, Tracker};
pub use resolve::FileContent;

#[doc(no_inline)]
pub use sbomgen_model::{HiddenFile, LayerFiles};
