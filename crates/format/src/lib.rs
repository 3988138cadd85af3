//! Output formats: each module turns an [`Sbom`] into one kind of document, and back where the
//! format can carry it (`sbomgen convert`).
//!
//! - [`json`]: sbomgen's native document, keys sorted, byte-identical across runs.
//! - [`table`]: a human summary.
//! - [`spdx`]: SPDX 2.3 JSON and tag-value.
//! - [`spdx3`]: SPDX 3.0.1 JSON-LD (`spdx-json@3.0`).
//! - [`cyclonedx`]: CycloneDX 1.6 (default), 1.7 or 1.5, JSON and XML.
//! - [`syft`]: syft-json as Syft 1.18 writes it, for Grype.
//! - [`mod@read`]: recognises a native, SPDX (2 or 3), CycloneDX or syft-json document and rebuilds an [`Sbom`].
//!
//! Shared by the standard formats: [`meta`] (timestamp and document UUID, derived from the
//! image), [`ids`] (image identity, stable package ids, dependency edges) and [`provenance`]
//! (layer provenance as `sbomgen:` properties).
//!
//! ```
//! use sbomgen_format::{write, DocumentInfo, Format};
//! let sbom = sbomgen_model::Sbom::default();
//! let info = DocumentInfo::resolve(&sbom, None).unwrap();
//! let mut out = Vec::new();
//! write(Format::Json, &sbom, &info, &mut out).unwrap();
//! assert!(out.starts_with(b"{"));
//! ```

use std::io::Write;
use std::str::FromStr;

use sbomgen_model::Sbom;

mod apk;
pub mod cyclonedx;
mod expression;
pub mod ids;
pub mod json;
mod json_view;
pub mod meta;
pub mod provenance;
pub mod read;
pub mod spdx;
pub mod spdx3;
pub mod syft;
pub mod table;
#[cfg(test)]
mod test_fixtures;

pub use cyclonedx::SpecVersion;
pub use meta::DocumentInfo;
pub use read::read;

/// An output format name as given to `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Table,
    SpdxJson,
    SpdxTagValue,
    /// SPDX 3.0.1 JSON-LD.
    SpdxJson3,
    CycloneDxJson(SpecVersion),
    CycloneDxXml(SpecVersion),
    /// Syft's own JSON (schema 16.0.18), Grype's richest input.
    SyftJson,
}

impl Format {
    /// Every format with its canonical name, in the order help texts list them.
    pub const ALL: &'static [Format] = &[
        Format::Table,
        Format::Json,
        Format::SpdxJson,
        Format::SpdxTagValue,
        Format::SpdxJson3,
        Format::CycloneDxJson(SpecVersion::V1_6),
        Format::CycloneDxJson(SpecVersion::V1_7),
        Format::CycloneDxJson(SpecVersion::V1_5),
        Format::CycloneDxXml(SpecVersion::V1_6),
        Format::CycloneDxXml(SpecVersion::V1_7),
        Format::CycloneDxXml(SpecVersion::V1_5),
        Format::SyftJson,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Table => "table",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
            Format::SpdxJson3 => "spdx-json@3.0",
            Format::CycloneDxJson(SpecVersion::V1_6) => "cyclonedx-json",
            Format::CycloneDxJson(SpecVersion::V1_7) => "cyclonedx-json@1.7",
            Format::CycloneDxJson(SpecVersion::V1_5) => "cyclonedx-json@1.5",
            Format::CycloneDxXml(SpecVersion::V1_6) => "cyclonedx-xml",
            Format::CycloneDxXml(SpecVersion::V1_7) => "cyclonedx-xml@1.7",
            Format::CycloneDxXml(SpecVersion::V1_5) => "cyclonedx-xml@1.5",
            Format::SyftJson => "syft-json",
        }
    }

    /// The names `-o` accepts, for help and error texts.
    pub fn names() -> String {
        Format::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why an output could not be produced, or an input document not read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("unknown output format {0:?} (known: {known})", known = Format::names())]
    Unknown(String),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot encode output: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("SOURCE_DATE_EPOCH={0:?} is not a number of seconds since 1970-01-01")]
    SourceDateEpoch(String),
    /// An input document that is not one `convert` can read.
    #[error("{what}: {problem}")]
    Unreadable { what: String, problem: String },
}

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let aliases = [
            (
                "cyclonedx-json@1.6",
                Format::CycloneDxJson(SpecVersion::V1_6),
            ),
            ("cyclonedx-xml@1.6", Format::CycloneDxXml(SpecVersion::V1_6)),
            ("spdx-json@2.3", Format::SpdxJson),
            ("spdx-tag-value@2.3", Format::SpdxTagValue),
            ("spdx-json@3.0.1", Format::SpdxJson3),
        ];
        Format::ALL
            .iter()
            .map(|f| (f.name(), *f))
            .chain(aliases)
            .find(|(name, _)| *name == s)
            .map(|(_, f)| f)
            .ok_or_else(|| FormatError::Unknown(s.to_string()))
    }
}

/// Writes `sbom` in `format`; `info` carries the document's timestamp and UUID.
pub fn write(
    format: Format,
    sbom: &Sbom,
    info: &DocumentInfo,
    out: &mut dyn Write,
) -> Result<(), FormatError> {
    match format {
        Format::Json => json::write(sbom, out),
        Format::Table => table::write(sbom, out),
        Format::SpdxJson => spdx::write_json(sbom, info, out),
        Format::SpdxTagValue => spdx::write_tag_value(sbom, info, out),
        Format::SpdxJson3 => spdx3::write_json(sbom, info, out),
        Format::CycloneDxJson(version) => cyclonedx::write_json(sbom, info, version, out),
        Format::CycloneDxXml(version) => cyclonedx::write_xml(sbom, info, version, out),
        Format::SyftJson => syft::write_json(sbom, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().unwrap(), *format);
        }
        assert_eq!(
            "cyclonedx-json@1.6".parse::<Format>().unwrap(),
            Format::CycloneDxJson(SpecVersion::V1_6)
        );
        let err = "spdx".parse::<Format>().unwrap_err().to_string();
        assert!(
            err.contains("spdx-json") && err.contains("cyclonedx-xml"),
            "{err}"
        );
    }
}
