//! Language-package fixtures: images whose layers hold what real `pip` and `npm` wrote, and
//! what real `go`, `cargo auditable`, `javac`/`jar` built ([`binaries_image`]).
//!
//! Hand-written `METADATA` and `package.json` files test a parser; they cannot tell whether a
//! scanner finds what the package managers really install (dist-info directory names, nested
//! `node_modules`, scoped packages, a venv's own `pip`), nor what an upgrade or an uninstall
//! really leaves behind. So the recipes here run `python3 -m venv`, `pip` and `npm` into a
//! scratch root directory, one step at a time, and each step becomes one layer: the snapshot
//! diff of the root since the previous step, with OCI whiteouts for what the step deleted and
//! an opaque marker for a directory it replaced wholesale (`langfix/snapshot.rs`).
//!
//! The ground truth comes from the same tools, not from this code: after every step,
//! `pip inspect --path <site-packages>` and `npm query '*'` list what is installed, and
//! comparing successive lists gives each package's expected `introducedIn`, `removedIn` and
//! `replacedBy` ([`ExpectedPackage`]).
//!
//! Building needs `python3` (with `venv`, `ensurepip` and pip ≥ 22.2), `npm` ≥ 8.16 and the
//! package registries; it takes tens of seconds, so the result is cached in `target/langfix/`
//! (or `$SBOMGEN_LANGFIX_DIR`) under a key naming the recipe version and hashing the recipe's
//! source, built under a lock file and renamed into place only when complete. A cached fixture
//! needs none of the tools. When a
//! tool or the network is missing, the fixture functions print why and return `None`, or panic
//! when `CI` is set (CI must run these tests), like
//! [`registry_tests_can_run`](crate::registry::registry_tests_can_run).
//!
//! ```no_run
//! if let Some(fixture) = sbomgen_testkit::langfix::python_npm_image() {
//!     println!("{} layers at {}", fixture.layers.len(), fixture.oci_dir.display());
//!     let upgrade = fixture.layer("pip-upgrade").index;
//!     assert!(fixture.expected.iter().any(|p| p.introduced_in == upgrade));
//! }
//! ```

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

mod bench;
mod binaries;
mod build;
mod recipe;
mod snapshot;
mod tools;
mod truth;

pub use binaries::{AuditCrate, ClassifierSample, GoBinary, GoModule, PomProperties, RustBinary};
pub use truth::pep503_normalize;

/// A built fixture image and what its recipe says a scanner must find in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LangFixture {
    /// The recipe's name and version (part of the cache key).
    pub recipe: String,
    /// The OCI layout directory holding the image (tag `latest`).
    pub oci_dir: PathBuf,
    /// One entry per layer, bottom first.
    pub layers: Vec<LayerInfo>,
    /// What `pip inspect --path` lists in every site-packages directory of the final
    /// filesystem (pip's `list` plus where each distribution's metadata lives).
    pub pip_list: Vec<PyDist>,
    /// What `npm query '*'` lists for every npm project (and global prefix) of the final
    /// filesystem, project roots themselves left out.
    pub npm_query: Vec<NpmNode>,
    /// Every package any layer installed, with the provenance the tools' per-step listings
    /// give it. Sorted by kind, name, version, then introducing layer.
    pub expected: Vec<ExpectedPackage>,
    /// Language packages whose metadata an OS package's file list owns.
    pub os_owned: Vec<OsOwned>,
    /// `python3 --version`, `pip --version` and `npm --version` of the machine that built it
    /// (for the binaries recipes: Go, cargo, cargo-auditable, the JDK, objcopy, apt).
    pub tool_versions: Vec<String>,
    /// Binaries recipes: every Go binary any layer wrote, as `go version -m` printed it.
    #[serde(default)]
    pub go_binaries: Vec<GoBinary>,
    /// Binaries recipes: every Rust binary any layer wrote, with its decoded audit data.
    #[serde(default)]
    pub rust_binaries: Vec<RustBinary>,
    /// Binaries recipes: every `pom.properties` of every archive any layer wrote, nested
    /// archives included.
    #[serde(default)]
    pub pom_properties: Vec<PomProperties>,
    /// Binaries recipes: the Debian binaries placed for the classifiers.
    #[serde(default)]
    pub classified: Vec<ClassifierSample>,
}

