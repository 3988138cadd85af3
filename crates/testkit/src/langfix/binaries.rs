//! The binaries fixture's recipe: Go, Rust and Java built by their real toolchains, and Debian's
//! own binaries for the classifiers; six steps, six layers.
//!
//! | layer | id | what |
//! |---|---|---|
//! | 0 | `debian-base` | os-release; a dpkg database (status stanza, `bash.list`, `bash.md5sums`) for Debian's `bash`, whose files come in layer 5 |
//! | 1 | `go-binaries` | five `go build`s into `usr/local/bin`: `hello` (module mode, deps from a local file `GOPROXY` so they carry `h1:` sums, a module-to-module `replace`, `-ldflags "-X main.version=1.2.3"`), `vendored` (`go mod vendor` + `-mod=vendor`, a `replace` to a local directory; then **chmod 0644**), `trimmed` (`-trimpath`), `legacy` (`GO111MODULE=off`, GOPATH mode), `retired` |
//! | 2 | `rust-binaries` | `cargo auditable build --release` of a crate with crates.io deps and a build-dependency → `usr/local/bin/rusty-tool`; a plain `cargo build --release` of the same crate → `usr/local/bin/rusty-plain` (no `.dep-v0`) |
//! | 3 | `java-archives` | `javac` + `jar`: a plain jar with MANIFEST and pom.properties, a jar with two shaded pom.properties, a Spring-Boot-style fat jar (`BOOT-INF/lib/dep-1.0.jar` and `log4j-1.2-api-2.20.0.jar`, stored), a war (`WEB-INF/lib/store-model-1.4.jar`), a jar made with `--no-manifest` |
//! | 4 | `retire-and-upgrade` | `rm usr/local/bin/retired` (a whiteout); `opt/app/app-1.0.jar` rewritten with the 1.1.0 build (same path) |
//! | 5 | `classifier-samples` | binaries from `apt-get download` + `dpkg-deb -x`: busybox-static's `busybox` → `opt/tools/busybox`, curl's → `opt/tools/curl`, memcached's → `usr/local/sbin/memcached` (no package owns them), and bash's `bin/bash` at its dpkg path, which layer 0's database claims |
//!
//! No step needs the Go module proxy: the Go dependencies are modules this recipe writes into a
//! `file://` proxy directory (so `go` itself computes their `h1:` sums) or a local directory.
//! The Rust step needs crates.io, and `cargo-auditable`, which it installs with `cargo install`
//! into `target/langfix/tools` when it is not on `PATH`. The Debian step needs `apt-get download`
//! (the apt lists of `apt-get update`).
//!
//! The ground truth comes from the tools after every step, not from this code: `go version -m`
//! on each Go binary, the `.dep-v0` section `objcopy --dump-section` extracts (zlib JSON, as
//! cargo-auditable's PARSING.md reads it) and `cargo tree -e normal` for the Rust ones, Python's
//! `zipfile` walking every archive (nested ones included) for `pom.properties`, and
//! `dpkg-deb -f` for the Debian samples' versions ([`observe`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::build::Build;
use super::{LangFixture, Unavailable};
use crate::Compression;

mod debs;
mod go;
mod java;
pub(crate) mod observe;
mod rust;
mod toolchain;

pub(crate) mod bench;

/// The recipe's name and version, the start of its cache key.
pub(crate) const NAME: &str = "binaries@1";

/// The Python helper that reads and writes zip files (Go module zips, archive walks, generated
/// jars): Python's `zipfile` is an implementation independent of the scanner's.
pub(crate) const ZIPTOOL: &str = include_str!("binaries/ziptool.py");

