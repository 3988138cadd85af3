//! Test-only pieces of hand-built binaries that the Go and Rust cataloguers' builders share
//! (`golang/testbin.rs`, `rust/testbin.rs`): the universal Mach-O wrapper, CPU types, and
//! unsigned LEB128 (Go's uvarint, Wasm's integers).

/// `CPU_TYPE_X86_64`.
pub(crate) const CPU_AMD64: u32 = 0x0100_0007;
/// `CPU_TYPE_ARM64`.
pub(crate) const CPU_ARM64: u32 = 0x0100_000c;

/// A length or offset of a hand-built binary as a 32-bit field; test binaries are small, so a
/// failure is a broken test.
pub(crate) fn u32_of(n: usize) -> u32 {
    u32::try_from(n).expect("test binaries stay far below 4 GiB")
}

/// A count or size of a hand-built binary as a 16-bit field, or a broken test.
pub(crate) fn u16_of(n: usize) -> u16 {
    u16::try_from(n).expect("test binaries have few sections")
}

/// A universal binary (32-bit, big-endian arch table) of `(cputype, thin Mach-O)` slices, each
/// at a multiple of `1 << align` bytes, the file padded to one too.
pub(crate) fn fat<B: AsRef<[u8]>>(slices: &[(u32, B)], align: u32) -> Vec<u8> {
    let boundary = 1usize << align;
    let mut out = Vec::new();
    out.extend(0xcafe_babeu32.to_be_bytes());
    out.extend(u32_of(slices.len()).to_be_bytes());
    let mut offset = (8 + 20 * slices.len()).next_multiple_of(boundary);
    for (cpu, bytes) in slices {
        let len = bytes.as_ref().len();
        for field in [*cpu, 0, u32_of(offset), u32_of(len), align] {
            out.extend(field.to_be_bytes());
        }
        offset = (offset + len).next_multiple_of(boundary);
    }
    for (_, bytes) in slices {
        out.resize(out.len().next_multiple_of(boundary), 0);
        out.extend_from_slice(bytes.as_ref());
    }
    out.resize(out.len().next_multiple_of(boundary), 0);
    out
}

/// `n` as unsigned LEB128.
pub(crate) fn uleb128(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while n >= 0x80 {
        out.push(n.to_le_bytes()[0] | 0x80);
        n >>= 7;
    }
    out.push(n.to_le_bytes()[0]);
    out
}