/// One layer of a fixture image: the recipe step that made it and what its diff holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerInfo {
    pub index: usize,
    /// The recipe's short name for the step (`venv`, `pip-upgrade`, `npm-reinstall`, …).
    pub id: String,
    /// The config history's `created_by`: the commands the step ran.
    pub created_by: String,
    /// Regular files added or changed.
    pub files: usize,
    /// Bytes of those files.
    pub bytes: u64,
    /// Paths deleted (each written as `<parent>/.wh.<name>`; only the topmost deleted path).
    pub whiteouts: Vec<String>,
    /// Directories replaced wholesale (each written with a `.wh..wh..opq` marker).
    pub opaque: Vec<String>,
}

/// One installed Python distribution, as `pip inspect` reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PyDist {
    /// The site-packages directory, relative to the image root (no leading `/`).
    pub site_packages: String,
    /// The name as its metadata spells it (compare with [`pep503_normalize`]).
    pub name: String,
    pub version: String,
    /// Its `.dist-info` / `.egg-info` directory, or `.egg-info` file, relative to the root.
    pub metadata: String,
}

/// One installed npm package, as `npm query '*'` reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NpmNode {
    /// The project directory (`srv/app`), or `usr/local/lib` for the global prefix
    /// `usr/local`, relative to the root.
    pub project: String,
    pub name: String,
    pub version: String,
    /// npm's `location`, relative to `project` (`node_modules/debug/node_modules/ms`).
    pub location: String,
    /// The package directory relative to the image root; its `package.json` is in it.
    pub path: String,
}

/// A package the image's layers installed, and its life across them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExpectedPackage {
    /// The purl type: `pypi`, `npm`, `golang`, `cargo`, `maven` or `generic`.
    pub kind: String,
    /// As the ecosystem names it; for `maven`, `groupId:artifactId`; for a Go binary's
    /// standard library, `stdlib`.
    pub name: String,
    /// As the tools print it (`go1.19.8` for `stdlib`); `(devel)` for a Go module whose code
    /// has no version (a main module built without a stamped version, a `replace` by a local
    /// directory): a scanner may name it any way ([`ExpectedPackage::purl`] is `None`).
    pub version: String,
    /// Relative to the root: the Python metadata directory or file ([`PyDist::metadata`]), the
    /// npm package directory ([`NpmNode::path`]), the Go or Rust binary, the archive holding
    /// the `pom.properties` (nested ones as `outer.jar!/BOOT-INF/lib/inner.jar`), the binary a
    /// classifier names.
    pub path: String,
    /// The first layer after which the tools list it (at this place, with this version).
    pub introduced_in: usize,
    /// The first later layer after which they no longer do.
    pub removed_in: Option<usize>,
    /// The version the same place held instead (same site-packages directory and name for
    /// Python; same directory for npm), when removal was an upgrade or downgrade.
    pub replaced_by: Option<String>,
}

/// A language package whose metadata is listed in an OS package's file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsOwned {
    /// The language package's metadata path, relative to the root ([`PyDist::metadata`]).
    pub metadata: String,
    /// The owning dpkg package.
    pub deb_name: String,
    pub deb_version: String,
    /// Its purl as sbomgen's dpkg cataloguer spells purls.
    pub deb_purl: String,
}

