//! The binaries benchmark image's recipe: issue 12's "six-layer benchmark image of part 1 plus a
//! layer with a few large Go and Rust binaries and a Spring Boot style fat jar".
//!
//! | layer | id | what |
//! |---|---|---|
//! | 0–5 | | the language benchmark image's six layers (`super::super::bench`) |
//! | 6 | `binaries` | the Go toolchain's own binaries (`go`, `gofmt`, `compile`, `link`, `vet`, `pprof`, `trace`, `cgo`: ~60 MB with real build info) copied from `go env GOROOT` into `usr/local/go`; `cargo auditable install` of `cargo-auditable` (1.4 MB) and `ripgrep` (`rg`, ~27 MB with line tables), built once into `target/langfix/tools/audited`, and the fixture's `rusty-tool`, in `usr/local/bin`; a Spring-Boot-style fat jar (~12 MB) with 50 generated nested jars (stored), 5 of them shading one more artifact |

use std::fs;
use std::path::Path;

use super::super::bench::{steps, LAYERS};
use super::super::build::Build;
use super::super::tools::{run, Tools};
use super::super::{cache_root, LangFixture, Unavailable};
use super::observe::Observer;
use super::rust::Cargo;
use super::toolchain::{Need, Toolchain};
use crate::Compression;

/// The recipe's name and version, the start of its cache key.
pub(crate) const NAME: &str = "bench-binaries@2";

const GO_TOOLS: &[&str] = &[
    "bin/go",
    "bin/gofmt",
    "pkg/tool/*/compile",
    "pkg/tool/*/link",
    "pkg/tool/*/vet",
    "pkg/tool/*/pprof",
    "pkg/tool/*/trace",
    "pkg/tool/*/cgo",
];

/// (crate, binary) built with `cargo auditable install --locked`: ripgrep's release profile
/// keeps line tables, so `rg` is ~27 MB (about a minute to build, once).
const AUDITED: &[(&str, &str)] = &[("cargo-auditable", "cargo-auditable"), ("ripgrep", "rg")];

const FAT_JAR: &str = "opt/app/bench-app.jar";
const NESTED_JARS: usize = 50;

pub(crate) fn build(work: &Path) -> Result<LangFixture, Unavailable> {
    let tc = Toolchain::find(work, Need::Bench)?;
    let mut tools = Tools::find()?;
    tools.versions.extend(tc.versions.iter().cloned());
    let mut b = Build::new(work, NAME, tools)?;
    steps(&mut b)?;
    let mut obs = Observer::new(tc.clone()).after(LAYERS);

    let tool_dir = fs::read_dir(tc.goroot.join("pkg/tool"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.contains('_'))
        .ok_or_else(|| Unavailable::Tool("no pkg/tool/<os>_<arch> in GOROOT".into()))?;
    for tool in GO_TOOLS {
        let rel = tool.replace('*', &tool_dir);
        let to = format!("usr/local/go/{rel}");
        let path = b.path(&to);
        fs::create_dir_all(path.parent().expect("tools have a parent"))?;
        fs::copy(tc.goroot.join(&rel), &path)?;
        obs.watch_go(&to, &format!("the Go toolchain's {rel}"));
    }

    let cargo = Cargo::new(&tc, &work.join("rust"))?;
    fs::create_dir_all(b.path("usr/local/bin"))?;
    for (krate, binary) in AUDITED {
        let built = cargo.install_audited(krate, binary, &cache_root().join("tools/audited"))?;
        let to = format!("usr/local/bin/{binary}");
        fs::copy(&built, b.path(&to))?;
        obs.watch_rust(
            &to,
            &format!("cargo auditable install {krate} --locked"),
            None,
        );
    }
    for (path, how, manifest) in cargo.fixture_binaries(&b)? {
        if path.ends_with("rusty-tool") {
            obs.watch_rust(&path, &how, Some(&manifest));
        } else {
            fs::remove_file(b.path(&path))?;
        }
    }

    let fat = b.path(FAT_JAR);
    fs::create_dir_all(fat.parent().expect("the jar has a parent"))?;
    run(
        tc.ziptool()
            .arg("fatjar")
            .arg(&fat)
            .arg(NESTED_JARS.to_string()),
        "ziptool fatjar",
    )?;
    obs.watch_archive(FAT_JAR);
    obs.finish_layer(
        &mut b,
        "binaries",
        "COPY --from=build /usr/local/go /usr/local/bin /opt/app / # Go toolchain, Rust tools, a Spring Boot jar of 50 nested jars",
        Compression::Gzip,
    )?;

    obs.finish(b)
}
