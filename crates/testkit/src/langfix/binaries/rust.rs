//! Rust: a small crate built with `cargo auditable` and plainly; its audit data read back with
//! `objcopy` and zlib, and its runtime graph from `cargo tree`.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::super::build::Build;
use super::super::tools::run;
use super::super::Unavailable;
use super::toolchain::Toolchain;
use super::{AuditCrate, BIN};

#[derive(Debug)]
pub(crate) struct Cargo {
    tc: Toolchain,
    home: PathBuf,
}

/// A crate with two crates.io dependencies (one bringing a third) and a build-dependency, which
/// cargo-auditable records with `"kind": "build"`. Its own `[workspace]` table keeps cargo from
/// adopting it into a workspace above the work directory (`target/` sits in sbomgen's).
const TOOL_MANIFEST: &str = r#"[package]
name = "rusty-tool"
version = "0.3.1"
edition = "2021"
publish = false

[dependencies]
itoa = "=1.0.11"
form_urlencoded = "=1.2.1"

[build-dependencies]
autocfg = "=1.3.0"

[profile.release]
debug = false
strip = "debuginfo"

[workspace]
"#;

const TOOL_BUILD_RS: &str = "fn main() {
    let cfg = autocfg::new();
    cfg.emit_rustc_version(1, 70);
}
";

const TOOL_MAIN: &str = r#"fn main() {
    let mut buffer = itoa::Buffer::new();
    let count = buffer.format(std::env::args().count());
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("args", count)
        .finish();
    println!("{query}");
}
"#;

impl Cargo {
    pub(super) fn new(tc: &Toolchain, home: &Path) -> Result<Cargo, Unavailable> {
        fs::create_dir_all(home)?;
        Ok(Cargo {
            tc: tc.clone(),
            home: home.canonicalize()?,
        })
    }

    fn cargo(&self, dir: &Path) -> Command {
        let mut c = self.tc.cargo();
        c.current_dir(dir)
            .env("CARGO_TARGET_DIR", self.home.join("target"));
        c
    }

    /// Builds `rusty-tool` twice: audited into `usr/local/bin/rusty-tool`, plain into
    /// `usr/local/bin/rusty-plain`. Returns (path, how built, manifest for `cargo tree`).
    pub(super) fn fixture_binaries(
        &self,
        b: &Build,
    ) -> Result<Vec<(String, String, PathBuf)>, Unavailable> {
        let dir = self.home.join("rusty-tool");
        fs::create_dir_all(dir.join("src"))?;
        fs::write(dir.join("Cargo.toml"), TOOL_MANIFEST)?;
        fs::write(dir.join("build.rs"), TOOL_BUILD_RS)?;
        fs::write(dir.join("src/main.rs"), TOOL_MAIN)?;
        let built = self.home.join("target/release/rusty-tool");
        let bin = b.path(BIN);
        fs::create_dir_all(&bin)?;

        run(
            self.cargo(&dir).args(["build", "--release", "--quiet"]),
            "cargo build --release",
        )?;
        fs::copy(&built, bin.join("rusty-plain"))?;
        run(
            self.cargo(&dir)
                .args(["auditable", "build", "--release", "--quiet"]),
            "cargo auditable build --release",
        )?;
        fs::copy(&built, bin.join("rusty-tool"))?;
        let manifest = dir.join("Cargo.toml");
        Ok(vec![
            (
                format!("{BIN}/rusty-tool"),
                "cargo auditable build --release".to_string(),
                manifest.clone(),
            ),
            (
                format!("{BIN}/rusty-plain"),
                "cargo build --release".to_string(),
                manifest,
            ),
        ])
    }

    /// `cargo auditable install <krate> --locked` into `root`, giving `bin/<binary>`: a large
    /// audited binary for the benchmark (kept in `target/langfix/tools`, so built once).
    pub(super) fn install_audited(
        &self,
        krate: &str,
        binary: &str,
        root: &Path,
    ) -> Result<PathBuf, Unavailable> {
        let bin = root.join("bin").join(binary);
        if bin.is_file() {
            return Ok(bin);
        }
        let mut c = self.tc.cargo();
        run(
            c.args([
                "auditable",
                "install",
                krate,
                "--locked",
                "--quiet",
                "--root",
            ])
            .arg(root)
            .env("CARGO_TARGET_DIR", self.home.join("install-target")),
            "cargo auditable install",
        )?;
        Ok(bin)
    }
}

/// The audit data of the binary at `path`: `objcopy --dump-section .dep-v0=<file>`, then zlib
/// (cargo-auditable's PARSING.md reads it with `pigz -zd`). `None` when there is no such
/// section.
pub(crate) fn audit_data(
    tc: &Toolchain,
    path: &Path,
) -> Result<Option<Vec<AuditCrate>>, Unavailable> {
    let scratch = tempfile::tempdir()?;
    let section = scratch.path().join("dep-v0.zlib");
    // objcopy writes a copy of the input too; `--dump-section` alone still needs an output.
    let dumped = Command::new(&tc.objcopy)
        .arg("--dump-section")
        .arg(format!(".dep-v0={}", section.display()))
        .arg(path)
        .arg(scratch.path().join("copy"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Unavailable::Tool(format!("objcopy: {e}")))?;
    if !dumped.status.success() {
        let stderr = String::from_utf8_lossy(&dumped.stderr);
        if stderr.contains("can't dump section") || stderr.contains("not found") {
            return Ok(None);
        }
        return Err(Unavailable::Step(format!(
            "objcopy on {}: {stderr}",
            path.display()
        )));
    }
    if !section.is_file() {
        return Ok(None);
    }
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(fs::File::open(&section)?)
        .take(64 << 20)
        .read_to_end(&mut json)?;
    let doc: Value = serde_json::from_slice(&json)
        .map_err(|e| Unavailable::Step(format!(".dep-v0 of {} is no JSON: {e}", path.display())))?;
    let crates = doc["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| AuditCrate {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            version: p["version"].as_str().unwrap_or_default().to_string(),
            source: p["source"].as_str().unwrap_or_default().to_string(),
            kind: p["kind"].as_str().unwrap_or("runtime").to_string(),
            root: p["root"].as_bool().unwrap_or(false),
            dependencies: p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                .collect(),
        })
        .collect();
    Ok(Some(crates))
}

/// `cargo tree -e normal --prefix none`: the crates linked at run time, root included.
pub(crate) fn cargo_tree(
    tc: &Toolchain,
    manifest: &Path,
) -> Result<Vec<(String, String)>, Unavailable> {
    let out = run(
        tc.cargo()
            .args([
                "tree",
                "-e",
                "normal",
                "--prefix",
                "none",
                "--offline",
                "--manifest-path",
            ])
            .arg(manifest),
        "cargo tree",
    )?;
    let mut crates: Vec<(String, String)> = String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_string(), version.to_string()))
        })
        .collect();
    crates.sort();
    crates.dedup();
    Ok(crates)
}