/// A Go binary a recipe built, as `go version -m` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoBinary {
    /// Relative to the root.
    pub path: String,
    /// The layer that wrote this content at `path`.
    pub introduced_in: usize,
    /// The first later layer that deleted or rewrote it.
    pub removed_in: Option<usize>,
    /// Permission bits as the image holds the file (`0o644` for one on purpose).
    pub mode: u32,
    /// How the recipe built it (`go build -trimpath`, `GO111MODULE=off go build`, …).
    pub built_with: String,
    /// The Go version line (`go1.19.8`).
    pub go_version: String,
    /// The `path` line: the main package's import path.
    pub main_package: String,
    /// The `mod` line; `None` for a GOPATH build.
    pub main: Option<GoModule>,
    /// The `dep` lines, in order, each with the `=>` line that follows it.
    pub deps: Vec<GoModule>,
    /// The `build` lines, `key=value` as printed (a value with spaces stays quoted).
    pub settings: Vec<String>,
}

/// One `mod` or `dep` line of `go version -m`, with its `=>` replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoModule {
    pub path: String,
    /// As printed: `v1.4.0`, `(devel)`.
    pub version: String,
    /// The `h1:` sum, when printed (module-cache builds print it; a replaced module's sum is on
    /// its replacement).
    pub sum: Option<String>,
    pub replace: Option<Box<GoModule>>,
}

impl GoModule {
    /// What a scanner names the module: a module replacement's path and version; for a
    /// replacement by a local directory (`../x`, `/x`), the required path and `(devel)`, since
    /// the directory's code has no version.
    pub fn effective(&self) -> (&str, &str) {
        match &self.replace {
            Some(r) if r.path.starts_with('.') || r.path.starts_with('/') => {
                (&self.path, "(devel)")
            }
            Some(r) => (&r.path, &r.version),
            None => (&self.path, &self.version),
        }
    }
}

impl GoBinary {
    /// The main module's version: the `mod` line's, or, when that is `(devel)`, the version
    /// the recipe stamped with `-ldflags "-X main.version=…"` (with a `v`, as Go versions
    /// are written). `None` for a GOPATH build.
    pub fn main_version(&self) -> Option<String> {
        let main = self.main.as_ref()?;
        if main.version != "(devel)" {
            return Some(main.version.clone());
        }
        let ldflags = self
            .settings
            .iter()
            .find_map(|s| s.strip_prefix("-ldflags="))
            .map(|v| v.trim_matches('"').replace("\\\"", "\""));
        let stamped = ldflags.and_then(|flags| {
            let words: Vec<&str> = flags.split_whitespace().collect();
            words.windows(2).find_map(|w| {
                (w[0] == "-X")
                    .then(|| w[1].strip_prefix("main.version="))
                    .flatten()
                    .map(str::to_string)
            })
        });
        Some(match stamped {
            Some(v) if v.starts_with('v') => v,
            Some(v) => format!("v{v}"),
            None => main.version.clone(),
        })
    }
}

/// A Rust binary a recipe built, and what its audit data and cargo say it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustBinary {
    pub path: String,
    pub introduced_in: usize,
    pub removed_in: Option<usize>,
    /// `cargo auditable build --release` or `cargo build --release`.
    pub built_with: String,
    /// The decoded `.dep-v0` section; `None` when the binary has none.
    pub audit: Option<Vec<AuditCrate>>,
    /// `cargo tree -e normal --prefix none` of the crate it was built from: every crate
    /// linked in at run time (root included), `(name, version)`, sorted and unique.
    pub cargo_tree: Vec<(String, String)>,
}

/// One package of cargo-auditable's audit data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCrate {
    pub name: String,
    pub version: String,
    /// `crates.io`, `local`, `git`, `registry`, …
    pub source: String,
    /// `runtime` (the default when absent) or `build`.
    pub kind: String,
    pub root: bool,
    /// Indices into the same list.
    pub dependencies: Vec<usize>,
}

