//! Names that tie a document together: the image's own identity (name, purl), stable
//! collision-free package ids, and dependency edges resolved to packages in the document.
//!
//! Ids are derived from package content, never from list positions alone, so adding a package
//! does not rename the others; identical twins (same name, version, arch and layers) are
//! numbered in document order, which is itself deterministic.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest as _, Sha256};

use sbomgen_model::{install_root, Distro, Package, Sbom};

/// The purl types whose packages belong to the operating system (the distro component).
pub const OS_PACKAGE_TYPES: &[&str] = &["deb", "apk", "rpm", "alpm"];

/// Whether `package` was installed by the distro's package manager.
pub fn is_os_package(package: &Package) -> bool {
    OS_PACKAGE_TYPES.contains(&package.kind.as_str())
}

/// os-release `ID`s whose distro family vulnerability matchers name differently (Trivy's
/// `OSType` values, which Dependency-Track follows); every other id is its own family.
const OS_FAMILIES: &[(&str, &str)] = &[
    ("almalinux", "alma"),
    ("amzn", "amazon"),
    ("mariner", "cbl-mariner"),
    ("ol", "oracle"),
    ("rhel", "redhat"),
    ("sle-micro", "slem"),
    ("sl-micro", "slem"),
];

/// The name the operating-system component carries: the distro family as matchers spell it
/// (`rhel` → `redhat`), so that Trivy and Dependency-Track match its packages.
pub fn os_family(os_release_id: &str) -> &str {
    OS_FAMILIES
        .iter()
        .find(|(id, _)| *id == os_release_id)
        .map_or(os_release_id, |(_, family)| family)
}

/// The os-release `ID` behind a family name written by [`os_family`] (or by Trivy).
pub fn os_release_id(family: &str) -> &str {
    OS_FAMILIES
        .iter()
        .find(|(_, f)| *f == family)
        .map_or(family, |(id, _)| id)
}

/// The distro an SPDX operating-system package stands for: the family as its name, the
/// version, and the pretty name as description (else summary, where some writers put it).
pub(crate) fn os_package_distro(
    family: &str,
    version: Option<&str>,
    description: Option<&str>,
    summary: Option<&str>,
) -> Distro {
    Distro {
        id: os_release_id(family).to_string(),
        version_id: version.map(str::to_string),
        pretty_name: description.or(summary).map(str::to_string),
    }
}

/// What the described image is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageIdentity {
    /// Repository (`docker.io/library/alpine`), else the local file or directory name.
    pub name: String,
    /// The tag the user named, if any.
    pub tag: Option<String>,
    /// The version the user gave (`--source-version`): written in place of the tag or digest.
    pub version: Option<String>,
    /// `pkg:oci/<name>@<manifest digest>?arch=…&repository_url=…&tag=…`, when the image has a
    /// manifest digest.
    pub purl: Option<String>,
}

/// Derives the image's name and purl from its source.
pub fn image_identity(sbom: &Sbom) -> ImageIdentity {
    let source = &sbom.source;
    let (repository, tag) = match source.reference.as_deref() {
        Some(reference) => split_reference(reference),
        None => (None, None),
    };
    let name = repository
        .clone()
        .or_else(|| {
            source.path.as_deref().map(|p| {
                std::path::Path::new(p)
                    .file_name()
                    .map_or_else(|| p.to_string(), |n| n.to_string_lossy().into_owned())
            })
        })
        .unwrap_or_else(|| "image".to_string());
    let purl = source.manifest_digest.as_ref().and_then(|digest| {
        let last = name
            .rsplit('/')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        let mut purl = packageurl::PackageUrl::new("oci", last).ok()?;
        purl.with_version(digest.to_string()).ok()?;
        if let Some(platform) = &source.platform {
            purl.add_qualifier("arch", platform.architecture.clone())
                .ok()?;
        }
        // Only a registry repository tells a reader where to fetch the image.
        if let Some(repository) = repository.as_deref().filter(|r| r.contains('/')) {
            purl.add_qualifier("repository_url", repository.to_string())
                .ok()?;
        }
        if let Some(tag) = &tag {
            purl.add_qualifier("tag", tag.clone()).ok()?;
        }
        Some(purl.to_string())
    });
    // A name the user gives replaces the displayed one only: the purl still says where the
    // image can be fetched from.
    let name = source.name.clone().unwrap_or(name);
    ImageIdentity {
        name,
        tag,
        version: source.version.clone(),
        purl,
    }
}

