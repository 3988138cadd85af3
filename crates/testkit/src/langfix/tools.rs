//! The real tools: finding them, running them with a deadline, and reading what they say is
//! installed.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{NpmNode, PyDist, Unavailable};

/// No step of a recipe should take this long; a hung download must not hang the tests.
const DEADLINE: Duration = Duration::from_secs(300);

/// `python3` and `npm`, checked to do what the recipes need.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    pub python: PathBuf,
    pub npm: PathBuf,
    /// `3.11`: names `lib/python3.11/site-packages`.
    pub py_minor: String,
    /// For the fixture's record.
    pub versions: Vec<String>,
}

impl Tools {
    pub(super) fn find() -> Result<Tools, Unavailable> {
        let python = PathBuf::from(std::env::var_os("SBOMGEN_PYTHON").unwrap_or("python3".into()));
        let npm = PathBuf::from("npm");
        let tool = |what: &str, out: Result<String, Unavailable>| match out {
            Ok(s) => Ok(s.trim().to_string()),
            Err(Unavailable::Step(why) | Unavailable::Tool(why)) => {
                Err(Unavailable::Tool(format!("{what}: {why}")))
            }
        };
        let py_minor = tool(
            "python3",
            text(Command::new(&python).args([
                "-c",
                "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])",
            ])),
        )?;
        let pip = tool(
            "pip",
            text(Command::new(&python).args(["-m", "pip", "--version"])),
        )?;
        let npm_version = tool("npm", text(Command::new(&npm).arg("--version")))?;
        // `pip inspect` came with pip 22.2, `npm query` with npm 8.16.
        if version_below(pip.split_whitespace().nth(1).unwrap_or(""), (22, 2)) {
            return Err(Unavailable::Tool(format!(
                "pip too old for `pip inspect`: {pip}"
            )));
        }
        if version_below(&npm_version, (8, 16)) {
            return Err(Unavailable::Tool(format!(
                "npm {npm_version} too old for `npm query`"
            )));
        }
        Ok(Tools {
            versions: vec![
                format!("python {py_minor}"),
                pip,
                format!("npm {npm_version}"),
            ],
            python,
            npm,
            py_minor,
        })
    }

    /// `python3 -m pip …` (the host's pip, for `--target` installs and `inspect`).
    pub(super) fn pip(&self) -> Command {
        let mut c = python(&self.python);
        c.args(["-m", "pip"]);
        c
    }

    /// `npm …` with the prompts, audits and notices off.
    pub(super) fn npm(&self) -> Command {
        let mut c = Command::new(&self.npm);
        quiet_env(&mut c);
        c.env("npm_config_audit", "false")
            .env("npm_config_fund", "false")
            .env("npm_config_update_notifier", "false")
            .env("npm_config_fetch_retries", "1");
        c
    }

    /// `python3 -m pip inspect --path <site>`, run in `root` so paths come out relative.
    pub(super) fn pip_inspect(&self, root: &Path, site: &str) -> Result<Vec<PyDist>, Unavailable> {
        let out = run(
            self.pip()
                .current_dir(root)
                .args(["inspect", "--path", site]),
            "pip inspect",
        )?;
        let json: Value = serde_json::from_slice(&out)
            .map_err(|e| Unavailable::Step(format!("pip inspect output: {e}")))?;
        let mut dists = Vec::new();
        for dist in json["installed"].as_array().into_iter().flatten() {
            let field = |v: &Value| v.as_str().unwrap_or_default().to_string();
            let location = field(&dist["metadata_location"]);
            dists.push(PyDist {
                site_packages: site.to_string(),
                name: field(&dist["metadata"]["name"]),
                version: field(&dist["metadata"]["version"]),
                metadata: relative(root, &location),
            });
        }
        dists.sort();
        Ok(dists)
    }

    /// `npm query '*'` in the project `dir`, or for the global prefix `dir` when `global`.
    pub(super) fn npm_query(
        &self,
        root: &Path,
        dir: &str,
        global: bool,
    ) -> Result<Vec<NpmNode>, Unavailable> {
        let mut command = self.npm();
        command.current_dir(root.join(dir)).args(["query", "*"]);
        if global {
            command.args(["--global", "--prefix"]).arg(root.join(dir));
        }
        let out = run(&mut command, "npm query")?;
        let json: Value = serde_json::from_slice(&out)
            .map_err(|e| Unavailable::Step(format!("npm query output: {e}")))?;
        // Global packages live in `<prefix>/lib/node_modules`; npm's locations start there.
        let project = if global {
            format!("{dir}/lib")
        } else {
            dir.to_string()
        };
        let mut nodes = Vec::new();
        for node in json.as_array().into_iter().flatten() {
            let field = |k: &str| node[k].as_str().unwrap_or_default().to_string();
            let location = field("location");
            if location.is_empty() {
                continue; // the project itself
            }
            nodes.push(NpmNode {
                project: project.clone(),
                name: field("name"),
                version: field("version"),
                path: format!("{project}/{location}"),
                location,
            });
        }
        nodes.sort();
        Ok(nodes)
    }
}

fn version_below(version: &str, (major, minor): (u64, u64)) -> bool {
    let mut parts = version
        .trim()
        .split('.')
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found < (major, minor)
}

/// The interpreter `program` (the host's, or a venv's `bin/python`) without prompts or bytecode.
pub(crate) fn python(program: &Path) -> Command {
    let mut c = Command::new(program);
    quiet_env(&mut c);
    c
}

fn quiet_env(c: &mut Command) {
    c.env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null());
}

/// `path` relative to `root` when under it (tools print absolute paths), `/`-separated.
pub(crate) fn relative(root: &Path, path: &str) -> String {
    let p = Path::new(path);
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.to_string_lossy().trim_start_matches("./").to_string()
}

fn text(c: &mut Command) -> Result<String, Unavailable> {
    let out = run(c, "version check")?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs `c` to completion within [`DEADLINE`], returning stdout; a failure carries the end of
/// stderr. Output goes to files, not pipes, so a chatty tool cannot block on a full pipe.
pub(crate) fn run(c: &mut Command, what: &str) -> Result<Vec<u8>, Unavailable> {
    let dir = tempfile::tempdir()?;
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    c.stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?);
    let described = format!("{what} ({c:?})");
    let describe = || described.clone();
    let mut child = c
        .spawn()
        .map_err(|e| Unavailable::Tool(format!("cannot run {}: {e}", describe())))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > DEADLINE {
            // Only the child this function started.
            let _ = child.kill();
            let _ = child.wait();
            return Err(Unavailable::Step(format!(
                "{} still running after {} s",
                describe(),
                DEADLINE.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = fs::read(&out_path)?;
    if status.success() {
        return Ok(stdout);
    }
    let stderr = fs::read(&err_path)?;
    let stderr = String::from_utf8_lossy(&stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(Unavailable::Step(format!(
        "{} failed ({status}):\n{}",
        describe(),
        tail.join("\n")
    )))
}
