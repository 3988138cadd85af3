//! Finds the credentials for a registry, from the same places and in the same order as Docker.
//!
//! Order: our own environment variables, then `credHelpers[registry]`, then an `auths` entry,
//! then `credsStore`, then anonymous. Secrets never reach `Debug` output or error messages.
//! `config.json` parsing lives in `config`, running `docker-credential-*` programs in `helper`.

mod config;
mod helper;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;

pub use config::{config_path, AuthEntry, DockerConfig};
pub use helper::{CredentialHelper, ExecHelper, HELPER_TIMEOUT};

/// Username for registries that take a password from the environment.
pub const ENV_USERNAME: &str = "SBOMGEN_REGISTRY_USERNAME";
/// Password paired with [`ENV_USERNAME`].
pub const ENV_PASSWORD: &str = "SBOMGEN_REGISTRY_PASSWORD";

/// The server address Docker uses for Hub in `config.json` and credential helpers.
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";
/// Every host name that means Docker Hub; a config written by any tool may use any of them.
const DOCKER_HUB_HOSTS: [&str; 3] = ["index.docker.io", "docker.io", "registry-1.docker.io"];
/// Username a helper returns when `Secret` is an identity (refresh) token, not a password.
const TOKEN_USERNAME: &str = "<token>";

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
        "credential helper docker-credential-{helper} did not answer for {registry} within {seconds} s and was stopped"
    )]
    HelperTimeout {
        helper: String,
        registry: String,
        seconds: f64,
    },
    #[error(
        "credential helper docker-credential-{helper} printed unexpected output for {registry}"
    )]
    HelperOutput { helper: String, registry: String },
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
}