/// One `pom.properties` found in an archive of the image, nested archives included.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PomProperties {
    /// The archive holding it: a root-relative path, each nesting level after `!/`
    /// (`opt/app/service.jar!/BOOT-INF/lib/dep-1.0.jar`).
    pub location: String,
    /// The entry's name inside that archive (`META-INF/maven/g/a/pom.properties`).
    pub entry: String,
    pub group_id: String,
    pub artifact_id: String,
    pub version: String,
    /// Whether the archive at `location` has a `META-INF/MANIFEST.MF`.
    pub has_manifest: bool,
    /// Of the outermost archive's content.
    pub introduced_in: usize,
    pub removed_in: Option<usize>,
}

/// A Debian binary placed where a classifier should name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifierSample {
    pub path: String,
    pub introduced_in: usize,
    /// The classifier's package name (`busybox`, `curl`, `memcached`, `bash`).
    pub name: String,
    /// The upstream version the binary names: the Debian version without epoch and revision
    /// (checked to occur in the binary's bytes).
    pub version: String,
    pub deb_package: String,
    /// `dpkg-deb -f <deb> Version`.
    pub deb_version: String,
    /// The dpkg package whose file list names this exact path: a scanner must drop the
    /// classifier's hit there (the OS package already accounts for the file).
    pub owned_by: Option<String>,
}

/// The fixture's Go sources and binaries live in `usr/local/bin`.
pub(crate) const BIN: &str = "usr/local/bin";

pub(crate) fn build(work: &Path) -> Result<LangFixture, Unavailable> {
    let tc = toolchain::Toolchain::find(work, toolchain::Need::All)?;
    let mut b = Build::new(work, NAME, tc.tools())?;
    let mut obs = observe::Observer::new(tc.clone());

    let debs = debs::download(&work.join("debs"), debs::SAMPLES)?;
    let bash = debs
        .iter()
        .find(|d| d.package == "bash")
        .expect("bash is a sample");
    b.write("etc/os-release", observe::OS_RELEASE)?;
    debs::write_dpkg_database(&b, &[bash])?;
    obs.finish_layer(
        &mut b,
        "debian-base",
        "ADD rootfs.tar / # os-release and the dpkg database",
        Compression::Gzip,
    )?;

    let go = go::Go::new(&tc, &work.join("go"))?;
    for (path, how) in go.fixture_binaries(&b)? {
        obs.watch_go(&path, &how);
    }
    obs.finish_layer(
        &mut b,
        "go-binaries",
        "RUN go build … # hello, vendored (chmod 0644), trimmed, legacy (GOPATH), retired",
        Compression::Zstd,
    )?;

    let cargo = rust::Cargo::new(&tc, &work.join("rust"))?;
    for (path, how, manifest) in cargo.fixture_binaries(&b)? {
        obs.watch_rust(&path, &how, Some(&manifest));
    }
    obs.finish_layer(
        &mut b,
        "rust-binaries",
        "RUN cargo auditable build --release && cargo build --release",
        Compression::Gzip,
    )?;

    let jdk = java::Jdk::new(&tc, &work.join("java"))?;
    for path in jdk.fixture_archives(&b)? {
        obs.watch_archive(&path);
    }
    obs.finish_layer(
        &mut b,
        "java-archives",
        "COPY *.jar *.war /opt/ # javac + jar: plain, shaded, Spring Boot fat jar, war, no manifest",
        Compression::GzipMultiMember,
    )?;

    std::fs::remove_file(b.path(&format!("{BIN}/retired")))?;
    jdk.app_jar(&b, "1.1.0", java::APP_JAR)?;
    obs.finish_layer(
        &mut b,
        "retire-and-upgrade",
        "RUN rm /usr/local/bin/retired && cp app-1.1.0.jar /opt/app/app-1.0.jar",
        Compression::Gzip,
    )?;

    for sample in debs::place_samples(&b, &debs)? {
        obs.watch_sample(sample);
    }
    obs.finish_layer(
        &mut b,
        "classifier-samples",
        "COPY busybox curl memcached bash # from apt-get download + dpkg-deb -x",
        Compression::Zstd,
    )?;

    obs.finish(b)
}
