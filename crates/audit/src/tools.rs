//! Leftover tools in the final filesystem ([`crate::rules::TOOLS`]), as informational findings.

use sbomgen_model::FileKind;
use sbomgen_overlay::Overlay;

use crate::finding::{Finding, Kind, Severity};
use crate::rules::TOOLS;

/// Every tool of the list found in a `bin` or `sbin` directory of the final filesystem.
pub(crate) fn leftover_tools(overlay: &Overlay) -> Vec<Finding> {
    let mut found = Vec::new();
    for (path, current) in overlay.final_files() {
        if !matches!(
            current.entry.kind,
            FileKind::Regular | FileKind::Symlink | FileKind::Hardlink
        ) {
            continue;
        }
        let Some((dir, name)) = path.rsplit_once('/') else {
            continue;
        };
        if !(dir.ends_with("bin") && matches!(dir.rsplit('/').next(), Some("bin" | "sbin"))) {
            continue;
        }
        let Some(rule) = tool_rule(name) else {
            continue;
        };
        found.push(Finding {
            kind: Kind::Tool,
            rule,
            severity: Severity::Info,
            path: path.to_string(),
            line: None,
            fingerprint: None,
            layer: current.added_in,
            fate_layer: None,
            fate: None,
            in_final: true,
            message: format!("{name} is in the final filesystem"),
        });
    }
    found
}

/// The rule of a tool's file name, a version suffix (`gcc-12`, `go1.22`) ignored.
fn tool_rule(name: &str) -> Option<&'static str> {
    let base = name
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .trim_end_matches('-');
    let base = if base.is_empty() { name } else { base };
    TOOLS
        .iter()
        .find(|(_, names)| names.contains(&name) || names.contains(&base))
        .map(|(rule, _)| *rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_versions() {
        assert_eq!(tool_rule("gcc"), Some("leftover-compiler"));
        assert_eq!(tool_rule("gcc-12"), Some("leftover-compiler"));
        assert_eq!(tool_rule("pip3"), Some("leftover-package-manager"));
        assert_eq!(tool_rule("bash"), Some("leftover-shell"));
        assert_eq!(tool_rule("python3"), None);
        assert_eq!(tool_rule("ls"), None);
    }
}
