//! Finds the credentials for a registry, from the same places and in the same order as Docker.
//!
//! Order: our own environment variables, then `credHelpers[registry]`, then an `auths` entry,
//! then `credsStore`, then anonymous. Secrets never reach `Debug` output or error messages.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde::Deserialize;

/// Username for registries that take a password from the environment.
pub const ENV_USERNAME: &str = "SBOMGEN_REGISTRY_USERNAME";
/// Password paired with [`ENV_USERNAME`].
pub const ENV_PASSWORD: &str = "SBOMGEN_REGISTRY_PASSWORD";

/// The server address Docker uses for Hub in `config.json` and credential helpers.
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";
/// Every host name that means Docker Hub; a config written by any tool may use any of them.
const DOCKER_HUB_HOSTS: [&str; 3] = ["index.docker.io", "docker.io", "registry-1.docker.io"];
/// What credential helpers print when they hold nothing for a server (docker-credential-helpers).
const NOT_FOUND: &str = "credentials not found";
/// Username a helper returns when `Secret` is an identity (refresh) token, not a password.
const TOKEN_USERNAME: &str = "<token>";
/// Cap on helper stderr quoted in errors, so a chatty helper cannot flood a log line.
const MAX_STDERR_IN_ERROR: usize = 300;

/// What to present to a registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (Docker's `identitytoken`), exchanged for access tokens.
    IdentityToken(String),
}

// Hand-written so that logging a credential, or a struct holding one, cannot leak it.
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Anonymous => f.write_str("Anonymous"),
            Credential::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// Why credentials could not be found. Names the file, helper and registry; never a secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("cannot read Docker config {path}")]
    ReadConfig {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    // serde_json's message can quote the offending value, which may be a secret, so it is
    // deliberately not carried: only the position.
    #[error("Docker config {origin} is not valid JSON of the expected shape (line {line}, column {column})")]
    ParseConfig {
        origin: String,
        line: usize,
        column: usize,
    },
    #[error(
        "Docker config entry for {server:?} has an `auth` field that is not base64 `user:password`"
    )]
    BadAuthField { server: String },
    #[error("{set} is set but {missing} is not; set both or neither")]
    PartialEnv {
        set: &'static str,
        missing: &'static str,
    },
    #[error("credential helper name {helper:?} (for {registry}) is not a plain name")]
    BadHelperName { helper: String, registry: String },
    #[error("credential helper docker-credential-{helper} (for {registry}) is not installed")]
    HelperNotFound { helper: String, registry: String },
    #[error("cannot run credential helper docker-credential-{helper} for {registry}")]
    HelperSpawn {
        helper: String,
        registry: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "credential helper docker-credential-{helper} failed for {registry} ({status}): {stderr}"
    )]
    HelperFailed {
        helper: String,
        registry: String,
        status: String,
        stderr: String,
    },
    #[error(
        "credential helper docker-credential-{helper} printed unexpected output for {registry}"
    )]
    HelperOutput { helper: String, registry: String },
}

/// One entry of `auths` in `config.json`.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuthEntry {
    /// base64 of `username:password`, as written by `docker login`.
    pub auth: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    #[serde(rename = "identitytoken")]
    pub identity_token: Option<String>,
}

impl fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("AuthEntry")
            .field("auth", &redacted(&self.auth))
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .field("identity_token", &redacted(&self.identity_token))
            .finish()
    }
}

impl AuthEntry {
    /// The credential this entry holds, or `None` for an empty entry. Docker Desktop writes
    /// empty entries (`"ghcr.io": {}`) next to `credsStore`, meaning "ask the store".
    fn credential(&self, server: &str) -> Result<Option<Credential>, CredentialError> {
        if let Some(token) = self.identity_token.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credential::IdentityToken(token.to_string())));
        }
        if let Some(auth) = self.auth.as_deref().filter(|a| !a.is_empty()) {
            let bad = || CredentialError::BadAuthField {
                server: server.to_string(),
            };
            // Some tools leave whitespace or a newline around the value; Docker tolerates it.
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| bad())?;
            let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
            let (username, password) = decoded.split_once(':').ok_or_else(bad)?;
            return Ok(Some(Credential::Basic {
                username: username.to_string(),
                password: password.to_string(),
            }));
        }
        match self.username.as_deref().filter(|u| !u.is_empty()) {
            Some(username) => Ok(Some(Credential::Basic {
                username: username.to_string(),
                password: self.password.clone().unwrap_or_default(),
            })),
            None => Ok(None),
        }
    }
}

