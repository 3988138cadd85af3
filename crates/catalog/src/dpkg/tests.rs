use super::*;

fn catalog(files: &[(&'static str, &'static str)]) -> Catalogued {
    let view = FileView::new(files.iter().map(|(p, t)| (*p, t.as_bytes())));
    DpkgCataloguer.catalog(&view)
}

fn names(found: &Catalogued) -> Vec<&str> {
    found.packages.iter().map(|p| p.name.as_str()).collect()
}

const STATUS_TEXT: &str = "\
Package: login
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 2578
Maintainer: Debian Shadow <pkg-shadow@lists.alioth.debian.org>
Architecture: amd64
Source: shadow (1:4.5-1.1)
Version: 1:4.5-1.1+b1
Essential: yes
Provides: login-shell, x-login (= 1.0)
Pre-Depends: libaudit1 (>= 1:2.2.1), libc6:any (>= 2.14)
Depends: libpam0g | libpam1, libpam-runtime, libc6
Homepage: https://github.com/shadow-maint/shadow
Multi-Arch: foreign
Description: system login tools
 These tools are required to be able to login and use your system.

Package: gone
Status: deinstall ok config-files
Version: 1.0

Package: half
Status: install reinstreq half-installed
Version: 2.0
Architecture: all
";

#[test]
fn a_status_stanza_becomes_a_record_with_its_fields() {
    let found = catalog(&[(STATUS, STATUS_TEXT)]);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let login = &found.packages[1];
    assert_eq!(login.ecosystem, Ecosystem::Deb);
    assert_eq!(
        (login.name.as_str(), login.version.as_str()),
        ("login", "1:4.5-1.1+b1")
    );
    assert_eq!(login.arch.as_deref(), Some("amd64"));
    assert_eq!(login.source_name.as_deref(), Some("shadow"));
    assert_eq!(login.source_version.as_deref(), Some("1:4.5-1.1"));
    assert_eq!(login.database, STATUS);
    assert_eq!(
        login.depends_on,
        [
            "libaudit1",
            "libc6",
            "libpam0g",
            "libpam1",
            "libpam-runtime"
        ]
    );
    let metadata = serde_json::to_value(&login.metadata).unwrap();
    assert_eq!(
        metadata,
        serde_json::json!({
            "maintainer": "Debian Shadow <pkg-shadow@lists.alioth.debian.org>",
            "installedSize": 2578,
            "description": "system login tools",
            "provides": ["login-shell", "x-login (= 1.0)"],
            "homepage": "https://github.com/shadow-maint/shadow",
            "multiArch": "foreign",
            "essential": true,
            "section": "admin",
            "priority": "required",
        })
    );
}

#[test]
fn config_files_packages_are_dropped_and_unpacked_states_kept() {
    let found = catalog(&[(STATUS, STATUS_TEXT)]);
    assert_eq!(names(&found), ["half", "login"]);
}

#[test]
fn status_d_files_need_no_status_and_may_hold_several_stanzas() {
    let found = catalog(&[
        (
            "var/lib/dpkg/status.d/base",
            "Package: b\nVersion: 2\n\nPackage: a\nVersion: 1\n",
        ),
        ("var/lib/dpkg/status.d/base.md5sums", "00  etc/b\n"),
        ("var/lib/dpkg/status.d/a.preinst", "#!/bin/sh\nset -e\n"),
    ]);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(names(&found), ["a", "b"]);
    assert!(found
        .packages
        .iter()
        .all(|p| p.database == "var/lib/dpkg/status.d/base"));
}

#[test]
fn stanzas_without_package_or_version_are_warned_and_skipped() {
    let found = catalog(&[(
        STATUS,
        "Package:\nVersion: 1\n\nPackage: nover\n\nVersion: 3\n",
    )]);
    assert!(found.packages.is_empty());
    assert_eq!(
        found.warnings,
        [
            "var/lib/dpkg/status: line 1: stanza without a Package name; skipped",
            "var/lib/dpkg/status: line 4: nover: no Version; skipped",
            "var/lib/dpkg/status: line 6: stanza without a Package name; skipped",
        ]
    );
}

