//! Which OS package installed a language package's metadata file.
//!
//! Debian's `python3-yaml` ships `yaml`'s egg-info, `node-debug` ships a `package.json`:
//! the same software is then found twice, once per ecosystem. Like Syft (and unlike Trivy,
//! which drops the language package) sbomgen reports both and links them: the language
//! package's `ownedBy` names the OS package whose file list holds its metadata file, so a
//! matcher can tell the two are one. Owned files come from the OS cataloguers' file lists
//! (dpkg `.list`/`.md5sums`/`conffiles`, rpm file lists, apk `R:` lines); package databases
//! and `usr/share/doc/*/copyright` are never taken as owned.

use std::collections::HashMap;

use sbomgen_overlay::TrackedPackage;

/// Paths no package can own: the databases themselves, and copyright files dpkg lists for
/// every package.
fn never_owned(path: &str) -> bool {
    const DATABASES: &[&str] = &[
        "var/lib/dpkg/",
        "lib/apk/db/",
        "var/lib/rpm/",
        "usr/lib/sysimage/rpm/",
    ];
    DATABASES.iter().any(|db| path.starts_with(db))
        || (path.starts_with("usr/share/doc/") && path.ends_with("/copyright"))
}

/// For each file package, the index in `os` of the OS package owning its metadata file, if
/// any. Of several owners, one installed when the file package was introduced wins.
pub(crate) fn owners(os: &[TrackedPackage], files: &[TrackedPackage]) -> Vec<Option<usize>> {
    // A few dozen metadata files against every file every OS package lists (a hundred
    // thousand on a Debian image): index the few, stream the many past them.
    let mut by_path: HashMap<&str, Vec<usize>> = files
        .iter()
        .map(|package| package.record.database.as_str())
        .filter(|path| !never_owned(path))
        .map(|path| (path, Vec::new()))
        .collect();
    let lengths = Lengths::of(by_path.keys().copied());
    for (index, package) in os.iter().enumerate() {
        for path in &package.record.files {
            if lengths.may_hold(path) {
                if let Some(owners) = by_path.get_mut(path.as_str()) {
                    owners.push(index);
                }
            }
        }
    }
    files
        .iter()
        .map(|package| {
            let candidates = by_path.get(package.record.database.as_str())?;
            let alive = |&&i: &&usize| {
                let owner = &os[i];
                owner.introduced_in <= package.introduced_in
                    && owner.removed_in.is_none_or(|r| r > package.introduced_in)
            };
            candidates
                .iter()
                .find(alive)
                .or_else(|| candidates.first())
                .copied()
        })
        .collect()
}

/// The lengths of the wanted paths: most listed files have another length and are passed
/// over without hashing them (hashing every listed path was a third of a warm scan).
struct Lengths(Vec<bool>);

impl Lengths {
    fn of<'a>(paths: impl Iterator<Item = &'a str>) -> Self {
        let mut lengths = Vec::new();
        for path in paths {
            if lengths.len() <= path.len() {
                lengths.resize(path.len() + 1, false);
            }
            lengths[path.len()] = true;
        }
        Lengths(lengths)
    }

    fn may_hold(&self, path: &str) -> bool {
        self.0.get(path.len()).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{Ecosystem, PackageRecord};

    fn tracked(
        record: PackageRecord,
        introduced_in: usize,
        removed_in: Option<usize>,
    ) -> TrackedPackage {
        TrackedPackage {
            record,
            introduced_in,
            removed_in,
            replaced_by: None,
            locations: std::collections::BTreeSet::new(),
        }
    }

    #[test]
    fn the_owner_alive_at_install_time_wins() {
        let meta = "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO";
        let mut old =
            PackageRecord::new(Ecosystem::Deb, "python3-yaml", "5.4", "var/lib/dpkg/status");
        old.files = vec![meta.into()];
        let mut new = old.clone();
        new.version = "6.0".into();
        let os = [tracked(old, 0, Some(2)), tracked(new, 2, None)];
        let pypi = PackageRecord::new(Ecosystem::Python, "PyYAML", "6.0", meta);
        let copyright =
            PackageRecord::new(Ecosystem::Python, "x", "1", "usr/share/doc/x/copyright");
        let files = [
            tracked(pypi.clone(), 2, None),
            tracked(pypi, 0, Some(2)),
            tracked(copyright, 0, None),
        ];
        assert_eq!(owners(&os, &files), [Some(1), Some(0), None]);
    }
}