/// The parts of Docker's `config.json` that concern registry credentials.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DockerConfig {
    pub auths: BTreeMap<String, AuthEntry>,
    /// Registry host → helper name (the `<name>` of `docker-credential-<name>`).
    #[serde(rename = "credHelpers")]
    pub cred_helpers: BTreeMap<String, String>,
    /// Helper for every registry without its own entry.
    #[serde(rename = "credsStore")]
    pub creds_store: Option<String>,
}

impl DockerConfig {
    /// Parses `config.json` text; `origin` names it in errors. Unknown fields are ignored
    /// because the file also holds unrelated CLI settings.
    pub fn parse(text: &str, origin: &str) -> Result<Self, CredentialError> {
        serde_json::from_str(text).map_err(|e| CredentialError::ParseConfig {
            origin: origin.to_string(),
            line: e.line(),
            column: e.column(),
        })
    }

    /// Reads and parses the file at `path`. A missing file is an empty config, as for
    /// Docker: most machines that pull public images never ran `docker login`.
    pub fn load(path: &Path) -> Result<Self, CredentialError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(CredentialError::ReadConfig {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

/// Where Docker keeps `config.json`: `$DOCKER_CONFIG/config.json`, else
/// `$HOME/.docker/config.json`. `env` is a parameter so callers and tests need not touch the
/// process environment.
pub fn config_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

/// Asks a credential helper for the username and secret it holds for `server`.
pub trait CredentialHelper {
    /// `Ok(None)` when the helper holds nothing for `server`.
    fn get(&self, helper: &str, server: &str) -> Result<Option<(String, String)>, CredentialError>;
}

/// Runs `docker-credential-<helper> get`, the protocol of docker/docker-credential-helpers.
#[derive(Debug, Clone, Default)]
pub struct ExecHelper {
    /// Directory holding the helpers; `None` searches `PATH`.
    dir: Option<PathBuf>,
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
        }
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
                _ => CredentialError::HelperSpawn {
                    helper: helper.to_string(),
                    registry: server.to_string(),
                    source,
                },
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper may exit before reading; its exit status then tells what happened, so
            // a broken pipe here is not an error of its own.
            let _ = stdin.write_all(server.as_bytes());
        }
        let output = child
            .wait_with_output()
            .map_err(|source| CredentialError::HelperSpawn {
                helper: helper.to_string(),
                registry: server.to_string(),
                source,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);

        if !output.status.success() {
            if stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND) {
                return Ok(None);
            }
            // Only stderr is quoted: stdout is where a helper would put a secret.
            let stderr: String = stderr.trim().chars().take(MAX_STDERR_IN_ERROR).collect();
            return Err(CredentialError::HelperFailed {
                helper: helper.to_string(),
                registry: server.to_string(),
                status: output.status.to_string(),
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

/// Finds the credential for `registry` (a host as in [`crate::Reference::registry`]).
///
/// The environment variables come first and apply to every registry: they are the CI-friendly
/// override, and a run that sets them means them. Errors from a configured helper are
/// returned rather than swallowed so the caller can decide whether anonymous is acceptable.
pub fn resolve(
    registry: &str,
    config: &DockerConfig,
    env: impl Fn(&str) -> Option<String>,
    helper: &dyn CredentialHelper,
) -> Result<Credential, CredentialError> {
    let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
    match (non_empty(ENV_USERNAME), non_empty(ENV_PASSWORD)) {
        (Some(username), Some(password)) => return Ok(Credential::Basic { username, password }),
        (Some(_), None) => {
            return Err(CredentialError::PartialEnv {
                set: ENV_USERNAME,
                missing: ENV_PASSWORD,
            })
        }
        (None, Some(_)) => {
            return Err(CredentialError::PartialEnv {
                set: ENV_PASSWORD,
                missing: ENV_USERNAME,
            })
        }
        (None, None) => {}
    }

    let server = helper_server(registry);
    if let Some((_, name)) = find_entry(&config.cred_helpers, registry) {
        return from_helper(helper, name, &server);
    }
    if let Some((key, entry)) = find_entry(&config.auths, registry) {
        if let Some(credential) = entry.credential(key)? {
            return Ok(credential);
        }
    }
    if let Some(store) = config.creds_store.as_deref().filter(|s| !s.is_empty()) {
        return from_helper(helper, store, &server);
    }
    Ok(Credential::Anonymous)
}

fn from_helper(
    helper: &dyn CredentialHelper,
    name: &str,
    server: &str,
) -> Result<Credential, CredentialError> {
    Ok(match helper.get(name, server)? {
        None => Credential::Anonymous,
        Some((username, secret)) if username == TOKEN_USERNAME => Credential::IdentityToken(secret),
        Some((username, password)) => Credential::Basic { username, password },
    })
}

/// The server name to hand a helper: Hub is stored under its legacy v1 URL by `docker login`.
fn helper_server(registry: &str) -> String {
    if is_docker_hub(registry) {
        DOCKER_HUB_SERVER.to_string()
    } else {
        registry.to_string()
    }
}

fn is_docker_hub(host: &str) -> bool {
    DOCKER_HUB_HOSTS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
}

/// Finds the config entry for `registry`, matching keys as Docker does: the exact spellings
/// Docker writes first (`host`, `https://host`, `http://host`, `https://host/v1/`), then any
/// key whose host part (scheme and path removed) is the registry. All Hub host names are one
/// registry.
fn find_entry<'a, V>(map: &'a BTreeMap<String, V>, registry: &str) -> Option<(&'a str, &'a V)> {
    let hosts: Vec<&str> = if is_docker_hub(registry) {
        DOCKER_HUB_HOSTS.to_vec()
    } else {
        vec![registry]
    };
    let mut exact = Vec::new();
    if is_docker_hub(registry) {
        exact.push(DOCKER_HUB_SERVER.to_string());
    }
    for host in &hosts {
        exact.extend([
            host.to_string(),
            format!("https://{host}"),
            format!("http://{host}"),
            format!("https://{host}/v1/"),
        ]);
    }
    exact
        .iter()
        .find_map(|key| map.get_key_value(key.as_str()))
        .or_else(|| {
            map.iter().find(|(key, _)| {
                let host = key_host(key);
                hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
            })
        })
        .map(|(key, value)| (key.as_str(), value))
}

/// Docker's `ConvertToHostname`: drop an `http(s)://` prefix and anything from the first `/`.
fn key_host(key: &str) -> &str {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    rest.split('/').next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// `user:pass` in base64.
    const USER_PASS: &str = "dXNlcjpwYXNz";

    /// A helper that answers from a table and remembers what it was asked.
    #[derive(Default)]
    struct FakeHelper {
        answers: BTreeMap<(String, String), (String, String)>,
        calls: RefCell<Vec<(String, String)>>,
    }

    impl FakeHelper {
        fn with(mut self, helper: &str, server: &str, user: &str, secret: &str) -> Self {
            self.answers
                .insert((helper.into(), server.into()), (user.into(), secret.into()));
            self
        }
    }

    impl CredentialHelper for FakeHelper {
        fn get(
            &self,
            helper: &str,
            server: &str,
        ) -> Result<Option<(String, String)>, CredentialError> {
            self.calls.borrow_mut().push((helper.into(), server.into()));
            Ok(self.answers.get(&(helper.into(), server.into())).cloned())
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn basic(username: &str, password: &str) -> Credential {
        Credential::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(json, "test config").unwrap()
    }

    #[test]
    fn debug_never_prints_secrets() {
        let shown = format!(
            "{:?} {:?} {:?}",
            basic("alice", "hunter2"),
            Credential::IdentityToken("tok-s3cret".into()),
            config(&format!(
                r#"{{"auths": {{"x.io": {{"auth": "{USER_PASS}", "password": "hunter2", "identitytoken": "tok-s3cret"}}}}}}"#
            )),
        );
        for secret in ["hunter2", "tok-s3cret", USER_PASS] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("alice"), "usernames help debugging: {shown}");
    }

    #[test]
    fn parses_a_docker_login_config() {
        let c = config(&format!(
            r#"{{
                "auths": {{
                    "https://index.docker.io/v1/": {{"auth": "{USER_PASS}"}},
                    "ghcr.io": {{}},
                    "quay.io": {{"username": "bob", "password": "pw"}},
                    "my.registry": {{"identitytoken": "refresh"}}
                }},
                "credHelpers": {{"123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}},
                "credsStore": "desktop",
                "currentContext": "default",
                "plugins": {{"x": {{"y": "z"}}}}
            }}"#
        ));
        assert_eq!(c.auths.len(), 4);
        assert_eq!(
            c.cred_helpers["123.dkr.ecr.us-east-1.amazonaws.com"],
            "ecr-login"
        );
        assert_eq!(c.creds_store.as_deref(), Some("desktop"));
    }

    #[test]
    fn an_empty_or_minimal_config_is_fine() {
        for text in ["{}", r#"{"auths": {}}"#, r#"{"psFormat": "table"}"#] {
            let c = config(text);
            assert!(c.auths.is_empty() && c.cred_helpers.is_empty() && c.creds_store.is_none());
        }
    }

    #[test]
    fn a_malformed_config_names_its_origin_but_not_its_content() {
        let err = DockerConfig::parse(
            r#"{"auths": {"x.io": {"auth": 42, "password": "hunter2"}}}"#,
            "/home/u/.docker/config.json",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/home/u/.docker/config.json"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn a_missing_config_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let c = DockerConfig::load(&dir.path().join("config.json")).unwrap();
        assert!(c.auths.is_empty());
    }

    #[test]
    fn config_is_loaded_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            format!(r#"{{"auths": {{"x.io": {{"auth": "{USER_PASS}"}}}}}}"#),
        )
        .unwrap();
        let c = DockerConfig::load(&path).unwrap();
        assert_eq!(
            resolve("x.io", &c, no_env, &FakeHelper::default()).unwrap(),
            basic("user", "pass")
        );
    }

    #[test]
    fn config_path_prefers_docker_config_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            config_path(env(&[("DOCKER_CONFIG", "/etc/dc"), ("HOME", "/home/u")])),
            Some(PathBuf::from("/etc/dc/config.json"))
        );
        assert_eq!(
            config_path(env(&[("DOCKER_CONFIG", ""), ("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.docker/config.json"))
        );
        assert_eq!(config_path(env(&[])), None);
    }

    #[test]
    fn environment_variables_win_over_everything() {
        let c = config(
            r#"{"auths": {"x.io": {"username": "cfg", "password": "cfg"}}, "credHelpers": {"x.io": "h"}}"#,
        );
        let env = |name: &str| match name {
            ENV_USERNAME => Some("ci".to_string()),
            ENV_PASSWORD => Some("ci-pw".to_string()),
            _ => None,
        };
        let helper = FakeHelper::default().with("h", "x.io", "helper", "helper-pw");
        assert_eq!(
            resolve("x.io", &c, env, &helper).unwrap(),
            basic("ci", "ci-pw")
        );
        assert!(
            helper.calls.borrow().is_empty(),
            "no helper runs when env is set"
        );
    }

    #[test]
    fn half_set_environment_is_an_error_not_a_silent_fallback() {
        let env = |name: &str| (name == ENV_USERNAME).then(|| "ci".to_string());
        let err = resolve(
            "x.io",
            &DockerConfig::default(),
            env,
            &FakeHelper::default(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CredentialError::PartialEnv {
                    missing: ENV_PASSWORD,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn cred_helpers_win_over_auths_and_store() {
        let c = config(
            r#"{"auths": {"x.io": {"username": "cfg", "password": "p"}}, "credHelpers": {"x.io": "h"}, "credsStore": "store"}"#,
        );
        let helper = FakeHelper::default()
            .with("h", "x.io", "helper-user", "helper-pw")
            .with("store", "x.io", "store-user", "store-pw");
        assert_eq!(
            resolve("x.io", &c, no_env, &helper).unwrap(),
            basic("helper-user", "helper-pw")
        );
    }

    #[test]
    fn a_helper_with_nothing_stored_means_anonymous() {
        let c = config(r#"{"credHelpers": {"x.io": "h"}, "auths": {"x.io": {"username": "u"}}}"#);
        // Docker does not fall back past a registry's own helper; neither do we.
        assert_eq!(
            resolve("x.io", &c, no_env, &FakeHelper::default()).unwrap(),
            Credential::Anonymous
        );
    }

    #[test]
    fn a_token_username_marks_an_identity_token() {
        let c = config(r#"{"credHelpers": {"x.io": "h"}}"#);
        let helper = FakeHelper::default().with("h", "x.io", "<token>", "refresh");
        assert_eq!(
            resolve("x.io", &c, no_env, &helper).unwrap(),
            Credential::IdentityToken("refresh".into())
        );
    }

    #[test]
    fn auths_entries_give_basic_or_identity_token() {
        let c = config(&format!(
            r#"{{"auths": {{
                "a.io": {{"auth": "{USER_PASS}"}},
                "b.io": {{"username": "bob", "password": "pw"}},
                "c.io": {{"auth": "{USER_PASS}", "identitytoken": "refresh"}}
            }}}}"#
        ));
        let h = FakeHelper::default();
        assert_eq!(
            resolve("a.io", &c, no_env, &h).unwrap(),
            basic("user", "pass")
        );
        assert_eq!(resolve("b.io", &c, no_env, &h).unwrap(), basic("bob", "pw"));
        assert_eq!(
            resolve("c.io", &c, no_env, &h).unwrap(),
            Credential::IdentityToken("refresh".into())
        );
        assert_eq!(
            resolve("d.io", &c, no_env, &h).unwrap(),
            Credential::Anonymous
        );
    }

    #[test]
    fn a_password_may_contain_colons() {
        // base64("user:pa:ss")
        let c = config(r#"{"auths": {"x.io": {"auth": "dXNlcjpwYTpzcw=="}}}"#);
        assert_eq!(
            resolve("x.io", &c, no_env, &FakeHelper::default()).unwrap(),
            basic("user", "pa:ss")
        );
    }

    #[test]
    fn a_broken_auth_field_is_an_error_naming_the_server() {
        // "bm9jb2xvbg==" is base64("nocolon").
        for auth in ["not base64!", "bm9jb2xvbg=="] {
            let c = config(&format!(r#"{{"auths": {{"x.io": {{"auth": "{auth}"}}}}}}"#));
            let err = resolve("x.io", &c, no_env, &FakeHelper::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains("x.io") && !err.contains(auth), "{err}");
        }
    }

    #[test]
    fn auths_keys_match_the_way_docker_writes_them() {
        let h = FakeHelper::default();
        for key in [
            "x.io:5000",
            "https://x.io:5000",
            "http://x.io:5000",
            "https://x.io:5000/v1/",
            "https://x.io:5000/v2/",
        ] {
            let c = config(&format!(
                r#"{{"auths": {{"{key}": {{"auth": "{USER_PASS}"}}}}}}"#
            ));
            assert_eq!(
                resolve("x.io:5000", &c, no_env, &h).unwrap(),
                basic("user", "pass"),
                "key {key}"
            );
            assert_eq!(
                resolve("x.io", &c, no_env, &h).unwrap(),
                Credential::Anonymous,
                "key {key} is for port 5000 only"
            );
        }
    }

    #[test]
    fn docker_hub_has_many_names() {
        let h = FakeHelper::default();
        for key in [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "https://registry-1.docker.io",
        ] {
            let c = config(&format!(
                r#"{{"auths": {{"{key}": {{"auth": "{USER_PASS}"}}}}}}"#
            ));
            assert_eq!(
                resolve("docker.io", &c, no_env, &h).unwrap(),
                basic("user", "pass"),
                "key {key}"
            );
        }
    }

    #[test]
    fn the_exact_spelling_wins_over_a_looser_match() {
        let c = config(
            r#"{"auths": {"https://x.io/v2/": {"username": "loose"}, "x.io": {"username": "exact"}}}"#,
        );
        assert_eq!(
            resolve("x.io", &c, no_env, &FakeHelper::default()).unwrap(),
            basic("exact", "")
        );
    }

    #[test]
    fn an_empty_auths_entry_defers_to_the_store() {
        let c =
            config(r#"{"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "desktop"}"#);
        let helper =
            FakeHelper::default().with("desktop", "https://index.docker.io/v1/", "hubuser", "pw");
        assert_eq!(
            resolve("docker.io", &c, no_env, &helper).unwrap(),
            basic("hubuser", "pw")
        );
        assert_eq!(
            *helper.calls.borrow(),
            vec![(
                "desktop".to_string(),
                "https://index.docker.io/v1/".to_string()
            )],
            "Hub is asked for under the URL docker login stores it as"
        );
    }

    #[test]
    fn nothing_configured_means_anonymous() {
        assert_eq!(
            resolve(
                "x.io",
                &DockerConfig::default(),
                no_env,
                &FakeHelper::default()
            )
            .unwrap(),
            Credential::Anonymous
        );
    }

    /// Writes an executable `docker-credential-<name>` shell script into `dir`.
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