impl ExpectedPackage {
    /// The purl a scanner should give a package of the binaries recipes:
    /// `pkg:golang/<module path, case kept>@<version>`, `pkg:golang/stdlib@1.19.8` (no `go`),
    /// `pkg:cargo/<name>@<version>`, `pkg:maven/<group>/<artifact>@<version>`,
    /// `pkg:generic/<name>@<version>`. `None` for other kinds and unasserted versions.
    pub fn purl(&self) -> Option<String> {
        if !self.version_asserted() {
            return None;
        }
        let version = &self.version;
        match self.kind.as_str() {
            "golang" if self.name == "stdlib" => {
                let go = version.split([' ', '-']).next().unwrap_or(version);
                Some(format!(
                    "pkg:golang/stdlib@{}",
                    go.strip_prefix("go").unwrap_or(go)
                ))
            }
            "golang" | "cargo" | "generic" => {
                Some(format!("pkg:{}/{}@{version}", self.kind, self.name))
            }
            "maven" => {
                let (group, artifact) = self.name.split_once(':')?;
                Some(format!("pkg:maven/{group}/{artifact}@{version}"))
            }
            _ => None,
        }
    }

    /// Whether a scanner must report this exact version (not so for `(devel)`).
    pub fn version_asserted(&self) -> bool {
        self.version != "(devel)"
    }
}

impl LangFixture {
    /// The layer the recipe step `id` made. Panics on an unknown id (a test typo).
    pub fn layer(&self, id: &str) -> &LayerInfo {
        self.layers.iter().find(|l| l.id == id).unwrap_or_else(|| {
            let ids: Vec<&str> = self.layers.iter().map(|l| l.id.as_str()).collect();
            panic!("no layer {id:?} in {}: {ids:?}", self.recipe)
        })
    }

    /// The expected packages still installed in the final filesystem.
    pub fn installed(&self) -> impl Iterator<Item = &ExpectedPackage> {
        self.expected.iter().filter(|p| p.removed_in.is_none())
    }

    /// The `oci_dir` as a `&str`, for command lines.
    pub fn oci_path(&self) -> &str {
        self.oci_dir.to_str().expect("fixture paths are UTF-8")
    }
}

/// The language fixture image, seven layers (ids in backticks, for [`LangFixture::layer`]):
///
/// 0. `debian-base`: by hand, Debian's `python3-yaml` (a `PyYAML-6.0.egg-info` directory that
///    a dpkg stanza and `python3-yaml.list` own) and a `six-1.16.0.egg-info` *file*, in
///    `usr/lib/python3/dist-packages`;
/// 1. `venv`: `python3 -m venv /opt/app/venv`, then its pip installs six, idna, requests
///    2.31.0 and requests' dependencies (all pinned);
/// 2. `pip-upgrade`: requests upgraded to 2.32.3; `pip install --target
///    /usr/local/lib/python3.X/site-packages attrs`;
/// 3. `pip-uninstall`: the venv's six uninstalled (Debian's stays);
/// 4. `npm-install`: in `/srv/app`, ms 2.1.2, debug 2.6.9 (which nests its own ms 2.0.0) and
///    @sindresorhus/is; `npm install -g semver` into `/usr/local`;
/// 5. `npm-upgrade`: ms 2.1.3 in place of 2.1.2;
/// 6. `npm-reinstall`: `rm -rf node_modules package-lock.json`, a smaller package.json (ms,
///    is-number), `npm install`: written as an opaque `node_modules`.
///
/// `None` (after printing why) when python3, pip, npm or the registries are unavailable, unless
/// `CI` is set, when that panics.
pub fn python_npm_image() -> Option<LangFixture> {
    static ONCE: OnceLock<Option<LangFixture>> = OnceLock::new();
    ONCE.get_or_init(|| {
        let key = cache_key(recipe::NAME, &[include_str!("langfix/recipe.rs")]);
        cached(&key, recipe::build)
    })
    .clone()
}

