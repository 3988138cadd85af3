//! Runs Docker credential helpers (`docker-credential-<name> get`).

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::CredentialError;

/// How long a helper may take before it is killed. Helpers answer in milliseconds; one that
/// takes longer is usually waiting on an interactive prompt.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);
/// What credential helpers print when they hold nothing for a server (docker-credential-helpers).
const NOT_FOUND: &str = "credentials not found";
/// Cap on helper stderr quoted in errors, so a chatty helper cannot flood a log line.
const MAX_STDERR_IN_ERROR: usize = 300;
/// Cap on what is read from a helper's stdout or stderr.
const MAX_OUTPUT: u64 = 1 << 20;
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Asks a credential helper for the username and secret it holds for `server`.
pub trait CredentialHelper {
    /// `Ok(None)` when the helper holds nothing for `server`.
    fn get(&self, helper: &str, server: &str) -> Result<Option<(String, String)>, CredentialError>;
}

/// Runs `docker-credential-<helper> get`, the protocol of docker/docker-credential-helpers.
#[derive(Debug, Clone)]
pub struct ExecHelper {
    /// Directory holding the helpers; `None` searches `PATH`.
    dir: Option<PathBuf>,
    timeout: Duration,
}

impl Default for ExecHelper {
    fn default() -> Self {
        Self {
            dir: None,
            timeout: HELPER_TIMEOUT,
        }
    }
}

impl ExecHelper {
    /// Finds helpers on `PATH`, like Docker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Finds helpers only in `dir` (tests, or a pinned toolchain).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: Some(dir.into()),
            ..Self::default()
        }
    }

    /// Kills a helper that has not answered after `timeout` (default [`HELPER_TIMEOUT`]).
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }
}

/// The JSON a helper prints on success.
#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

impl CredentialHelper for ExecHelper {
    fn get(&self, helper: &str, server: &str) -> Result<Option<(String, String)>, CredentialError> {
        // The name comes from a config file and becomes part of a program path: a name with a
        // separator could run any binary on the machine.
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        if helper.is_empty() || helper.starts_with('.') || !helper.bytes().all(plain) {
            return Err(CredentialError::BadHelperName {
                helper: helper.to_string(),
                registry: server.to_string(),
            });
        }
        let program = format!("docker-credential-{helper}");
        let program = match &self.dir {
            Some(dir) => dir.join(program),
            None => PathBuf::from(program),
        };
        let spawn_err = |source: io::Error| CredentialError::HelperSpawn {
            helper: helper.to_string(),
            registry: server.to_string(),
            source,
        };
        let mut child = Command::new(&program)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| match source.kind() {
                io::ErrorKind::NotFound => CredentialError::HelperNotFound {
                    helper: helper.to_string(),
                    registry: server.to_string(),
                },
                _ => spawn_err(source),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper may exit before reading; its exit status then tells what happened, so
            // a broken pipe here is not an error of its own. Dropping stdin sends EOF.
            let _ = stdin.write_all(server.as_bytes());
        }
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());

        // A helper can hang (a locked keychain waiting for a GUI prompt nobody sees): wait a
        // bounded time, then kill it, rather than hang the scan.
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait().map_err(spawn_err)? {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    // The readers are not joined: a grandchild may still hold the pipes open.
                    return Err(CredentialError::HelperTimeout {
                        helper: helper.to_string(),
                        registry: server.to_string(),
                        seconds: self.timeout.as_secs_f64(),
                    });
                }
                None => std::thread::sleep(POLL_INTERVAL),
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        let stdout = String::from_utf8_lossy(&stdout);
        let stderr = String::from_utf8_lossy(&stderr);

