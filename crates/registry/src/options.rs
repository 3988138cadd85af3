//! What a [`RegistryClient`](crate::RegistryClient) is told by its caller: transport, credentials,
//! cache, timeouts and where to report progress.
//!
//! The library reads no environment on its own; [`ClientOptions::from_env`] is the one place
//! that turns environment variables into options, with the lookup passed in so tests need not
//! touch the process environment.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sbomgen_model::Digest;

use crate::credentials::{config_path, CredentialError, ENV_PASSWORD, ENV_USERNAME};
use crate::error::RegistryError;
use crate::retry::RetryPolicy;

/// Idle time after which a silent connection is abandoned (no byte read or connection made).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Seconds; overrides [`DEFAULT_TIMEOUT`] (tests use it to make a stalled registry fail fast).
pub const ENV_TIMEOUT: &str = "SBOMGEN_REGISTRY_TIMEOUT";

/// Settings for a [`RegistryClient`](crate::RegistryClient).
#[derive(Clone)]
pub struct ClientOptions {
    /// Registries (`host` or `host:port`) reached over plain HTTP. Loopback registries are
    /// always allowed plain HTTP (after trying HTTPS), as Docker does.
    pub insecure: Vec<String>,
    /// PEM bundles of extra CA certificates trusted besides the system's.
    pub ca_certs: Vec<PathBuf>,
    /// Credentials that win over every other source (`--username` / `--password-stdin`, or the
    /// `SBOMGEN_REGISTRY_USERNAME` / `_PASSWORD` pair read by [`ClientOptions::from_env`]).
    pub login: Option<Login>,
    /// Docker's `config.json` (`auths`, `credHelpers`, `credsStore`); `None` reads none.
    pub docker_config: Option<PathBuf>,
    /// Content-addressed blob cache; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Connect timeout and idle-read timeout.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Told about downloads as they happen; `None` reports nothing.
    pub progress: Option<Arc<dyn Progress>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            insecure: Vec::new(),
            ca_certs: Vec::new(),
            login: None,
            docker_config: None,
            cache_dir: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            progress: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("insecure", &self.insecure)
            .field("ca_certs", &self.ca_certs)
            .field("login", &self.login)
            .field("docker_config", &self.docker_config)
            .field("cache_dir", &self.cache_dir)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("progress", &self.progress.as_ref().map(|_| "…"))
            .finish()
    }
}

impl ClientOptions {
    /// Options as the environment sets them: Docker's config path (`$DOCKER_CONFIG`, `$HOME`),
    /// the default cache directory, [`ENV_TIMEOUT`] and the credential pair
    /// `SBOMGEN_REGISTRY_USERNAME` / `SBOMGEN_REGISTRY_PASSWORD`. Extra CA certificates from
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` are honoured when the system roots are loaded.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, RegistryError> {
        let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
        let timeout = match non_empty(ENV_TIMEOUT) {
            Some(text) => {
                let seconds: f64 = text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0)
                    .ok_or_else(|| {
                        RegistryError::Setup(format!(
                            "{ENV_TIMEOUT}={text:?} is not a positive number of seconds"
                        ))
                    })?;
                Duration::from_secs_f64(seconds)
            }
            None => DEFAULT_TIMEOUT,
        };
        let partial = |set, missing| {
            RegistryError::Setup(CredentialError::PartialEnv { set, missing }.to_string())
        };
        let login = match (non_empty(ENV_USERNAME), non_empty(ENV_PASSWORD)) {
            (Some(username), Some(password)) => Some(Login { username, password }),
            (Some(_), None) => return Err(partial(ENV_USERNAME, ENV_PASSWORD)),
            (None, Some(_)) => return Err(partial(ENV_PASSWORD, ENV_USERNAME)),
            (None, None) => None,
        };
        Ok(Self {
            login,
            docker_config: config_path(&env),
            cache_dir: default_cache_dir(&env),
            timeout,
            ..Self::default()
        })
    }
}

/// `$XDG_CACHE_HOME/sbomgen/blobs`, else `$HOME/.cache/sbomgen/blobs`; `None` without either.
pub fn default_cache_dir(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
    let base = non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        // The XDG spec says a relative value is invalid and must be ignored.
        .filter(|p| p.is_absolute())
        .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("sbomgen").join("blobs"))
}

/// A username and password given directly, rather than found in Docker's config.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Receives download progress. Calls come from the threads reading layers, so implementations
/// synchronise themselves; every method has an empty default.
pub trait Progress: Send + Sync {
    /// The image is resolved: `blobs` layer blobs of `bytes` in total are about to be read.
    fn image(&self, reference: &str, blobs: usize, bytes: u64) {
        let _ = (reference, blobs, bytes);
    }
    /// A blob starts streaming, from the cache when `cached`.
    fn blob_started(&self, digest: &Digest, size: Option<u64>, cached: bool) {
        let _ = (digest, size, cached);
    }
    /// `read` bytes of the blob have been handed to its reader so far.
    fn blob_progress(&self, digest: &Digest, read: u64) {
        let _ = (digest, read);
    }
    /// The blob was read to its end and verified.
    fn blob_finished(&self, digest: &Digest) {
        let _ = digest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn cache_dir_follows_xdg_then_home() {
        assert_eq!(
            default_cache_dir(env(&[("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")])),
            Some(PathBuf::from("/xdg/sbomgen/blobs"))
        );
        assert_eq!(
            default_cache_dir(env(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.cache/sbomgen/blobs"))
        );
        assert_eq!(default_cache_dir(env(&[])), None);
    }

    #[test]
    fn from_env_reads_timeout_and_login() {
        let o = ClientOptions::from_env(env(&[
            (ENV_TIMEOUT, "2.5"),
            (ENV_USERNAME, "ci"),
            (ENV_PASSWORD, "pw-marker"),
            ("HOME", "/home/u"),
        ]))
        .unwrap();
        assert_eq!(o.timeout, Duration::from_millis(2500));
        assert_eq!(o.login.as_ref().unwrap().username, "ci");
        assert_eq!(
            o.docker_config,
            Some(PathBuf::from("/home/u/.docker/config.json"))
        );
        assert!(!format!("{o:?}").contains("pw-marker"), "{o:?}");

        let err = ClientOptions::from_env(env(&[(ENV_TIMEOUT, "soon")])).unwrap_err();
        assert!(err.to_string().contains(ENV_TIMEOUT), "{err}");
        let err = ClientOptions::from_env(env(&[(ENV_PASSWORD, "x")])).unwrap_err();
        assert!(err.to_string().contains(ENV_USERNAME), "{err}");
    }
}
