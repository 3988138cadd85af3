//! Package provenance: which layer introduced, removed or replaced each package.
//!
//! The input is a sequence of snapshots, one per layer that changed a package database, each
//! holding every record the databases list as of that layer. Comparing successive snapshots
//! gives the history; nothing here reads files.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use sbomgen_model::PackageRecord;

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
    /// Every (database path, layer that wrote that database copy) in which it was seen. The
    /// path is shared by every package of that database: an image rewriting a 2,000-package
    /// database in each of 1,000 layers has two million locations.
    pub locations: BTreeSet<(Arc<str>, usize)>,
}

/// Identity across layers, what "the same package" means for provenance: ecosystem, name,
/// version, epoch, arch. Compared in place: a snapshot of a large database must not clone
/// every name to look it up.
fn identity(one: &PackageRecord, other: &PackageRecord) -> Ordering {
    (one.ecosystem, &one.name, &one.version, one.epoch, &one.arch).cmp(&(
        other.ecosystem,
        &other.name,
        &other.version,
        other.epoch,
        &other.arch,
    ))
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
///
/// Each snapshot is sorted by identity and merged with the live packages (kept sorted the same
/// way) in one pass: linear in the packages of the two snapshots, whatever changed.
#[derive(Debug, Default)]
pub struct Tracker {
    /// The packages the last snapshot listed, sorted by identity.
    live: Vec<Live>,
    ended: Vec<TrackedPackage>,
    /// One shared copy of each database path.
    paths: BTreeSet<Arc<str>>,
}

/// One identity in a snapshot: its first record, and the databases of all its records.
type Group = (PackageRecord, Vec<Arc<str>>);

/// A package the last snapshot listed, and the databases that listed it there.
#[derive(Debug)]
struct Live {
    package: TrackedPackage,
    databases: Vec<Arc<str>>,
}

impl Tracker {
    /// Takes the next snapshot; snapshots must come in layer order.
    pub fn push(&mut self, snapshot: Snapshot) {
        let Snapshot {
            layer,
            mut records,
            database_layers,
        } = snapshot;
        records.sort_by(identity);
        let groups = self.group(records);
        // First pass, by reference: which live package each group continues, and which live
        // packages end here (their successors are looked up among all the groups).
        let mut continued: Vec<Option<Live>> = Vec::with_capacity(groups.len());
        let mut before = std::mem::take(&mut self.live).into_iter().peekable();
        for (record, _) in &groups {
            while let Some(old) =
                before.next_if(|old| identity(&old.package.record, record) == Ordering::Less)
            {
                self.end(old, layer, &groups);
            }
            continued.push(
                before.next_if(|old| identity(&old.package.record, record) == Ordering::Equal),
            );
        }
        for old in before {
            self.end(old, layer, &groups);
        }
        // Second pass: records are moved, not cloned (on a full distro image they carry every
        // owned path).
        self.live = groups
            .into_iter()
            .zip(continued)
            .map(|((record, databases), old)| {
                let mut next = match old {
                    Some(mut old) => {
                        old.package.record = record;
                        old.databases = databases;
                        old
                    }
                    None => Live {
                        package: TrackedPackage {
                            record,
                            introduced_in: layer,
                            removed_in: None,
                            replaced_by: None,
                            locations: BTreeSet::new(),
                        },
                        databases,
                    },
                };
                next.see(layer, &database_layers);
                next
            })
            .collect();
    }

    /// Takes the next snapshot when it lists exactly the records of the previous one (a layer
    /// rewrote the databases unchanged): every live package gains the new database copies as
    /// locations, and no record is compared, cloned or moved.
    pub fn push_unchanged(&mut self, layer: usize, database_layers: &BTreeMap<String, usize>) {
        for live in &mut self.live {
            live.see(layer, database_layers);
        }
    }

    /// Every package's life, sorted by ecosystem, name, version, arch, then introducing layer.
    pub fn finish(self) -> Vec<TrackedPackage> {
        let Tracker {
            live, mut ended, ..
        } = self;
        ended.extend(live.into_iter().map(|l| l.package));
        ended.sort_by(|a, b| {
            identity(&a.record, &b.record).then(a.introduced_in.cmp(&b.introduced_in))
        });
        ended
    }

    /// Sorted records, one entry per identity: the first record, and the databases of all.
    fn group(&mut self, records: Vec<PackageRecord>) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for record in records {
            let database = self.intern(&record.database);
            match groups.last_mut() {
                Some((first, databases)) if identity(first, &record) == Ordering::Equal => {
                    databases.push(database);
                }
                _ => groups.push((record, vec![database])),
            }
        }
        groups
    }

    /// A live package the snapshot of `layer` no longer lists.
    fn end(&mut self, old: Live, layer: usize, present: &[Group]) {
        let mut package = old.package;
        package.removed_in = Some(layer);
        package.replaced_by = successor(&package.record, present);
        self.ended.push(package);
    }

    fn intern(&mut self, path: &str) -> Arc<str> {
        if let Some(shared) = self.paths.get(path) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(path);
        self.paths.insert(shared.clone());
        shared
    }
}

impl Live {
    /// Records that the databases of `layer`'s view list this package.
    fn see(&mut self, layer: usize, database_layers: &BTreeMap<String, usize>) {
        for database in &self.databases {
            let writer = database_layers.get(&**database).copied().unwrap_or(layer);
            self.package.locations.insert((database.clone(), writer));
        }
    }
}

/// The version now installed under the same name: same arch first, then any arch (a package
/// may move from `i386` to `amd64`, or to `all`). `present` is sorted by identity, so the
/// same name is one range, found by binary search.
fn successor(old: &PackageRecord, present: &[Group]) -> Option<String> {
    let wanted = (old.ecosystem, old.name.as_str());
    let start = present.partition_point(|(r, _)| (r.ecosystem, r.name.as_str()) < wanted);
    let same_name = || {
        present[start..]
            .iter()
            .map(|(r, _)| r)
            .take_while(|r| (r.ecosystem, r.name.as_str()) == wanted)
    };
    let pick = |r: &PackageRecord| match r.epoch {
        Some(epoch) => format!("{epoch}:{}", r.version),
        None => r.version.clone(),
    };
    same_name()
        .find(|r| r.arch == old.arch)
        .or_else(|| same_name().next())
        .map(pick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::Ecosystem;

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
    fn an_unchanged_snapshot_tracks_like_the_same_records_pushed_again() {
        let records = || vec![deb("a", "1"), deb("b", "2")];
        let pushed = track(vec![snapshot(0, records()), snapshot(1, records())]);
        let mut tracker = Tracker::default();
        tracker.push(snapshot(0, records()));
        tracker.push_unchanged(1, &snapshot(1, vec![]).database_layers);
        let unchanged = tracker.finish();
        assert_eq!(unchanged, pushed);
        assert_eq!(unchanged[0].locations.len(), 2, "both database copies");
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
