//! The real databases of `shared/fixtures/rpmdb` read as their README says they should
//! (facts from go-rpmdb's and Syft's own test expectations, and `rpm -qa`).

mod common;

use common::{fixture, DIVE_BDB, LIBUUID_BDB, MARINER_SQLITE, SLE15_NDB};
use sbomgen_rpmdb::{detect, header_blobs, read_packages, DbFormat, RpmFile, RpmPackage};

fn package<'a>(packages: &'a [RpmPackage], name: &str) -> &'a RpmPackage {
    packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

fn file<'a>(p: &'a RpmPackage, path: &str) -> &'a RpmFile {
    p.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{} has no file {path}", p.name))
}

const S_IFMT: u16 = 0o170000;
const S_IFDIR: u16 = 0o040000;
const S_IFLNK: u16 = 0o120000;

#[test]
fn cbl_mariner_sqlite() {
    let Some(bytes) = fixture(MARINER_SQLITE) else {
        return;
    };
    assert_eq!(detect(&bytes), Some(DbFormat::Sqlite));
    assert_eq!(header_blobs(&bytes).unwrap().len(), 129);
    let packages = read_packages(&bytes).unwrap();
    assert_eq!(packages.len(), 129);
    let first: Vec<_> = packages[..5].iter().map(RpmPackage::nevra).collect();
    assert_eq!(
        first,
        [
            "mariner-release-2.0-4.cm2.noarch",
            "filesystem-1.1-8.cm2.x86_64",
            "glibc-2.34-2.cm2.x86_64",
            "zlib-1.2.11-5.cm2.x86_64",
            "openssl-libs-1.1.1k-7.cm2.x86_64",
        ]
    );
    for name in ["ca-certificates-shared", "ca-certificates-tools"] {
        assert_eq!(
            package(&packages, name).nevra(),
            format!("{name}-1:2.0.0-1.cm2.noarch")
        );
    }

    let curl = package(&packages, "curl");
    assert_eq!(
        (
            curl.version.as_str(),
            curl.release.as_str(),
            curl.epoch,
            curl.arch.as_deref()
        ),
        ("7.76.0", "6.cm2", None, Some("x86_64"))
    );
    assert_eq!(curl.size, Some(326023));
    assert_eq!(
        curl.source_rpm.as_deref(),
        Some("curl-7.76.0-6.cm2.src.rpm")
    );
    assert_eq!(curl.license.as_deref(), Some("MIT"));
    assert_eq!(curl.vendor.as_deref(), Some("Microsoft Corporation"));
    assert_eq!(
        curl.summary.as_deref(),
        Some("An URL retrieval utility and library")
    );
    assert_eq!(
        curl.sig_md5.as_deref(),
        Some("b5f5369ae91df3672fa3338669ec5ca2")
    );
    assert_eq!(curl.install_time, Some(1643279454));
    assert_eq!(curl.provides, ["curl", "curl(x86-64)"]);
    assert!(
        curl.requires.iter().any(|r| r == "libcurl.so.4()(64bit)"),
        "{:?}",
        curl.requires
    );

    let bin = file(curl, "/usr/bin/curl");
    assert_eq!((bin.mode, bin.size), (Some(0x81ed), Some(267672)));
    assert!(bin.digest.as_deref().unwrap().starts_with("7ef6b3fd"));
    assert_eq!(
        (bin.username.as_deref(), bin.groupname.as_deref()),
        (Some("root"), Some("root"))
    );
    file(curl, "/usr/bin/curl-config");
    let licenses = file(curl, "/usr/share/licenses/curl");
    assert_eq!(licenses.mode.map(|m| m & S_IFMT), Some(S_IFDIR));
    assert_eq!(licenses.digest, None);
    assert_eq!(
        file(curl, "/usr/share/licenses/curl/COPYING").flags,
        Some(128)
    );
    assert_eq!(file(curl, "/usr/share/man/man1/curl.1.gz").flags, Some(2));
    assert_eq!(
        file(curl, "/usr/share/man/man1/curl-config.1.gz").flags,
        Some(2)
    );
}

#[test]
fn libuuid_berkeley_db() {
    let Some(bytes) = fixture(LIBUUID_BDB) else {
        return;
    };
    assert_eq!(detect(&bytes), Some(DbFormat::BerkeleyDb));
    let packages = read_packages(&bytes).unwrap();
    assert_eq!(packages.len(), 1);
    let p = &packages[0];
    assert_eq!(p.nevra(), "libuuid-2.32.1-42.el8_8.x86_64");
    assert_eq!(p.size, Some(35104));
    assert_eq!(
        p.source_rpm.as_deref(),
        Some("util-linux-2.32.1-42.el8_8.src.rpm")
    );
    assert_eq!(p.license.as_deref(), Some("BSD"));
    assert_eq!(p.vendor.as_deref(), Some("Red Hat, Inc."));
    assert_eq!(p.summary.as_deref(), Some("Universally unique ID library"));
    assert_eq!(
        p.sig_md5.as_deref(),
        Some("c1e561f13d39aee443a1f00258fba000")
    );
    assert_eq!(p.install_time, Some(1696444673));
    assert_eq!(p.provides.len(), 7);
    assert_eq!(
        p.provides[..3],
        ["libuuid", "libuuid(x86-64)", "libuuid.so.1()(64bit)"]
    );
    let paths: Vec<_> = p.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), 7);
    assert_eq!(paths[0], "/usr/lib/.build-id");
    assert!(paths[1].starts_with("/usr/lib/.build-id/df/ef6a880a"));
    assert_eq!(
        paths[2..],
        [
            "/usr/lib64/libuuid.so.1",
            "/usr/lib64/libuuid.so.1.3.0",
            "/usr/share/licenses/libuuid",
            "/usr/share/licenses/libuuid/COPYING",
            "/usr/share/licenses/libuuid/COPYING.BSD-3",
        ]
    );
    assert_eq!(
        file(p, "/usr/lib64/libuuid.so.1").mode.map(|m| m & S_IFMT),
        Some(S_IFLNK)
    );
    let lib = file(p, "/usr/lib64/libuuid.so.1.3.0");
    assert_eq!(lib.size, Some(33496));
    assert!(lib.digest.as_deref().unwrap().starts_with("3c8f59a0"));
}

