//! Answers a registry's `401` challenge: HTTP basic, or the bearer-token flow of the Docker
//! registry token spec (<https://distribution.github.io/distribution/spec/auth/token/>).
//!
//! Credentials are looked up only when a registry first asks for them, so pulling a public
//! image never runs a credential helper. The resulting `Authorization` value is kept per
//! registry, repository and access (pull, or pull and push) and reused until the registry rejects it (a token expired), then
//! renewed once. Secrets live only in request headers: errors name the registry, the token
//! server and where the credentials came from, never their value.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::RwLock;

use base64::Engine;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::Deserialize;

use crate::credentials::{self, Credential, CredentialError, DockerConfig, ExecHelper};
use crate::error::RegistryError;
use crate::options::Login;
use crate::retry;
use crate::transport::Access;

/// Token responses are a few KiB (a JWT); anything far larger is not a token.
const MAX_TOKEN_RESPONSE: usize = 1 << 20;

/// Where credentials come from, in Docker's order after an explicit login.
#[derive(Debug, Clone)]
pub(crate) struct CredentialSource {
    pub(crate) login: Option<Login>,
    pub(crate) docker_config: Option<PathBuf>,
}

impl CredentialSource {
    /// The credential for `registry` and a note on where it came from, for messages.
    fn lookup(&self, registry: &str) -> Result<(Credential, String), RegistryError> {
        if let Some(login) = &self.login {
            return Ok((
                Credential::Basic {
                    username: login.username.clone(),
                    password: login.password.clone(),
                },
                format!("sent username {:?} as given", login.username),
            ));
        }
        let Some(path) = &self.docker_config else {
            return Ok((Credential::Anonymous, "no credentials given".to_string()));
        };
        let fail = |source| RegistryError::Credentials {
            registry: registry.to_string(),
            source,
        };
        let config = DockerConfig::load(path).map_err(fail)?;
        // The environment pair is already folded into `login` by `ClientOptions::from_env`.
        match credentials::resolve(registry, &config, |_| None, &ExecHelper::new()) {
            Ok(Credential::Anonymous) => Ok((
                Credential::Anonymous,
                format!("no credentials for {registry} in {}", path.display()),
            )),
            Ok(Credential::Basic { username, password }) => Ok((
                Credential::Basic {
                    username: username.clone(),
                    password,
                },
                format!("sent username {username:?} from {}", path.display()),
            )),
            Ok(token @ Credential::IdentityToken(_)) => Ok((
                token,
                format!("sent an identity token from {}", path.display()),
            )),
            // A config naming a helper that is not installed is common (a config copied from
            // another machine); Docker fails here, but a public image needs no credentials, so
            // go on anonymously and say why if the registry then refuses.
            Err(e @ CredentialError::HelperNotFound { .. }) => {
                Ok((Credential::Anonymous, format!("{e}; tried anonymously")))
            }
            Err(e) => Err(fail(e)),
        }
    }
}

/// One `WWW-Authenticate` challenge: a scheme (lowercased) and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: BTreeMap<String, String>,
}

/// Parses a `WWW-Authenticate` value (RFC 7235): `Scheme k=v, k="quoted, \"v\""`, possibly
/// several challenges separated by commas. Unparseable tails are dropped, not fatal: what was
/// understood may still be enough.
pub(crate) fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let token_len = rest.find([' ', ',', '=']).unwrap_or(rest.len());
        if token_len == 0 {
            break;
        }
        let token = &rest[..token_len];
        let after = rest[token_len..].trim_start_matches([' ', '\t']);
        if let Some(value_part) = after.strip_prefix('=') {
            // A parameter of the current challenge.
            let (value, remaining) = read_value(value_part.trim_start());
            if let Some(current) = out.last_mut() {
                current.params.insert(token.to_ascii_lowercase(), value);
            }
            rest = remaining;
        } else {
            out.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            rest = after;
        }
    }
    out
}

/// A token or quoted-string value, and what follows it.
fn read_value(input: &str) -> (String, &str) {
    if let Some(quoted) = input.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (value, &quoted[i + 1..]),
                _ => value.push(c),
            }
        }
        (value, "")
    } else {
        let end = input.find([',', ' ']).unwrap_or(input.len());
        (input[..end].to_string(), &input[end..])
    }
}

/// The token server's answer; registries use either field name.
#[derive(Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
}

/// The `Authorization` value for one registry, repository and access, renewed on demand.
#[derive(Debug)]
pub(crate) struct Authorizer {
    registry: String,
    /// `repository:<name>:pull` or `repository:<name>:pull,push`, the scope asked of token
    /// servers (with whatever else the registry's challenge names).
    scope: String,
    source: CredentialSource,
    header: RwLock<Option<HeaderValue>>,
    /// Serialises renewals so parallel layer downloads that all got a 401 fetch one token.
    renewing: tokio::sync::Mutex<Option<(Credential, String)>>,
}

impl Authorizer {
    pub(crate) fn new(
        registry: &str,
        repository: &str,
        access: Access,
        source: CredentialSource,
    ) -> Self {
        Self {
            registry: registry.to_string(),
            scope: format!("repository:{repository}:{}", access.actions()),
            source,
            header: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(None),
        }
    }

