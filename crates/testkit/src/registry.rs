//! A real registry for tests: runs Debian's `docker-registry` (distribution 2.8) on a free
//! 127.0.0.1 port with a config it writes (filesystem storage in a temp dir; optionally htpasswd
//! basic auth or a TLS certificate from a throw-away CA), pushes images into it with `skopeo`,
//! and stops it and deletes everything when dropped, even when the test panicked.
//!
//! Next to it: two small proxies ([`BearerProxy`] for the bearer-token challenge flow, which the
//! Debian registry can only do with a JWT token server, and [`CutProxy`] for a registry dying or
//! stalling in the middle of a blob), a minimal HTTP client ([`http_get`]) to probe them, and
//! [`write_docker_config`] for credentials the way `docker login` stores them.
//!
//! Tests call [`registry_tests_can_run`] first: it says why and returns `false` when the tools
//! are missing, and panics instead when `CI` is set, so CI never skips these tests silently.
//!
//! ```no_run
//! use sbomgen_testkit::registry::{Registry, RegistryOptions};
//!
//! if sbomgen_testkit::registry::registry_tests_can_run() {
//!     let registry = Registry::start(RegistryOptions::default()).unwrap();
//!     registry.push_oci_archive("fixtures/demo.oci.tar".as_ref(), "demo:1").unwrap();
//!     let reference = registry.reference("demo:1"); // "127.0.0.1:PORT/demo:1"
//!     # let _ = reference;
//! } // stopped (SIGTERM, then SIGKILL) and its storage deleted here
//! ```

use std::fs::{self, File};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sbomgen_model::Digest;
use tempfile::TempDir;

pub(crate) mod certs;
mod http;
mod proxy;
#[cfg(test)]
mod tests;

pub use http::{http_get, http_request, HttpResponse};
pub use proxy::{BearerProxy, Cut, CutProxy, TokenRequest};

/// The programs the harness runs: the registry, the pusher, and the makers of the htpasswd file
/// and certificates. `scripts/test.sh` installs them.
pub const REQUIRED_TOOLS: [&str; 4] = ["docker-registry", "skopeo", "htpasswd", "openssl"];

/// How long a registry may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a registry may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// The tools of [`REQUIRED_TOOLS`] not found on `PATH` (or in `/usr/bin`, `/usr/sbin`).
pub fn missing_tools() -> Vec<&'static str> {
    REQUIRED_TOOLS
        .into_iter()
        .filter(|tool| find_program(tool).is_none())
        .collect()
}

/// Whether the registry tests can run here. When a tool is missing: prints a skip message and
/// returns `false`, or panics when the `CI` environment variable is set (CI must run them).
pub fn registry_tests_can_run() -> bool {
    let missing = missing_tools();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "registry tests need {} (apt-get install -y docker-registry skopeo apache2-utils openssl, \
         as scripts/test.sh does)",
        missing.join(", ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the registry tests: {why}"
    );
    eprintln!("skipping: {why}");
    false
}

/// How to configure a [`Registry`]. The default: anonymous, plain HTTP.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Require these credentials (htpasswd basic auth): `(username, password)`.
    pub basic_auth: Option<(String, String)>,
    /// Serve HTTPS with a certificate signed by a CA of its own ([`Registry::ca_cert`]).
    pub tls: bool,
}

impl RegistryOptions {
    /// Requires `username` / `password` for every request.
    #[must_use]
    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        self.basic_auth = Some((username.to_string(), password.to_string()));
        self
    }

    /// Serves HTTPS.
    #[must_use]
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }
}

/// One request as the registry logged it (see [`Registry::requests`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `HEAD`, `POST`, `PUT`, …
    pub method: String,
    /// Path and query as sent, e.g. `/v2/demo/blobs/sha256:…`.
    pub uri: String,
    pub status: u16,
}

impl LoggedRequest {
    /// Reads a logrus text line such as `level=info msg="response completed" …
    /// http.request.method=HEAD http.request.uri="/v2/…" http.response.status=200 …`.
    fn parse(line: &str) -> Option<LoggedRequest> {
        let msg = logfmt_value(line, "msg")?;
        if !msg.starts_with("response completed") {
            return None;
        }
        Some(LoggedRequest {
            method: logfmt_value(line, "http.request.method")?,
            uri: logfmt_value(line, "http.request.uri")?,
            status: logfmt_value(line, "http.response.status")?.parse().ok()?,
        })
    }
}

/// The value of ` key=` in a logfmt line: up to the next space, or a double-quoted string
/// with `\"` and `\\` escapes.
fn logfmt_value(line: &str, key: &str) -> Option<String> {
    let start = line
        .match_indices(&format!("{key}="))
        .find(|(i, _)| *i == 0 || line.as_bytes()[i - 1] == b' ')
        .map(|(i, m)| i + m.len())?;
    let rest = &line[start..];
    let Some(quoted) = rest.strip_prefix('"') else {
        return Some(rest.split(' ').next().unwrap_or_default().to_string());
    };
    let mut value = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    None
}

/// Sends SIGKILL to a running registry from anywhere (e.g. a proxy thread).
#[derive(Debug, Clone)]
pub struct Killer(Arc<Mutex<Child>>);