/// A benchmark image of six layers: tens of MB of filler files, an npm project of a few hundred
/// packages (then upgraded and extended), ~1,500 Debian-style `usr/share/nodejs/*/package.json`
/// files, a venv of a few dozen pip packages, and a clean-up layer of whiteouts.
///
/// Same availability rules as [`python_npm_image`].
pub fn bench_image() -> Option<LangFixture> {
    static ONCE: OnceLock<Option<LangFixture>> = OnceLock::new();
    ONCE.get_or_init(|| {
        let sources = [
            include_str!("langfix/bench.rs"),
            include_str!("langfix/recipe.rs"),
        ];
        cached(&cache_key(bench::NAME, &sources), bench::build)
    })
    .clone()
}

/// The binaries fixture image, six layers (ids in backticks, for [`LangFixture::layer`]):
///
/// 0. `debian-base`: os-release and a dpkg database claiming Debian's `bash` (`bin/bash`);
/// 1. `go-binaries`: `usr/local/bin/{hello,vendored,trimmed,legacy,retired}`: module builds
///    with file-proxy dependencies (sums, a module replacement, `-ldflags -X
///    main.version=1.2.3`), a vendored build with a local-directory replacement left
///    **non-executable** (0644), a `-trimpath` build and a GOPATH-mode build;
/// 2. `rust-binaries`: `usr/local/bin/rusty-tool` (`cargo auditable build`) and
///    `usr/local/bin/rusty-plain` (plain `cargo build`, no audit data);
/// 3. `java-archives`: `opt/app/app-1.0.jar` (plain), `opt/app/lib/shaded-2.0.jar` (two
///    shaded pom.properties), `opt/app/service.jar` (Spring Boot, `BOOT-INF/lib/dep-1.0.jar` and
///    `log4j-1.2-api-2.20.0.jar`: an artifactId that looks versioned),
///    `opt/webapps/store.war` (`WEB-INF/lib/store-model-1.4.jar`),
///    `opt/tools/nomanifest-0.5.jar` (no MANIFEST.MF);
/// 4. `retire-and-upgrade`: `usr/local/bin/retired` deleted; `opt/app/app-1.0.jar` rewritten
///    with the 1.1.0 build;
/// 5. `classifier-samples`: Debian's busybox, curl and memcached at paths no package owns, and
///    bash at `bin/bash`, which layer 0's database owns.
///
/// The truth: [`LangFixture::go_binaries`], [`LangFixture::rust_binaries`],
/// [`LangFixture::pom_properties`], [`LangFixture::classified`], and the provenance they give
/// in [`LangFixture::expected`]. Building takes 15–35 s on two cores (the Go build cache in
/// `target/langfix/tools/go-build` saves the runtime's compilation after the first time), plus
/// ~20 s once to install cargo-auditable into `target/langfix/tools`, and needs `go` (Debian's
/// `golang-go`, ≥ 1.18), cargo with crates.io, a JDK (`javac`, `jar`), `objcopy` (binutils),
/// `python3`, and `apt-get download` with the apt lists in place (`apt-get update`). Same
/// availability rules as [`python_npm_image`].
pub fn binaries_image() -> Option<LangFixture> {
    static ONCE: OnceLock<Option<LangFixture>> = OnceLock::new();
    ONCE.get_or_init(|| {
        cached(
            &cache_key(binaries::NAME, &BINARIES_SOURCES),
            binaries::build,
        )
    })
    .clone()
}

/// The benchmark image of issue 12: [`bench_image`]'s six layers plus a seventh of large real
/// binaries: the Go toolchain's own (~60 MB with build info), an audited `cargo-auditable` and
/// `rg`, `rusty-tool`, and a Spring Boot fat jar of 50 nested jars. Same truth fields as
/// [`binaries_image`] (and [`bench_image`]'s npm and pip packages); needs what both need, but
/// neither the JDK nor apt.
pub fn bench_binaries_image() -> Option<LangFixture> {
    static ONCE: OnceLock<Option<LangFixture>> = OnceLock::new();
    ONCE.get_or_init(|| {
        let mut sources = BINARIES_SOURCES.to_vec();
        sources.push(include_str!("langfix/binaries/bench.rs"));
        sources.push(include_str!("langfix/bench.rs"));
        sources.push(include_str!("langfix/recipe.rs"));
        cached(
            &cache_key(binaries::bench::NAME, &sources),
            binaries::bench::build,
        )
    })
    .clone()
}

