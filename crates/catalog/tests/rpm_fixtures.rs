//! The rpm cataloguer on real databases in all three stores (see the shared rpmdb README for
//! the expected packages, which `rpm -qa`, Syft and Trivy agree on).

mod common;

use common::Tree;
use sbomgen_catalog::rpm::RpmCataloguer;
use sbomgen_catalog::{Cataloguer, PackageRecord};

fn catalog(dir: &str) -> Option<Vec<PackageRecord>> {
    let tree = Tree::load(dir, &RpmCataloguer)?;
    let found = RpmCataloguer.catalog(&tree.view());
    assert!(found.warnings.is_empty(), "{dir}: {:?}", found.warnings);
    Some(found.packages)
}

fn find<'a>(packages: &'a [PackageRecord], name: &str) -> &'a PackageRecord {
    packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn sqlite_cbl_mariner() {
    let Some(packages) = catalog("rpmdb/cbl-mariner-2.0") else {
        return;
    };
    assert_eq!(packages.len(), 129);
    let curl = find(&packages, "curl");
    assert_eq!(curl.version, "7.76.0-6.cm2");
    assert_eq!(curl.arch.as_deref(), Some("x86_64"));
    assert_eq!(curl.source_name.as_deref(), Some("curl"));
    assert_eq!(curl.source_version.as_deref(), Some("7.76.0-6.cm2"));
    assert_eq!(curl.licenses, ["MIT"]);
    assert_eq!(curl.metadata["vendor"], "Microsoft Corporation");
    assert!(curl.files.iter().any(|f| f == "usr/bin/curl"));
    assert!(
        curl.depends_on.iter().any(|d| d == "curl-libs"),
        "{:?}",
        curl.depends_on
    );
    assert_eq!(find(&packages, "ca-certificates-shared").epoch, Some(1));
    assert_eq!(curl.database, "var/lib/rpm/rpmdb.sqlite");
}

#[test]
fn berkeley_db_libuuid() {
    let Some(packages) = catalog("rpmdb/libuuid-el8") else {
        return;
    };
    assert_eq!(packages.len(), 1);
    let uuid = &packages[0];
    assert_eq!(
        (uuid.name.as_str(), uuid.version.as_str()),
        ("libuuid", "2.32.1-42.el8_8")
    );
    assert_eq!(uuid.source_name.as_deref(), Some("util-linux"));
    assert_eq!(uuid.files.len(), 7);
    assert_eq!(uuid.licenses, ["BSD"]);
}

#[test]
fn berkeley_db_dive() {
    let Some(packages) = catalog("rpmdb/syft-dive-bdb") else {
        return;
    };
    assert_eq!(packages.len(), 1);
    assert_eq!(
        (packages[0].name.as_str(), packages[0].version.as_str()),
        ("dive", "0.9.2-1")
    );
    assert_eq!(packages[0].metadata["sourceRpm"], "dive-0.9.2-1.src.rpm");
}

#[test]
fn ndb_sle15() {
    let Some(packages) = catalog("rpmdb/sle15-bci") else {
        return;
    };
    assert_eq!(packages.len(), 35);
    assert!(packages.iter().all(|p| p.epoch.is_none()));
    assert_eq!(
        find(&packages, "libstdc++6").metadata["sourceRpm"],
        "gcc11-11.2.1+git610-1.3.9.src.rpm"
    );
    assert_eq!(find(&packages, "rpm-ndb").version, "4.14.3-40.1");
    assert_eq!(
        find(&packages, "bash").database,
        "usr/lib/sysimage/rpm/Packages.db"
    );
}
