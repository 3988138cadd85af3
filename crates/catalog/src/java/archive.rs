//! Walking one top-level archive and the archives nested in it, within [`Limits`].
//!
//! Per archive: list the central directory, keeping only `MANIFEST.MF`, `pom.properties` and
//! nested archives; read those (bounded); name the archive ([`super::naming`]); report it, then
//! every other `pom.properties` in it (shaded dependencies), then recurse into each nested
//! archive. The archive's own package depends on the others it holds, by name (Syft's edges:
//! an inner package is a `dependency-of` the archive's, a nested archive's package is a
//! `dependency-of` its parent's). A name equal to the archive's own (a Jenkins `.hpi` and the
//! `.jar` of the same name inside it) is left out: a self-loop by name says nothing.
//!
//! A zip found only by its magic bytes, under a name that is no Java archive's (a `.zip`, a
//! `.whl`, an `.odt` with its `META-INF/manifest.xml`), gets no package of its own and no
//! warnings: only its `pom.properties` and the Java archives inside it count.

use std::fmt::Display;

use sbomgen_model::{FileFindings, PackageRecord};

use super::limits::Limits;
use super::manifest::Manifest;
use super::naming::{base_name, identify, is_archive_name};
use super::pom::{self, PomProperties};
use super::record::{archive_record, inner_record, manifest_licenses, Coordinates};
use super::zip::{self, Entry, ZipError};
use crate::ReadSeek;

/// Catalogues the archive at root-relative `path`.
pub(super) fn catalog(
    path: &str,
    content: &mut dyn ReadSeek,
    size: u64,
    limits: &Limits,
) -> FileFindings {
    let mut walk = Walk {
        limits,
        top: path,
        inflated: 0,
        held: 0,
        stopped: false,
        packages: Vec::new(),
        warnings: Vec::new(),
        suppressed: 0,
    };
    let top = Archive {
        location: path.to_string(),
        inner: String::new(),
        depth: 0,
        java: is_archive_name(path),
    };
    walk.archive(&top, content, size);
    if walk.suppressed > 0 {
        walk.warnings.push(format!(
            "{path}: {} more warnings not shown",
            walk.suppressed
        ));
    }
    FileFindings {
        packages: walk.packages,
        support: None,
        warnings: walk.warnings,
    }
}

/// The state of one top-level archive's walk.
pub(super) struct Walk<'a> {
    pub(super) limits: &'a Limits,
    pub(super) top: &'a str,
    /// Bytes inflated so far, every level counted.
    pub(super) inflated: u64,
    /// Bytes of nested archives held in memory up the stack.
    pub(super) held: u64,
    /// Set when the total-inflated cap is reached: nothing more is read.
    pub(super) stopped: bool,
    pub(super) packages: Vec<PackageRecord>,
    pub(super) warnings: Vec<String>,
    pub(super) suppressed: usize,
}

/// One archive of the walk.
pub(super) struct Archive {
    /// `app.jar`, `app.jar!/BOOT-INF/lib/x.jar`: the records' `database`.
    pub(super) location: String,
    /// The path below the top-level archive (`BOOT-INF/lib/x.jar`), empty at the top.
    pub(super) inner: String,
    pub(super) depth: usize,
    /// Named as a Java archive: it gets a package of its own, and its problems are reported.
    pub(super) java: bool,
}

/// The entries of one archive that matter.
#[derive(Default)]
struct Contents {
    manifest: Option<Entry>,
    poms: Vec<Entry>,
    nested: Vec<Entry>,
}

/// An archive's bytes while it is read, and how its local headers disagreed so far.
pub(super) struct Open<'c> {
    pub(super) content: &'c mut dyn ReadSeek,
    pub(super) size: u64,
    /// `entry: how`, per entry whose local header disagrees with the central directory.
    pub(super) mismatched: Vec<String>,
}

fn is_manifest(name: &str) -> bool {
    name.eq_ignore_ascii_case("META-INF/MANIFEST.MF")
}

