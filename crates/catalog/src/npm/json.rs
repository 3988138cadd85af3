//! Reading untrusted JSON manifests leniently (shared by the npm, Composer and .NET modules).
//!
//! Real manifests are messier than their schemas: a UTF-8 byte-order mark, several documents
//! concatenated into one file, lone UTF-16 surrogate escapes that serde_json rightly rejects
//! (trivy #8557 lost whole `installed.json` files to them), fields whose type varies between
//! publishers (`license` as a string, an object or an array). The helpers here decode what can
//! be decoded and let one odd field cost only that field, never the package.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Decodes the first JSON document of `bytes` into `T`.
///
/// Only the first document counts when several are concatenated (Syft decodes them in a loop;
/// a second manifest in one file is an accident, and the first is what tools that stop at the
/// first document read). The document goes through [`Value`] first so that duplicated keys
/// resolve as `JSON.parse` resolves them (the last wins) instead of failing the derive.
pub(crate) fn first_document<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value = match decode_first(bytes) {
        Ok(value) => value,
        // Retry once, only when a repair changes something, and report the retry's error:
        // it is the one a reader of the repaired file would hit.
        Err(err) => match repair(bytes) {
            Some(fixed) => decode_first(fixed.as_bytes())?,
            None => return Err(err),
        },
    };
    T::deserialize(value)
}

/// [`first_document`] for formats whose top level is an object (see [`Obj`]).
pub(crate) fn first_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    first_document::<Obj<T>>(bytes).map(|Obj(value)| value)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn decode_first(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    match serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .next()
    {
        Some(result) => result,
        // Empty or blank input: let serde_json phrase the end-of-input error.
        None => serde_json::from_slice(bytes),
    }
}

/// Replaces invalid UTF-8 with U+FFFD and every lone surrogate escape (`\uD83D` not followed
/// by a low surrogate, or a stray `\uDC00`) with `\uFFFD`. Paired escapes (`\ud83d\udee0`)
/// are valid JSON and stay. Returns `None` when nothing needed repair.
fn repair(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut changed = matches!(text, Cow::Owned(_));
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at..];
        let taken = match unicode_escape(escape) {
            Some(0xD800..=0xDBFF)
                if matches!(unicode_escape(&escape[6..]), Some(0xDC00..=0xDFFF)) =>
            {
                12
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\uFFFD");
                changed = true;
                rest = &escape[6..];
                continue;
            }
            Some(_) => 6,
            // Any other escape is two characters; copying both keeps `\\u` from being read
            // as the start of an escape.
            None => 1 + escape[1..].chars().next().map_or(0, char::len_utf8),
        };
        out.push_str(&escape[..taken]);
        rest = &escape[taken..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The code unit of a `\uXXXX` escape at the start of `s` (six ASCII bytes when `Some`).
fn unicode_escape(s: &str) -> Option<u32> {
    let hex = s.strip_prefix("\\u")?.get(..4)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// A field that is `None` when absent, `null` or of an unexpected shape, instead of failing
/// the whole document: `license: 42` must not lose the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(Lenient(T::deserialize(value).ok()))
    }
}

/// A JSON object decoded as `T`, and an error for anything else. serde's derived structs also
/// accept an array, field by field, which would read `"author": ["a", "b"]` as a name and an
/// email; wrapping a struct in `Obj` keeps arrays out (use it inside `Lenient` or an untagged
/// enum, where the error just means "not this shape").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Obj<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(map) => T::deserialize(Value::Object(map))
                .map(Obj)
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format_args!(
                "expected an object, found {}",
                kind(&other)
            ))),
        }
    }
}

/// For `#[serde(default, deserialize_with = "lenient")]` on an `Option<T>` field.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Lenient::deserialize(deserializer).map(|Lenient(value)| value)
}

/// A typed metadata struct as the record's camelCase key → value map.
pub(crate) fn metadata_map<T: Serialize>(metadata: &T) -> BTreeMap<String, Value> {
    match serde_json::to_value(metadata) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// A trimmed, non-empty string.
pub(crate) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Doc {
        #[serde(default, deserialize_with = "lenient")]
        name: Option<String>,
    }

    fn name(json: &[u8]) -> Option<String> {
        first_object::<Doc>(json).ok().and_then(|d| d.name)
    }

    #[test]
    fn decodes_what_serde_json_alone_would_reject() {
        assert_eq!(name(br#"{"name":"a"}"#).as_deref(), Some("a"));
        assert_eq!(
            name(b"\xEF\xBB\xBF{\"name\":\"bom\"}").as_deref(),
            Some("bom")
        );
        assert_eq!(
            name(br#"{"name":"first"}{"name":"second"}"#).as_deref(),
            Some("first")
        );
        assert_eq!(
            name(br#"{"name":"a","name":"last"}"#).as_deref(),
            Some("last")
        );
        assert_eq!(name(br#"{"name":42}"#), None);
        assert_eq!(
            name(br#"{"name":"\ud83d\udee0 tool"}"#).as_deref(),
            Some("\u{1F6E0} tool")
        );
        assert_eq!(
            name(br#"{"name":"a\ud83d b"}"#).as_deref(),
            Some("a\u{FFFD} b")
        );
        assert_eq!(
            name(br#"{"name":"\udee0\ud83d"}"#).as_deref(),
            Some("\u{FFFD}\u{FFFD}")
        );
        assert_eq!(name(br#"{"name":"\\ud83d"}"#).as_deref(), Some("\\ud83d"));
        assert_eq!(
            name(b"{\"name\":\"caf\xE9\"}").as_deref(),
            Some("caf\u{FFFD}")
        );
    }

    #[test]
    fn reports_what_cannot_be_decoded() {
        for bad in [
            &b""[..],
            b"  ",
            b"{",
            b"{\"name\":\"\\ud83",
            b"\\",
            b"\xff\xfe",
            b"[1,2]",
        ] {
            assert!(first_document::<Doc>(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100_000);
        assert!(first_object::<Doc>(deep.as_bytes()).is_err());
        let err = first_object::<Doc>(b"[]").err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("found an array"));
    }

    #[test]
    fn repair_leaves_valid_text_alone() {
        assert_eq!(repair(br#"{"a":"\u00e9\n\\"}"#), None);
        assert_eq!(repair(br#""\ud800\u""#).as_deref(), Some(r#""\uFFFD\u""#));
        assert_eq!(repair("\"\\é\\".as_bytes()), None);
    }
}
