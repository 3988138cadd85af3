//! A real Redis for tests: runs Debian's `redis-server` on a free 127.0.0.1 port without
//! persistence (`--save '' --appendonly no`) in a temp dir, optionally with a password or TLS
//! only (a certificate from a throw-away CA, as the registry harness makes), and can kill and
//! restart it on the same port. Dropping it stops the process by its PID and deletes the dir.
//!
//! Tests call [`redis_tests_can_run`] first: it says why and returns `false` when
//! `redis-server` is missing, and panics instead when `CI` is set, so CI never skips silently.
//!
//! ```no_run
//! use sbomgen_testkit::redis::{RedisServer, RedisServerOptions};
//!
//! if sbomgen_testkit::redis::redis_tests_can_run() {
//!     let mut redis = RedisServer::start(RedisServerOptions::default()).unwrap();
//!     let url = redis.url(); // "redis://127.0.0.1:PORT/0"
//!     assert_eq!(redis.cli(&["PING"]).unwrap(), "PONG");
//!     redis.kill().unwrap();
//!     redis.restart().unwrap(); // same port, empty
//!     # let _ = url;
//! } // stopped and its dir deleted here
//! ```

use std::fs::{self, File};
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::registry::certs::{make_tls_files, TlsFiles};
use crate::registry::{command_output, find_program};

/// The programs the harness runs; `scripts/test.sh` installs them (`redis-server` brings
/// `redis-cli` with it as `redis-tools`).
pub const REQUIRED_TOOLS: [&str; 3] = ["redis-server", "redis-cli", "openssl"];

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How often a free port is tried when another process takes it first.
const START_ATTEMPTS: usize = 3;

/// Whether the Redis tests can run here. When a tool is missing: prints a skip message and
/// returns `false`, or panics when the `CI` environment variable is set (CI must run them).
pub fn redis_tests_can_run() -> bool {
    let missing: Vec<_> = REQUIRED_TOOLS
        .into_iter()
        .filter(|tool| find_program(tool).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "Redis tests need {} (apt-get install -y redis-server openssl, as scripts/test.sh does)",
        missing.join(", ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the Redis tests: {why}"
    );
    eprintln!("skipping: {why}");
    false
}

/// How to configure a [`RedisServer`]. The default: no password, plain TCP.
#[derive(Debug, Clone, Default)]
pub struct RedisServerOptions {
    /// `--requirepass`: clients must `AUTH` with it.
    pub password: Option<String>,
    /// Serve TLS only (`--tls-port`, `--port 0`), with a certificate for 127.0.0.1.
    pub tls: bool,
}

impl RedisServerOptions {
    /// Requires `password`.
    #[must_use]
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_string());
        self
    }

    /// Serves TLS only.
    #[must_use]
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }
}

/// A running `redis-server` (or one killed by the test, until [`restart`](Self::restart)).
#[derive(Debug)]
pub struct RedisServer {
    options: RedisServerOptions,
    port: u16,
    process: Option<Child>,
    dir: TempDir,
    tls: Option<TlsFiles>,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub fn start(options: RedisServerOptions) -> io::Result<RedisServer> {
        let dir = tempfile::Builder::new()
            .prefix("sbomgen-redis-")
            .tempdir()?;
        let tls = if options.tls {
            Some(make_tls_files(&dir.path().join("tls"))?)
        } else {
            None
        };
        let mut server = RedisServer {
            options,
            port: 0,
            process: None,
            dir,
            tls,
        };
        // Redis takes a port number, not 0: a port the OS just handed out is free unless
        // another process grabs it first, when Redis exits and another port is tried.
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            server.port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// The port it listens on (TLS only, when started with [`RedisServerOptions::tls`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/0`, or `rediss://…` for TLS; no password.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}/0", self.port)
    }

    /// The CA certificate clients must trust, for a TLS server.
    pub fn ca_cert(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca_cert.as_path())
    }

    /// Runs `redis-cli` against the server (with its password and TLS settings) and returns
    /// its trimmed output, e.g. `cli(&["TTL", "key"])`.
    pub fn cli(&self, args: &[&str]) -> io::Result<String> {
        let mut command = Command::new("redis-cli");
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .arg("--no-raw");
        if let Some(tls) = &self.tls {
            command.arg("--tls").arg("--cacert").arg(&tls.ca_cert);
        }
        if let Some(password) = &self.options.password {
            command.env("REDISCLI_AUTH", password);
        }
        let output = command_output(command.args(args))?;
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// SIGKILLs the server at once (no shutdown, no goodbye to clients) and reaps it.
    pub fn kill(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.process.take() {
            if child.try_wait()?.is_none() {
                child.kill()?;
            }
            child.wait()?;
        }
        Ok(())
    }

    /// Starts the server again on the same port, empty (nothing is persisted).
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill()?;
        self.spawn()
    }

    /// Whether the process is running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.process.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// What the server logged so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    fn spawn(&mut self) -> io::Result<()> {
        let program = find_program("redis-server").ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "redis-server is not installed")
        })?;
        let log = self.log_path();
        let _ = fs::remove_file(&log);
        // As the registry harness does: should the test process die without running Drop,
        // `setpriv --pdeathsig` has the kernel kill the server with it.
        let mut command = match find_program("setpriv") {
            Some(setpriv) => {
                let mut command = Command::new(setpriv);
                command.args(["--pdeathsig", "KILL", "--"]).arg(program);
                command
            }
            None => Command::new(program),
        };
        let port = self.port.to_string();
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(self.dir.path());
        match &self.tls {
            Some(tls) => command
                .args(["--port", "0", "--tls-port", &port])
                .args(["--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(&tls.server_cert)
                .arg("--tls-key-file")
                .arg(&tls.server_key)
                .arg("--tls-ca-cert-file")
                .arg(&tls.ca_cert),
            None => command.args(["--port", &port]),
        };
        if let Some(password) = &self.options.password {
            command.args(["--requirepass", password]);
        }
        let log_file = File::create(&log)?;
        command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        self.process = Some(command.spawn()?);
        self.wait_until_ready()
    }

    /// Polls the log for `Ready to accept connections`.
    fn wait_until_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.log().contains("Ready to accept connections") {
                return Ok(());
            }
            let exited = match self.process.as_mut() {
                Some(child) => child.try_wait()?,
                None => None,
            };
            if let Some(status) = exited {
                self.process = None;
                return Err(io::Error::other(format!(
                    "redis-server exited ({status}): {}",
                    self.log()
                )));
            }
            if Instant::now() > deadline {
                let log = self.log();
                self.kill()?;
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("redis-server did not get ready: {log}"),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.kill();
        // The TempDir deletes itself.
    }
}
