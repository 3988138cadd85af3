//! Small supporting files beside a package's metadata: `top_level.txt` (the import names it
//! provides) and `direct_url.json` (PEP 610: where it was installed from).

use sbomgen_model::{DirectUrl, FileFindings, Support};
use serde::Deserialize;

/// `top_level.txt`: one import name a line.
pub(super) fn top_level(bytes: &[u8]) -> FileFindings {
    let text = String::from_utf8_lossy(bytes);
    let names = text
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    FileFindings {
        support: Some(Support::TopLevel(names)),
        ..FileFindings::default()
    }
}

/// `direct_url.json` as PEP 610 and <https://packaging.python.org/en/latest/specifications/direct-url-data-structure/>
/// define it; unknown keys are ignored.
#[derive(Debug, Deserialize)]
struct RawDirectUrl {
    url: String,
    vcs_info: Option<RawVcsInfo>,
    dir_info: Option<RawDirInfo>,
}

#[derive(Debug, Deserialize)]
struct RawVcsInfo {
    vcs: Option<String>,
    commit_id: Option<String>,
    requested_revision: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawDirInfo {
    #[serde(default)]
    editable: bool,
}

/// `direct_url.json`; junk gives a warning naming `path` and no support.
pub(super) fn direct_url(path: &str, bytes: &[u8]) -> FileFindings {
    let text = replace_lone_surrogates(&String::from_utf8_lossy(bytes));
    match serde_json::from_str::<RawDirectUrl>(&text) {
        Ok(raw) => {
            let vcs = raw.vcs_info;
            FileFindings {
                support: Some(Support::DirectUrl(DirectUrl {
                    url: raw.url,
                    vcs: vcs.as_ref().and_then(|v| v.vcs.clone()),
                    commit_id: vcs.as_ref().and_then(|v| v.commit_id.clone()),
                    requested_revision: vcs.and_then(|v| v.requested_revision),
                    editable: raw.dir_info.is_some_and(|d| d.editable),
                })),
                ..FileFindings::default()
            }
        }
        Err(e) => FileFindings::warning(format!("{path}: not a PEP 610 direct_url.json: {e}")),
    }
}

/// Python's `json` writes a path's undecodable bytes (kept by `surrogateescape`) as lone
/// surrogate escapes (`"\udcff"`), which are not Unicode and which serde_json rejects; they
/// become `\ufffd` here, so the rest of the file is still read. Escaped backslashes (`\\u`)
/// are left alone, and valid pairs (`\ud83d\ude00`) kept.
fn replace_lone_surrogates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_unit(bytes, i) else {
            i += 2; // `\"`, `\\`, `\n`: the escaped character cannot start another escape
            continue;
        };
        let paired = match unit {
            0xD800..=0xDBFF => {
                escape_unit(bytes, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low))
            }
            0xDC00..=0xDFFF => false,
            _ => true,
        };
        if paired {
            // A valid pair: skip both halves, so the low one is not judged alone.
            i += if (0xD800..=0xDBFF).contains(&unit) {
                12
            } else {
                6
            };
            continue;
        }
        out.push_str(&text[copied..i]);
        out.push_str("\\ufffd");
        i += 6;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

/// The code unit of a `\uXXXX` escape at `at`.
fn escape_unit(bytes: &[u8], at: usize) -> Option<u32> {
    let hex = bytes.get(at..at + 6)?.strip_prefix(b"\\u")?;
    let hex = std::str::from_utf8(hex).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: &str) -> Result<DirectUrl, Vec<String>> {
        match direct_url("site/x.dist-info/direct_url.json", json.as_bytes()) {
            FileFindings {
                support: Some(Support::DirectUrl(d)),
                warnings,
                ..
            } if warnings.is_empty() => Ok(d),
            other => Err(other.warnings),
        }
    }

    #[test]
    fn reads_vcs_dir_and_archive_forms() {
        let git = parsed(
            r#"{"url": "https://github.com/python-test/test.git", "vcs_info": {"commit_id": "aaaa", "vcs": "git", "requested_revision": "main"}}"#,
        );
        assert_eq!(
            git,
            Ok(DirectUrl {
                url: "https://github.com/python-test/test.git".into(),
                vcs: Some("git".into()),
                commit_id: Some("aaaa".into()),
                requested_revision: Some("main".into()),
                editable: false,
            })
        );
        let dir = parsed(r#"{"url": "file:///src/app", "dir_info": {"editable": true}, "x": [1]}"#);
        assert!(dir.is_ok_and(|d| d.editable && d.vcs.is_none()));
        let archive =
            parsed(r#"{"url": "https://x/y.whl", "archive_info": {"hash": "sha256=00"}}"#);
        assert!(archive.is_ok_and(|d| d.url == "https://x/y.whl" && !d.editable));
    }

    #[test]
    fn junk_is_a_warning() {
        for junk in [
            "",
            "{",
            "[]",
            "{\"url\": 5}",
            "{\"vcs_info\": {}}",
            "\u{0}\u{1}binary",
        ] {
            let warnings = parsed(junk).expect_err(junk);
            assert!(
                warnings.len() == 1
                    && warnings[0].starts_with("site/x.dist-info/direct_url.json: "),
                "{warnings:?}"
            );
        }
    }

    #[test]
    fn surrogate_escapes_and_invalid_utf8_are_tolerated() {
        let lone = parsed(r#"{"url": "file:///src/caf\udce9", "dir_info": {}}"#).unwrap();
        assert_eq!(lone.url, "file:///src/caf\u{fffd}");
        let high = parsed(r#"{"url": "file:///a\ud83d"}"#).unwrap();
        assert_eq!(high.url, "file:///a\u{fffd}");
        let pair = parsed(r#"{"url": "file:///\ud83d\ude00\\udce9"}"#).unwrap();
        assert_eq!(pair.url, "file:///\u{1f600}\\udce9");
        let raw = direct_url("d/direct_url.json", b"{\"url\": \"file:///caf\xe9\"}");
        assert!(
            matches!(raw.support, Some(Support::DirectUrl(d)) if d.url == "file:///caf\u{fffd}")
        );
        let truncated = parsed(r#"{"url": "x\ud8"#);
        assert!(truncated.is_err());
    }

    #[test]
    fn top_level_names() {
        let found = top_level(b"yaml\r\n_yaml\n\n  \n");
        assert_eq!(
            found.support,
            Some(Support::TopLevel(vec!["yaml".into(), "_yaml".into()]))
        );
    }
}