/// `host:5000/ns/app:1.0@sha256:…` → (`host:5000/ns/app`, `1.0`). A bare tag (as `ref.name`
/// annotations hold) has no repository.
fn split_reference(reference: &str) -> (Option<String>, Option<String>) {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match without_digest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (&without_digest[..at], Some(&without_digest[at + 1..]))
        }
        None => (without_digest, None),
    };
    let looks_like_tag_only = !repository.is_empty()
        && tag.is_none()
        && !reference.contains('/')
        && !reference.contains('@')
        && repository
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
    if looks_like_tag_only {
        return (None, Some(repository.to_string()));
    }
    (
        (!repository.is_empty()).then(|| repository.to_string()),
        tag.filter(|t| !t.is_empty()).map(str::to_string),
    )
}

/// One id per package, in document order: `<type>-<name>-<version>-<8 hex>` restricted to
/// `[A-Za-z0-9.-]` (valid in SPDXIDs and bom-refs). The hash covers everything that tells two
/// packages apart: type, name, version, arch, purl and the layers that introduced and removed it.
pub fn package_ids(sbom: &Sbom) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    sbom.packages
        .iter()
        .map(|p| {
            let mut hasher = Sha256::new();
            for part in [
                p.kind.as_str(),
                &p.name,
                &p.version,
                p.arch.as_deref().unwrap_or(""),
                p.purl.as_deref().unwrap_or(""),
                &p.introduced_in.map(|i| i.to_string()).unwrap_or_default(),
                &p.removed_in.map(|i| i.to_string()).unwrap_or_default(),
            ] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            // Language packages live at a path: two copies of one version at two paths are
            // two packages. (OS packages keep the ids they always had.)
            if !is_os_package(p) {
                for location in &p.locations {
                    hasher.update(location.path.as_bytes());
                    hasher.update([0]);
                }
                if p.declared {
                    hasher.update(b"declared\0");
                }
            }
            let hash = hex::encode(&hasher.finalize()[..4]);
            let readable = sanitise(&format!("{}-{}-{}", p.kind, p.name, p.version));
            let base = format!("{readable}-{hash}");
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                format!("{base}-{count}")
            }
        })
        .collect()
}

/// Keeps `[A-Za-z0-9.-]`, maps the rest to `-`, and bounds the length so ids stay readable.
pub fn sanitise(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.len() > 96 {
        out.truncate(96);
    }
    out
}

/// For each package, the packages its `depends_on` names resolve to (indexes into
/// `sbom.packages`, sorted, deduplicated).
///
/// A name resolves to packages of the same type and name whose life overlaps the dependant's:
/// a package removed in layer 2 depends on what was there before layer 2, not on its
/// replacement. Names with no such package are dropped (the edge's target is not in the
/// document).
///
/// Language packages resolve as their runtime would load them: only candidates whose install
/// root ([`sbomgen_model::install_root`]) encloses the dependant count (Node's nearest `node_modules` walking
/// up, Python's own `site-packages`), the deepest root winning; installed packages never
/// resolve to declared ones or the reverse.
pub fn dependency_edges(sbom: &Sbom) -> Vec<Vec<usize>> {
    let mut by_name: BTreeMap<(&str, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in sbom.packages.iter().enumerate() {
        by_name
            .entry((&p.kind, match_name(&p.kind, &p.name)))
            .or_default()
            .push(i);
    }
    sbom.packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut targets: Vec<usize> = p
                .depends_on
                .iter()
                .filter_map(|name| by_name.get(&(p.kind.as_str(), match_name(&p.kind, name))))
                .filter_map(|candidates| {
                    let mut overlapping: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|&c| c != i && lives_overlap(p, &sbom.packages[c]))
                        .filter(|&c| sbom.packages[c].declared == p.declared)
                        .collect();
                    if !is_os_package(p) && !p.declared {
                        overlapping = nearest_in_scope(p, overlapping, &sbom.packages);
                    }
                    // Of several overlapping versions, the one installed last before (or with)
                    // the dependant is what it was installed against.
                    let best = overlapping
                        .iter()
                        .copied()
                        .filter(|&c| sbom.packages[c].introduced_in <= p.introduced_in)
                        .max_by_key(|&c| sbom.packages[c].introduced_in)
                        .or_else(|| overlapping.first().copied());
                    best
                })
                .collect();
            targets.sort_unstable();
            targets.dedup();
            targets
        })
        .collect()
}

