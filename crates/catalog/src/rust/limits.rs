//! The bounds on what one binary may cost the Rust cataloguer: bytes of headers read, Wasm
//! sections walked, compressed and decompressed audit data.
//!
//! Every binary in an image is sniffed and most are not Rust, so finding the section must stay
//! a few small reads; once found, the section is attacker-controlled zlib and JSON. Each limit
//! has a test where it is enforced (`locate`, `macho`, `wasm`, `decode`).

/// Limits on the work and memory one binary may cost. [`Limits::DEFAULT`] is what the
/// cataloguer uses; every field documents its default and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of header tables read to find the section: the ELF section header table plus its
    /// name table, or the Mach-O load commands of one slice. Default 16 MiB: ELF's 16-bit
    /// section count alone allows 4 MiB of headers; only extended numbering (section 0's
    /// `sh_size`) or a forged `sizeofcmds` goes beyond. PE needs none: its section count is
    /// 16-bit and its headers 40 bytes (at most 2.5 MiB).
    pub max_header_bytes: u64,
    /// Sections walked in a WebAssembly module before giving up. Default 100 000: a module has
    /// at most 13 standard sections plus custom ones (names, producers, DWARF), a few dozen in
    /// practice; each step is one small read.
    pub max_wasm_sections: u32,
    /// Size of the compressed section. Default 8 MiB: zlib never expands JSON, so a larger
    /// section cannot decompress to anything under [`Self::max_json_size`] that is worth
    /// reading, and stored (uncompressed) blocks could otherwise make a huge section cost a
    /// full read while yielding nothing.
    pub max_section_size: u64,
    /// Decompressed JSON per file, all slices of a universal binary together. Default 8 MiB,
    /// cargo-auditable's recommendation (PARSING.md: "8 MiB should be more than enough to
    /// hold any legitimate audit data"); `auditable-info` uses the same default. A zlib bomb
    /// stops here with a warning.
    pub max_json_size: u64,
}

impl Limits {
    /// The defaults documented on each field.
    pub const DEFAULT: Limits = Limits {
        max_header_bytes: 16 << 20,
        max_wasm_sections: 100_000,
        max_section_size: 8 << 20,
        max_json_size: 8 << 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn defaults_are_the_documented_values() {
        let limits = Limits::default();
        assert_eq!(limits.max_header_bytes, 16 * 1024 * 1024);
        assert_eq!(limits.max_wasm_sections, 100_000);
        assert_eq!(limits.max_section_size, 8 * 1024 * 1024);
        assert_eq!(limits.max_json_size, 8 * 1024 * 1024);
    }
}
