//! Hidden files matched to the removed packages that owned them (for the human table's folding).
//!
//! A hidden file goes with a package when the package was removed by the layer that hid the
//! file, and the file is on the package's file list or is one of its own database files (dpkg
//! keeps `info/<package>.list`, `.md5sums`, maintainer scripts, …; a purge deletes them all).

use std::collections::BTreeMap;

use sbomgen_model::{Ecosystem, HiddenFile, RemovedPackageFiles};
use sbomgen_overlay::TrackedPackage;

/// Where dpkg keeps per-package database files.
const DPKG_INFO: &str = "var/lib/dpkg/info/";

/// Every removed package that owned at least one of `hidden`, in package order. A path two
/// removed packages list goes with the first.
pub(crate) fn removed_package_files<'a>(
    tracked: impl IntoIterator<Item = &'a TrackedPackage>,
    hidden: &[HiddenFile],
) -> Vec<RemovedPackageFiles> {
    // Hidden paths by the layer that removed them; few layers remove anything.
    let mut by_layer: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for file in hidden {
        by_layer
            .entry(file.removed_in)
            .or_default()
            .push(&file.path);
    }
    let mut taken = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    for package in tracked {
        let Some(removed_in) = package.removed_in else {
            continue;
        };
        let Some(candidates) = by_layer.get(&removed_in) else {
            continue;
        };
        let record = &package.record;
        let paths: Vec<String> = candidates
            .iter()
            .filter(|path| {
                record
                    .files
                    .binary_search_by(|f| f.as_str().cmp(path))
                    .is_ok()
                    || (record.ecosystem == Ecosystem::Deb
                        && is_dpkg_database_file(path, &record.name, record.arch.as_deref()))
            })
            .filter(|path| taken.insert(**path))
            .map(|path| (*path).to_string())
            .collect();
        if paths.is_empty() {
            continue;
        }
        let version = match record.epoch {
            Some(epoch) => format!("{epoch}:{}", record.version),
            None => record.version.clone(),
        };
        found.push(RemovedPackageFiles {
            name: record.name.clone(),
            version,
            kind: record.ecosystem.purl_type().to_string(),
            removed_in,
            replaced: package.replaced_by.is_some(),
            paths,
        });
    }
    found
}

/// `var/lib/dpkg/info/<package>.<ext>` or, for Multi-Arch `same` packages,
/// `<package>:<arch>.<ext>`.
fn is_dpkg_database_file(path: &str, package: &str, arch: Option<&str>) -> bool {
    let Some(name) = path.strip_prefix(DPKG_INFO) else {
        return false;
    };
    let Some((stem, _extension)) = name.rsplit_once('.') else {
        return false;
    };
    stem == package
        || stem
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|a| arch.is_none_or(|arch| a == arch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::PackageRecord;

    fn hidden(path: &str, removed_in: usize) -> HiddenFile {
        HiddenFile {
            path: path.into(),
            size: 1,
            added_in: 0,
            removed_in,
        }
    }

    fn deb(name: &str, files: &[&str], removed_in: Option<usize>) -> TrackedPackage {
        let mut record = PackageRecord::new(Ecosystem::Deb, name, "1.0-1", "var/lib/dpkg/status");
        record.arch = Some("amd64".into());
        record.files = files.iter().map(ToString::to_string).collect();
        record.files.sort();
        TrackedPackage {
            record,
            introduced_in: 0,
            removed_in,
            replaced_by: None,
            locations: std::collections::BTreeSet::new(),
        }
    }

    #[test]
    fn files_go_with_the_package_removed_by_the_same_layer() {
        let hidden = [
            hidden("usr/bin/nano", 2),
            hidden("usr/share/doc/nano/copyright", 2),
            hidden("var/lib/dpkg/info/nano.list", 2),
            hidden("var/lib/dpkg/info/libc6:amd64.md5sums", 2),
            hidden("app/.env", 2),
            // Hidden by another layer than the one that removed the package.
            hidden("usr/share/man/man1/nano.1.gz", 1),
        ];
        let nano = deb(
            "nano",
            &[
                "usr/bin/nano",
                "usr/share/doc/nano/copyright",
                "usr/share/man/man1/nano.1.gz",
            ],
            Some(2),
        );
        let kept = deb("bash", &["usr/bin/nano"], None);
        let libc = deb("libc6", &[], Some(2));
        let found = removed_package_files([&kept, &nano, &libc], &hidden);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].name, "nano");
        assert_eq!(
            found[0].paths,
            [
                "usr/bin/nano",
                "usr/share/doc/nano/copyright",
                "var/lib/dpkg/info/nano.list"
            ]
        );
        assert_eq!(found[0].removed_in, 2);
        assert_eq!(found[1].paths, ["var/lib/dpkg/info/libc6:amd64.md5sums"]);
    }

    #[test]
    fn dpkg_database_files_by_name_and_arch() {
        let cases = [
            ("var/lib/dpkg/info/nano.list", "nano", true),
            ("var/lib/dpkg/info/nano.postrm", "nano", true),
            ("var/lib/dpkg/info/nano:amd64.list", "nano", true),
            ("var/lib/dpkg/info/nano:arm64.list", "nano", false),
            ("var/lib/dpkg/info/nano-tiny.list", "nano", false),
            ("var/lib/dpkg/info/nano", "nano", false),
            ("usr/share/doc/nano.list", "nano", false),
        ];
        for (path, package, expected) in cases {
            assert_eq!(
                is_dpkg_database_file(path, package, Some("amd64")),
                expected,
                "{path}"
            );
        }
    }
}
