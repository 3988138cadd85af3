//! From per-layer scans, permission events, packages and hidden files to one sorted report.

use std::collections::{BTreeMap, BTreeSet};

use sbomgen_model::HiddenFile;
use sbomgen_overlay::Overlay;

use crate::allow::AllowList;
use crate::finding::{Fate, Finding, Kind, Report, Severity, Skipped};
use crate::layer_scan::LayerScan;
use crate::lifecycle::fate;
use crate::permissions::{permission_findings, unsticky_dirs, PermissionEvent};
use crate::tools::leftover_tools;

/// A package a later layer removed or replaced, as the scan tracked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedPackage {
    pub name: String,
    pub version: String,
    /// The purl type (`deb`, `npm`, …).
    pub kind: String,
    /// Where the package was recorded (its database or metadata file).
    pub path: String,
    pub introduced_in: usize,
    pub removed_in: usize,
    /// A newer version took its place (an upgrade).
    pub replaced: bool,
    /// Hidden files that went with it.
    pub hidden_files: usize,
}

/// Everything the audit looks at, once the layers are read and merged.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// One per layer, in manifest order.
    pub scans: Vec<LayerScan>,
    pub permissions: Vec<PermissionEvent>,
    pub overlay: &'a Overlay,
    pub removed_packages: Vec<RemovedPackage>,
    /// Hidden paths some removed package accounts for (their group is the package finding).
    pub owned_hidden: BTreeSet<String>,
    pub hidden_files: &'a [HiddenFile],
    /// The image's command line, entrypoint then cmd (`None`: the source has no config).
    pub command: Option<Vec<String>>,
}

/// Directory names of documentation, tests and examples: keys there are usually samples.
const EXAMPLE_DIRS: &[&str] = &[
    "doc",
    "docs",
    "man",
    "examples",
    "example",
    "samples",
    "sample",
    "test",
    "tests",
    "testdata",
    "test_data",
    "testing",
    "fixtures",
    "spec",
    "demo",
];

/// Whether `path` is documentation, test data or an example/template file.
pub fn example_path(path: &str) -> bool {
    let mut components = path.split('/');
    let name = components
        .next_back()
        .unwrap_or_default()
        .to_ascii_lowercase();
    components.any(|c| EXAMPLE_DIRS.contains(&c.to_ascii_lowercase().as_str()))
        || [".example", ".sample", ".template", ".dist", "example."]
            .iter()
            .any(|w| name.contains(w))
}

/// Builds the report: every finding, allow-listed ones removed and counted, sorted.
pub fn assemble(inputs: Inputs<'_>, allow: &AllowList) -> Report {
    let mut skipped = Skipped::default();
    for scan in &inputs.scans {
        skipped.add(scan.skipped);
    }
    let mut findings = secret_findings(&inputs.scans, inputs.overlay);
    findings.extend(name_findings(&inputs.scans, inputs.overlay));
    findings.extend(permission_findings(inputs.permissions, inputs.overlay));
    findings.extend(unsticky_dirs(inputs.overlay));
    findings.extend(leftover_tools(inputs.overlay, inputs.command.as_deref()));
    findings.extend(package_findings(&inputs.removed_packages));
    findings.extend(hidden_groups(inputs.hidden_files, &inputs.owned_hidden));
    let before = findings.len();
    findings.retain(|f| !allow.allows(f));
    let allowed = (before - findings.len()) as u64;
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Report {
        findings,
        skipped,
        allowed,
    }
}

