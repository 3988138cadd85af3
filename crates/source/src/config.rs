//! The image config: platform, creation time, `rootfs.diff_ids`, the history of each layer and
//! what the image runs (`config.Entrypoint`, `config.Cmd`).
//!
//! See the OCI image spec, `config.md`: `history` has one entry per build step, and steps that
//! made no layer carry `"empty_layer": true`, so the k-th *non-empty* entry describes layer k.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use sbomgen_model::{Digest, Platform};

use crate::error::SourceError;
use crate::launch::Launch;

/// The most bytes read into memory for one JSON document (index, manifest, config,
/// `manifest.json`). Real ones are a few KiB; a config with a long history stays under 1 MiB.
pub(crate) const MAX_JSON_BYTES: u64 = 8 << 20;

/// Parses JSON, naming `file` in the error.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8], file: &str) -> Result<T, SourceError> {
    serde_json::from_slice(bytes).map_err(|e| SourceError::Json {
        file: file.to_string(),
        message: e.to_string(),
    })
}

#[derive(Deserialize)]
struct RawConfig {
    architecture: Option<String>,
    os: Option<String>,
    variant: Option<String>,
    created: Option<String>,
    rootfs: Option<RawRootfs>,
    history: Option<Vec<RawHistory>>,
    config: Option<RawRunConfig>,
}

/// The runtime part of a config; shapes are checked in [`Launch::from_raw`], not here, so an
/// odd `Cmd` does not fail the scan.
#[derive(Deserialize)]
struct RawRunConfig {
    #[serde(rename = "Entrypoint")]
    entrypoint: Option<serde_json::Value>,
    #[serde(rename = "Cmd")]
    cmd: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawRootfs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

#[derive(Deserialize)]
struct RawHistory {
    created_by: Option<String>,
    comment: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

/// What the scan needs from a config, checked against the manifest's layer count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageConfig {
    /// `os/architecture[/variant]`, when the config names both os and architecture.
    pub(crate) platform: Option<Platform>,
    pub(crate) created: Option<String>,
    /// One per layer, in order.
    pub(crate) diff_ids: Vec<Digest>,
    /// One per layer: the history entry's `created_by` (or its `comment`), if any.
    pub(crate) created_by: Vec<Option<String>>,
    /// `config.Entrypoint` and `config.Cmd` (empty when the config has neither).
    pub(crate) launch: Launch,
}

impl ImageConfig {
    /// Reads a config for an image of `layers` layers; `file` names it in errors.
    pub(crate) fn parse(bytes: &[u8], file: &str, layers: usize) -> Result<Self, SourceError> {
        let raw: RawConfig = parse_json(bytes, file)?;
        let raw_ids = raw.rootfs.map(|r| r.diff_ids).unwrap_or_default();
        if raw_ids.len() != layers {
            return Err(SourceError::LayerCountMismatch {
                config: file.to_string(),
                diff_ids: raw_ids.len(),
                layers,
            });
        }
        let diff_ids = raw_ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                id.parse::<Digest>()
                    .map_err(|source| SourceError::InvalidDigest {
                        what: format!("diff_id {k} of {file}"),
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;

        // The k-th non-empty history entry belongs to layer k. When the counts disagree the
        // alignment is unknown; layers past the last entry get no history rather than a guess.
        let mut created_by: Vec<Option<String>> = raw
            .history
            .unwrap_or_default()
            .into_iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.or(h.comment))
            .take(layers)
            .collect();
        created_by.resize(layers, None);

        let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
        let platform = match (nonempty(raw.os), nonempty(raw.architecture)) {
            (Some(os), Some(arch)) => Some(Platform::new(&os, &arch, raw.variant.as_deref())),
            _ => None,
        };
        let launch = raw
            .config
            .map(|c| Launch::from_raw(c.entrypoint.as_ref(), c.cmd.as_ref()))
            .unwrap_or_default();
        Ok(ImageConfig {
            platform,
            created: raw.created,
            diff_ids,
            created_by,
            launch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    #[test]
    fn maps_history_skipping_empty_layers() {
        let json = format!(
            r#"{{"os":"linux","architecture":"arm","variant":"v7","created":"2024-01-01T00:00:00Z",
            "rootfs":{{"type":"layers","diff_ids":["{}","{}"]}},
            "history":[{{"created_by":"ADD rootfs"}},{{"created_by":"ENV A=1","empty_layer":true}},
                       {{"comment":"buildkit copy"}}]}}"#,
            id(1),
            id(2)
        );
        let c = ImageConfig::parse(json.as_bytes(), "config", 2).unwrap();
        assert_eq!(c.platform.unwrap().to_string(), "linux/arm/v7");
        assert_eq!(c.created.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(c.diff_ids[1].as_str(), id(2));
        assert_eq!(
            c.created_by,
            [
                Some("ADD rootfs".to_string()),
                Some("buildkit copy".to_string())
            ]
        );
    }

    #[test]
    fn reads_entrypoint_and_cmd() {
        let json = format!(
            r#"{{"rootfs":{{"diff_ids":["{}"]}},
            "config":{{"Entrypoint":["/usr/bin/tini","--"],"Cmd":["/bin/sh","-c","run x"],"Env":[]}}}}"#,
            id(1)
        );
        let c = ImageConfig::parse(json.as_bytes(), "config", 1).unwrap();
        assert_eq!(c.launch.entrypoint, ["/usr/bin/tini", "--"]);
        assert_eq!(c.launch.cmd, ["/bin/sh", "-c", "run x"]);
        let json = format!(
            r#"{{"rootfs":{{"diff_ids":["{}"]}},"config":{{"Entrypoint":null,"Cmd":7}}}}"#,
            id(1)
        );
        let c = ImageConfig::parse(json.as_bytes(), "config", 1).unwrap();
        assert_eq!(c.launch, Launch::default());
    }

    #[test]
    fn short_history_leaves_later_layers_unattributed() {
        let json = format!(
            r#"{{"rootfs":{{"diff_ids":["{}","{}"]}},"history":[{{"created_by":"one"}}]}}"#,
            id(1),
            id(2)
        );
        let c = ImageConfig::parse(json.as_bytes(), "config", 2).unwrap();
        assert_eq!(c.created_by, [Some("one".to_string()), None]);
        assert_eq!(c.platform, None);
    }

    #[test]
    fn diff_id_count_must_match_layers() {
        let json = format!(r#"{{"rootfs":{{"diff_ids":["{}"]}}}}"#, id(1));
        let err = ImageConfig::parse(json.as_bytes(), "cfg.json", 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "config cfg.json lists 1 diff_ids but the manifest has 2 layers"
        );
    }

    #[test]
    fn bad_diff_id_and_bad_json_are_errors() {
        let err = ImageConfig::parse(br#"{"rootfs":{"diff_ids":["md5:x"]}}"#, "c", 1).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("diff_id 0 of c: invalid digest"),
            "{err}"
        );
        let err = ImageConfig::parse(b"{not json", "c.json", 0).unwrap_err();
        assert!(
            err.to_string().starts_with("malformed JSON in c.json: "),
            "{err}"
        );
    }
}
