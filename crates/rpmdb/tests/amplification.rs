//! Inputs that are small but name the same bytes many times: bounded by the database's size.

// Each test file uses only some of the shared fixture names.
#[allow(dead_code)]
mod common;

use common::{fixture, SLE15_NDB};
use sbomgen_rpmdb::{header_blobs, RpmDbError};

/// Every used slot of the real NDB database re-pointed at its largest blob: as many copies of
/// that blob as there are packages, from a file no larger than before.
#[test]
fn ndb_slots_all_naming_one_blob_are_refused() {
    let Some(mut bytes) = fixture(SLE15_NDB) else {
        return;
    };
    let word = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let slot_pages = word(&bytes, 12) as usize;
    let used: Vec<usize> = (32..slot_pages * 4096)
        .step_by(16)
        .filter(|at| word(&bytes, at + 4) != 0)
        .collect();
    assert!(used.len() > 10, "the fixture has its packages");
    let largest = *used.iter().max_by_key(|at| word(&bytes, *at + 12)).unwrap();
    let target: Vec<u8> = bytes[largest + 4..largest + 16].to_vec();
    for at in &used {
        bytes[at + 4..at + 16].copy_from_slice(&target);
    }
    match header_blobs(&bytes) {
        Err(RpmDbError::LimitExceeded { actual, limit, .. }) => {
            assert_eq!(limit, bytes.len() as u64);
            assert!(actual > limit);
        }
        other => panic!("{:?}", other.map(|b| b.len())),
    }
}