/// One finding per (rule, path, value): the same secret in several layers' versions of a file
/// is one finding from the first layer that shipped it to the last, and an example value
/// (documentation, tests) is one finding wherever it is copied.
fn secret_findings(scans: &[LayerScan], overlay: &Overlay) -> Vec<Finding> {
    struct Seen {
        first: usize,
        last: usize,
        line: u32,
        example: bool,
    }
    let mut seen: BTreeMap<(&'static str, &str, &str), Seen> = BTreeMap::new();
    let mut rules = BTreeMap::new();
    for (layer, scan) in scans.iter().enumerate() {
        for (path, hits) in &scan.hits {
            for hit in hits {
                rules.insert(hit.rule.id, hit.rule);
                let example = hit.example_value || example_path(path);
                seen.entry((hit.rule.id, path.as_str(), hit.fingerprint.as_str()))
                    .and_modify(|s| s.last = layer)
                    .or_insert(Seen {
                        first: layer,
                        last: layer,
                        line: hit.line,
                        example,
                    });
            }
        }
    }
    let mut findings = Vec::new();
    // Example values by (rule, fingerprint): the index of their one finding.
    let mut examples: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for ((id, path, fp), s) in &seen {
        if s.example {
            if let Some((_, copies)) = examples.get_mut(&(*id, *fp)) {
                *copies += 1;
                continue;
            }
            examples.insert((id, fp), (findings.len(), 0));
        }
        let rule = rules[id];
        let (fate, fate_layer, in_final) = fate(overlay, path, s.last);
        let severity = if s.example {
            rule.severity.lowered()
        } else {
            rule.severity
        };
        findings.push(Finding {
            kind: Kind::Secret,
            rule: rule.id,
            severity,
            path: (*path).to_string(),
            line: Some(s.line),
            fingerprint: Some((*fp).to_string()),
            layer: s.first,
            fate_layer,
            fate,
            in_final,
            message: secret_message(rule.title, s.example, fate, fate_layer, s.first),
        });
    }
    for (index, copies) in examples.into_values() {
        if copies > 0 {
            findings[index]
                .message
                .push_str(&format!(" (the same value in {copies} more files)"));
        }
    }
    findings
}

fn secret_message(
    title: &str,
    example: bool,
    fate: Option<Fate>,
    fate_layer: Option<usize>,
    layer: usize,
) -> String {
    let mut message = title.to_string();
    if example {
        message.push_str(", likely an example (documentation, test data or an example value)");
    }
    match (fate, fate_layer) {
        (Some(Fate::Deleted), Some(at)) => message.push_str(&format!(
            "; deleted in layer {at}, but layer {layer}'s blob still ships it"
        )),
        (Some(Fate::Changed), Some(at)) => message.push_str(&format!(
            "; overwritten in layer {at}, but layer {layer}'s blob still ships it"
        )),
        _ => {}
    }
    message
}

/// Files named like credentials whose content gave no secret finding.
fn name_findings(scans: &[LayerScan], overlay: &Overlay) -> Vec<Finding> {
    let mut seen: BTreeMap<(&str, &str), (usize, usize, &'static crate::rules::NameRule)> =
        BTreeMap::new();
    for (layer, scan) in scans.iter().enumerate() {
        for (path, rule) in &scan.named {
            if scan.hits.contains_key(path) || (rule.only_unread && !scan.unread(path)) {
                continue;
            }
            seen.entry((rule.id, path.as_str()))
                .and_modify(|(_, last, _)| *last = layer)
                .or_insert((layer, layer, rule));
        }
    }
    seen.into_iter()
        .map(|((_, path), (first, last, rule))| {
            let (fate, fate_layer, in_final) = fate(overlay, path, last);
            let example = example_path(path);
            Finding {
                kind: Kind::Secret,
                rule: rule.id,
                severity: if example {
                    rule.severity.lowered()
                } else {
                    rule.severity
                },
                path: path.to_string(),
                line: None,
                fingerprint: None,
                layer: first,
                fate_layer,
                fate,
                in_final,
                message: secret_message(rule.title, example, fate, fate_layer, first),
            }
        })
        .collect()
}

fn package_findings(packages: &[RemovedPackage]) -> Vec<Finding> {
    packages
        .iter()
        .map(|p| {
            let (rule, severity, fate, verb) = if p.replaced {
                (
                    "package-replaced",
                    Severity::Info,
                    Fate::Changed,
                    "replaced",
                )
            } else {
                ("package-removed", Severity::Low, Fate::Deleted, "removed")
            };
            let files = match p.hidden_files {
                0 => String::new(),
                n => format!("; {n} of its files still ship in the lower layers"),
            };
            Finding {
                kind: Kind::RemovedPackage,
                rule,
                severity,
                path: p.path.clone(),
                line: None,
                fingerprint: None,
                layer: p.introduced_in,
                fate_layer: Some(p.removed_in),
                fate: Some(fate),
                in_final: false,
                message: format!(
                    "{} {} {} {verb} in layer {}{files}",
                    p.kind, p.name, p.version, p.removed_in
                ),
            }
        })
        .collect()
}

/// Hidden files no removed package accounts for, in groups by the layers that wrote and
/// deleted them and their directory (three levels deep at most).
fn hidden_groups(hidden: &[HiddenFile], owned: &BTreeSet<String>) -> Vec<Finding> {
    let mut groups: BTreeMap<(usize, usize, String), (u64, u64)> = BTreeMap::new();
    for file in hidden.iter().filter(|f| !owned.contains(&f.path)) {
        let dir: Vec<&str> = file.path.split('/').collect();
        let depth = (dir.len() - 1).clamp(1, 3);
        let key = (
            file.added_in,
            file.removed_in,
            dir[..depth.min(dir.len())].join("/"),
        );
        let group = groups.entry(key).or_default();
        group.0 += 1;
        group.1 += file.size;
    }
    groups
        .into_iter()
        .map(|((added, removed, dir), (count, bytes))| Finding {
            kind: Kind::HiddenFiles,
            rule: "hidden-files",
            severity: Severity::Low,
            path: dir,
            line: None,
            fingerprint: None,
            layer: added,
            fate_layer: Some(removed),
            fate: Some(Fate::Deleted),
            in_final: false,
            message: format!(
                "{count} file{} ({bytes} bytes) written in layer {added}, deleted in layer {removed}",
                if count == 1 { "" } else { "s" }
            ),
        })
        .collect()
}