        if !status.success() {
            if stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND) {
                return Ok(None);
            }
            // Only stderr is quoted: stdout is where a helper would put a secret.
            let stderr: String = stderr.trim().chars().take(MAX_STDERR_IN_ERROR).collect();
            return Err(CredentialError::HelperFailed {
                helper: helper.to_string(),
                registry: server.to_string(),
                status: status.to_string(),
                stderr,
            });
        }
        let parsed: HelperOutput =
            serde_json::from_str(&stdout).map_err(|_| CredentialError::HelperOutput {
                helper: helper.to_string(),
                registry: server.to_string(),
            })?;
        Ok(Some((parsed.username, parsed.secret)))
    }
}

/// Reads a child's pipe to the end on its own thread, so a helper that writes more than a pipe
/// buffer holds cannot block while we wait for it to exit.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // Bounded: a runaway helper cannot fill memory.
            let _ = (&mut pipe).take(MAX_OUTPUT).read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::credentials::{resolve, Credential, DockerConfig};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(json, "test config").unwrap()
    }

    #[cfg(unix)]
    fn write_helper(dir: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // One test runs every script: a script written while another test thread forks can fail
    // to exec with "text file busy", so nothing else in this crate spawns processes.
    #[cfg(unix)]
    #[test]
    fn exec_helper_speaks_the_docker_credential_helper_protocol() {
        let dir = tempfile::tempdir().unwrap();
        write_helper(
            dir.path(),
            "good",
            r#"[ "$1" = get ] || exit 3
read -r server || true
printf '{"ServerURL":"%s","Username":"user-for-%s","Secret":"s3cret"}' "$server" "$server""#,
        );
        write_helper(
            dir.path(),
            "empty",
            "echo 'credentials not found in native keychain'; exit 1",
        );
        write_helper(
            dir.path(),
            "empty-stderr",
            "echo 'credentials not found' >&2; exit 1",
        );
        write_helper(dir.path(), "broken", "echo 'keychain locked' >&2; exit 2");
        write_helper(dir.path(), "garbage", "echo 'Secret: s3cret'");
        let exec = ExecHelper::in_dir(dir.path());

        assert_eq!(
            exec.get("good", "x.io").unwrap(),
            Some(("user-for-x.io".to_string(), "s3cret".to_string()))
        );
        assert_eq!(exec.get("empty", "x.io").unwrap(), None);
        assert_eq!(exec.get("empty-stderr", "x.io").unwrap(), None);

        let err = exec.get("broken", "x.io").unwrap_err().to_string();
        assert!(
            err.contains("broken") && err.contains("x.io") && err.contains("keychain locked"),
            "{err}"
        );

        let err = exec.get("garbage", "x.io").unwrap_err().to_string();
        assert!(
            err.contains("garbage") && err.contains("x.io") && !err.contains("s3cret"),
            "{err}"
        );

        let err = exec.get("absent", "x.io").unwrap_err();
        assert!(
            matches!(err, CredentialError::HelperNotFound { .. }),
            "{err:?}"
        );

        for name in ["../good", "a/b", "", ".hidden"] {
            let err = exec.get(name, "x.io").unwrap_err();
            assert!(
                matches!(err, CredentialError::BadHelperName { .. }),
                "{name:?}: {err:?}"
            );
        }

        // A helper that hangs is killed after the timeout, and the error says so.
        write_helper(dir.path(), "hang", "exec sleep 30");
        let started = std::time::Instant::now();
        let err = ExecHelper::in_dir(dir.path())
            .with_timeout(Duration::from_millis(300))
            .get("hang", "x.io")
            .unwrap_err();
        assert!(
            matches!(err, CredentialError::HelperTimeout { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("hang") && err.to_string().contains("x.io"));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "killed promptly"
        );

        // Through resolve, with the identity-token convention.
        write_helper(
            dir.path(),
            "token",
            r#"printf '{"ServerURL":"x","Username":"<token>","Secret":"refresh"}'"#,
        );
        let c = config(r#"{"credsStore": "token"}"#);
        assert_eq!(
            resolve("x.io", &c, no_env, &exec).unwrap(),
            Credential::IdentityToken("refresh".into())
        );
    }
}
