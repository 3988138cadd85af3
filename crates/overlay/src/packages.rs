//! Package provenance: which layer introduced, removed or replaced each package.
//!
//! The input is a sequence of snapshots, one per layer that changed a package database, each
//! holding every record the databases list as of that layer. Comparing successive snapshots
//! gives the history; nothing here reads files.

use std::collections::{BTreeMap, BTreeSet};

use sbomgen_model::{Ecosystem, PackageRecord};

/// The records one cataloguer found in the databases visible after `layer`.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub layer: usize,
    pub records: Vec<PackageRecord>,
    /// For each database path in this view, the layer that wrote the copy that was read.
    pub database_layers: BTreeMap<String, usize>,
}

/// A package with its life across layers. A package removed and later installed again is two
/// entries, one per life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedPackage {
    /// The record as last seen.
    pub record: PackageRecord,
    /// The first layer whose databases hold this name, version and arch.
    pub introduced_in: usize,
    /// The first later layer whose databases no longer hold it (or that deleted them).
    pub removed_in: Option<usize>,
    /// When removed: the version of the same package (name and arch) installed in its place.
    pub replaced_by: Option<String>,
    /// Every (database path, layer that wrote that database copy) in which it was seen.
    pub locations: BTreeSet<(String, usize)>,
}

/// Identity across layers: what "the same package" means for provenance.
type Key = (Ecosystem, String, String, Option<u64>, Option<String>);

fn key(record: &PackageRecord) -> Key {
    (
        record.ecosystem,
        record.name.clone(),
        record.version.clone(),
        record.epoch,
        record.arch.clone(),
    )
}

/// Follows packages through the snapshots (which must be in layer order). The result is sorted
/// by ecosystem, name, version, arch, then introducing layer.
pub fn track(snapshots: Vec<Snapshot>) -> Vec<TrackedPackage> {
    let mut tracker = Tracker::default();
    for snapshot in snapshots {
        tracker.push(snapshot);
    }
    tracker.finish()
}

/// [`track`] one snapshot at a time, so a caller can drop each snapshot's records once seen:
/// an image rewriting a large package database in each of a thousand layers must not hold a
/// thousand copies of it.
#[derive(Debug, Default)]
pub struct Tracker {
    live: BTreeMap<Key, TrackedPackage>,
    ended: Vec<TrackedPackage>,
}

impl Tracker {
    /// Takes the next snapshot; snapshots must come in layer order.
    pub fn push(&mut self, snapshot: Snapshot) {
        // Records are moved, not cloned: on a full distro image they carry every owned path.
        let mut present: BTreeMap<Key, Vec<PackageRecord>> = BTreeMap::new();
        for record in snapshot.records {
            present.entry(key(&record)).or_default().push(record);
        }
        let gone: Vec<Key> = self
            .live
            .keys()
            .filter(|k| !present.contains_key(*k))
            .cloned()
            .collect();
        for k in gone {
            if let Some(mut package) = self.live.remove(&k) {
                package.removed_in = Some(snapshot.layer);
                package.replaced_by = successor(&package.record, &present);
                self.ended.push(package);
            }
        }
        for (k, mut records) in present {
            let locations = records.iter().map(|r| {
                let writer = snapshot
                    .database_layers
                    .get(&r.database)
                    .copied()
                    .unwrap_or(snapshot.layer);
                (r.database.clone(), writer)
            });
            let locations: Vec<(String, usize)> = locations.collect();
            let record = records.swap_remove(0);
            match self.live.get_mut(&k) {
                Some(package) => {
                    package.record = record;
                    package.locations.extend(locations);
                }
                None => {
                    let package = TrackedPackage {
                        record,
                        introduced_in: snapshot.layer,
                        removed_in: None,
                        replaced_by: None,
                        locations: locations.into_iter().collect(),
                    };
                    self.live.insert(k, package);
                }
            }
        }
    }

    /// Every package's life, sorted by ecosystem, name, version, arch, then introducing layer.
    pub fn finish(self) -> Vec<TrackedPackage> {
        let Tracker { live, mut ended } = self;
        ended.extend(live.into_values());
        ended.sort_by_key(|p| (key(&p.record), p.introduced_in));
        ended
    }
}