impl Walk<'_> {
    pub(super) fn warn(&mut self, archive: &Archive, entry: Option<&str>, message: impl Display) {
        if self.warnings.len() >= self.limits.max_warnings {
            self.suppressed += 1;
            return;
        }
        let at = match (archive.inner.as_str(), entry) {
            ("", None) => String::new(),
            ("", Some(e)) => format!("{e}: "),
            (inner, None) => format!("{inner}: "),
            (inner, Some(e)) => format!("{inner}!/{e}: "),
        };
        self.warnings.push(format!("{}: {at}{message}", self.top));
    }

    /// Catalogues one archive; returns the name of its own package, if it has one.
    pub(super) fn archive(
        &mut self,
        a: &Archive,
        content: &mut dyn ReadSeek,
        size: u64,
    ) -> Option<String> {
        let contents = self.list(a, content, size)?;
        let mut open = Open {
            content,
            size,
            mismatched: Vec::new(),
        };
        let manifest = match &contents.manifest {
            Some(e) if a.java => self
                .read_small(a, &mut open, e)
                .map(|b| Manifest::parse(&b)),
            _ => None,
        };
        let mut poms: Vec<PomProperties> = Vec::new();
        for e in &contents.poms {
            let Some(bytes) = self.read_small(a, &mut open, e) else {
                continue;
            };
            let Some(p) = pom::parse(&e.name, &bytes) else {
                continue;
            };
            let key =
                |q: &PomProperties| (q.group_id.clone(), q.artifact_id.clone(), q.version.clone());
            if !poms.iter().any(|q| key(q) == key(&p)) {
                poms.push(p);
            }
        }
        let own = self.own_package(a, &poms, manifest.as_ref());
        let mut depends = Vec::new();
        for (i, p) in poms.iter().enumerate() {
            if own.is_some_and(|(_, pom)| pom == Some(i)) {
                continue;
            }
            let coordinates = Coordinates {
                group_id: &p.group_id,
                artifact_id: &p.artifact_id,
                version: &p.version,
                location: &a.location,
                jenkins_file: false,
            };
            depends.push(p.artifact_id.clone());
            self.packages.push(inner_record(&coordinates, &p.path));
        }
        depends.extend(self.nested(a, &mut open, &contents.nested));
        if let Some(first) = open.mismatched.first() {
            let n = open.mismatched.len();
            let message = format!(
                "{n} local header(s) disagree with the central directory (first: {first}); its sizes and methods were used"
            );
            self.warn(a, None, message);
        }
        let (index, _) = own?;
        let name = self.packages[index].name.clone();
        depends.retain(|d| *d != name);
        depends.sort();
        depends.dedup();
        self.packages[index].depends_on = depends;
        Some(name)
    }

    /// The entries that matter, from the central directory.
    fn list(&mut self, a: &Archive, content: &mut dyn ReadSeek, size: u64) -> Option<Contents> {
        let wanted = |name: &str| {
            !name.ends_with('/')
                && (is_manifest(name) || pom::is_pom_properties(name) || is_archive_name(name))
        };
        let max = self.limits.max_entries;
        let dir = match zip::read_directory(content, size, max, &mut |n| wanted(n)) {
            Ok(dir) => dir,
            Err(e) => {
                // `.rar` is also the extension of RAR archives, which are no zips.
                let rar = a.location.to_ascii_lowercase().ends_with(".rar");
                if a.java && !(rar && matches!(e, ZipError::NotZip)) {
                    self.warn(a, None, e);
                }
                return None;
            }
        };
        if a.java {
            for problem in &dir.problems {
                self.warn(a, None, problem);
            }
            if dir.capped {
                let message =
                    format!("more than {max} entries: only the first {max} were looked at");
                self.warn(a, None, message);
            }
        }
        let mut contents = Contents::default();
        for entry in dir.entries {
            if is_manifest(&entry.name) {
                contents.manifest.get_or_insert(entry);
            } else if pom::is_pom_properties(&entry.name) {
                contents.poms.push(entry);
            } else {
                contents.nested.push(entry);
            }
        }
        Some(contents)
    }

    /// Adds the archive's own package, if it can be named: its index in `packages`, and the
    /// index of the `pom.properties` that named it.
    fn own_package(
        &mut self,
        a: &Archive,
        poms: &[PomProperties],
        manifest: Option<&Manifest>,
    ) -> Option<(usize, Option<usize>)> {
        if !a.java {
            return None;
        }
        // New Relic instrumentation jars name the library they instrument (Syft skips them).
        if manifest.is_some_and(|m| m.main("Weave-Classes").is_some()) {
            return None;
        }
        let file = base_name(&a.location);
        let identity = identify(file, poms, manifest)?;
        let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let coordinates = Coordinates {
            group_id: &identity.group_id,
            artifact_id: &identity.artifact_id,
            version: &identity.version,
            location: &a.location,
            jenkins_file: matches!(ext.as_deref(), Some("hpi" | "jpi")),
        };
        let pom_path = identity.pom.map(|i| poms[i].path.as_str());
        let summary = manifest.map(Manifest::summary);
        let mut record = archive_record(&coordinates, pom_path, summary.as_ref());
        record.licenses = manifest.map(manifest_licenses).unwrap_or_default();
        self.packages.push(record);
        Some((self.packages.len() - 1, identity.pom))
    }
}
