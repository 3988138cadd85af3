//! Reading files of the final filesystem, following symlinks the way the kernel would inside the
//! image root (`etc/os-release -> ../usr/lib/os-release`, merged-usr `lib -> usr/lib`).

use std::collections::VecDeque;

use sbomgen_model::{FileKind, LayerFiles};

use crate::Overlay;

/// Linux's limit on symlinks followed in one lookup (`MAXSYMLINKS`).
const MAX_SYMLINK_HOPS: usize = 40;

/// The content of a final-filesystem file, with where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileContent<'a> {
    /// The path after symlink resolution.
    pub path: &'a str,
    /// The layer that wrote this content.
    pub layer: usize,
    pub bytes: &'a [u8],
}

impl Overlay {
    /// Resolves `path` in the final filesystem, following symlinks in every component; absolute
    /// targets are taken relative to the image root and `..` never climbs above it. Returns the
    /// resolved path if it exists.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut pending: VecDeque<String> = split(path).collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(component) = pending.pop_front() {
            if component == ".." {
                resolved.pop();
                continue;
            }
            resolved.push(component);
            let current = resolved.join("/");
            match self.get(&current) {
                Some(c) if c.entry.kind == FileKind::Symlink => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return None;
                    }
                    let target = c.entry.link_target.clone().unwrap_or_default();
                    resolved.pop();
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    for part in split(&target).collect::<Vec<_>>().into_iter().rev() {
                        pending.push_front(part);
                    }
                }
                // Tar streams may omit parent directory entries; only the last component
                // must exist.
                None if pending.is_empty() => return None,
                Some(_) | None => {}
            }
        }
        let resolved = resolved.join("/");
        self.get(&resolved).map(|_| resolved)
    }

    /// The kept bytes of the final-filesystem file at `path` (symlinks followed), if its content
    /// was captured by the layer that wrote it.
    pub fn read<'a>(&'a self, path: &str, layers: &'a [LayerFiles]) -> Option<FileContent<'a>> {
        let resolved = self.resolve(path)?;
        let (key, current) = self.paths.get_key_value(resolved.as_str())?;
        let current = current.current.as_ref()?;
        let bytes = layers.get(current.layer)?.captured.get(&**key)?;
        Some(FileContent {
            path: key,
            layer: current.layer,
            bytes,
        })
    }
}

fn split(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
}