/// The binaries recipes' own sources, hashed into their cache keys.
const BINARIES_SOURCES: [&str; 8] = [
    include_str!("langfix/binaries.rs"),
    include_str!("langfix/binaries/debs.rs"),
    include_str!("langfix/binaries/go.rs"),
    include_str!("langfix/binaries/java.rs"),
    include_str!("langfix/binaries/observe.rs"),
    include_str!("langfix/binaries/rust.rs"),
    include_str!("langfix/binaries/toolchain.rs"),
    binaries::ZIPTOOL,
];

/// `<name>-<hash>`: the recipe's declared name and version, and a hash of its source and of the
/// code that turns steps into layers and listings, so that editing any of them rebuilds the
/// fixture even when nobody bumps the version.
fn cache_key(name: &str, recipe_sources: &[&str]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    let machinery = [
        include_str!("langfix/build.rs"),
        include_str!("langfix/snapshot.rs"),
        include_str!("langfix/tools.rs"),
        include_str!("langfix/truth.rs"),
    ];
    for source in recipe_sources.iter().chain(&machinery) {
        hasher.update((source.len() as u64).to_le_bytes());
        hasher.update(source.as_bytes());
    }
    let hash = hasher.finalize();
    // The first 6 bytes as 12 hex digits.
    let mut head = [0u8; 8];
    head[2..].copy_from_slice(&hash[..6]);
    format!("{name}-{:012x}", u64::from_be_bytes(head))
}

/// Why a fixture could not be built.
#[derive(Debug)]
pub(crate) enum Unavailable {
    /// A tool is missing or too old: nothing to fix in the recipe.
    Tool(String),
    /// A step failed (often: no network).
    Step(String),
}

impl From<io::Error> for Unavailable {
    fn from(e: io::Error) -> Self {
        Unavailable::Step(format!("I/O error: {e}"))
    }
}

/// Where fixtures are cached: `$SBOMGEN_LANGFIX_DIR`, else the workspace's `target/langfix`.
fn cache_root() -> PathBuf {
    match std::env::var_os("SBOMGEN_LANGFIX_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/langfix"),
    }
}

const FIXTURE_JSON: &str = "fixture.json";
const IMAGE_DIR: &str = "image.oci";

/// Loads the fixture `name` from the cache, building it first (under a lock) when absent.
fn cached(name: &str, build: fn(&Path) -> Result<LangFixture, Unavailable>) -> Option<LangFixture> {
    match cached_or_built(name, build) {
        Ok(fixture) => Some(fixture),
        Err(Unavailable::Tool(why) | Unavailable::Step(why)) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must build the {name} language fixture: {why}"
            );
            eprintln!("skipping: cannot build the {name} language fixture: {why}");
            None
        }
    }
}

