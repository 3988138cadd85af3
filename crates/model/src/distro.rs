//! The operating system release the final filesystem declares.

use serde::{Deserialize, Serialize};

/// Distro identity from `os-release` (or a fallback release file), used for purl qualifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Distro {
    /// `ID`, e.g. `debian`, `alpine`, `rhel`.
    pub id: String,
    /// `VERSION_ID`, absent on rolling releases such as Debian sid.
    pub version_id: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
}