impl Killer {
    /// Kills the registry process at once and reaps it; a no-op when it already exited.
    pub fn kill(&self) -> io::Result<()> {
        let mut child = lock(&self.0);
        if child.try_wait()?.is_none() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }
}

/// A running `docker-registry` process and its temp dir (config, storage, log, certificates).
#[derive(Debug)]
pub struct Registry {
    addr: SocketAddr,
    process: Arc<Mutex<Child>>,
    dir: Option<TempDir>,
    storage: PathBuf,
    log: PathBuf,
    policy: PathBuf,
    tls: Option<certs::TlsFiles>,
    credentials: Option<(String, String)>,
}

impl Registry {
    /// Writes a config, starts the registry on a free port and waits until it answers.
    ///
    /// The registry binds `127.0.0.1:0` itself and the harness reads the port it logged, so
    /// parallel tests never race for a port.
    pub fn start(options: RegistryOptions) -> io::Result<Registry> {
        let program = find_program("docker-registry").ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "docker-registry is not installed")
        })?;
        let dir = tempfile::Builder::new()
            .prefix("sbomgen-registry-")
            .tempdir()?;
        let storage = dir.path().join("storage");
        fs::create_dir_all(&storage)?;
        let mut config = format!(
            "version: 0.1\n\
             log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n  \
             maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:0\n  secret: sbomgen-test-secret\n",
            storage = yaml_string(&storage),
        );
        let tls = if options.tls {
            let files = certs::make_tls_files(&dir.path().join("tls"))?;
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                yaml_string(&files.server_cert),
                yaml_string(&files.server_key)
            ));
            Some(files)
        } else {
            None
        };
        if let Some((username, password)) = &options.basic_auth {
            let htpasswd = dir.path().join("htpasswd");
            let line = command_output(Command::new("htpasswd").args(["-Bbn", username, password]))?;
            fs::write(&htpasswd, line.stdout)?;
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: sbomgen-test\n    path: {}\n",
                yaml_string(&htpasswd)
            ));
        }
        let config_path = dir.path().join("config.yml");
        fs::write(&config_path, config)?;
        let policy = dir.path().join("policy.json");
        fs::write(
            &policy,
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )?;

        let log = dir.path().join("registry.log");
        let log_file = File::create(&log)?;
        // Should the test process be killed outright (no Drop runs), `setpriv --pdeathsig`
        // (util-linux, essential in Debian) has the kernel kill the registry with it. The signal
        // follows the spawning *thread*: keep a `Registry` in the test that started it.
        let mut command = match find_program("setpriv") {
            Some(setpriv) => {
                let mut command = Command::new(setpriv);
                command.args(["--pdeathsig", "KILL", "--"]).arg(program);
                command
            }
            None => Command::new(program),
        };
        command
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        // Variables such as REGISTRY_HTTP_ADDR would override the config.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("REGISTRY_") {
                command.env_remove(name);
            }
        }
        let child = command.spawn()?;
        let mut registry = Registry {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            process: Arc::new(Mutex::new(child)),
            dir: Some(dir),
            storage,
            log,
            policy,
            tls,
            credentials: options.basic_auth,
        };
        // On failure, dropping `registry` stops the process and deletes the dir.
        registry.addr = registry.wait_until_listening()?;
        registry.wait_until_ready()?;
        Ok(registry)
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The address the registry listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT/<name>`, e.g. `reference("demo:1")`.
    pub fn reference(&self, name: &str) -> String {
        format!("{}/{name}", self.addr)
    }

    /// The CA certificate clients must trust, for a TLS registry.
    pub fn ca_cert(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca_cert.as_path())
    }

    /// The storage root (`rootdirectory` of the filesystem driver).
    pub fn storage(&self) -> &Path {
        &self.storage
    }

    /// Where the registry keeps a blob's (or manifest's) bytes:
    /// `docker/registry/v2/blobs/sha256/<2>/<hex>/data` under the storage root.
    pub fn blob_data(&self, digest: &Digest) -> PathBuf {
        let hex = digest.hex();
        self.storage
            .join("docker/registry/v2/blobs")
            .join(digest.algorithm())
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Copies an image into the registry with `skopeo copy --all`: `source` is a skopeo image
    /// name (`oci:DIR:TAG`, `oci-archive:FILE`, `docker-archive:FILE`), `dest` is `REPO:TAG`.
    ///
    /// OCI sources are copied with `--preserve-digests`, so the registry serves the very
    /// manifests and blobs of the layout (a local scan of the source and a registry scan must then
    /// agree on every digest); docker archives are converted (and their layers compressed).
    pub fn push(&self, source: &str, dest: &str) -> io::Result<()> {
        let mut command = Command::new("skopeo");
        command.arg("--policy").arg(&self.policy).args([
            "copy",
            "--quiet",
            "--all",
            "--retry-times",
            "0",
        ]);
        if source.starts_with("oci:") || source.starts_with("oci-archive:") {
            command.arg("--preserve-digests");
        }
        match &self.tls {
            Some(tls) => command
                .arg("--dest-tls-verify=true")
                .arg("--dest-cert-dir")
                .arg(&tls.cert_dir),
            None => command.arg("--dest-tls-verify=false"),
        };
        match &self.credentials {
            Some((username, password)) => {
                command.arg(format!("--dest-creds={username}:{password}"))
            }
            None => command.arg("--dest-no-creds"),
        };
        command
            .arg(source)
            .arg(format!("docker://{}/{dest}", self.addr));
        command_output(&mut command).map(drop)
    }

    /// [`push`](Self::push)es the image tagged `tag` in an OCI layout directory.
    pub fn push_oci_dir(&self, layout: &Path, tag: &str, dest: &str) -> io::Result<()> {
        self.push(&format!("oci:{}:{tag}", layout.display()), dest)
    }

    /// [`push`](Self::push)es the only image of an OCI archive.
    pub fn push_oci_archive(&self, archive: &Path, dest: &str) -> io::Result<()> {
        self.push(&format!("oci-archive:{}", archive.display()), dest)
    }

    /// [`push`](Self::push)es the only image of a `docker save` archive (uncompressed tar).
    pub fn push_docker_archive(&self, archive: &Path, dest: &str) -> io::Result<()> {
        self.push(&format!("docker-archive:{}", archive.display()), dest)
    }

    /// A handle that can SIGKILL this registry from another thread.
    pub fn killer(&self) -> Killer {
        Killer(Arc::clone(&self.process))
    }

    /// Whether the process is still running.
    pub fn is_running(&self) -> bool {
        matches!(lock(&self.process).try_wait(), Ok(None))
    }

    /// What the registry logged so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The API requests the registry answered so far, in order, from its `response completed`
    /// log lines (info level). Requests its router does not know, such as
    /// `/v2/<name>/referrers/…` on distribution 2.8, are not logged. A line is written when
    /// the response is done, which may be just after the client got it: poll for the last one.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log()
            .lines()
            .filter_map(LoggedRequest::parse)
            .collect()
    }

    /// Stops the registry (SIGTERM, then SIGKILL after 5 s) and deletes its temp dir, reporting
    /// errors that dropping it would ignore.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()?;
        match self.dir.take() {
            Some(dir) => dir.close(),
            None => Ok(()),
        }
    }

    fn shutdown(&mut self) -> io::Result<()> {
        let mut child = lock(&self.process);
        if child.try_wait()?.is_some() {
            return Ok(());
        }
        // std can only SIGKILL; the shell's builtin `kill` sends SIGTERM without a libc call.
        let pid = child.id().to_string();
        let _ = Command::new("sh")
            .args(["-c", "kill -TERM \"$0\"", &pid])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill()?;
        child.wait().map(drop)
    }

    /// Reads the port from the log line `listening on 127.0.0.1:PORT`.
    fn wait_until_listening(&self) -> io::Result<SocketAddr> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let log = self.log();
            let port = log.lines().find_map(|line| {
                let rest = line.split("listening on 127.0.0.1:").nth(1)?;
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u16>().ok()
            });
            if let Some(port) = port {
                return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
            }
            self.fail_if_exited()?;
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the registry did not start listening: {log}"),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Polls until `GET /v2/` answers 200 or 401 (plain HTTP) or a TCP connection is accepted
    /// (TLS, which the harness client does not speak).
    fn wait_until_ready(&self) -> io::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let ready = if self.tls.is_some() {
                TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok()
            } else {
                matches!(http_get(self.addr, "/v2/", &[]), Ok(r) if r.status == 200 || r.status == 401)
            };
            if ready {
                return Ok(());
            }
            self.fail_if_exited()?;
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the registry at {} never answered: {}",
                        self.addr,
                        self.log()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn fail_if_exited(&self) -> io::Result<()> {
        match lock(&self.process).try_wait()? {
            Some(status) => Err(io::Error::other(format!(
                "the registry exited ({status}): {}",
                self.log()
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.shutdown();
        // The TempDir in `dir` deletes itself.
    }
}

/// Writes `DIR/config.json` as `docker login` would for `host` (`auths` with base64
/// `user:password`) and returns its path; point `DOCKER_CONFIG` at `dir`.
pub fn write_docker_config(
    dir: &Path,
    host: &str,
    username: &str,
    password: &str,
) -> io::Result<PathBuf> {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let config = serde_json::json!({ "auths": { host: { "auth": auth } } });
    fs::create_dir_all(dir)?;
    let path = dir.join("config.json");
    fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    Ok(path)
}

/// The `Authorization` value for HTTP basic auth: `Basic <base64 of user:password>`.
pub fn basic_auth(username: &str, password: &str) -> String {
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {encoded}")
}

/// Runs a command to completion with no stdin; an error carrying its stderr when it fails.
pub(crate) fn command_output(command: &mut Command) -> io::Result<Output> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {command:?}: {e}")))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(io::Error::other(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A path as a double-quoted YAML string.
fn yaml_string(path: &Path) -> String {
    serde_json::to_string(&path.to_string_lossy()).unwrap_or_default()
}

/// Locks a mutex, ignoring poisoning (a panicking test must still be able to clean up).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