fn cached_or_built(
    name: &str,
    build: fn(&Path) -> Result<LangFixture, Unavailable>,
) -> Result<LangFixture, Unavailable> {
    let root = cache_root();
    let done = root.join(name);
    if let Some(fixture) = load(&done) {
        return Ok(fixture);
    }
    fs::create_dir_all(&root)?;
    // One builder at a time across test processes; the others wait, then find it done.
    let _lock =
        Lock::acquire(&root.join(format!("{}.lock", name.split('@').next().unwrap_or(name))))?;
    if let Some(fixture) = load(&done) {
        return Ok(fixture);
    }
    // Holding the lock, any other build directory of this family was left by a killed builder.
    let family = format!("{}@", name.split('@').next().unwrap_or(name));
    for stale in fs::read_dir(&root)?.filter_map(Result::ok) {
        if stale
            .file_name()
            .to_string_lossy()
            .starts_with(&format!(".build-{family}"))
        {
            remove_dir_all_if_exists(&stale.path())?;
        }
    }
    let work = root.join(format!(".build-{name}-{}", std::process::id()));
    fs::create_dir_all(&work)?;
    let started = std::time::Instant::now();
    let result = build(&work);
    let outcome = result.and_then(|mut fixture| {
        let out = work.join("out");
        fixture.oci_dir = PathBuf::from(IMAGE_DIR);
        let json = serde_json::to_vec_pretty(&fixture).expect("fixtures serialise");
        fs::write(out.join(FIXTURE_JSON), json)?;
        // Older recipe versions of this fixture are garbage now.
        for old in fs::read_dir(&root)?.filter_map(Result::ok) {
            let old_name = old.file_name().to_string_lossy().into_owned();
            if old_name.starts_with(&family) && old_name != name {
                remove_dir_all_if_exists(&old.path())?;
            }
        }
        remove_dir_all_if_exists(&done)?;
        fs::rename(&out, &done)?;
        Ok(())
    });
    remove_dir_all_if_exists(&work)?;
    outcome?;
    eprintln!(
        "built the {name} language fixture in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    load(&done).ok_or_else(|| Unavailable::Step(format!("{} unreadable", done.display())))
}

/// The finished fixture in `dir`, with `oci_dir` made absolute, if complete.
fn load(dir: &Path) -> Option<LangFixture> {
    let bytes = fs::read(dir.join(FIXTURE_JSON)).ok()?;
    let mut fixture: LangFixture = serde_json::from_slice(&bytes).ok()?;
    fixture.oci_dir = dir.canonicalize().ok()?.join(&fixture.oci_dir);
    fixture
        .oci_dir
        .join("index.json")
        .is_file()
        .then_some(fixture)
}

fn remove_dir_all_if_exists(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// An exclusive `flock` on a file, released when dropped or when the process dies (so a killed
/// builder leaves no stale lock, unlike a lock file whose existence is the lock).
#[derive(Debug)]
struct Lock {
    _file: File,
}

impl Lock {
    fn acquire(path: &Path) -> io::Result<Lock> {
        use std::os::fd::AsRawFd;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        // std's `File::lock` needs Rust 1.89, above the workspace's rust-version.
        #[allow(unsafe_code)]
        // SAFETY: flock on a descriptor this `File` owns and keeps open for the lock's life.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The recipe does what its table says, by the tools' own account.
    #[test]
    fn python_npm_recipe_matches_its_description() {
        let Some(f) = python_npm_image() else {
            return;
        };
        let ids: Vec<&str> = f.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "debian-base",
                "venv",
                "pip-upgrade",
                "pip-uninstall",
                "npm-install",
                "npm-upgrade",
                "npm-reinstall"
            ]
        );
        let find = |kind: &str, name: &str, version: &str| {
            f.expected
                .iter()
                .find(|p| p.kind == kind && p.name == name && p.version == version)
                .unwrap_or_else(|| panic!("{kind} {name} {version} not in {:#?}", f.expected))
        };
        let old = find("pypi", "requests", "2.31.0");
        assert_eq!(
            (
                old.introduced_in,
                old.removed_in,
                old.replaced_by.as_deref()
            ),
            (1, Some(2), Some("2.32.3"))
        );
        let six: Vec<_> = f
            .expected
            .iter()
            .filter(|p| p.name == "six")
            .map(|p| (p.path.as_str(), p.introduced_in, p.removed_in))
            .collect();
        assert_eq!(six.len(), 2, "Debian's and the venv's: {six:?}");
        assert!(six.contains(&("usr/lib/python3/dist-packages/six-1.16.0.egg-info", 0, None)));
        assert!(six.iter().any(|s| s.1 == 1 && s.2 == Some(3)));
        assert_eq!(find("pypi", "PyYAML", "6.0").path, f.os_owned[0].metadata);
        assert_eq!(find("pypi", "attrs", "23.2.0").introduced_in, 2);
        let ms = find("npm", "ms", "2.1.2");
        assert_eq!(
            (ms.removed_in, ms.replaced_by.as_deref()),
            (Some(5), Some("2.1.3"))
        );
        assert_eq!(find("npm", "ms", "2.1.3").removed_in, None);
        let nested = find("npm", "ms", "2.0.0");
        assert_eq!(nested.path, "srv/app/node_modules/debug/node_modules/ms");
        assert_eq!((nested.introduced_in, nested.removed_in), (4, Some(6)));
        assert_eq!(find("npm", "is-number", "7.0.0").introduced_in, 6);
        assert_eq!(
            find("npm", "semver", "7.6.2").path,
            "usr/local/lib/node_modules/semver"
        );
        assert_eq!(f.layer("npm-reinstall").opaque, ["srv/app/node_modules"]);
        assert!(f
            .layer("pip-uninstall")
            .whiteouts
            .iter()
            .any(|w| w.ends_with("six-1.16.0.dist-info")));
        assert!(f.oci_dir.join("index.json").is_file());
    }

    /// The binaries recipe does what its table says, by the tools' own account.
    #[test]
    fn binaries_recipe_matches_its_description() {
        let Some(f) = binaries_image() else {
            return;
        };
        let ids: Vec<&str> = f.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "debian-base",
                "go-binaries",
                "rust-binaries",
                "java-archives",
                "retire-and-upgrade",
                "classifier-samples"
            ]
        );
        let go = |name: &str| {
            f.go_binaries
                .iter()
                .find(|g| g.path == format!("usr/local/bin/{name}"))
                .unwrap_or_else(|| panic!("no Go binary {name}: {:#?}", f.go_binaries))
        };
        let hello = go("hello");
        assert_eq!(hello.main_version().as_deref(), Some("v1.2.3"));
        let deps: Vec<(&str, &str)> = hello.deps.iter().map(GoModule::effective).collect();
        assert_eq!(
            deps,
            [
                ("example.com/colorfork", "v0.3.0"),
                ("example.com/greet", "v1.4.0")
            ]
        );
        assert!(hello.deps[1].sum.as_deref().unwrap().starts_with("h1:"));
        assert_eq!(go("vendored").mode, 0o644);
        assert!(go("vendored")
            .deps
            .iter()
            .any(|d| d.effective() == ("example.com/localdep", "(devel)")));
        assert!(go("trimmed").settings.iter().any(|s| s == "-trimpath=true"));
        assert!(go("legacy").main.is_none());
        assert_eq!(go("retired").removed_in, Some(4));
        let stdlib = f
            .expected
            .iter()
            .find(|p| p.name == "stdlib" && p.path.ends_with("/hello"))
            .expect("hello's stdlib");
        assert_eq!(
            stdlib.purl().unwrap(),
            format!(
                "pkg:golang/stdlib@{}",
                hello.go_version.trim_start_matches("go")
            )
        );

        let rust = |name: &str| {
            f.rust_binaries
                .iter()
                .find(|r| r.path == format!("usr/local/bin/{name}"))
                .unwrap()
        };
        assert!(rust("rusty-plain").audit.is_none());
        let audit = rust("rusty-tool").audit.as_ref().expect("audit data");
        let runtime: BTreeSet<(String, String)> = audit
            .iter()
            .filter(|c| c.kind == "runtime")
            .map(|c| (c.name.clone(), c.version.clone()))
            .collect();
        let tree: BTreeSet<(String, String)> =
            rust("rusty-tool").cargo_tree.iter().cloned().collect();
        assert_eq!(runtime, tree, "audit data vs cargo tree -e normal");
        assert!(audit
            .iter()
            .any(|c| c.name == "autocfg" && c.kind == "build"));
        assert!(audit.iter().any(|c| c.name == "rusty-tool" && c.root));

        let pom = |location: &str, artifact: &str| {
            f.pom_properties
                .iter()
                .find(|p| p.location == location && p.artifact_id == artifact)
                .unwrap_or_else(|| panic!("no {artifact} in {location}: {:#?}", f.pom_properties))
        };
        assert_eq!(
            pom("opt/app/service.jar!/BOOT-INF/lib/dep-1.0.jar", "dep").version,
            "1.0"
        );
        assert_eq!(
            pom(
                "opt/app/service.jar!/BOOT-INF/lib/log4j-1.2-api-2.20.0.jar",
                "log4j-1.2-api"
            )
            .version,
            "2.20.0"
        );
        assert_eq!(
            pom(
                "opt/webapps/store.war!/WEB-INF/lib/store-model-1.4.jar",
                "store-model"
            )
            .version,
            "1.4.0"
        );
        assert!(!pom("opt/tools/nomanifest-0.5.jar", "nomanifest").has_manifest);
        assert_eq!(
            f.pom_properties
                .iter()
                .filter(|p| p.location == "opt/app/lib/shaded-2.0.jar")
                .count(),
            3
        );
        let app = f
            .expected
            .iter()
            .find(|p| p.name == "com.example:app" && p.version == "1.0.0")
            .unwrap();
        assert_eq!(
            (
                app.introduced_in,
                app.removed_in,
                app.replaced_by.as_deref()
            ),
            (3, Some(4), Some("1.1.0"))
        );
        assert_eq!(
            app.purl().as_deref(),
            Some("pkg:maven/com.example/app@1.0.0")
        );

        let owned: Vec<&ClassifierSample> = f
            .classified
            .iter()
            .filter(|c| c.owned_by.is_some())
            .collect();
        assert_eq!(owned.len(), 1);
        assert_eq!(
            (owned[0].path.as_str(), owned[0].owned_by.as_deref()),
            ("bin/bash", Some("bash"))
        );
        assert_eq!(f.classified.len(), 4);
        assert!(f
            .expected
            .iter()
            .all(|p| !(p.kind == "generic" && p.path == "bin/bash")));
        assert_eq!(
            f.layer("retire-and-upgrade").whiteouts,
            ["usr/local/bin/retired"]
        );
    }

    /// Builds the benchmark image of large binaries (~1 minute the first time).
    #[test]
    #[ignore = "builds the large binaries benchmark image; run with --ignored"]
    fn bench_binaries_recipe_builds() {
        let Some(f) = bench_binaries_image() else {
            return;
        };
        assert_eq!(f.layers.len(), 7);
        assert_eq!(f.go_binaries.len(), 8);
        assert!(f.go_binaries.iter().all(|g| g.introduced_in == 6));
        let npm = f.expected.iter().filter(|p| p.kind == "npm").count();
        assert!(npm >= 300, "{npm} npm packages");
        let crates = f.expected.iter().filter(|p| p.kind == "cargo").count();
        assert!(crates >= 30, "{crates} crates");
        let maven = f.expected.iter().filter(|p| p.kind == "maven").count();
        assert_eq!(maven, 1 + 50 + 5);
    }

    /// Builds the benchmark image (a minute or so the first time, ~100 MB in `target/`).
    #[test]
    #[ignore = "builds the large benchmark image; run with --ignored"]
    fn bench_recipe_builds() {
        let Some(f) = bench_image() else {
            return;
        };
        assert_eq!(f.layers.len(), 6);
        let npm = f.expected.iter().filter(|p| p.kind == "npm").count();
        let pypi = f.expected.iter().filter(|p| p.kind == "pypi").count();
        assert!(npm >= 300, "{npm} npm packages");
        assert!(pypi >= 30, "{pypi} Python distributions");
        let upgraded = f.layer("npm-upgrade").index;
        assert!(f
            .expected
            .iter()
            .any(|p| p.name == "express" && p.removed_in == Some(upgraded)));
        assert!(f.layer("cleanup").whiteouts.len() >= 6);
    }
}
