//! SQLite varints and the record format: a row's payload bytes → its column values.
//!
//! <https://www.sqlite.org/fileformat2.html#varint> and `#record_format`.

/// One column value. Text is left as bytes: the only text we read is the schema's
/// ASCII type and table names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Float(f64),
    Blob(&'a [u8]),
    Text(&'a [u8]),
}

impl Value<'_> {
    /// A short name for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Blob(_) => "a blob",
            Value::Text(_) => "text",
        }
    }
}

/// Decodes a varint at the start of `bytes`: big-endian groups of 7 bits, high bit set on all
/// but the last byte; the 9th byte, if reached, contributes all 8 bits. Returns the value and
/// the bytes used, or `None` if `bytes` ends first.
pub(crate) fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..8 {
        let b = *bytes.get(i)?;
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    let last = *bytes.get(8)?;
    Some(((value << 8) | u64::from(last), 9))
}

/// Splits a record into its column values. Errors say what is wrong, the caller adds where.
pub(crate) fn decode(payload: &[u8]) -> Result<Vec<Value<'_>>, String> {
    let (header_len, mut pos) = varint(payload).ok_or("record header length is truncated")?;
    let header_len = usize::try_from(header_len)
        .ok()
        .filter(|&h| h >= pos && h <= payload.len())
        .ok_or_else(|| {
            format!(
                "record header length {header_len} outside the {}-byte payload",
                payload.len()
            )
        })?;
    let mut body = header_len;
    let mut values = Vec::new();
    while pos < header_len {
        let (serial, used) =
            varint(&payload[pos..header_len]).ok_or("record serial type is truncated")?;
        pos += used;
        let (len, fixed) = match serial {
            0 | 8 | 9 => (0, true),
            // Integers of 1 to 4 bytes: the serial type is the length.
            1 => (1, true),
            2 => (2, true),
            3 => (3, true),
            4 => (4, true),
            5 => (6, true),
            6 | 7 => (8, true),
            10 | 11 => return Err(format!("reserved serial type {serial}")),
            n => (usize::try_from((n - 12) / 2).unwrap_or(usize::MAX), false),
        };
        let bytes = body
            .checked_add(len)
            .and_then(|end| payload.get(body..end))
            .ok_or_else(|| {
                format!(
                    "column {} of {len} bytes runs past the {}-byte payload",
                    values.len(),
                    payload.len()
                )
            })?;
        body += len;
        values.push(match serial {
            0 => Value::Null,
            8 => Value::Int(0),
            9 => Value::Int(1),
            7 => Value::Float(f64::from_be_bytes(bytes.try_into().unwrap_or_default())),
            _ if fixed => Value::Int(be_signed(bytes)),
            n if n % 2 == 0 => Value::Blob(bytes),
            _ => Value::Text(bytes),
        });
    }
    Ok(values)
}

/// A big-endian two's complement integer of 1 to 8 bytes, sign-extended to 8.
fn be_signed(bytes: &[u8]) -> i64 {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut word = [if negative { 0xff } else { 0 }; 8];
    word[8 - bytes.len()..].copy_from_slice(bytes);
    i64::from_be_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encoded bytes → (value, bytes used), or `None` when truncated.
    type VarintCase<'a> = (&'a [u8], Option<(u64, usize)>);

    #[test]
    fn varints() {
        let cases: &[VarintCase] = &[
            (&[0x00], Some((0, 1))),
            (&[0x7f], Some((127, 1))),
            (&[0x81, 0x00], Some((128, 2))),
            (&[0x82, 0x2c], Some((300, 2))),
            (&[0xff, 0xff, 0x7f], Some(((1 << 21) - 1, 3))),
            (&[0xff; 9], Some((u64::MAX, 9))),
            (
                &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
                Some((1, 9)),
            ),
            (&[0x81], None),
            (&[], None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(varint(bytes), *expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn records() {
        // header of 7 bytes: its length, then NULL, int8, int16, blob(2), text(1), constant 1
        let rec = [7, 0, 1, 2, 16, 15, 9, 0x7f, 0xff, 0xfe, 0xaa, 0xbb, b'x'];
        assert_eq!(
            decode(&rec).unwrap(),
            [
                Value::Null,
                Value::Int(127),
                Value::Int(-2),
                Value::Blob(&[0xaa, 0xbb]),
                Value::Text(b"x"),
                Value::Int(1),
            ]
        );
        assert!(decode(&rec[..12]).is_err(), "text runs past the end");
        assert!(decode(&[2, 10]).is_err(), "reserved type");
        assert!(decode(&[9, 0]).is_err(), "header longer than payload");
        assert!(decode(&[]).is_err());
    }

    #[test]
    fn signed_integers_of_each_width() {
        assert_eq!(be_signed(&[0x80]), -128);
        assert_eq!(be_signed(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), -2);
        assert_eq!(be_signed(&[0x01, 0x00, 0x00]), 65536);
        assert_eq!(
            be_signed(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            i64::MAX
        );
    }
}
