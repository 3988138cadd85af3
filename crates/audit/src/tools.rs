//! Leftover tools in the final filesystem ([`crate::rules::TOOLS`]), as informational findings;
//! shells only when the image's own command does not need one.

use sbomgen_model::FileKind;
use sbomgen_overlay::Overlay;

use crate::finding::{Finding, Kind, Severity};
use crate::launch::{shell_use, ShellUse};
use crate::rules::TOOLS;

/// The rule of shells in [`TOOLS`].
pub(crate) const SHELL_RULE: &str = "leftover-shell";

/// Every tool of the list found in a `bin` or `sbin` directory of the final filesystem, shells
/// left out when `command` (entrypoint then cmd; `None` without a config) runs one.
pub(crate) fn leftover_tools(overlay: &Overlay, command: Option<&[String]>) -> Vec<Finding> {
    let shells = shell_use(command);
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
        let mut message = format!("{name} is in the final filesystem");
        if rule == SHELL_RULE {
            match shells {
                ShellUse::Needed => continue,
                ShellUse::NotNeeded(program) => {
                    message.push_str(&format!(", but the image runs {program}, not a shell"));
                }
                ShellUse::Unknown => message.push_str("; the image declares no command"),
            }
        }
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
            message,
        });
    }
    found
}

/// The rule of a tool's file name, a version suffix (`gcc-12`, `go1.22`) ignored.
pub(crate) fn tool_rule(name: &str) -> Option<&'static str> {
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
        assert_eq!(tool_rule("bash"), Some(SHELL_RULE));
        assert_eq!(tool_rule("python3"), None);
        assert_eq!(tool_rule("ls"), None);
    }
}