/// The name dependency lists use: PEP 503-normalised for Python (`PyYAML` is `pyyaml`).
fn match_name(kind: &str, name: &str) -> String {
    if kind == "pypi" {
        sbomgen_model::pep503_name(name)
    } else {
        name.to_string()
    }
}

/// The candidates a dependant can load, keeping only the deepest install root. npm: roots
/// `X/node_modules` for `X` the dependant's own directory or any ancestor (Node's lookup
/// walking up). Other ecosystems: the dependant's own install root (one `site-packages`).
/// Packages without a location are not filtered (documents from other tools).
fn nearest_in_scope(
    dependant: &Package,
    candidates: Vec<usize>,
    packages: &[Package],
) -> Vec<usize> {
    let Some(from) = dependant.locations.first().map(|l| l.path.as_str()) else {
        return candidates;
    };
    let own_root = install_root(from);
    let own_dir = from.rfind('/').map_or("", |i| &from[..i]);
    let loadable = |root: &str| {
        if dependant.kind != "npm" {
            return root == own_root;
        }
        let Some(base) = root.strip_suffix("node_modules") else {
            // Debian's usr/share/nodejs and other global folders: one flat namespace.
            return root == own_root;
        };
        let base = base.trim_end_matches('/');
        base.is_empty() || own_dir == base || own_dir.starts_with(&format!("{base}/"))
    };
    let scoped: Vec<(usize, usize)> = candidates
        .iter()
        .filter_map(|&c| {
            let root = install_root(&packages[c].locations.first()?.path);
            loadable(root).then_some((c, root.len()))
        })
        .collect();
    let Some(deepest) = scoped.iter().map(|(_, depth)| *depth).max() else {
        return Vec::new();
    };
    scoped
        .into_iter()
        .filter(|(_, depth)| *depth == deepest)
        .map(|(c, _)| c)
        .collect()
}

/// For each package with `owned_by`, the index of the OS package it names: same purl, life
/// overlapping its introduction (else any with that purl).
pub fn owners(sbom: &Sbom) -> Vec<Option<usize>> {
    sbom.packages
        .iter()
        .map(|p| {
            let purl = p.owned_by.as_deref()?;
            let candidates: Vec<usize> = sbom
                .packages
                .iter()
                .enumerate()
                .filter(|(_, o)| is_os_package(o) && o.purl.as_deref() == Some(purl))
                .map(|(i, _)| i)
                .collect();
            let at = p.introduced_in.unwrap_or(0);
            candidates
                .iter()
                .copied()
                .find(|&i| {
                    let o = &sbom.packages[i];
                    o.introduced_in.unwrap_or(0) <= at && o.removed_in.is_none_or(|r| r > at)
                })
                .or_else(|| candidates.first().copied())
        })
        .collect()
}

