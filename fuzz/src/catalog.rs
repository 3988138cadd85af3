//! Harnesses for the package cataloguers: OS databases and file cataloguers.
//!
//! File cataloguers are driven as the scan drives them (`sbomgen-scan`'s `FileParsers`): a
//! file is read when one of the cataloguer's globs matches its path or, for random-access
//! cataloguers, when it sniffs the file's head; random-access ones get a seekable reader,
//! the others the bytes; then every record is completed with the supporting files of the same
//! bundle. So one harness covers every language parser, selected by cataloguer name.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use sbomgen_catalog::{
    apk::ApkCataloguer, distro, dpkg::DpkgCataloguer, rpm::RpmCataloguer, Cataloguer,
    FileCataloguer, FileView, Support, FILE_CATALOGUERS,
};
use sbomgen_layer::HEAD_LEN;
use sbomgen_rpmdb::DbFormat;

use crate::bundle;

/// The file cataloguer called `name`, with its globs compiled as the scan compiles them.
fn file_cataloguer(name: &str) -> &'static (&'static dyn FileCataloguer, GlobSet) {
    static CHOSEN: OnceLock<(&'static dyn FileCataloguer, GlobSet)> = OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| {
        let cataloguer = *FILE_CATALOGUERS
            .iter()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("no file cataloguer is named {name:?}"));
        let mut globs = GlobSetBuilder::new();
        for pattern in cataloguer.patterns() {
            let glob = GlobBuilder::new(pattern).literal_separator(true).build();
            globs.add(glob.expect("cataloguer patterns compile"));
        }
        (
            cataloguer,
            globs.build().expect("cataloguer patterns compile"),
        )
    });
    // One fuzz process runs one target, so one cataloguer.
    assert_eq!(chosen.0.name(), name, "one file cataloguer per process");
    chosen
}

/// Every file of the [`bundle`] `data` through the file cataloguer `name`, then every record
/// through its `complete` with the bundle's supporting files.
pub fn file(name: &str, data: &[u8]) {
    let (cataloguer, globs) = file_cataloguer(name);
    let mut supports: BTreeMap<&str, Support> = BTreeMap::new();
    let mut records = Vec::new();
    for (path, bytes) in bundle::split(data) {
        let head = &bytes[..bytes.len().min(HEAD_LEN)];
        let random_access = cataloguer.random_access();
        if !globs.is_match(path) && !(random_access && cataloguer.sniff(head)) {
            continue;
        }
        let found = if random_access {
            cataloguer.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64)
        } else {
            cataloguer.parse(path, bytes)
        };
        if let Some(support) = found.support {
            supports.insert(path, support);
        }
        records.extend(found.packages.into_iter().map(|record| (path, record)));
    }
    let lookup = |path: &str| supports.get(path);
    for (path, mut record) in records {
        cataloguer.complete(&mut record, path, &lookup);
    }
}

/// The [`bundle`] `data` as the files dpkg's cataloguer sees (`var/lib/dpkg/status`,
/// `status.d/*`, `info/*.list`, `info/*.md5sums`, copyright files).
pub fn dpkg(data: &[u8]) {
    DpkgCataloguer.catalog(&FileView::new(bundle::split(data)));
}

/// `data` as apk's installed database.
pub fn apk(data: &[u8]) {
    ApkCataloguer.catalog(&FileView::new([("lib/apk/db/installed", data)]));
}

/// `data` as an rpm database in `store` (other inputs are skipped, so each store's target
/// keeps a corpus of its own), read by the rpm cataloguer, which also resolves requirements.
pub fn rpmdb(store: DbFormat, data: &[u8]) {
    if sbomgen_rpmdb::detect(data) != Some(store) {
        return;
    }
    RpmCataloguer.catalog(&FileView::new([("var/lib/rpm/Packages", data)]));
}

/// `data` as one rpm header blob (as the stores hold them).
pub fn rpm_header(data: &[u8]) {
    let _ = sbomgen_rpmdb::parse_header(data);
}

/// The [`bundle`] `data` as the release files the distro is detected from.
pub fn distro(data: &[u8]) {
    let files: BTreeMap<&str, &[u8]> = bundle::split(data).into_iter().collect();
    distro::detect(|path| files.get(path).copied());
}