/// `rpm -qa` in registry.suse.com/bci/bci-minimal:15.3, as go-rpmdb's test lists it.
const SLE15_NEVRAS: [&str; 35] = [
    "system-user-root-20190513-3.3.1.noarch",
    "filesystem-15.0-11.3.2.x86_64",
    "glibc-2.31-9.3.2.x86_64",
    "libpcre1-8.45-20.10.1.x86_64",
    "libgmp10-6.1.2-4.6.1.x86_64",
    "libgcc_s1-11.2.1+git610-1.3.9.x86_64",
    "libcap2-2.26-4.6.1.x86_64",
    "libstdc++6-11.2.1+git610-1.3.9.x86_64",
    "libncurses6-6.1-5.9.1.x86_64",
    "terminfo-base-6.1-5.9.1.x86_64",
    "libattr1-2.4.47-2.19.x86_64",
    "libselinux1-3.0-1.31.x86_64",
    "libreadline7-7.0-19.6.1.x86_64",
    "bash-4.4-19.6.1.x86_64",
    "libacl1-2.2.52-4.3.1.x86_64",
    "coreutils-8.32-3.2.1.x86_64",
    "sles-release-15.3-55.4.1.x86_64",
    "ca-certificates-mozilla-prebuilt-2.44-21.1.noarch",
    "libgpg-error0-1.29-1.8.x86_64",
    "libpopt0-1.16-3.22.x86_64",
    "file-magic-5.32-7.14.1.noarch",
    "libbz2-1-1.0.6-5.11.1.x86_64",
    "liblua5_3-5-5.3.6-3.6.1.x86_64",
    "liblzma5-5.2.3-4.3.1.x86_64",
    "libz1-1.2.11-3.21.1.x86_64",
    "libzstd1-1.4.4-1.6.1.x86_64",
    "libmagic1-5.32-7.14.1.x86_64",
    "libdw1-0.168-4.5.3.x86_64",
    "libebl-plugins-0.168-4.5.3.x86_64",
    "libelf1-0.168-4.5.3.x86_64",
    "libcrypt1-4.4.15-2.51.x86_64",
    "perl-base-5.26.1-15.87.x86_64",
    "libgcrypt20-1.8.2-8.39.1.x86_64",
    "rpm-config-SUSE-1-5.6.1.noarch",
    "rpm-ndb-4.14.3-40.1.x86_64",
];

#[test]
fn sle15_ndb() {
    let Some(bytes) = fixture(SLE15_NDB) else {
        return;
    };
    assert_eq!(detect(&bytes), Some(DbFormat::Ndb));
    let packages = read_packages(&bytes).unwrap();
    let nevras: Vec<_> = packages.iter().map(RpmPackage::nevra).collect();
    assert_eq!(nevras, SLE15_NEVRAS);
    for p in &packages {
        assert_eq!(p.epoch, None, "{}", p.name);
        assert_eq!(
            p.vendor.as_deref(),
            Some("SUSE LLC <https://www.suse.com/>"),
            "{}",
            p.name
        );
    }
    let stdcxx = package(&packages, "libstdc++6");
    assert_eq!(
        stdcxx.source_rpm.as_deref(),
        Some("gcc11-11.2.1+git610-1.3.9.src.rpm")
    );
    assert_eq!(stdcxx.size, Some(2161776));
    assert_eq!(
        stdcxx.sig_md5.as_deref(),
        Some("4d690fedab92e99e0e799fc66d6c917a")
    );
    let rpm = package(&packages, "rpm-ndb");
    assert_eq!(rpm.license.as_deref(), Some("GPL-2.0-or-later"));
    assert!(rpm.files.iter().any(|f| f.path == "/usr/bin/rpm"));
}

#[test]
fn syft_dive_berkeley_db() {
    let Some(bytes) = fixture(DIVE_BDB) else {
        return;
    };
    assert_eq!(detect(&bytes), Some(DbFormat::BerkeleyDb));
    let packages = read_packages(&bytes).unwrap();
    assert_eq!(packages.len(), 1);
    let dive = &packages[0];
    assert_eq!(dive.nevra(), "dive-0.9.2-1.x86_64");
    assert_eq!(dive.license.as_deref(), Some("MIT"));
    assert_eq!(dive.source_rpm.as_deref(), Some("dive-0.9.2-1.src.rpm"));
    assert_eq!(dive.vendor, None, "stored as an empty string");
    assert_eq!(file(dive, "/usr/local/bin/dive").size, Some(12406784));
}
