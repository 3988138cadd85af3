//! The apk cataloguer on real installed databases from trivy's and Syft's test data (see
//! `shared/fixtures/apk/README.md` for where each comes from and what those tools report).

mod common;

use common::Tree;
use sbomgen_catalog::apk::ApkCataloguer;
use sbomgen_catalog::{Catalogued, Cataloguer, Ecosystem, PackageRecord};

const INSTALLED: &str = "lib/apk/db/installed";

fn catalog(dir: &str) -> Option<Catalogued> {
    let tree = Tree::load(dir, &ApkCataloguer)?;
    let found = ApkCataloguer.catalog(&tree.view());
    assert_eq!(found, ApkCataloguer.catalog(&tree.view()), "deterministic");
    assert!(found
        .packages
        .iter()
        .all(|p| p.ecosystem == Ecosystem::Apk && p.database == INSTALLED));
    Some(found)
}

fn package<'a>(found: &'a Catalogued, name: &str) -> &'a PackageRecord {
    found
        .packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn name_versions(found: &Catalogued) -> Vec<(&str, &str)> {
    found
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect()
}

#[test]
fn trivy_analyzer_database_has_15_packages_and_drops_the_versionless_one() {
    let Some(found) = catalog("apk/trivy-apk-analyzer") else {
        return;
    };
    assert_eq!(found.packages.len(), 15);
    assert_eq!(
        found.warnings,
        ["lib/apk/db/installed: line 23: invalidPackageWithoutAVersion: no version (V:); skipped"]
    );
    for (name, version) in [
        ("musl", "1.1.14-r10"),
        ("busybox", "1.24.2-r9"),
        ("alpine-baselayout", "3.0.3-r0"),
        ("libcrypto1.0", "1.0.2h-r1"),
        ("zlib", "1.2.8-r2"),
        ("test", "2.9.11_pre20061021-r2"),
        ("ada-libs", "2.7.4-r0"),
    ] {
        assert_eq!(package(&found, name).version, version);
    }
    let musl = package(&found, "musl");
    assert_eq!(
        musl.files,
        ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
    );
    assert_eq!(musl.licenses, ["MIT"]);
    assert_eq!(musl.arch.as_deref(), Some("x86_64"));
    assert_eq!(
        musl.metadata["provides"],
        serde_json::json!(["so:libc.musl-x86_64.so.1=1"])
    );
    let test = package(&found, "test");
    assert_eq!(test.source_name.as_deref(), Some("test-parent"));
    // `pkgconfig` is provided by pkgconf (`p:pkgconfig=1`): dependencies name packages.
    assert_eq!(test.depends_on, ["pkgconf", "sqlite-libs"]);
    assert_eq!(
        test.metadata["depends"],
        serde_json::json!(["pkgconfig", "sqlite-libs"])
    );
    assert_eq!(
        package(&found, "ada-libs").licenses,
        ["( Apache-2.0 OR MIT ) AND MPL-2.0"]
    );
}

#[test]
fn trivy_small_database_has_musl() {
    let Some(found) = catalog("apk/trivy-analyzer-small") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(name_versions(&found), [("musl", "1.1.24-r2")]);
}

#[test]
fn syft_multiple_2_keeps_dependencies_as_recorded() {
    let Some(found) = catalog("apk/syft-multiple-2") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(
        name_versions(&found),
        [
            ("alpine-baselayout", "3.2.0-r22"),
            ("alpine-baselayout-data", "3.2.0-r22"),
            ("alpine-keys", "2.4-r1"),
            ("apk-tools", "2.12.9-r3"),
            ("busybox", "1.35.0-r17"),
            ("ca-certificates-bundle", "20220614-r0"),
            ("libc-utils", "0.7.2-r3"),
            ("libcrypto1.1", "1.1.1q-r0"),
            ("libssl1.1", "1.1.1q-r0"),
            ("musl", "1.2.3-r0"),
            ("musl-utils", "1.2.3-r0"),
            ("scanelf", "1.3.4-r0"),
            ("ssl_client", "1.35.0-r17"),
            ("zlib", "1.2.12-r3"),
        ]
    );
    let apk_tools = package(&found, "apk-tools");
    // `so:` capabilities resolve to the packages providing them.
    assert_eq!(
        apk_tools.depends_on,
        [
            "musl",
            "ca-certificates-bundle",
            "libcrypto1.1",
            "libssl1.1",
            "zlib"
        ]
    );
    assert_eq!(
        apk_tools.metadata["depends"],
        serde_json::json!([
            "musl",
            "ca-certificates-bundle",
            "so:libc.musl-x86_64.so.1",
            "so:libcrypto.so.1.1",
            "so:libssl.so.1.1",
            "so:libz.so.1"
        ])
    );
    assert_eq!(
        package(&found, "alpine-baselayout").depends_on,
        // `/bin/sh` is a file busybox owns; the so: capability is musl's.
        ["alpine-baselayout-data", "busybox", "musl"]
    );
    assert_eq!(
        package(&found, "busybox").metadata["provides"],
        serde_json::json!(["/bin/sh", "cmd:busybox=1.35.0-r17", "cmd:sh=1.35.0-r17"])
    );
    let bundle = package(&found, "ca-certificates-bundle");
    assert_eq!(
        (
            bundle.source_name.as_deref(),
            bundle.source_version.as_deref()
        ),
        (Some("ca-certificates"), Some("20220614-r0"))
    );
    assert_eq!(bundle.licenses, ["MPL-2.0 AND MIT"]);
}

#[test]
fn syft_multiple_1_has_4_packages() {
    let Some(found) = catalog("apk/syft-multiple-1") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(
        name_versions(&found),
        [
            ("bash", "5.2.21-r0"),
            ("busybox-binsh", "1.36.1-r15"),
            ("musl", "1.2.4_git20230717-r4"),
            ("readline", "8.2.1-r2"),
        ]
    );
    assert_eq!(package(&found, "busybox-binsh").files, ["bin/sh"]);
}

#[test]
fn syft_pkg_coverage_has_2_packages() {
    let Some(found) = catalog("apk/syft-pkg-coverage") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(
        name_versions(&found),
        [("libc-utils", "0.7.2-r0"), ("musl-utils", "1.1.24-r2")]
    );
}