/// Whether two packages were installed at the same time in some layer.
fn lives_overlap(a: &Package, b: &Package) -> bool {
    let start = |p: &Package| p.introduced_in.unwrap_or(0);
    let end = |p: &Package| p.removed_in.unwrap_or(usize::MAX);
    start(a) < end(b) && start(b) < end(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbomgen_model::{Platform, SourceInfo};

    fn package(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            kind: "deb".into(),
            introduced_in: Some(introduced),
            removed_in: removed,
            ..Package::default()
        }
    }

    #[test]
    fn os_families_map_both_ways() {
        assert_eq!(os_family("rhel"), "redhat");
        assert_eq!(os_family("debian"), "debian");
        assert_eq!(os_release_id("redhat"), "rhel");
        assert_eq!(os_release_id("cbl-mariner"), "mariner");
        assert_eq!(os_release_id("alpine"), "alpine");
    }

    #[test]
    fn twins_in_different_layers_get_different_ids() {
        let sbom = Sbom {
            packages: vec![
                package("curl", "8.0", 0, Some(1)),
                package("curl", "8.0", 2, None),
                package("curl", "8.0", 2, None),
                package("lib ssl/3", "3.0+b1", 0, None),
            ],
            ..Sbom::default()
        };
        let ids = package_ids(&sbom);
        assert_ne!(ids[0], ids[1]);
        assert_eq!(format!("{}-2", ids[1]), ids[2]);
        assert!(ids[3].starts_with("deb-lib-ssl-3-3.0-b1-"), "{}", ids[3]);
        assert_eq!(ids, package_ids(&sbom), "stable");
    }

    #[test]
    fn dependencies_follow_the_version_alive_at_the_time() {
        let mut app = package("app", "1", 0, Some(2));
        app.depends_on = vec!["libc".into(), "missing".into()];
        let mut new_app = package("app", "2", 2, None);
        new_app.depends_on = vec!["libc".into()];
        let sbom = Sbom {
            packages: vec![
                app,
                new_app,
                package("libc", "1", 0, Some(2)),
                package("libc", "2", 2, None),
            ],
            ..Sbom::default()
        };
        assert_eq!(
            dependency_edges(&sbom),
            vec![vec![2], vec![3], vec![], vec![]]
        );
    }

    fn npm(name: &str, version: &str, path: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            kind: "npm".into(),
            introduced_in: Some(0),
            locations: vec![sbomgen_model::Location {
                path: path.into(),
                layer_index: 0,
            }],
            ..Package::default()
        }
    }

    #[test]
    fn npm_dependencies_resolve_like_node() {
        let mut a = npm("a", "1", "app/node_modules/a/package.json");
        a.depends_on = vec!["ms".into()];
        let mut b = npm("b", "1", "app/node_modules/b/package.json");
        b.depends_on = vec!["ms".into()];
        let mut scoped = npm("@s/c", "1", "app/node_modules/@s/c/package.json");
        scoped.depends_on = vec!["ms".into()];
        let sbom = Sbom {
            packages: vec![
                a,
                b,
                scoped,
                npm(
                    "ms",
                    "2.0.0",
                    "app/node_modules/a/node_modules/ms/package.json",
                ),
                npm("ms", "2.1.3", "app/node_modules/ms/package.json"),
                npm("ms", "9", "other/node_modules/ms/package.json"),
            ],
            ..Sbom::default()
        };
        assert_eq!(
            dependency_edges(&sbom)[..3],
            [vec![3], vec![4], vec![4]],
            "a loads its nested copy, b and @s/c the top-level one, never another tree's"
        );
    }

    #[test]
    fn python_dependencies_stay_in_their_site_packages() {
        let pypi = |name: &str, path: &str| Package {
            kind: "pypi".into(),
            ..npm(name, "1", path)
        };
        let mut app = pypi(
            "requests",
            "venv/site-packages/requests-1.dist-info/METADATA",
        );
        app.depends_on = vec!["charset-normalizer".into(), "idna".into()];
        let sbom = Sbom {
            packages: vec![
                app,
                pypi(
                    "Charset_Normalizer",
                    "venv/site-packages/cn-1.dist-info/METADATA",
                ),
                pypi(
                    "idna",
                    "usr/lib/python3/dist-packages/idna-1.dist-info/METADATA",
                ),
            ],
            ..Sbom::default()
        };
        assert_eq!(dependency_edges(&sbom)[0], vec![1]);
    }

    #[test]
    fn image_identity_from_a_registry_reference() {
        let sbom = Sbom {
            source: SourceInfo {
                kind: "registry".into(),
                reference: Some("127.0.0.1:5000/team/App:1.0".into()),
                manifest_digest: Some(
                    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                        .parse()
                        .unwrap(),
                ),
                platform: Some(Platform::new("linux", "arm64", None)),
                ..SourceInfo::default()
            },
            ..Sbom::default()
        };
        let id = image_identity(&sbom);
        assert_eq!(id.name, "127.0.0.1:5000/team/App");
        assert_eq!(id.tag.as_deref(), Some("1.0"));
        assert_eq!(
            id.purl.as_deref(),
            Some("pkg:oci/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?arch=arm64&repository_url=127.0.0.1:5000%2Fteam%2FApp&tag=1.0")
        );
    }

    #[test]
    fn image_identity_from_a_local_archive() {
        let sbom = Sbom {
            source: SourceInfo {
                kind: "oci-archive".into(),
                path: Some("fixtures/demo.oci.tar".into()),
                reference: Some("1.0".into()),
                ..SourceInfo::default()
            },
            ..Sbom::default()
        };
        let id = image_identity(&sbom);
        assert_eq!(id.name, "demo.oci.tar");
        assert_eq!(id.tag.as_deref(), Some("1.0"));
        assert_eq!(id.purl, None);
    }
}