/// The version now installed under the same name: same arch first, then any arch (a package
/// may move from `i386` to `amd64`, or to `all`).
fn successor(old: &PackageRecord, present: &BTreeMap<Key, Vec<PackageRecord>>) -> Option<String> {
    let same_name = || {
        present
            .keys()
            .filter(|k| k.0 == old.ecosystem && k.1 == old.name)
    };
    let pick = |k: &Key| match k.3 {
        Some(epoch) => format!("{epoch}:{}", k.2),
        None => k.2.clone(),
    };
    same_name()
        .find(|k| k.4 == old.arch)
        .or_else(|| same_name().next())
        .map(pick)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deb(name: &str, version: &str) -> PackageRecord {
        let mut r = PackageRecord::new(Ecosystem::Deb, name, version, "var/lib/dpkg/status");
        r.arch = Some("amd64".into());
        r
    }

    fn snapshot(layer: usize, records: Vec<PackageRecord>) -> Snapshot {
        let database_layers = [("var/lib/dpkg/status".to_string(), layer)]
            .into_iter()
            .collect();
        Snapshot {
            layer,
            records,
            database_layers,
        }
    }

    /// name, version, introduced, removed, replaced by
    type Row = (String, String, usize, Option<usize>, Option<String>);

    fn summary(tracked: &[TrackedPackage]) -> Vec<Row> {
        tracked
            .iter()
            .map(|t| {
                (
                    t.record.name.clone(),
                    t.record.version.clone(),
                    t.introduced_in,
                    t.removed_in,
                    t.replaced_by.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn install_upgrade_remove() {
        let tracked = track(vec![
            snapshot(0, vec![deb("base-files", "12.4"), deb("curl", "7.88.1-10")]),
            snapshot(
                2,
                vec![
                    deb("base-files", "12.4"),
                    deb("curl", "7.88.1-10+deb12u5"),
                    deb("wget", "1.21"),
                ],
            ),
            snapshot(
                3,
                vec![deb("base-files", "12.4"), deb("curl", "7.88.1-10+deb12u5")],
            ),
        ]);
        assert_eq!(
            summary(&tracked),
            [
                ("base-files".into(), "12.4".into(), 0, None, None),
                (
                    "curl".into(),
                    "7.88.1-10".into(),
                    0,
                    Some(2),
                    Some("7.88.1-10+deb12u5".into())
                ),
                ("curl".into(), "7.88.1-10+deb12u5".into(), 2, None, None),
                ("wget".into(), "1.21".into(), 2, Some(3), None),
            ]
        );
        let base = &tracked[0];
        let layers: Vec<usize> = base.locations.iter().map(|l| l.1).collect();
        assert_eq!(layers, [0, 2, 3], "every database copy that lists it");
    }

    #[test]
    fn deleted_database_removes_everything() {
        let tracked = track(vec![snapshot(0, vec![deb("a", "1")]), snapshot(1, vec![])]);
        assert_eq!(
            summary(&tracked),
            [("a".into(), "1".into(), 0, Some(1), None)]
        );
    }

    #[test]
    fn reinstall_is_a_second_life() {
        let tracked = track(vec![
            snapshot(0, vec![deb("a", "1")]),
            snapshot(1, vec![]),
            snapshot(2, vec![deb("a", "1")]),
        ]);
        assert_eq!(
            summary(&tracked),
            [
                ("a".into(), "1".into(), 0, Some(1), None),
                ("a".into(), "1".into(), 2, None, None)
            ]
        );
    }

    #[test]
    fn same_package_in_two_databases_is_one_entry_with_two_locations() {
        let mut other = deb("a", "1");
        other.database = "var/lib/dpkg/status.d/a".into();
        let mut snap = snapshot(0, vec![deb("a", "1"), other]);
        snap.database_layers
            .insert("var/lib/dpkg/status.d/a".into(), 0);
        let tracked = track(vec![snap]);
        assert_eq!(tracked.len(), 1);
        assert_eq!(tracked[0].locations.len(), 2);
    }

    #[test]
    fn rpm_replacement_names_the_epoch() {
        let rpm = |v: &str, epoch| {
            let mut r = PackageRecord::new(
                Ecosystem::Rpm,
                "ca-certificates",
                v,
                "var/lib/rpm/rpmdb.sqlite",
            );
            r.epoch = epoch;
            r
        };
        let tracked = track(vec![
            snapshot(0, vec![rpm("2.0.0-1", Some(1))]),
            snapshot(1, vec![rpm("2.0.0-2", Some(1))]),
        ]);
        assert_eq!(tracked[0].replaced_by.as_deref(), Some("1:2.0.0-2"));
    }
}
