//! The allow-list (`.sbomgen-audit.yaml`): accepted findings by rule id, path glob or secret
//! fingerprint.
//!
//! ```yaml
//! rules: [jwt, leftover-shell]
//! paths: ["usr/share/doc/**", "app/test/fixtures/*.pem"]
//! fingerprints: ["AKIA/20/3f2a9c1b0d4e"]
//! ```

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::finding::Finding;
use crate::AuditError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowList {
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
}

/// A parsed allow-list: a finding matching any entry is accepted.
#[derive(Debug, Clone)]
pub struct AllowList {
    rules: Vec<String>,
    paths: GlobSet,
    fingerprints: Vec<String>,
}

impl Default for AllowList {
    fn default() -> Self {
        AllowList {
            rules: Vec::new(),
            paths: GlobSet::empty(),
            fingerprints: Vec::new(),
        }
    }
}

impl AllowList {
    /// Reads an allow-list file; errors name the file.
    pub fn read(path: &Path) -> Result<Self, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuditError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| AuditError::AllowList {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses allow-list YAML; an unknown rule id or a bad glob is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawAllowList = if text.trim().is_empty() {
            RawAllowList::default()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?
        };
        for rule in &raw.rules {
            if crate::rules::describe(rule).is_none() {
                return Err(format!("unknown rule id {rule:?}"));
            }
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.paths {
            let pattern = pattern.trim_start_matches("./").trim_start_matches('/');
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("path {pattern:?}: {e}"))?;
            builder.add(glob);
        }
        Ok(AllowList {
            rules: raw.rules,
            paths: builder.build().map_err(|e| e.to_string())?,
            fingerprints: raw.fingerprints,
        })
    }

    /// Whether `finding` is accepted.
    pub fn allows(&self, finding: &Finding) -> bool {
        self.rules.iter().any(|r| r == finding.rule)
            || self.paths.is_match(&finding.path)
            || finding
                .fingerprint
                .as_ref()
                .is_some_and(|fp| self.fingerprints.contains(fp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Kind, Severity};

    fn finding(rule: &'static str, path: &str, fingerprint: Option<&str>) -> Finding {
        Finding {
            kind: Kind::Secret,
            rule,
            severity: Severity::High,
            path: path.to_string(),
            line: None,
            fingerprint: fingerprint.map(str::to_string),
            layer: 0,
            fate_layer: None,
            fate: None,
            in_final: true,
            message: String::new(),
        }
    }

    #[test]
    fn entries_match_by_rule_path_or_fingerprint() {
        let list = AllowList::parse(
            "rules: [jwt]\npaths: ['usr/share/doc/**']\nfingerprints: ['AKIA/20/0123456789ab']\n",
        )
        .unwrap();
        assert!(list.allows(&finding("jwt", "a", None)));
        assert!(list.allows(&finding("private-key", "usr/share/doc/x/README", None)));
        assert!(list.allows(&finding(
            "aws-access-key-id",
            "b",
            Some("AKIA/20/0123456789ab")
        )));
        assert!(!list.allows(&finding(
            "aws-access-key-id",
            "b",
            Some("AKIA/20/ffffffffffff")
        )));
    }

    #[test]
    fn mistakes_are_errors() {
        assert!(AllowList::parse("rule: [jwt]\n")
            .unwrap_err()
            .contains("unknown field"));
        assert!(AllowList::parse("rules: [no-such-rule]\n")
            .unwrap_err()
            .contains("no-such-rule"));
        assert!(AllowList::parse("").is_ok());
    }
}
