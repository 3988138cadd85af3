//! Findings as typed data: what a reviewer acts on, with where in the layer stack it lives.

use serde::Serialize;

/// How much a finding matters, most severe first (the derived order sorts that way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// One step less severe: a secret in documentation or test data is most likely an example.
    pub(crate) fn lowered(self) -> Severity {
        match self {
            Severity::Critical | Severity::High => Severity::Low,
            other => other.max(Severity::Low),
        }
    }
}

/// What sort of problem a finding is; `--fail-on` and the allow-list name these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A credential in a file's content, or a file whose name says it holds one.
    Secret,
    /// A file or directory that gained the setuid or setgid bit.
    Setuid,
    /// A file or directory that became writable by anyone, or a world-writable directory
    /// without the sticky bit.
    WorldWritable,
    /// A sensitive file (`etc/shadow`, a private key) readable by anyone.
    Readable,
    /// A build tool, package manager, debugger or network tool left in the final filesystem.
    Tool,
    /// A package a later layer removed: its files still ship in the lower layer.
    RemovedPackage,
    /// Files a later layer deleted that no removed package accounts for.
    HiddenFiles,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Secret,
        Kind::Setuid,
        Kind::WorldWritable,
        Kind::Readable,
        Kind::Tool,
        Kind::RemovedPackage,
        Kind::HiddenFiles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Setuid => "setuid",
            Kind::WorldWritable => "world-writable",
            Kind::Readable => "readable",
            Kind::Tool => "tool",
            Kind::RemovedPackage => "removed-package",
            Kind::HiddenFiles => "hidden-files",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown finding kind {s:?} (known: {})", known.join(", "))
            })
    }
}

/// What a later layer did to the path a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// A later layer wrote another version (its content, mode or owner changed).
    Changed,
    /// A later layer deleted it (whiteout, opaque directory, or replaced by another kind).
    Deleted,
}

/// One finding. Never holds a secret's value: only its rule, line and [`fingerprint`].
///
/// [`fingerprint`]: fn@crate::fingerprint
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: Kind,
    /// The rule's id, e.g. `aws-access-key-id`, `setuid-gained`, `leftover-compiler`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Root-relative path (for a hidden-file group, the directory the group lives under).
    pub path: String,
    /// 1-based line of a content match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Recognises a secret without revealing it (see [`crate::fingerprint`](fn@crate::fingerprint)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The layer that wrote what the finding is about (0-based, manifest order).
    pub layer: usize,
    /// The later layer that changed or deleted it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fate_layer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fate: Option<Fate>,
    /// Whether it is still in the final filesystem (false: only the layer blobs ship it).
    pub in_final: bool,
    /// One line for humans; never quotes file content.
    pub message: String,
}

impl Finding {
    /// Sort order of reports: severity, kind, path, layer, rule, line.
    pub(crate) fn sort_key(&self) -> impl Ord + '_ {
        (
            self.severity,
            self.kind,
            self.path.as_str(),
            self.layer,
            self.rule,
            self.line,
        )
    }
}

/// Files the content scan passed over, counted (never silently).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// Files with a NUL byte in their first 8 KiB.
    pub binary: u64,
    /// Files above the size cap.
    pub too_large: u64,
}

impl Skipped {
    pub fn add(&mut self, other: Skipped) {
        self.binary += other.binary;
        self.too_large += other.too_large;
    }
}

/// The audit of one image: findings sorted by [`Finding::sort_key`], and what was not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub findings: Vec<Finding>,
    pub skipped: Skipped,
    /// Findings an allow-list entry accepted (not in `findings`).
    pub allowed: u64,
}

impl Report {
    /// The findings of `kind`.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}
