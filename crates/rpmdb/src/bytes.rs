//! Bounds-checked fixed-width reads: every read of untrusted bytes goes through here.

/// `N` bytes at `at`, or `None` when they run past the end (or the offset overflows).
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub(crate) fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_be_bytes)
}

pub(crate) fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_be_bytes)
}

pub(crate) fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

/// A slice of `len` bytes at `at`, or `None` when it runs past the end.
pub(crate) fn slice(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let b = [1, 2, 3, 4, 5];
        assert_eq!(be_u32(&b, 1), Some(0x0203_0405));
        assert_eq!(le_u32(&b, 0), Some(0x0403_0201));
        assert_eq!(be_u32(&b, 2), None);
        assert_eq!(be_u16(&b, usize::MAX), None);
        assert_eq!(slice(&b, 4, 1), Some(&b[4..]));
        assert_eq!(slice(&b, 4, 2), None);
    }
}
