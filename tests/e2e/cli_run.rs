//! Running the binary as a newcomer's shell would, in a scratch working directory and home,
//! with only the environment a test names: no SBOMGEN_* variable or config file of the machine
//! leaks in.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One finished run.
#[derive(Debug)]
pub(crate) struct Run {
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn ok(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "sbomgen {:?} failed: {}",
            self.args,
            self.stderr
        );
        self
    }

    /// The stderr of a run that failed cleanly with `code`: no panic, nothing on stdout.
    pub(crate) fn fails(&self, code: i32) -> &str {
        assert_eq!(
            self.code,
            Some(code),
            "sbomgen {:?}: expected exit {code}; stdout: {} stderr: {}",
            self.args,
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(
            self.stderr.lines().any(|l| l.starts_with("error: ")),
            "{}",
            self.stderr
        );
        &self.stderr
    }
}

/// A scratch working directory and home.
#[derive(Debug)]
pub(crate) struct Shell {
    pub dir: tempfile::TempDir,
}

impl Shell {
    pub(crate) fn new() -> Shell {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["work", "home", "xdg"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Shell { dir }
    }

    /// The working directory of every run.
    pub(crate) fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// `$XDG_CONFIG_HOME`.
    pub(crate) fn xdg(&self) -> PathBuf {
        self.dir.path().join("xdg")
    }

    pub(crate) fn write(&self, path: &Path, text: &str) -> PathBuf {
        let path = self.work().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub(crate) fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_with_input(args, env, None)
    }

    pub(crate) fn run_with_input(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        input: Option<&[u8]>,
    ) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
            .args(args)
            .current_dir(self.work())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.xdg())
            .env("XDG_CACHE_HOME", self.dir.path().join("home/.cache"))
            .env("DOCKER_CONFIG", self.dir.path().join("home/.docker"))
            .envs(env.iter().copied())
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sbomgen binary runs");
        if let Some(input) = input {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        Run {
            args: args.iter().map(ToString::to_string).collect(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
