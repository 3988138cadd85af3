//! A window on a [`ReadRef`]: one architecture of a universal Mach-O read as a file of its own.
//!
//! `object`'s own `ReadCacheRange` does this for a `ReadCache` only; this works over any
//! `ReadRef` (a `ReadCache` in production, a byte slice in tests) and remembers where it
//! starts, so mappings found inside a slice can be rebased to offsets in the whole file.

use std::ops::Range;

use object::ReadRef;

/// `size` bytes of `data` from `base`; every read is checked against that window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slice<R> {
    data: R,
    base: u64,
    size: u64,
}

impl<R> Slice<R> {
    pub(crate) fn new(data: R, base: u64, size: u64) -> Self {
        Slice { data, base, size }
    }

    /// Where the window starts in the whole file.
    pub(crate) fn base(&self) -> u64 {
        self.base
    }

    /// Where the window ends in the whole file.
    pub(crate) fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }
}

impl<'data, R: ReadRef<'data>> ReadRef<'data> for Slice<R> {
    fn len(self) -> Result<u64, ()> {
        Ok(self.size)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'data [u8], ()> {
        let end = offset.checked_add(size).ok_or(())?;
        if end > self.size {
            return Err(());
        }
        self.data
            .read_bytes_at(self.base.checked_add(offset).ok_or(())?, size)
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'data [u8], ()> {
        let end = range.end.min(self.size);
        let start = self.base.checked_add(range.start).ok_or(())?;
        let stop = self.base.checked_add(end).ok_or(())?;
        self.data.read_bytes_at_until(start..stop, delimiter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stay_inside_the_window() {
        let bytes: &[u8] = b"0123456789";
        let slice = Slice::new(bytes, 2, 5);
        assert_eq!(slice.read_bytes_at(0, 5), Ok(&b"23456"[..]));
        assert_eq!(slice.read_bytes_at(1, 5), Err(()));
        assert_eq!(slice.read_bytes_at(u64::MAX, 2), Err(()));
        assert_eq!(slice.read_bytes_at_until(0..100, b'5'), Ok(&b"234"[..]));
        assert_eq!(slice.read_bytes_at_until(0..2, b'5'), Err(()));
        assert_eq!((slice.base(), slice.end()), (2, 7));
    }
}
