//! The dpkg cataloguer on real status databases from trivy's and Syft's test data (see
//! `shared/fixtures/dpkg/README.md` for where each comes from and what those tools report).

mod common;

use common::Tree;
use sbomgen_catalog::dpkg::DpkgCataloguer;
use sbomgen_catalog::{Catalogued, Cataloguer, Ecosystem, PackageRecord};

fn catalog(dir: &str) -> Option<Catalogued> {
    let tree = Tree::load(dir, &DpkgCataloguer)?;
    let found = DpkgCataloguer.catalog(&tree.view());
    assert_eq!(found, DpkgCataloguer.catalog(&tree.view()), "deterministic");
    Some(found)
}

fn package<'a>(found: &'a Catalogued, name: &str) -> &'a PackageRecord {
    let matches: Vec<&PackageRecord> = found.packages.iter().filter(|p| p.name == name).collect();
    assert_eq!(matches.len(), 1, "one {name}: {matches:?}");
    matches[0]
}

fn name_versions(found: &Catalogued) -> Vec<(&str, &str)> {
    found
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect()
}

#[test]
fn ubuntu_bionic_has_90_installed_packages_of_91_stanzas() {
    let Some(found) = catalog("dpkg/trivy-ubuntu-bionic") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.packages.len(), 90);
    assert!(found
        .packages
        .iter()
        .all(|p| p.ecosystem == Ecosystem::Deb && p.database == "var/lib/dpkg/status"),);
    // `deinstall ok config-files`: only its conffiles are left.
    assert!(found.packages.iter().all(|p| p.name != "git"));

    let adduser = package(&found, "adduser");
    assert_eq!(adduser.version, "3.116ubuntu1");
    assert_eq!(adduser.arch.as_deref(), Some("all"));
    assert_eq!(adduser.depends_on, ["passwd", "debconf", "debconf-2.0"]);
    assert_eq!(adduser.metadata["installedSize"], 624);

    let bsdutils = package(&found, "bsdutils");
    assert_eq!(bsdutils.version, "1:2.31.1-0.4ubuntu3.1");
    assert_eq!(bsdutils.source_name.as_deref(), Some("util-linux"));
    assert_eq!(
        bsdutils.source_version.as_deref(),
        Some("2.31.1-0.4ubuntu3.1")
    );
    assert_eq!(bsdutils.metadata["essential"], true);

    let fdisk = package(&found, "fdisk");
    assert_eq!(fdisk.source_name.as_deref(), Some("util-linux"));
    assert_eq!(fdisk.source_version, None);

    for (name, version) in [
        ("apt", "1.6.3ubuntu0.1"),
        ("base-files", "10.1ubuntu2.2"),
        ("bash", "4.4.18-2ubuntu1"),
        ("diffutils", "1:3.6-1"),
    ] {
        assert_eq!(package(&found, name).version, version);
    }
}

#[test]
fn third_party_versions_are_kept_as_dpkg_writes_them() {
    let Some(found) = catalog("dpkg/trivy-third-party") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(
        name_versions(&found),
        [
            ("apt", "1.6.3ubuntu0.1"),
            ("docker-ce", "5:20.10.7~3-0~debian-buster")
        ]
    );
    assert_eq!(
        package(&found, "docker-ce").depends_on,
        [
            "containerd.io",
            "docker-ce-cli",
            "iptables",
            "libc6",
            "libseccomp2",
            "libdevmapper1.02.1"
        ]
    );
}

#[test]
fn distroless_status_d_takes_files_from_md5sums() {
    let Some(found) = catalog("dpkg/syft-distroless") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(name_versions(&found), [("libsqlite3-0", "3.34.1-3")]);
    let sqlite = &found.packages[0];
    assert_eq!(sqlite.database, "var/lib/dpkg/status.d/libsqlite3-0");
    assert_eq!(sqlite.arch.as_deref(), Some("arm64"));
    assert_eq!(sqlite.source_name.as_deref(), Some("sqlite3"));
    assert_eq!(sqlite.depends_on, ["libc6"]);
    assert_eq!(
        sqlite.files,
        [
            "usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6",
            "usr/share/doc/libsqlite3-0/README.Debian",
            "usr/share/doc/libsqlite3-0/changelog.Debian.gz",
            "usr/share/doc/libsqlite3-0/changelog.gz",
            "usr/share/doc/libsqlite3-0/changelog.html.gz",
            "usr/share/doc/libsqlite3-0/copyright",
        ]
    );
}

