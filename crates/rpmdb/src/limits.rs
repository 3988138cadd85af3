//! Fixed bounds on what one untrusted database may cost, so corrupt input ends in an error.
//!
//! Loops over pages, chains and slots are otherwise bounded by the input's own length (a chain
//! may not visit a page twice), so these only cap what a length field could make us allocate
//! or how deep we recurse.

/// Largest header blob or payload taken from any store. rpm itself refuses headers of 256 MiB
/// or more (`headerMaxbytes` in rpm's `lib/header.c`); real ones are below 1 MiB.
pub const MAX_BLOB_BYTES: u64 = 256 << 20;

/// Most index entries in one header: rpm's `hdrchkTags` limit (0xffff).
pub const MAX_HEADER_ENTRIES: u64 = 0xffff;

/// Deepest SQLite b-tree walked. SQLite's own cursor stops at 20 levels (`BTCURSOR_MAX_DEPTH`);
/// a deeper tree can only come from a corrupt or hostile file.
pub const MAX_BTREE_DEPTH: usize = 20;

/// Most NDB slot pages: the bound go-rpmdb applies; each 4 KiB page holds 256 slots, so this is
/// room for half a million packages.
pub const MAX_NDB_SLOT_PAGES: u64 = 2048;

/// Longest file path a header may spell (dir name + base name): Linux's `PATH_MAX`. Base names
/// index shared dir names, so without it a 200,000-file header naming one 1 MiB dir name
/// would spell 200 GB of paths.
pub const MAX_PATH_BYTES: u64 = 4096;

/// Most bytes of file paths one package may spell, all files together. The largest real
/// packages (kernel modules, texlive) spell a few MiB.
pub const MAX_PACKAGE_PATH_BYTES: u64 = 64 << 20;

/// Most files all packages of one database may list together. A large distro image lists a few
/// hundred thousand.
pub const MAX_DATABASE_FILES: u64 = 4_000_000;
