//! The primitives of the entry format: LEB128 integers, length-prefixed bytes and strings.
//!
//! The reader trusts nothing: every length is checked against the bytes left before anything
//! is allocated, so a damaged entry costs at most its own size in memory and ends in an error.

/// Why a payload did not decode; the caller adds the entry's key.
pub(crate) type Malformed = String;

/// Appends primitives to a growing buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, value: u8) {
        self.buf.push(value);
    }

    pub(crate) fn bool(&mut self, value: bool) {
        self.buf.push(u8::from(value));
    }

    /// Unsigned LEB128: small numbers (modes, uids, most sizes) take one to three bytes.
    pub(crate) fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push(value.to_le_bytes()[0] | 0x80);
            value >>= 7;
        }
        self.buf.push(value.to_le_bytes()[0]);
    }

    pub(crate) fn len(&mut self, len: usize) {
        self.varint(len as u64);
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    pub(crate) fn opt_u64(&mut self, value: Option<u64>) {
        match value {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.varint(v);
            }
        }
    }

    pub(crate) fn strs<S: AsRef<str>>(&mut self, items: &[S]) {
        self.len(items.len());
        for item in items {
            self.str(item.as_ref());
        }
    }
}

/// Reads primitives from a payload, failing (never panicking) on anything short or malformed.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Fails unless every byte was read: trailing bytes mean the writer and reader disagree.
    pub(crate) fn finish(&self) -> Result<(), Malformed> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(format!("{n} unread bytes after the report")),
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Malformed> {
        let byte = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| format!("truncated at byte {}", self.pos))?;
        self.pos += 1;
        Ok(byte)
    }

    pub(crate) fn bool(&mut self) -> Result<bool, Malformed> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("byte {other} at {} is not a boolean", self.pos - 1)),
        }
    }

    pub(crate) fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("integer overflows 64 bits at byte {}", self.pos))
    }

    /// A count of items that each take at least `min_size` bytes: one larger than the bytes
    /// left could hold is damage, refused before anything is allocated for it.
    pub(crate) fn count(&mut self, min_size: usize) -> Result<usize, Malformed> {
        let at = self.pos;
        let n = self.varint()?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(min_size.max(1)) <= self.remaining() => Ok(n),
            _ => Err(format!(
                "count {n} at byte {at} exceeds the {} bytes left",
                self.remaining()
            )),
        }
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Malformed> {
        let len = self.count(1)?;
        let start = self.pos;
        self.pos += len;
        Ok(&self.buf[start..self.pos])
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, Malformed> {
        let at = self.pos;
        std::str::from_utf8(self.bytes()?).map_err(|e| format!("string at byte {at}: {e}"))
    }

    pub(crate) fn string(&mut self) -> Result<String, Malformed> {
        self.str().map(str::to_string)
    }

    pub(crate) fn opt_string(&mut self) -> Result<Option<String>, Malformed> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            other => Err(format!("option tag {other} at byte {}", self.pos - 1)),
        }
    }

    pub(crate) fn opt_u64(&mut self) -> Result<Option<u64>, Malformed> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.varint().map(Some),
            other => Err(format!("option tag {other} at byte {}", self.pos - 1)),
        }
    }

    pub(crate) fn strings(&mut self) -> Result<Vec<String>, Malformed> {
        let n = self.count(1)?;
        (0..n).map(|_| self.string()).collect()
    }

    /// Eight raw bytes (an `f64`'s bits).
    pub(crate) fn u64_le(&mut self) -> Result<u64, Malformed> {
        let mut out = [0u8; 8];
        for byte in &mut out {
            *byte = self.u8()?;
        }
        Ok(u64::from_le_bytes(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        let values = [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX];
        let mut w = Writer::default();
        for v in values {
            w.varint(v);
        }
        let mut r = Reader::new(&w.buf);
        for v in values {
            assert_eq!(r.varint().unwrap(), v);
        }
        r.finish().unwrap();
    }

    #[test]
    fn an_overlong_varint_is_an_error() {
        let mut r = Reader::new(&[0xff; 11]);
        assert!(r.varint().unwrap_err().contains("overflows"));
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
        assert!(r.varint().is_err());
    }

    #[test]
    fn a_length_beyond_the_bytes_left_is_refused_before_allocating() {
        let mut w = Writer::default();
        w.varint(u64::MAX / 2);
        w.u8(b'x');
        let err = Reader::new(&w.buf).bytes().unwrap_err();
        assert!(err.contains("exceeds the 1 bytes left"), "{err}");
        let err = Reader::new(&w.buf).strings().unwrap_err();
        assert!(err.contains("exceeds"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut w = Writer::default();
        w.bytes(&[0xff, 0xfe]);
        assert!(Reader::new(&w.buf)
            .str()
            .unwrap_err()
            .contains("string at byte 0"));
    }
}