    /// The value to send, if the registry has asked for one before.
    pub(crate) fn current(&self) -> Option<HeaderValue> {
        self.header.read().map_or(None, |h| h.clone())
    }

    /// Where the credentials came from (or why there were none), once they were looked up.
    pub(crate) fn hint(&self) -> Option<String> {
        self.renewing
            .try_lock()
            .ok()
            .and_then(|cached| cached.as_ref().map(|(_, hint)| hint.clone()))
    }

    /// Answers `challenge` (the 401's `WWW-Authenticate`). `stale` is the value the failed
    /// request carried: when another task has renewed it meanwhile, nothing is fetched.
    pub(crate) async fn renew(
        &self,
        http: &reqwest::Client,
        retry_policy: &retry::RetryPolicy,
        challenge: Option<&str>,
        stale: Option<&HeaderValue>,
        reference: &str,
    ) -> Result<(), RegistryError> {
        let mut cached = self.renewing.lock().await;
        if self.current().as_ref() != stale {
            return Ok(());
        }
        if cached.is_none() {
            let source = self.source.clone();
            let registry = self.registry.clone();
            // Helpers are programs that may take a while: keep them off the async workers.
            let found = tokio::task::spawn_blocking(move || source.lookup(&registry))
                .await
                .map_err(|e| RegistryError::Setup(format!("credential lookup failed: {e}")))??;
            *cached = Some(found);
        }
        let (credential, hint) = cached.as_ref().expect("looked up above");
        let unauthorized = || RegistryError::Unauthorized {
            registry: self.registry.clone(),
            reference: reference.to_string(),
            hint: Some(hint.clone()),
        };

        let challenges = challenge.map(parse_challenges).unwrap_or_default();
        let bearer = challenges.iter().find(|c| c.scheme == "bearer");
        let basic = challenges.iter().any(|c| c.scheme == "basic");
        let value = match (bearer, credential) {
            (Some(bearer), _) => {
                let realm = bearer
                    .params
                    .get("realm")
                    .ok_or_else(|| RegistryError::Token {
                        registry: self.registry.clone(),
                        realm: "(none)".into(),
                        reason: "the bearer challenge names no realm".into(),
                    })?;
                let scopes = token_scopes(&self.scope, bearer.params.get("scope"));
                let token = self
                    .fetch_token(
                        http,
                        retry_policy,
                        realm,
                        bearer.params.get("service"),
                        &scopes,
                        credential,
                    )
                    .await
                    .map_err(|e| match e {
                        TokenFailure::Rejected => unauthorized(),
                        TokenFailure::Other(e) => e,
                    })?;
                format!("Bearer {token}")
            }
            (None, Credential::Basic { username, password }) if basic => {
                let pair = format!("{username}:{password}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            _ => return Err(unauthorized()),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            RegistryError::Setup("credentials contain characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        if value.as_ref() == stale.map(HeaderValue::as_bytes).unwrap_or_default()
            && !matches!(credential, Credential::Anonymous)
        {
            // The same credentials were just refused: asking again cannot help.
            return Err(unauthorized());
        }
        if let Ok(mut slot) = self.header.write() {
            *slot = Some(value);
        }
        Ok(())
    }

    async fn fetch_token(
        &self,
        http: &reqwest::Client,
        policy: &retry::RetryPolicy,
        realm: &str,
        service: Option<&String>,
        scopes: &[String],
        credential: &Credential,
    ) -> Result<String, TokenFailure> {
        let token_error = |reason: String| {
            TokenFailure::Other(RegistryError::Token {
                registry: self.registry.clone(),
                realm: realm_for_messages(realm),
                reason,
            })
        };
        let url = reqwest::Url::parse(realm)
            .map_err(|_| token_error("the realm is not a URL".to_string()))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = match credential {
                // Docker's OAuth2 refresh-token grant for identity tokens.
                Credential::IdentityToken(refresh) => {
                    // OAuth2 takes one space-separated `scope`.
                    let scope = scopes.join(" ");
                    let mut form = vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                        ("scope", scope.as_str()),
                        ("client_id", "sbomgen"),
                    ];
                    if let Some(service) = service {
                        form.push(("service", service.as_str()));
                    }
                    http.post(url.clone()).form(&form)
                }
                Credential::Basic { username, password } => {
                    with_query(http, &url, service, scopes).basic_auth(username, Some(password))
                }
                Credential::Anonymous => with_query(http, &url, service, scopes),
            };
            let Ok(request) = request.build() else {
                return Err(token_error("cannot build the token request".into()));
            };
            let outcome = http.execute(request).await;
            let response = match outcome {
                Ok(r) => r,
                Err(e) => {
                    if retry::is_transient_error(&e) {
                        if let retry::Next::Retry(wait) = policy.next(attempt, None) {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    return Err(token_error(retry::describe(&e)));
                }
            };
            let status = response.status();
            if status.as_u16() == 401 || status.as_u16() == 403 {
                return Err(TokenFailure::Rejected);
            }
            if retry::is_transient_status(status.as_u16()) {
                let asked = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry::parse_retry_after);
                if let retry::Next::Retry(wait) = policy.next(attempt, asked) {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if !status.is_success() {
                return Err(token_error(format!("answered {status}")));
            }
            let mut response = response;
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| token_error(retry::describe(&e)))?
            {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_TOKEN_RESPONSE {
                    return Err(token_error("answered with an oversized body".into()));
                }
            }
            let parsed: TokenResponse = serde_json::from_slice(&body)
                .map_err(|_| token_error("answered something other than a token".into()))?;
            return parsed
                .token
                .or(parsed.access_token)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| token_error("answered without a token".into()));
        }
    }
}

enum TokenFailure {
    /// The token server refused the credentials (401/403).
    Rejected,
    Other(RegistryError),
}

fn with_query(
    http: &reqwest::Client,
    url: &reqwest::Url,
    service: Option<&String>,
    scopes: &[String],
) -> reqwest::RequestBuilder {
    let mut url = url.clone();
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(service) = service {
            pairs.append_pair("service", service);
        }
        // The token spec's GET form repeats `scope` once per scope.
        for scope in scopes {
            pairs.append_pair("scope", scope);
        }
    }
    http.get(url)
}

/// The scopes to ask a token server for: ours first, merged with those the registry's
/// challenge names (space-separated). A challenge scope for our own resource adds its
/// actions to ours (one `repository:app:pull,push`, not two scopes); others are asked for
/// as they are, as containerd does, since the registry says it needs them.
fn token_scopes(ours: &str, challenge: Option<&String>) -> Vec<String> {
    let mut merged: Vec<(String, Vec<String>)> = Vec::new();
    let wanted = std::iter::once(ours).chain(
        challenge
            .map(|c| c.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    for scope in wanted {
        // `type:name:actions`; a name may itself hold colons (a host with a port).
        let Some((resource, actions)) = scope.rsplit_once(':') else {
            continue;
        };
        if resource.is_empty() || !resource.contains(':') {
            continue;
        }
        let actions = actions.split(',').filter(|a| !a.is_empty());
        match merged.iter_mut().find(|(r, _)| r == resource) {
            Some((_, known)) => {
                for action in actions {
                    if !known.iter().any(|k| k == action) {
                        known.push(action.to_string());
                    }
                }
            }
            None => merged.push((resource.to_string(), actions.map(str::to_string).collect())),
        }
    }
    merged
        .into_iter()
        .map(|(resource, actions)| format!("{resource}:{}", actions.join(",")))
        .collect()
}

/// The realm without query or user info, for messages.
fn realm_for_messages(realm: &str) -> String {
    match reqwest::Url::parse(realm) {
        Ok(mut url) => {
            url.set_query(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "(invalid realm)".to_string(),
    }
}

/// The header a request carries, for [`Authorizer::renew`]'s staleness check.
pub(crate) fn sent_authorization(request: &reqwest::Request) -> Option<HeaderValue> {
    request.headers().get(AUTHORIZATION).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_docker_hub_bearer_challenge() {
        let c = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        );
        assert_eq!(
            c,
            vec![Challenge {
                scheme: "bearer".into(),
                params: params(&[
                    ("realm", "https://auth.docker.io/token"),
                    ("service", "registry.docker.io"),
                    ("scope", "repository:library/alpine:pull"),
                ]),
            }]
        );
    }

    #[test]
    fn parses_basic_and_several_challenges() {
        let c = parse_challenges(r#"Basic realm="Registry Realm""#);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], "Registry Realm");

        let c = parse_challenges(
            r#"Basic realm="a, \"b\"", Bearer realm=https://t.example/token, service=reg"#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].params["realm"], r#"a, "b""#);
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].params["realm"], "https://t.example/token");
        assert_eq!(c[1].params["service"], "reg");
    }

    #[test]
    fn garbage_does_not_panic() {
        for h in [
            "",
            "=",
            "Bearer",
            "Bearer realm=\"unterminated",
            ",,,",
            "a=b",
        ] {
            let _ = parse_challenges(h);
        }
    }

    #[test]
    fn token_scopes_merge_the_challenge_into_ours() {
        let ours = "repository:app:pull,push";
        assert_eq!(token_scopes(ours, None), vec![ours]);
        let challenge = "repository:app:pull".to_string();
        assert_eq!(token_scopes(ours, Some(&challenge)), vec![ours]);
        let challenge = "repository:app:push,delete registry:catalog:*".to_string();
        assert_eq!(
            token_scopes("repository:app:pull", Some(&challenge)),
            vec!["repository:app:pull,push,delete", "registry:catalog:*"]
        );
        let challenge = "repository:reg:5000/app:pull garbage".to_string();
        assert_eq!(
            token_scopes("repository:reg:5000/app:pull,push", Some(&challenge)),
            vec!["repository:reg:5000/app:pull,push"]
        );
    }

    #[test]
    fn realm_in_messages_drops_query_and_userinfo() {
        assert_eq!(
            realm_for_messages("https://u:p@auth.example/token?x=1"),
            "https://auth.example/token"
        );
    }
}
