//! Docker's `config.json`: where it is and the parts that concern registry credentials.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

use super::{Credential, CredentialError};

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
    pub(super) fn credential(&self, server: &str) -> Result<Option<Credential>, CredentialError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `user:pass` in base64.
    const USER_PASS: &str = "dXNlcjpwYXNz";

    fn config(json: &str) -> DockerConfig {
        DockerConfig::parse(json, "test config").unwrap()
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
}
