//! The ground truth of the binaries recipes: after every layer, the tools describe each watched
//! file whose content changed, and what a scanner must list follows from those descriptions.
//!
//! A package's *place* is what stays when a layer rewrites a file: a Go module in the binary at
//! a path, a crate in the binary at a path, a Maven artifact (`group:artifact`) in the archive at
//! a location, a classifier's software at a path. A place that held one version and then
//! another is an upgrade (`replacedBy`); a place that empties is a removal.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::super::build::Build;
use super::super::tools::run;
use super::super::truth::lives;
use super::super::{ExpectedPackage, LangFixture, Unavailable};
use super::toolchain::Toolchain;
use super::{go, rust};
use super::{ClassifierSample, GoBinary, PomProperties, RustBinary};
use crate::Compression;

pub(crate) const OS_RELEASE: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

/// One package a listing shows: at `place`, `name` `version`, located at `path`.
#[derive(Debug, Clone)]
struct Found {
    kind: &'static str,
    place: String,
    name: String,
    version: String,
    path: String,
}

/// Watches files across a recipe's layers and keeps what the tools said of each.
#[derive(Debug)]
pub(crate) struct Observer {
    tc: Toolchain,
    /// The index the next layer gets.
    next_layer: usize,
    go: Vec<(String, String)>,
    rust: Vec<(String, String, Option<PathBuf>)>,
    archives: Vec<String>,
    pending_samples: Vec<ClassifierSample>,
    /// Content hash of every watched path as the last layer left it.
    hashes: BTreeMap<String, [u8; 32]>,
    /// `cargo tree` per manifest.
    trees: BTreeMap<PathBuf, Vec<(String, String)>>,
    go_binaries: Vec<GoBinary>,
    rust_binaries: Vec<RustBinary>,
    poms: Vec<PomProperties>,
    samples: Vec<ClassifierSample>,
    listings: Vec<Vec<Found>>,
}

/// How a watched path differs from the previous layer's.
enum Change {
    Same,
    Gone,
    New,
}

impl Observer {
    pub(crate) fn new(tc: Toolchain) -> Observer {
        Observer {
            tc,
            next_layer: 0,
            go: Vec::new(),
            rust: Vec::new(),
            archives: Vec::new(),
            pending_samples: Vec::new(),
            hashes: BTreeMap::new(),
            trees: BTreeMap::new(),
            go_binaries: Vec::new(),
            rust_binaries: Vec::new(),
            poms: Vec::new(),
            samples: Vec::new(),
            listings: Vec::new(),
        }
    }

    /// Starts watching after `layers` layers that hold no watched file: their listings are
    /// empty, and the next layer observed gets index `layers`.
    pub(crate) fn after(mut self, layers: usize) -> Observer {
        self.next_layer = layers;
        self.listings = vec![Vec::new(); self.next_layer];
        self
    }

    pub(crate) fn watch_go(&mut self, path: &str, built_with: &str) {
        self.go.push((path.to_string(), built_with.to_string()));
    }

    /// A Rust binary, and the manifest it was built from (`None`: not built here, no
    /// `cargo tree`).
    pub(crate) fn watch_rust(&mut self, path: &str, built_with: &str, manifest: Option<&Path>) {
        self.rust.push((
            path.to_string(),
            built_with.to_string(),
            manifest.map(Path::to_path_buf),
        ));
    }

    pub(crate) fn watch_archive(&mut self, path: &str) {
        if !self.archives.iter().any(|a| a == path) {
            self.archives.push(path.to_string());
        }
    }

    pub(crate) fn watch_sample(&mut self, sample: ClassifierSample) {
        self.pending_samples.push(sample);
    }

    /// Ends a step: the layer, then what the tools say of every watched file it changed.
    pub(crate) fn finish_layer(
        &mut self,
        b: &mut Build,
        id: &str,
        created_by: &str,
        compression: Compression,
    ) -> Result<(), Unavailable> {
        b.layer(id, created_by, compression, &[])?;
        let layer = self.next_layer;
        self.next_layer += 1;
        self.observe(b, layer)
    }