#[test]
fn status_and_status_d_are_read_together() {
    let Some(found) = catalog("dpkg/syft-pkg-coverage") else {
        return;
    };
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let databases: Vec<(&str, &str, &str)> = found
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.database.as_str()))
        .collect();
    assert_eq!(
        databases,
        [
            ("apt", "1.8.2", "var/lib/dpkg/status"),
            ("dash", "0.5.8-2.4", "var/lib/dpkg/status.d/dash"),
            ("netbase", "5.4", "var/lib/dpkg/status.d/netbase"),
        ]
    );
    // Pre-Depends are dependencies too, in recorded order.
    assert_eq!(
        package(&found, "dash").depends_on,
        ["libc6", "debianutils", "dpkg"]
    );
}

#[test]
fn status_d_edge_cases_parse_with_warnings_not_panics() {
    let Some(found) = catalog("dpkg/syft-status-d-variants") else {
        return;
    };
    let from = |file: &str| -> Vec<&str> {
        let database = format!("var/lib/dpkg/status.d/{file}");
        found
            .packages
            .iter()
            .filter(|p| p.database == database)
            .map(|p| p.name.as_str())
            .collect()
    };
    let warned = |file: &str| {
        let prefix = format!("var/lib/dpkg/status.d/{file}: ");
        found
            .warnings
            .iter()
            .filter(|w| w.starts_with(&prefix))
            .count()
    };

    assert!(from("corrupt").is_empty());
    assert!(warned("corrupt") > 0);
    assert!(from("empty").is_empty());
    assert_eq!(from("single"), ["apt"]);
    assert_eq!(warned("single"), 0);
    // The second stanza is `deinstall ok config-files`.
    assert_eq!(from("deinstall"), ["linux-image-6.14.0-1012-aws"]);
    assert_eq!(warned("deinstall"), 0);
    // `Package:` with no name and a version-less stanza are skipped, with a warning each.
    assert_eq!(from("multiple"), ["tzdata", "util-linux"]);
    assert_eq!(warned("multiple"), 2);
    assert_eq!(
        from("coreutils-relationships"),
        [
            "coreutils",
            "gcc-12-base",
            "libacl1",
            "libattr1",
            "libc6",
            "libgcc-s1",
            "libgmp10",
            "libpcre2-8-0",
            "libselinux1"
        ]
    );
    // Stub stanzas (a name, no version) are not packages.
    assert_eq!(from("libpam-runtime"), ["libpam-runtime"]);
    assert_eq!(
        from("doc-examples"),
        [
            "made-up-package-1",
            "made-up-package-2",
            "made-up-package-3",
            "made-up-package-4",
            "mutt"
        ]
    );

    let apt = found
        .packages
        .iter()
        .find(|p| p.database.ends_with("installed-size-4KB"))
        .expect("apt from installed-size-4KB");
    assert!(!apt.metadata.contains_key("installedSize"));
    assert_eq!(warned("installed-size-4KB"), 1);

    let pam = package(&found, "libpam-runtime");
    assert_eq!(
        pam.depends_on,
        [
            "debconf1",
            "debconf-2.0",
            "debconf2",
            "cdebconf",
            "libpam-modules"
        ]
    );
    let selinux = package(&found, "libselinux1");
    assert_eq!(
        (
            selinux.source_name.as_deref(),
            selinux.source_version.as_deref()
        ),
        (Some("libselinux"), Some("3.4-1"))
    );
    let made_up = package(&found, "made-up-package-2");
    assert_eq!(made_up.depends_on, ["libluajit5.1-dev", "liblua5.1-dev"]);
}
