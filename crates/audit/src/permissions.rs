//! Permission changes between layers, read from each layer's file index before the merge.
//!
//! A layer's entry is compared with the same path's entry in the nearest lower layer that has
//! one (a whiteout in between counts as no change: the bits are new either way).

use sbomgen_model::{FileKind, LayerFiles};
use sbomgen_overlay::Overlay;

use crate::finding::{Finding, Kind, Severity};
use crate::lifecycle::fate;

const SETID: u32 = 0o6000;
const STICKY: u32 = 0o1000;
const OTHER_WRITE: u32 = 0o002;
const OTHER_READ: u32 = 0o004;

/// Files whose content must stay private.
const SENSITIVE: &[&str] = &[
    "etc/shadow",
    "etc/shadow-",
    "etc/gshadow",
    "etc/gshadow-",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.key",
    "ssh_host_*",
];

/// A mode change a layer made, before the overlay says what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionEvent {
    pub rule: &'static str,
    pub kind: Kind,
    pub severity: Severity,
    pub path: String,
    pub layer: usize,
    pub message: String,
}

/// Every permission event of `layers` (in manifest order, entries not yet drained).
pub fn permission_events(layers: &[LayerFiles]) -> Vec<PermissionEvent> {
    let mut events = Vec::new();
    for (index, layer) in layers.iter().enumerate() {
        for (path, entry) in &layer.entries {
            let mode = entry.mode;
            // Links carry no permissions of their own; character devices such as dev/null
            // and dev/tty are world-writable by design.
            if matches!(
                entry.kind,
                FileKind::Symlink | FileKind::Hardlink | FileKind::CharDevice
            ) {
                continue;
            }
            // Only a program runs with its owner's rights: setgid on a directory is group
            // inheritance (Debian's var/mail, var/local), setuid on one means nothing.
            let setid = if entry.kind == FileKind::Regular {
                mode & SETID
            } else {
                0
            };
            let interesting = setid != 0
                || mode & OTHER_WRITE != 0
                || (mode & OTHER_READ != 0 && sensitive(path) && entry.kind == FileKind::Regular);
            if !interesting {
                continue;
            }
            let before = layers[..index]
                .iter()
                .rev()
                .find_map(|lower| lower.entries.get(path))
                .map(|e| e.mode);
            let was = |bits: u32| before.is_some_and(|b| b & bits != 0);
            let prior = before.map_or_else(String::new, |b| format!(" (was {b:04o})"));
            let mut push = |rule, kind, severity, what: String| {
                events.push(PermissionEvent {
                    rule,
                    kind,
                    severity,
                    path: path.clone(),
                    layer: index,
                    message: format!("{what}: mode {mode:04o}{prior}"),
                });
            };
            let sticky_dir = entry.kind == FileKind::Directory && mode & STICKY != 0;
            if mode & OTHER_WRITE != 0 && !sticky_dir && !was(OTHER_WRITE) {
                let what = if before.is_some() {
                    "became writable by anyone"
                } else {
                    "new, writable by anyone"
                };
                push(
                    "world-writable-gained",
                    Kind::WorldWritable,
                    Severity::High,
                    what.to_string(),
                );
            }
            let gained = setid & !before.unwrap_or(0);
            if gained != 0 {
                let bits = match gained {
                    0o4000 => "setuid",
                    0o2000 => "setgid",
                    _ => "setuid and setgid",
                };
                match before {
                    Some(_) => push(
                        "setuid-gained",
                        Kind::Setuid,
                        Severity::High,
                        format!("gained {bits}"),
                    ),
                    // A base layer's setuid programs (passwd, su, mount) are the distribution's.
                    None if index == 0 => push(
                        "setuid-file",
                        Kind::Setuid,
                        Severity::Info,
                        format!("{bits} file"),
                    ),
                    None => push(
                        "setuid-file",
                        Kind::Setuid,
                        Severity::Medium,
                        format!("new {bits} file"),
                    ),
                }
            }
            if mode & OTHER_READ != 0
                && sensitive(path)
                && entry.kind == FileKind::Regular
                && !was(OTHER_READ)
            {
                push(
                    "sensitive-readable",
                    Kind::Readable,
                    Severity::High,
                    "sensitive file readable by anyone".to_string(),
                );
            }
        }
    }
    events
}

fn sensitive(path: &str) -> bool {
    SENSITIVE
        .iter()
        .any(|pattern| match pattern.split_once('*') {
            Some((prefix, "")) if !prefix.is_empty() => path
                .rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with(prefix)),
            _ => crate::rules::name_matches(pattern, path),
        })
}

/// The events as findings, with what later layers did to each path.
pub(crate) fn permission_findings(events: Vec<PermissionEvent>, overlay: &Overlay) -> Vec<Finding> {
    events
        .into_iter()
        .map(|event| {
            let (fate, fate_layer, in_final) = fate(overlay, &event.path, event.layer);
            Finding {
                kind: event.kind,
                rule: event.rule,
                severity: event.severity,
                path: event.path,
                line: None,
                fingerprint: None,
                layer: event.layer,
                fate_layer,
                fate,
                in_final,
                message: event.message,
            }
        })
        .collect()
}

/// World-writable directories without the sticky bit in the final filesystem: anyone may
/// delete or replace anyone's files in them.
pub(crate) fn unsticky_dirs(overlay: &Overlay) -> Vec<Finding> {
    overlay
        .final_files()
        .filter(|(_, current)| {
            let e = &current.entry;
            e.kind == FileKind::Directory && e.mode & OTHER_WRITE != 0 && e.mode & STICKY == 0
        })
        .map(|(path, current)| Finding {
            kind: Kind::WorldWritable,
            rule: "world-writable-dir-no-sticky",
            severity: Severity::Medium,
            path: path.to_string(),
            line: None,
            fingerprint: None,
            layer: current.layer,
            fate_layer: None,
            fate: None,
            in_final: true,
            message: format!(
                "world-writable directory without the sticky bit: mode {:04o}",
                current.entry.mode
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::FileEntry;

    fn layer(entries: &[(&str, FileKind, u32)]) -> LayerFiles {
        let mut files = LayerFiles::default();
        for (path, kind, mode) in entries {
            files.entries.insert(
                (*path).to_string(),
                FileEntry {
                    kind: *kind,
                    mode: *mode,
                    uid: 0,
                    gid: 0,
                    size: 0,
                    link_target: None,
                },
            );
        }
        files
    }

    #[test]
    fn chmod_and_setuid_between_layers() {
        let layers = [
            layer(&[
                ("app/run", FileKind::Regular, 0o755),
                ("tmp", FileKind::Directory, 0o1777),
                ("bin/su", FileKind::Regular, 0o4755),
                ("dev/null", FileKind::CharDevice, 0o666),
                ("var/mail", FileKind::Directory, 0o2775),
            ]),
            layer(&[
                ("app/run", FileKind::Regular, 0o4777),
                ("etc/shadow", FileKind::Regular, 0o644),
            ]),
        ];
        let events = permission_events(&layers);
        let rules: Vec<(&str, &str, usize)> = events
            .iter()
            .map(|e| (e.rule, e.path.as_str(), e.layer))
            .collect();
        assert_eq!(
            rules,
            [
                ("setuid-file", "bin/su", 0),
                ("world-writable-gained", "app/run", 1),
                ("setuid-gained", "app/run", 1),
                ("sensitive-readable", "etc/shadow", 1),
            ]
        );
        assert!(
            events[1].message.contains("was 0755"),
            "{}",
            events[1].message
        );
    }
}