#[test]
fn unknown_status_is_warned_and_a_bad_size_only_loses_the_size() {
    let found = catalog(&[(
        STATUS,
        "Package: a\nStatus: install ok\nVersion: 1\n\nPackage: b\nVersion: 1\nInstalled-Size: 4KB\n",
    )]);
    assert_eq!(names(&found), ["b"]);
    assert!(!found.packages[0].metadata.contains_key("installedSize"));
    assert_eq!(
        found.warnings,
        [
            "var/lib/dpkg/status: line 1: a: unknown Status `install ok`; skipped",
            "var/lib/dpkg/status: line 5: b: Installed-Size `4KB` is not a number of KiB; left out",
        ]
    );
}

#[test]
fn source_without_version_is_kept_only_when_it_names_another_package() {
    let found = catalog(&[(
        STATUS,
        "Package: fdisk\nVersion: 2\nSource: util-linux\n\nPackage: same\nVersion: 1\nSource: same\n",
    )]);
    let fdisk = &found.packages[0];
    assert_eq!(fdisk.source_name.as_deref(), Some("util-linux"));
    assert_eq!(fdisk.source_version, None);
    let same = &found.packages[1];
    assert_eq!(
        (same.source_name.as_deref(), same.source_version.as_deref()),
        (None, None)
    );
}

#[test]
fn files_and_licenses_are_attached() {
    let found = catalog(&[
        (
            STATUS,
            "Package: libc6\nVersion: 2.36\nArchitecture: amd64\n",
        ),
        (
            "var/lib/dpkg/info/libc6:amd64.list",
            "/.\n/lib\n/lib/libc.so.6\n",
        ),
        (
            "usr/share/doc/libc6/copyright",
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
             Files: *\nLicense: LGPL-2.1+\n\nFiles: x/*\nLicense: GPL-2+\n",
        ),
    ]);
    let libc = &found.packages[0];
    assert_eq!(libc.files, ["lib", "lib/libc.so.6"]);
    assert_eq!(libc.licenses, ["LGPL-2.1+", "GPL-2+"]);
}

#[test]
fn relationship_fields_give_bare_names() {
    let names: Vec<&str> = relation_names(
        "kernel-headers-2.2.10 [!hurd-i386],\n hurd-dev [hurd-i386], perl:any, x(>=1)|y <!nocheck>,,",
    )
    .collect();
    assert_eq!(
        names,
        ["kernel-headers-2.2.10", "hurd-dev", "perl", "x", "y"]
    );
}

#[test]
fn source_fields_parse() {
    assert_eq!(parse_source("util-linux"), Some(("util-linux", None)));
    assert_eq!(
        parse_source("util-linux (2.31.1-0.4)"),
        Some(("util-linux", Some("2.31.1-0.4")))
    );
    assert_eq!(parse_source("x(1)"), Some(("x", Some("1"))));
    assert_eq!(parse_source("x (1"), Some(("x", None)));
    assert_eq!(parse_source(" "), None);
}

#[test]
fn output_is_sorted_by_name_version_arch_database() {
    let found = catalog(&[
        (
            STATUS,
            "Package: z\nVersion: 1\n\nPackage: a\nVersion: 2\nArchitecture: i386\n",
        ),
        (
            "var/lib/dpkg/status.d/a",
            "Package: a\nVersion: 2\nArchitecture: amd64\n",
        ),
        ("var/lib/dpkg/status.d/a2", "Package: a\nVersion: 10\n"),
    ]);
    let keys: Vec<(&str, &str, Option<&str>)> = found
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("a", "10", None),
            ("a", "2", Some("amd64")),
            ("a", "2", Some("i386")),
            ("z", "1", None),
        ]
    );
}

#[test]
fn nested_status_d_files_are_not_databases() {
    let found = catalog(&[("var/lib/dpkg/status.d/sub/x", "Package: x\nVersion: 1\n")]);
    assert!(found.packages.is_empty());
}
