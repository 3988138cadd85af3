//! Finds the `.dep-v0` custom section of a WebAssembly module by walking its section headers.
//!
//! A module is `\0asm`, a four-byte version, then sections: an id byte, a LEB128 payload size,
//! the payload; a custom section (id 0) starts its payload with a LEB128-prefixed name
//! (<https://webassembly.github.io/spec/core/binary/modules.html#sections>). Each step reads a
//! few bytes and seeks past the payload, so a module costs one small read per section, never
//! a read of its code. Components (version `0d 00 01 00`) nest core modules inside their own
//! sections; go-rustaudit does not look inside them, nor does this.

use super::limits::Limits;
use super::locate::{read_at, LocateError, Section};
use crate::ReadSeek;

const NAME: &str = ".dep-v0";
const MODULE_VERSION: [u8; 4] = [1, 0, 0, 0];

/// The `.dep-v0` custom section of the module of `size` bytes in `content`, if any.
pub(super) fn find(
    content: &mut dyn ReadSeek,
    size: u64,
    limits: &Limits,
) -> Result<Option<Section>, LocateError> {
    let mut header = [0u8; 8];
    if read_at(content, 0, &mut header).map_err(LocateError::Io)? < 8
        || header[4..] != MODULE_VERSION
    {
        return Err(LocateError::Malformed);
    }
    let mut offset = 8u64;
    let mut walked = 0u32;
    while offset < size {
        if walked == limits.max_wasm_sections {
            return Err(LocateError::TooManySections {
                limit: limits.max_wasm_sections,
            });
        }
        walked += 1;
        // id (1) + payload size (≤ 5) + name length (≤ 5) + the name we look for (7).
        let mut head = [0u8; 18];
        let filled = read_at(content, offset, &mut head).map_err(LocateError::Io)?;
        let head = &head[..filled];
        let (&id, rest) = head.split_first().ok_or(LocateError::Malformed)?;
        let (payload_size, used) = leb128_u32(rest).ok_or(LocateError::Malformed)?;
        let payload = offset + 1 + used as u64;
        let end = payload + u64::from(payload_size);
        if end > size {
            return Err(LocateError::Malformed);
        }
        if id == 0 {
            let (name_len, name_used) = leb128_u32(&rest[used..]).ok_or(LocateError::Malformed)?;
            let data = payload + name_used as u64 + u64::from(name_len);
            if data > end {
                return Err(LocateError::Malformed);
            }
            let name = &rest[used + name_used..];
            if name_len as usize == NAME.len() && name.starts_with(NAME.as_bytes()) {
                return Ok(Some(Section {
                    name: NAME,
                    slice: None,
                    offset: data,
                    size: end - data,
                    container_end: size,
                }));
            }
        }
        offset = end;
    }
    Ok(None)
}

/// An unsigned LEB128 `u32` at the start of `bytes`, and how many bytes it used (at most 5).
fn leb128_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, &byte) in bytes.iter().take(5).enumerate() {
        let low = u32::from(byte & 0x7f);
        // The fifth byte may only hold the top four bits of a u32.
        if i == 4 && low > 0x0f {
            return None;
        }
        value |= low << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::exe::testbin::uleb128;
    use crate::rust::testbin::wasm;

    fn locate(bytes: &[u8], limits: &Limits) -> Result<Option<Section>, LocateError> {
        find(&mut Cursor::new(bytes), bytes.len() as u64, limits)
    }

    #[test]
    fn leb128_cases() {
        type Case = (&'static [u8], Option<(u32, usize)>);
        let cases: &[Case] = &[
            (&[0x00], Some((0, 1))),
            (&[0x7f], Some((127, 1))),
            (&[0x80, 0x01], Some((128, 2))),
            (&[0xff, 0xff, 0xff, 0xff, 0x0f], Some((u32::MAX, 5))),
            (&[0xff, 0xff, 0xff, 0xff, 0x1f], None),
            (&[0x80, 0x80], None),
            (&[], None),
        ];
        for (bytes, want) in cases {
            assert_eq!(leb128_u32(bytes), *want, "{bytes:?}");
        }
        assert_eq!(leb128_u32(&uleb128(300)), Some((300, 2)));
    }

    #[test]
    fn finds_the_custom_section_after_others() {
        let module = wasm(&[
            (1, None, vec![0; 300]),
            (0, Some("name"), vec![1, 2, 3]),
            (0, Some(".dep-v0"), b"payload".to_vec()),
        ]);
        let section = locate(&module, &Limits::DEFAULT).unwrap().unwrap();
        let at = usize::try_from(section.offset).unwrap();
        let size = usize::try_from(section.size).unwrap();
        assert_eq!(&module[at..at + size], b"payload");
    }

    #[test]
    fn absent_truncated_and_component() {
        let module = wasm(&[(0, Some(".dep-v1"), vec![1]), (10, None, vec![0; 4])]);
        assert!(matches!(locate(&module, &Limits::DEFAULT), Ok(None)));
        let truncated = &module[..module.len() - 1];
        assert!(matches!(
            locate(truncated, &Limits::DEFAULT),
            Err(LocateError::Malformed)
        ));
        let mut component = module.clone();
        component[4..8].copy_from_slice(&[0x0d, 0, 1, 0]);
        assert!(matches!(
            locate(&component, &Limits::DEFAULT),
            Err(LocateError::Malformed)
        ));
        // A name longer than its section.
        let bad = wasm(&[(0, None, vec![9, b'x'])]);
        assert!(matches!(
            locate(&bad, &Limits::DEFAULT),
            Err(LocateError::Malformed)
        ));
    }

    #[test]
    fn limit_max_wasm_sections() {
        let many: Vec<_> = (0..11).map(|_| (0u8, Some("x"), Vec::new())).collect();
        let module = wasm(&many);
        let limits = Limits {
            max_wasm_sections: 10,
            ..Limits::DEFAULT
        };
        assert!(matches!(
            locate(&module, &limits),
            Err(LocateError::TooManySections { limit: 10 })
        ));
        let limits = Limits {
            max_wasm_sections: 11,
            ..Limits::DEFAULT
        };
        assert!(matches!(locate(&module, &limits), Ok(None)));
        // At the default, 100 001 one-byte custom sections (400 KB) give up with the error.
        let module = wasm(&vec![(0u8, Some(""), Vec::new()); 100_001]);
        assert!(matches!(
            locate(&module, &Limits::DEFAULT),
            Err(LocateError::TooManySections { limit: 100_000 })
        ));
    }
}