    fn change(&mut self, b: &Build, path: &str) -> Result<Change, Unavailable> {
        let full = b.path(path);
        if !full.is_file() {
            return Ok(match self.hashes.remove(path) {
                Some(_) => Change::Gone,
                None => Change::Same,
            });
        }
        let mut hasher = Sha256::new();
        std::io::copy(&mut fs::File::open(&full)?, &mut hasher)?;
        let hash: [u8; 32] = hasher.finalize().into();
        Ok(match self.hashes.insert(path.to_string(), hash) {
            Some(old) if old == hash => Change::Same,
            _ => Change::New,
        })
    }

    fn observe(&mut self, b: &Build, layer: usize) -> Result<(), Unavailable> {
        for (path, built_with) in self.go.clone() {
            match self.change(b, &path)? {
                Change::Same => {}
                change => {
                    close(&mut self.go_binaries, &path, layer, |g| {
                        (&g.path, &mut g.removed_in)
                    });
                    if let Change::New = change {
                        let mut binary = go::version_m(&self.tc, &b.path(&path), &path)?
                            .ok_or_else(|| {
                                Unavailable::Step(format!("go version -m: {path} is no Go binary"))
                            })?;
                        binary.introduced_in = layer;
                        binary.built_with = built_with;
                        self.go_binaries.push(binary);
                    }
                }
            }
        }
        for (path, built_with, manifest) in self.rust.clone() {
            match self.change(b, &path)? {
                Change::Same => {}
                change => {
                    close(&mut self.rust_binaries, &path, layer, |r| {
                        (&r.path, &mut r.removed_in)
                    });
                    if let Change::New = change {
                        let audit = rust::audit_data(&self.tc, &b.path(&path))?;
                        let cargo_tree = match &manifest {
                            None => Vec::new(),
                            Some(m) if self.trees.contains_key(m) => self.trees[m].clone(),
                            Some(m) => {
                                let tree = rust::cargo_tree(&self.tc, m)?;
                                self.trees.insert(m.clone(), tree.clone());
                                tree
                            }
                        };
                        self.rust_binaries.push(RustBinary {
                            path,
                            introduced_in: layer,
                            removed_in: None,
                            built_with,
                            audit,
                            cargo_tree,
                        });
                    }
                }
            }
        }
        let mut changed = Vec::new();
        for archive in self.archives.clone() {
            match self.change(b, &archive)? {
                Change::Same => {}
                change => {
                    for pom in &mut self.poms {
                        let outer = pom.location.split("!/").next().unwrap_or_default();
                        if outer == archive && pom.removed_in.is_none() {
                            pom.removed_in = Some(layer);
                        }
                    }
                    if let Change::New = change {
                        changed.push(archive);
                    }
                }
            }
        }
        if !changed.is_empty() {
            self.poms.extend(self.pom_properties(b, &changed, layer)?);
        }
        for mut sample in std::mem::take(&mut self.pending_samples) {
            if b.path(&sample.path).is_file() {
                sample.introduced_in = layer;
                self.samples.push(sample);
            } else {
                self.pending_samples.push(sample);
            }
        }
        let listing = self.listing();
        self.listings.push(listing);
        Ok(())
    }

