//! Reads one audit section: zlib-compressed JSON, decompressed under a cap, into typed structs.
//!
//! The format is cargo-auditable's `VersionInfo` (`auditable-serde`,
//! `cargo-auditable.schema.json`): `{"format"?: u32, "packages": [{name, version, source,
//! kind?, dependencies?, root?}]}`. `format` is not read: it only says how `kind` was derived
//! (format 0 may mark proc-macros as runtime), which changes nothing here. The section is
//! streamed from the file through the decoder, never held whole.

use std::fmt;
use std::io::{Read, SeekFrom};

use flate2::read::ZlibDecoder;
use serde::Deserialize;

use super::limits::Limits;
use super::locate::Section;
use crate::ReadSeek;

/// The embedded dependency list.
#[derive(Debug, Deserialize)]
pub(super) struct VersionInfo {
    pub packages: Vec<Package>,
}

/// One crate of the build.
#[derive(Debug, Deserialize)]
pub(super) struct Package {
    pub name: String,
    pub version: String,
    /// `crates.io`, `git`, `local`, `registry`, or another string. Required by the schema;
    /// tolerated when absent (empty).
    #[serde(default)]
    pub source: String,
    /// `runtime` (the default when absent) or `build`; kept as a string so that a kind this
    /// code does not know does not reject the whole list.
    #[serde(default)]
    pub kind: Option<String>,
    /// Indices into `packages`.
    #[serde(default)]
    pub dependencies: Vec<usize>,
    /// The crate the binary was built from.
    #[serde(default)]
    pub root: bool,
}

