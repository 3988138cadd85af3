//! Turning recipe steps into layers: run a step in the root, diff, copy the changed files aside,
//! list what the tools say is installed; at the end, write the OCI layout.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sbomgen_model::Platform;

use super::snapshot::{self, Tree};
use super::tools::Tools;
use super::truth::{self, Listing};
use super::{LangFixture, LayerInfo, OsOwned, Unavailable, IMAGE_DIR};
use crate::{write_oci_dir, Compression, ImageSpec, LayerSpec};

/// A fixture under construction in `work/`: `root/` is the image's filesystem as the steps
/// leave it, `layers/<n>/` holds each layer's changed files as they were after step `n` (later
/// steps may change the originals), and `out/` receives the image.
#[derive(Debug)]
pub(crate) struct Build {
    pub tools: Tools,
    pub root: PathBuf,
    work: PathBuf,
    recipe: String,
    tree: Tree,
    layers: Vec<LayerSpec>,
    infos: Vec<LayerInfo>,
    listings: Vec<Listing>,
    /// Site-packages directories to list with `pip inspect`, relative to the root.
    python_sites: Vec<String>,
    /// npm project directories (and whether each is a global prefix) to list with `npm query`.
    npm_projects: Vec<(String, bool)>,
    pub os_owned: Vec<OsOwned>,
    /// When the current step started, for the progress line each layer prints.
    step_started: Instant,
}

impl Build {
    pub(super) fn new(work: &Path, recipe: &str, tools: Tools) -> Result<Build, Unavailable> {
        // Canonical, so that paths the tools print strip to root-relative ones.
        let work = work.canonicalize()?;
        let root = work.join("root");
        fs::create_dir_all(&root)?;
        fs::create_dir_all(work.join("out"))?;
        Ok(Build {
            tools,
            root,
            work,
            recipe: recipe.to_string(),
            tree: Tree::new(),
            layers: Vec::new(),
            infos: Vec::new(),
            listings: Vec::new(),
            python_sites: Vec::new(),
            npm_projects: Vec::new(),
            os_owned: Vec::new(),
            step_started: Instant::now(),
        })
    }

    /// `rel` under the root.
    pub(super) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file under the root, creating its parents.
    pub(super) fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> Result<(), Unavailable> {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, content)?;
        Ok(())
    }

    /// From now on, list this site-packages directory after every step that touches it.
    pub(super) fn watch_python(&mut self, site: &str) {
        self.python_sites.push(site.to_string());
    }

    /// From now on, list this npm project (or global prefix) after every step that touches it.
    pub(super) fn watch_npm(&mut self, dir: &str, global: bool) {
        self.npm_projects.push((dir.to_string(), global));
    }

    /// Ends a step: the root's changes since the previous one become the next layer, with
    /// `opaque` directories (relative to the root) written as replaced wholesale.
    pub(super) fn layer(
        &mut self,
        id: &str,
        created_by: &str,
        compression: Compression,
        opaque: &[&str],
    ) -> Result<(), Unavailable> {
        let index = self.layers.len();
        let ran = self.step_started.elapsed();
        let tree = snapshot::scan(&self.root, &self.tree)?;
        let diff = snapshot::diff(&self.tree, &tree, opaque).map_err(Unavailable::Step)?;
        // Copy the changed files aside: a later step may rewrite them in place.
        let stage = self.work.join("layers").join(index.to_string());
        let (mut files, mut bytes) = (0, 0);
        for (path, node) in &diff.adds {
            if let snapshot::Node::File { size, .. } = node {
                let to = stage.join(path);
                fs::create_dir_all(to.parent().expect("staged files have a parent"))?;
                fs::copy(self.root.join(path), &to)?;
                files += 1;
                bytes += size;
            }
        }
        let mut spec = LayerSpec::new(compression).created_by(created_by);
        spec.entries = diff.entries(|path| stage.join(path));
        self.layers.push(spec);

        let mut listing = self.listings.last().cloned().unwrap_or_default();
        for site in &self.python_sites {
            if diff.touches(site) {
                listing.python.retain(|d| &d.site_packages != site);
                if self.path(site).is_dir() {
                    listing
                        .python
                        .extend(self.tools.pip_inspect(&self.root, site)?);
                }
            }
        }
        for (dir, global) in &self.npm_projects {
            if diff.touches(dir) {
                let project = if *global {
                    format!("{dir}/lib")
                } else {
                    dir.clone()
                };
                listing.npm.retain(|n| n.project != project);
                if self.path(dir).is_dir() {
                    listing
                        .npm
                        .extend(self.tools.npm_query(&self.root, dir, *global)?);
                }
            }
        }
        listing.python.sort();
        listing.npm.sort();
        self.listings.push(listing);

        self.infos.push(LayerInfo {
            index,
            id: id.to_string(),
            created_by: created_by.to_string(),
            files,
            bytes,
            whiteouts: diff.whiteouts.iter().cloned().collect(),
            opaque: diff.opaque.iter().cloned().collect(),
        });
        self.tree = tree;
        eprintln!(
            "langfix {}: layer {index} {id}: {files} files, {bytes} bytes; step {:.1} s, diff and listing {:.1} s",
            self.recipe,
            ran.as_secs_f64(),
            self.step_started.elapsed().saturating_sub(ran).as_secs_f64()
        );
        self.step_started = Instant::now();
        Ok(())
    }

    /// Writes the image to `out/image.oci` and derives what a scan must find.
    pub(super) fn finish(self) -> Result<LangFixture, Unavailable> {
        let mut image = ImageSpec::new(host_platform());
        image.layers = self.layers;
        let started = Instant::now();
        write_oci_dir(&self.work.join("out").join(IMAGE_DIR), "latest", &[image])?;
        eprintln!(
            "langfix {}: image written in {:.1} s",
            self.recipe,
            started.elapsed().as_secs_f64()
        );
        let last = self.listings.last().cloned().unwrap_or_default();
        let expected = truth::provenance(&self.listings);
        // The root and staged copies are big and no longer needed (the caller removes `work`,
        // but a bench fixture should not hold twice its size on disk meanwhile).
        let _ = fs::remove_dir_all(&self.root);
        let _ = fs::remove_dir_all(self.work.join("layers"));
        Ok(LangFixture {
            recipe: self.recipe,
            oci_dir: PathBuf::from(IMAGE_DIR),
            layers: self.infos,
            pip_list: last.python,
            npm_query: last.npm,
            expected,
            os_owned: self.os_owned,
            tool_versions: self.tools.versions,
            go_binaries: Vec::new(),
            rust_binaries: Vec::new(),
            pom_properties: Vec::new(),
            classified: Vec::new(),
        })
    }
}

/// The platform of the wheels pip picked (they can be platform-specific).
fn host_platform() -> Platform {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        "s390x" => "s390x",
        "powerpc64" => "ppc64le",
        other => other,
    };
    Platform::new("linux", arch, None)
}