    /// `ziptool.py poms`: every pom.properties in the archives, nested ones included.
    fn pom_properties(
        &self,
        b: &Build,
        archives: &[String],
        layer: usize,
    ) -> Result<Vec<PomProperties>, Unavailable> {
        let out = run(
            self.tc.ziptool().arg("poms").arg(&b.root).args(archives),
            "ziptool poms",
        )?;
        let json: Value = serde_json::from_slice(&out)
            .map_err(|e| Unavailable::Step(format!("ziptool poms output: {e}")))?;
        let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        let mut poms: Vec<PomProperties> = json
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| PomProperties {
                location: field(p, "location"),
                entry: field(p, "entry"),
                group_id: field(p, "groupId"),
                artifact_id: field(p, "artifactId"),
                version: field(p, "version"),
                has_manifest: p["hasManifest"].as_bool().unwrap_or(false),
                introduced_in: layer,
                removed_in: None,
            })
            .collect();
        poms.sort();
        Ok(poms)
    }

    /// What a scanner must list in the filesystem as the last observed layer left it.
    fn listing(&self) -> Vec<Found> {
        let mut found = Vec::new();
        for bin in self.go_binaries.iter().filter(|b| b.removed_in.is_none()) {
            let Some(main) = &bin.main else {
                // A GOPATH build names no module; its stdlib is optional (see GoBinary).
                continue;
            };
            let mut add = |key: &str, name: &str, version: &str| {
                found.push(Found {
                    kind: "golang",
                    place: format!("{}\n{key}", bin.path),
                    name: name.to_string(),
                    version: version.to_string(),
                    path: bin.path.clone(),
                });
            };
            let main_version = bin.main_version().unwrap_or_default();
            add("main", &main.path, &main_version);
            for dep in &bin.deps {
                let (name, version) = dep.effective();
                add(&dep.path, name, version);
            }
            add("stdlib", "stdlib", &bin.go_version);
        }
        for bin in self.rust_binaries.iter().filter(|b| b.removed_in.is_none()) {
            let runtime: Vec<_> = bin
                .audit
                .iter()
                .flatten()
                .filter(|c| c.kind == "runtime" && !c.name.is_empty())
                .collect();
            for krate in &runtime {
                let twice = runtime.iter().filter(|c| c.name == krate.name).count() > 1;
                let place = if twice {
                    format!("{}\n{}\n{}", bin.path, krate.name, krate.version)
                } else {
                    format!("{}\n{}", bin.path, krate.name)
                };
                found.push(Found {
                    kind: "cargo",
                    place,
                    name: krate.name.clone(),
                    version: krate.version.clone(),
                    path: bin.path.clone(),
                });
            }
        }
        for pom in self.poms.iter().filter(|p| p.removed_in.is_none()) {
            let name = format!("{}:{}", pom.group_id, pom.artifact_id);
            found.push(Found {
                kind: "maven",
                place: format!("{}\n{name}", pom.location),
                name,
                version: pom.version.clone(),
                path: pom.location.clone(),
            });
        }
        for sample in self.samples.iter().filter(|s| s.owned_by.is_none()) {
            found.push(Found {
                kind: "generic",
                place: format!("{}\n{}", sample.path, sample.name),
                name: sample.name.clone(),
                version: sample.version.clone(),
                path: sample.path.clone(),
            });
        }
        found
    }

    /// Writes the image and fills in the truth: the watched files' packages beside those of
    /// the site-packages and npm projects `b` watched.
    pub(crate) fn finish(self, b: Build) -> Result<LangFixture, Unavailable> {
        let mut fixture = b.finish()?;
        fixture.expected.extend(provenance(&self.listings));
        fixture.go_binaries = self.go_binaries;
        fixture.rust_binaries = self.rust_binaries;
        fixture.pom_properties = self.poms;
        fixture.classified = self.samples;
        Ok(fixture)
    }
}

/// Marks the live record at `path` removed in `layer`.
fn close<T>(
    records: &mut [T],
    path: &str,
    layer: usize,
    fields: impl Fn(&mut T) -> (&String, &mut Option<usize>),
) {
    for record in records.iter_mut() {
        let (at, removed_in) = fields(record);
        if at == path && removed_in.is_none() {
            *removed_in = Some(layer);
        }
    }
}

/// Every package's life across the listings (see `truth::lives`): a place's package ends when
/// the place empties or shows another name or version.
fn provenance(listings: &[Vec<Found>]) -> Vec<ExpectedPackage> {
    let listings = listings.iter().map(|listing| {
        listing
            .iter()
            .map(|f| {
                (
                    (f.kind, f.place.clone()),
                    (f.name.clone(), f.version.clone(), f.path.clone()),
                )
            })
            .collect()
    });
    lives(listings, |a, b| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(place: &str, name: &str, version: &str) -> Found {
        Found {
            kind: "maven",
            place: place.into(),
            name: name.into(),
            version: version.into(),
            path: place.split('\n').next().unwrap().into(),
        }
    }

    #[test]
    fn rewritten_and_deleted_places() {
        let listings = vec![
            vec![],
            vec![
                found("a.jar\ng:a", "g:a", "1.0"),
                found("b.jar\ng:b", "g:b", "2.0"),
            ],
            vec![found("a.jar\ng:a", "g:a", "1.1")],
        ];
        let got: Vec<_> = provenance(&listings)
            .into_iter()
            .map(|p| {
                (
                    p.name,
                    p.version,
                    p.introduced_in,
                    p.removed_in,
                    p.replaced_by,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("g:a".into(), "1.0".into(), 1, Some(2), Some("1.1".into())),
                ("g:a".into(), "1.1".into(), 2, None, None),
                ("g:b".into(), "2.0".into(), 1, Some(2), None),
            ]
        );
    }
}
