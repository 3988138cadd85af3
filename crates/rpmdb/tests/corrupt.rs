//! Corrupt input ends in an error or a result, never a panic or a hang: every fixture
//! truncated at many lengths and with bytes changed at many offsets, deterministically.
//!
//! To stay fast in debug builds, a mutated database goes through `header_blobs` and only the
//! blobs that differ from the pristine ones go through `parse_header` (`read_packages` is
//! exactly that composition; it also runs on a sample). Each header blob of one fixture is
//! also mutated byte by byte on its own.

mod common;

use common::{fixture, DIVE_BDB, LIBUUID_BDB, MARINER_SQLITE, SLE15_NDB};
use sbomgen_rpmdb::{header_blobs, parse_header, read_packages};

/// How many truncation lengths and changed offsets each database gets.
const TRUNCATIONS: usize = 60;
const FLIPS: usize = 160;
/// Every byte of the first bytes is changed too: file headers, metadata and first slots.
const HEAD_BYTES: usize = 112;

/// A tiny deterministic generator (64-bit LCG) for the values written.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A value that is sure to change the byte: XOR with a non-zero mask.
    fn mask(&mut self) -> u8 {
        (self.next() % 255) as u8 + 1
    }
}

/// Parses `bytes`, sending only blobs unlike the pristine ones to `parse_header`.
/// Returns whether the database-level read succeeded.
fn exercise(bytes: &[u8], pristine: &[Vec<u8>], full: bool) -> bool {
    if full {
        let _ = read_packages(bytes);
    }
    let Ok(blobs) = header_blobs(bytes) else {
        return false;
    };
    for (i, blob) in blobs.iter().enumerate() {
        if pristine.get(i) != Some(blob) {
            let _ = parse_header(blob);
        }
    }
    true
}

fn mutate_database(relative: &str) {
    let Some(original) = fixture(relative) else {
        return;
    };
    let pristine = header_blobs(&original).unwrap();
    let len = original.len();
    let (mut ok, mut failed) = (0, 0);
    let mut count = |parsed: bool| if parsed { ok += 1 } else { failed += 1 };

    for i in 0..TRUNCATIONS {
        // Short prefixes (headers) first, then spread over the whole file.
        let cut = if i < 10 {
            i * 13
        } else {
            len / (TRUNCATIONS - 10) * (i - 10) + i
        };
        count(exercise(&original[..cut.min(len)], &pristine, i % 8 == 0));
    }

    let mut rng = Lcg(len as u64);
    let mut bytes = original.clone();
    let stride = (len / FLIPS).max(1);
    let offsets = (0..HEAD_BYTES.min(len)).chain((0..FLIPS).map(|i| (i * stride + i * 7) % len));
    for (i, at) in offsets.enumerate() {
        bytes[at] ^= rng.mask();
        count(exercise(&bytes, &pristine, i % 16 == 0));
        bytes[at] = original[at];
    }
    println!("{relative}: {ok} mutated copies read, {failed} rejected");
}

#[test]
fn corrupt_sqlite_never_panics() {
    mutate_database(MARINER_SQLITE);
}

#[test]
fn corrupt_berkeley_db_never_panics() {
    mutate_database(LIBUUID_BDB);
    mutate_database(DIVE_BDB);
}

#[test]
fn corrupt_ndb_never_panics() {
    mutate_database(SLE15_NDB);
}

/// Every byte of the index and every few bytes of the data of a real header blob, and every
/// truncation of it.
#[test]
fn corrupt_header_blob_never_panics() {
    let Some(db) = fixture(LIBUUID_BDB) else {
        return;
    };
    let original = header_blobs(&db).unwrap().remove(0);
    parse_header(&original).unwrap();
    for cut in 0..original.len() {
        assert!(
            parse_header(&original[..cut]).is_err(),
            "a blob cut at {cut} must not parse"
        );
    }
    let index_end = 8 + 16 * u32::from_be_bytes(original[..4].try_into().unwrap()) as usize;
    let mut rng = Lcg(7);
    let mut blob = original.clone();
    let offsets = (0..index_end).chain((index_end..original.len()).step_by(5));
    for at in offsets {
        blob[at] ^= rng.mask();
        let _ = parse_header(&blob);
        blob[at] = original[at];
    }
}
