//! Shared-fixture lookup: the real databases live outside the repo and may be absent.

use std::path::Path;

/// `shared/fixtures/rpmdb` beside the repository (see its README.md for what each holds).
pub(crate) const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/rpmdb"
);

pub(crate) const MARINER_SQLITE: &str = "cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite";
pub(crate) const LIBUUID_BDB: &str = "libuuid-el8/var/lib/rpm/Packages";
pub(crate) const SLE15_NDB: &str = "sle15-bci/usr/lib/sysimage/rpm/Packages.db";
pub(crate) const DIVE_BDB: &str = "syft-dive-bdb/var/lib/rpm/Packages";

/// The fixture's bytes, or `None` (with a message) when the fixtures folder is absent.
/// A missing file inside a present folder is a failure, not a skip.
pub(crate) fn fixture(relative: &str) -> Option<Vec<u8>> {
    if !Path::new(FIXTURES).is_dir() {
        eprintln!("skipping: rpmdb fixtures folder {FIXTURES} is absent");
        return None;
    }
    let path = Path::new(FIXTURES).join(relative);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}
