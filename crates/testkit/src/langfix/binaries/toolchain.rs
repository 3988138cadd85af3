//! The toolchains the binaries recipes run, found (or, for `cargo-auditable`, installed) and
//! checked before any step.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::tools::{run, Tools};
use super::super::{cache_root, Lock, Unavailable};
use super::ZIPTOOL;

/// Which recipe asks: the benchmark image needs no JDK and no Debian packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    All,
    Bench,
}

#[derive(Debug, Clone)]
pub(crate) struct Toolchain {
    pub python: PathBuf,
    /// `ziptool.py`, written into the build's work directory.
    pub ziptool: PathBuf,
    pub go: PathBuf,
    /// `go env GOROOT`: the benchmark copies the toolchain's own binaries from it.
    pub goroot: PathBuf,
    pub cargo: PathBuf,
    /// The directory holding `cargo-auditable`, put first on cargo's `PATH`.
    pub auditable_dir: PathBuf,
    pub javac: PathBuf,
    pub jar: PathBuf,
    pub objcopy: PathBuf,
    /// Every tool's version line, for the fixture's record.
    pub versions: Vec<String>,
}

impl Toolchain {
    pub(crate) fn find(work: &Path, need: Need) -> Result<Toolchain, Unavailable> {
        let python = PathBuf::from(std::env::var_os("SBOMGEN_PYTHON").unwrap_or("python3".into()));
        let go = PathBuf::from("go");
        let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or("cargo".into()));
        let (javac, jar, objcopy) = ("javac".into(), "jar".into(), "objcopy".into());
        let mut versions = Vec::new();

        let py = version_of(
            "python3",
            Command::new(&python).args([
                "-c",
                "import json, sys, zipfile, zlib; print('python', sys.version.split()[0])",
            ]),
        )?;
        versions.push(py);
        let go_env = version_of(
            "go (Debian: apt-get install golang-go)",
            Command::new(&go).args(["env", "GOVERSION", "GOROOT"]),
        )?;
        let mut lines = go_env.lines();
        let go_version = lines.next().unwrap_or_default().trim().to_string();
        let goroot = PathBuf::from(lines.next().unwrap_or_default().trim());
        // Build info inline in the binary and `-buildvcs` came with Go 1.18.
        let minor: u32 = go_version
            .strip_prefix("go1.")
            .and_then(|v| v.split(['.', ' ', '-', 'r', 'b']).next())
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if minor < 18 {
            return Err(Unavailable::Tool(format!(
                "go {go_version:?} is older than 1.18"
            )));
        }
        versions.push(go_version);
        versions.push(version_of("cargo", Command::new(&cargo).arg("--version"))?);
        versions.push(version_of(
            "objcopy (binutils)",
            Command::new(&objcopy).arg("--version"),
        )?);
        if need == Need::All {
            versions.push(format!(
                "javac {}",
                version_of("javac (a JDK)", Command::new(&javac).arg("-version"))?
                    .trim_start_matches("javac ")
            ));
            versions.push(version_of(
                "jar (a JDK)",
                Command::new(&jar).arg("--version"),
            )?);
            versions.push(version_of(
                "apt-get",
                Command::new("apt-get").arg("--version"),
            )?);
            version_of("dpkg-deb", Command::new("dpkg-deb").arg("--version"))?;
        }
        let auditable_dir = find_or_install_auditable(&cargo)?;
        versions.push(auditable_version(&auditable_dir));

        let ziptool = work.join("ziptool.py");
        fs::write(&ziptool, ZIPTOOL)?;
        Ok(Toolchain {
            python,
            ziptool,
            go,
            goroot,
            cargo,
            auditable_dir,
            javac,
            jar,
            objcopy,
            versions,
        })
    }

    /// The language recipes' [`Tools`], which these recipes use only for the record (they
    /// watch no site-packages and no npm project).
    pub(crate) fn tools(&self) -> Tools {
        Tools {
            python: self.python.clone(),
            npm: PathBuf::from("npm"),
            py_minor: String::new(),
            versions: self.versions.clone(),
        }
    }

    /// `python3 ziptool.py <args>`.
    pub(crate) fn ziptool(&self) -> Command {
        let mut c = Command::new(&self.python);
        c.arg(&self.ziptool).stdin(Stdio::null());
        c
    }

    /// `cargo` with `cargo-auditable` first on `PATH`, and none of the variables of the cargo
    /// that runs these tests that would redirect or alter the build.
    pub(crate) fn cargo(&self) -> Command {
        let mut c = Command::new(&self.cargo);
        clean_cargo_env(&mut c);
        let mut path = OsString::from(&self.auditable_dir);
        if let Some(old) = std::env::var_os("PATH") {
            path.push(":");
            path.push(old);
        }
        c.env("PATH", path)
            .env("CARGO_TERM_COLOR", "never")
            .env("CARGO_NET_RETRY", "2")
            .stdin(Stdio::null());
        c
    }
}

fn clean_cargo_env(c: &mut Command) {
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_BUILD_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
        "CARGO_INCREMENTAL",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_MANIFEST_DIR",
    ] {
        c.env_remove(var);
    }
}

/// The first line a version command prints (stdout, else stderr), or why the tool is missing.
fn version_of(what: &str, c: &mut Command) -> Result<String, Unavailable> {
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Unavailable::Tool(format!("{what}: cannot run {c:?}: {e}")))?;
    if !out.status.success() {
        return Err(Unavailable::Tool(format!(
            "{what}: {c:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    let text = String::from_utf8_lossy(&text).into_owned();
    // Two lines only for `go env`; every other tool's first line names it.
    Ok(if what.starts_with("go ") {
        text
    } else {
        text.lines().next().unwrap_or_default().trim().to_string()
    })
}

/// `cargo-auditable 0.7.7`, from the `.crates.toml` cargo install keeps beside `bin/` (the tool
/// itself has no `--version`: it runs cargo's).
fn auditable_version(dir: &Path) -> String {
    let listed = dir
        .parent()
        .and_then(|root| fs::read_to_string(root.join(".crates.toml")).ok())
        .and_then(|toml| {
            toml.lines()
                .find_map(|l| {
                    l.trim()
                        .trim_start_matches('"')
                        .strip_prefix("cargo-auditable ")
                })
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string)
        });
    match listed {
        Some(v) => format!("cargo-auditable {v}"),
        None => format!("cargo-auditable in {}", dir.display()),
    }
}

/// The directory of a `cargo-auditable` on `PATH`, else of the one in
/// `target/langfix/tools/bin`, installed there first (`cargo install cargo-auditable
/// --locked`, from crates.io, about 20 s) when absent. One installer at a time.
fn find_or_install_auditable(cargo: &Path) -> Result<PathBuf, Unavailable> {
    if let Some(dir) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("cargo-auditable").is_file())
    {
        return Ok(dir);
    }
    let tools = cache_root().join("tools");
    let bin = tools.join("bin");
    if bin.join("cargo-auditable").is_file() {
        return Ok(bin);
    }
    fs::create_dir_all(&tools)?;
    let _lock = Lock::acquire(&tools.join("install.lock"))?;
    if !bin.join("cargo-auditable").is_file() {
        let started = std::time::Instant::now();
        let mut c = Command::new(cargo);
        clean_cargo_env(&mut c);
        run(
            c.args([
                "install",
                "cargo-auditable",
                "--locked",
                "--quiet",
                "--root",
            ])
            .arg(&tools)
            .stdin(Stdio::null()),
            "cargo install cargo-auditable",
        )?;
        eprintln!(
            "langfix: installed cargo-auditable into {} in {:.1} s",
            bin.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(bin)
}
