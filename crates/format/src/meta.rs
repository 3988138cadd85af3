//! What a document says about its own making: when, by which tool, and under which unique name.
//!
//! Everything here is derived from the scanned image (and `SOURCE_DATE_EPOCH`), never from the
//! clock or a random source, so that the same image gives byte-identical documents.

use sha2::{Digest as _, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use sbomgen_model::Sbom;

use crate::FormatError;

/// The tool that writes the documents.
pub const TOOL_NAME: &str = "sbomgen";
/// Its version, as it appears in documents and in the UUIDs derived from them.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Used when neither `SOURCE_DATE_EPOCH` nor the image gives a time (a `dir:` source): a fixed
/// instant keeps such documents reproducible too.
const FALLBACK_CREATED: &str = "1970-01-01T00:00:00Z";

/// Per-document facts shared by every format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// RFC 3339 UTC, whole seconds (`2024-01-02T03:04:05Z`), as SPDX requires.
    pub created: String,
    /// UUID v5 naming this document: SPDX `documentNamespace` and CycloneDX `serialNumber`.
    pub uuid: Uuid,
}

impl DocumentInfo {
    /// Derives the timestamp and UUID of `sbom`'s documents.
    ///
    /// `source_date_epoch` is the raw `SOURCE_DATE_EPOCH` value (seconds since the epoch); when
    /// absent the image config's `created` is used, normalised to UTC seconds.
    pub fn resolve(sbom: &Sbom, source_date_epoch: Option<&str>) -> Result<Self, FormatError> {
        let created = match source_date_epoch {
            Some(raw) => {
                let seconds: i64 = raw
                    .trim()
                    .parse()
                    .map_err(|_| FormatError::SourceDateEpoch(raw.to_string()))?;
                let at = OffsetDateTime::from_unix_timestamp(seconds)
                    .map_err(|_| FormatError::SourceDateEpoch(raw.to_string()))?;
                rfc3339_seconds(at)
            }
            None => sbom
                .source
                .created
                .as_deref()
                .and_then(|c| OffsetDateTime::parse(c, &Rfc3339).ok())
                .map_or_else(|| FALLBACK_CREATED.to_string(), rfc3339_seconds),
        };
        Ok(DocumentInfo {
            created,
            uuid: document_uuid(sbom),
        })
    }
}

/// `2024-01-02T03:04:05Z`: UTC, no fraction (SPDX 2.3 `created` allows nothing else).
fn rfc3339_seconds(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// UUID v5 of `sbomgen/<version>/<manifest digest>`; without a manifest, of the config digest;
/// without either (a `dir:` source), of the native document's bytes.
fn document_uuid(sbom: &Sbom) -> Uuid {
    let identity = match (&sbom.source.manifest_digest, &sbom.source.config_digest) {
        (Some(manifest), _) => manifest.to_string(),
        (None, Some(config)) => format!("config {config}"),
        (None, None) => {
            let bytes = serde_json::to_vec(&serde_json::to_value(sbom).unwrap_or_default())
                .unwrap_or_default();
            format!("content sha256:{}", hex::encode(Sha256::digest(&bytes)))
        }
    };
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{TOOL_NAME}/{TOOL_VERSION}/{identity}").as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::SourceInfo;

    fn sbom(created: Option<&str>) -> Sbom {
        Sbom {
            source: SourceInfo {
                manifest_digest: Some(
                    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                        .parse()
                        .unwrap(),
                ),
                created: created.map(str::to_string),
                ..SourceInfo::default()
            },
            ..Sbom::default()
        }
    }

    #[test]
    fn source_date_epoch_wins_over_image_time() {
        let info =
            DocumentInfo::resolve(&sbom(Some("2020-01-01T00:00:00Z")), Some("1700000000")).unwrap();
        assert_eq!(info.created, "2023-11-14T22:13:20Z");
    }

    #[test]
    fn image_time_is_normalised_to_utc_seconds() {
        let info = DocumentInfo::resolve(&sbom(Some("2024-05-06T09:08:07.123456789+02:00")), None)
            .unwrap();
        assert_eq!(info.created, "2024-05-06T07:08:07Z");
        let none = DocumentInfo::resolve(&sbom(None), None).unwrap();
        assert_eq!(none.created, FALLBACK_CREATED);
    }

    #[test]
    fn bad_source_date_epoch_is_an_error() {
        let err = DocumentInfo::resolve(&sbom(None), Some("yesterday")).unwrap_err();
        assert!(err.to_string().contains("SOURCE_DATE_EPOCH"), "{err}");
    }

    #[test]
    fn uuid_is_stable_and_depends_on_the_manifest() {
        let a = DocumentInfo::resolve(&sbom(None), None).unwrap().uuid;
        assert_eq!(a, DocumentInfo::resolve(&sbom(None), None).unwrap().uuid);
        assert_eq!(a.get_version_num(), 5);
        let mut other = sbom(None);
        other.source.manifest_digest = None;
        assert_ne!(a, DocumentInfo::resolve(&other, None).unwrap().uuid);
    }
}