/// Why a found section gave no package list.
#[derive(Debug)]
pub(super) enum DecodeError {
    Empty,
    PastEnd {
        offset: u64,
        size: u64,
        end: u64,
    },
    SectionTooLarge {
        size: u64,
        limit: u64,
    },
    /// The decompressed JSON would pass the remaining budget of [`Limits::max_json_size`].
    JsonTooLarge {
        limit: u64,
    },
    Zlib(std::io::Error),
    Json(serde_json::Error),
    Io(std::io::Error),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => f.write_str("is empty"),
            DecodeError::PastEnd { offset, size, end } => write!(
                f,
                "lies past the end of the file ({size} bytes at offset {offset}, file ends at {end})"
            ),
            DecodeError::SectionTooLarge { size, limit } => {
                write!(f, "is {size} bytes, above the {limit}-byte limit: not read")
            }
            DecodeError::JsonTooLarge { limit } => write!(
                f,
                "decompresses to more than {limit} bytes, the limit: not read (a zlib bomb?)"
            ),
            DecodeError::Zlib(e) => write!(f, "is not valid zlib data: {e}"),
            DecodeError::Json(e) => write!(f, "holds invalid audit JSON: {e}"),
            DecodeError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// Decompresses and parses `section`, spending at most `budget` bytes of decompressed JSON
/// (what is left of [`Limits::max_json_size`] for this file). Returns the list and how many
/// bytes of the budget it used.
pub(super) fn read(
    content: &mut dyn ReadSeek,
    section: &Section,
    limits: &Limits,
    budget: u64,
) -> Result<(VersionInfo, u64), DecodeError> {
    if section.size == 0 {
        return Err(DecodeError::Empty);
    }
    if section.size > limits.max_section_size {
        return Err(DecodeError::SectionTooLarge {
            size: section.size,
            limit: limits.max_section_size,
        });
    }
    if section
        .offset
        .checked_add(section.size)
        .is_none_or(|end| end > section.container_end)
    {
        return Err(DecodeError::PastEnd {
            offset: section.offset,
            size: section.size,
            end: section.container_end,
        });
    }
    content
        .seek(SeekFrom::Start(section.offset))
        .map_err(DecodeError::Io)?;
    let json = inflate(content.take(section.size), budget)?;
    let info = serde_json::from_slice(&json).map_err(DecodeError::Json)?;
    Ok((info, json.len() as u64))
}

/// Inflates zlib data from `compressed`, failing once the output passes `limit` bytes: only
/// `limit + 1` bytes are ever produced, whatever the input claims.
pub(super) fn inflate(compressed: impl Read, limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut json = Vec::new();
    ZlibDecoder::new(compressed)
        .take(limit.saturating_add(1))
        .read_to_end(&mut json)
        .map_err(DecodeError::Zlib)?;
    if json.len() as u64 > limit {
        return Err(DecodeError::JsonTooLarge { limit });
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::rust::testbin::zlib;

    fn section(offset: u64, size: u64, container_end: u64) -> Section {
        Section {
            name: ".dep-v0",
            slice: None,
            offset,
            size,
            container_end,
        }
    }

    fn decode(bytes: &[u8], limits: &Limits) -> Result<(VersionInfo, u64), DecodeError> {
        let s = section(0, bytes.len() as u64, bytes.len() as u64);
        read(&mut Cursor::new(bytes), &s, limits, limits.max_json_size)
    }

    #[test]
    fn reads_the_documented_shape() {
        let json = r#"{"format":1,"packages":[{"name":"a","version":"1.0.0","source":"crates.io","kind":"build"},{"name":"b","version":"0.1.0","source":"local","dependencies":[0],"root":true,"features":["x"]}]}"#;
        let (info, used) = decode(&zlib(json.as_bytes()), &Limits::DEFAULT).unwrap();
        assert_eq!(used, json.len() as u64);
        let [a, b] = &info.packages[..] else {
            panic!("{info:?}")
        };
        assert_eq!(
            (a.kind.as_deref(), a.root, a.dependencies.len()),
            (Some("build"), false, 0)
        );
        assert_eq!(
            (b.kind.as_deref(), b.root, &b.dependencies[..]),
            (None, true, &[0][..])
        );
    }

    #[test]
    fn section_in_the_middle_of_a_file_with_trailing_padding() {
        // PE rounds raw data up to the file alignment: zeros after the zlib stream.
        let mut file = b"headers!".to_vec();
        file.extend(zlib(br#"{"packages":[]}"#));
        file.extend([0u8; 40]);
        let s = section(8, file.len() as u64 - 8, file.len() as u64);
        let limits = Limits::DEFAULT;
        let (info, _) = read(&mut Cursor::new(&file), &s, &limits, limits.max_json_size).unwrap();
        assert!(info.packages.is_empty());
    }

    #[test]
    fn bad_sections() {
        let limits = Limits::DEFAULT;
        assert!(matches!(decode(b"", &limits), Err(DecodeError::Empty)));
        assert!(matches!(
            decode(b"not zlib at all", &limits),
            Err(DecodeError::Zlib(_))
        ));
        let truncated = zlib(br#"{"packages":[{"name":"a","version":"1"}]}"#);
        let truncated = &truncated[..truncated.len() / 2];
        assert!(decode(truncated, &limits).is_err());
        for json in [
            &b"{\"packages\": 3}"[..],
            b"[]",
            b"{\"packages\":[{\"name\":\"a\"}]}",
            b"\xff",
        ] {
            assert!(matches!(
                decode(&zlib(json), &limits),
                Err(DecodeError::Json(_))
            ));
        }
        let s = section(1 << 40, 10, 100);
        let past = read(&mut Cursor::new(vec![0; 100]), &s, &limits, 100);
        assert!(matches!(past, Err(DecodeError::PastEnd { .. })), "{past:?}");
        let s = section(u64::MAX - 1, 10, 100);
        let past = read(&mut Cursor::new(vec![0; 100]), &s, &limits, 100);
        assert!(matches!(past, Err(DecodeError::PastEnd { .. })));
    }

    #[test]
    fn limit_max_json_size_stops_a_zlib_bomb() {
        // 1 GiB of spaces would compress to ~1 MB; 9 MiB are enough to pass the default.
        let bomb = zlib(&vec![b' '; 9 << 20]);
        assert!(bomb.len() < 64 << 10);
        let err = decode(&bomb, &Limits::DEFAULT).unwrap_err();
        assert!(matches!(err, DecodeError::JsonTooLarge { limit } if limit == 8 << 20));
        // Exactly at the limit is fine.
        let mut json = br#"{"packages":[]}"#.to_vec();
        json.resize(100, b' ');
        let limits = Limits {
            max_json_size: 100,
            ..Limits::DEFAULT
        };
        assert!(decode(&zlib(&json), &limits).is_ok());
        json.push(b' ');
        assert!(matches!(
            decode(&zlib(&json), &limits),
            Err(DecodeError::JsonTooLarge { .. })
        ));
    }

    #[test]
    fn limit_max_section_size() {
        let limits = Limits::DEFAULT;
        let s = section(0, (8 << 20) + 1, 1 << 30);
        let err = read(&mut Cursor::new(Vec::new()), &s, &limits, 100).unwrap_err();
        assert!(
            matches!(err, DecodeError::SectionTooLarge { size, limit } if size == (8 << 20) + 1 && limit == 8 << 20)
        );
        let small = Limits {
            max_section_size: 10,
            ..limits
        };
        let bytes = zlib(br#"{"packages":[]}"#);
        assert!(matches!(
            decode(&bytes, &small),
            Err(DecodeError::SectionTooLarge { .. })
        ));
        let enough = Limits {
            max_section_size: bytes.len() as u64,
            ..limits
        };
        assert!(decode(&bytes, &enough).is_ok());
    }
}
