//! One request against the registry API, done properly: the right scheme, TLS roots,
//! timeouts, the auth challenge answered for the access needed (pull, or pull and push),
//! transient failures retried, and failures turned into errors that name the registry and
//! reference.
//!
//! HTTPS is the default. Loopback registries and those named insecure are tried over HTTPS
//! first and fall back to plain HTTP when the server does not speak TLS, as Docker does, so a
//! local registry with a certificate (and `--ca-cert`) is still reached securely.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, RANGE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Method, Response, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::Deserialize;

use crate::auth::{sent_authorization, Authorizer, CredentialSource};
use crate::error::RegistryError;
use crate::options::ClientOptions;
use crate::reference::Reference;
use crate::retry::{self, Next, RetryPolicy};

/// What a request is for, for URLs and messages.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) reference: Reference,
    /// After `/v2/<repository>/`: `manifests/<tag or digest>` or `blobs/<digest>`.
    pub(crate) path: String,
    /// `manifest 1.0`, `blob sha256:…`.
    pub(crate) what: String,
}

impl Target {
    pub(crate) fn label(&self) -> String {
        self.reference.to_string()
    }
}

/// What a request needs the credentials to allow: token servers are asked for
/// `repository:<name>:pull` or `repository:<name>:pull,push`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Access {
    Pull,
    Push,
}

impl Access {
    /// The actions of a `repository:` token scope.
    pub(crate) fn actions(self) -> &'static str {
        match self {
            Access::Pull => "pull",
            Access::Push => "pull,push",
        }
    }
}

/// One request for [`Transport::send`].
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) target: &'a Target,
    /// An absolute URL to use instead of `/v2/<repository>/<target.path>` (an upload's
    /// `Location`).
    pub(crate) url: Option<&'a reqwest::Url>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    /// The statuses returned as a response rather than turned into an error.
    pub(crate) ok: &'a [u16],
    pub(crate) access: Access,
}

impl<'a> Call<'a> {
    /// A bodiless pull-access request to `target`'s path.
    pub(crate) fn new(method: Method, target: &'a Target, ok: &'a [u16]) -> Self {
        Self {
            method,
            target,
            url: None,
            headers: HeaderMap::new(),
            body: None,
            ok,
            access: Access::Pull,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    insecure: Vec<String>,
    credentials: CredentialSource,
    /// Scheme chosen per registry host after probing (loopback and insecure ones only).
    schemes: tokio::sync::Mutex<HashMap<String, &'static str>>,
    /// Per registry, repository and access: each holds the `Authorization` value (a token of
    /// that scope) it last obtained.
    authorizers: Mutex<HashMap<(String, String, Access), Arc<Authorizer>>>,
}

impl Transport {
    pub(crate) fn new(options: &ClientOptions) -> Result<Self, RegistryError> {
        Ok(Self {
            http: http_client(options)?,
            retry: options.retry.clone(),
            insecure: options.insecure.iter().map(|s| normalise_host(s)).collect(),
            credentials: CredentialSource {
                login: options.login.clone(),
                docker_config: options.docker_config.clone(),
            },
            schemes: tokio::sync::Mutex::new(HashMap::new()),
            authorizers: Mutex::new(HashMap::new()),
        })
    }

    /// GETs `target` with `accept` (if any) and `range_from` (if any), retrying transient
    /// failures. Returns a successful response (200, or 206 to a range request).
    pub(crate) async fn get(
        &self,
        target: &Target,
        accept: Option<&str>,
        range_from: Option<u64>,
    ) -> Result<Response, RegistryError> {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept.and_then(|a| HeaderValue::from_str(a).ok()) {
            headers.insert(ACCEPT, accept);
        }
        if let Some(from) = range_from.filter(|n| *n > 0) {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes={from}-")) {
                headers.insert(RANGE, value);
            }
        }
        self.send(Call {
            headers,
            ..Call::new(Method::GET, target, &[200, 206])
        })
        .await
    }

    /// Sends `call`, retrying transient failures, and returns the response when its status is
    /// one of `call.ok`. A 401 is answered (credentials looked up, a token fetched for the
    /// call's access) and the request sent once more; 401, 403 and 404 not listed in `ok`
    /// become their errors at once; 408, 429 and 5xx are retried with backoff (honouring
    /// `Retry-After`), anything else is a [`RegistryError::Status`].
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Response, RegistryError> {
        let target = call.target;
        let reference = &target.reference;
        let url = match call.url {
            Some(url) => url.clone(),
            None => {
                let scheme = self.scheme(reference).await;
                let text = format!(
                    "{scheme}://{}/v2/{}/{}",
                    reference.api_host(),
                    reference.repository,
                    target.path
                );
                reqwest::Url::parse(&text).map_err(|e| {
                    RegistryError::Setup(format!("cannot form a URL for {}: {e}", target.what))
                })?
            }
        };
        // An upload location on another host (a storage back end) must not receive the
        // registry's credentials.
        let send_auth = call.url.is_none() || same_origin(&url, reference.api_host());
        let authorizer = self.authorizer(reference, call.access);
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(call.method.clone(), url.clone())
                .headers(call.headers.clone());
            if let Some(body) = &call.body {
                // `Bytes` clones share the buffer: a retry does not copy the body.
                request = request.body(body.clone());
            }
            if send_auth {
                if let Some(value) = authorizer.current() {
                    request = request.header(reqwest::header::AUTHORIZATION, value);
                }
            }
            let request = request
                .build()
                .map_err(|e| RegistryError::Setup(format!("cannot build request: {e}")))?;
            let sent_auth = sent_authorization(&request);

            let response = match self.http.execute(request).await {
                Ok(response) => response,
                Err(error) => {
                    let give_up = |attempts| RegistryError::Connect {
                        registry: reference.registry.clone(),
                        reference: target.label(),
                        reason: retry::describe(&error),
                        attempts,
                    };
                    if !retry::is_transient_error(&error) {
                        return Err(give_up(attempt));
                    }
                    match self.retry.next(attempt, None) {
                        Next::Retry(wait) => {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        _ => return Err(give_up(attempt)),
                    }
                }
            };

            let status = response.status();
            if call.ok.contains(&status.as_u16()) {
                return Ok(response);
            }
            match status {
                StatusCode::UNAUTHORIZED if !renewed => {
                    renewed = true;
                    // The challenge answered is not a failed attempt.
                    attempt -= 1;
                    let challenge = header_text(response.headers(), WWW_AUTHENTICATE);
                    authorizer
                        .renew(
                            &self.http,
                            &self.retry,
                            challenge.as_deref(),
                            sent_auth.as_ref(),
                            &target.label(),
                        )
                        .await?;
                    continue;
                }
                StatusCode::UNAUTHORIZED => {
                    return Err(RegistryError::Unauthorized {
                        registry: reference.registry.clone(),
                        reference: target.label(),
                        hint: authorizer.hint(),
                    })
                }
                StatusCode::FORBIDDEN => {
                    let hint = match (registry_message(response).await, authorizer.hint()) {
                        (Some(message), Some(hint)) => Some(format!("{message}; {hint}")),
                        (message, hint) => message.or(hint),
                    };
                    return Err(RegistryError::Denied {
                        registry: reference.registry.clone(),
                        reference: target.label(),
                        hint,
                    });
                }
                StatusCode::NOT_FOUND => {
                    // A missing repository says so; telling it from a missing tag saves a
                    // user hunting for a tag that was never the problem.
                    let code = registry_message(response).await.unwrap_or_default();
                    let what = if code.starts_with("NAME_UNKNOWN") {
                        format!("repository {}", reference.repository)
                    } else {
                        target.what.clone()
                    };
                    return Err(RegistryError::NotFound {
                        registry: reference.registry.clone(),
                        reference: target.label(),
                        what,
                    });
                }
                _ => {}
            }

            let asked = header_text(response.headers(), RETRY_AFTER)
                .as_deref()
                .and_then(retry::parse_retry_after);
            if retry::is_transient_status(status.as_u16()) {
                match self.retry.next(attempt, asked) {
                    Next::Retry(wait) => {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    Next::TooLong(seconds) => {
                        return Err(RegistryError::RetryAfterTooLong {
                            registry: reference.registry.clone(),
                            reference: target.label(),
                            what: target.what.clone(),
                            seconds,
                        })
                    }
                    Next::GiveUp => {}
                }
            }
            return Err(RegistryError::Status {
                registry: reference.registry.clone(),
                reference: target.label(),
                what: target.what.clone(),
                status: status.to_string(),
                detail: registry_message(response).await,
                attempts: attempt,
            });
        }
    }

    /// `https`, or `http` for a loopback or insecure registry that does not speak TLS.
    async fn scheme(&self, reference: &Reference) -> &'static str {
        let plain_allowed = reference.is_local() || self.is_insecure(&reference.registry);
        if !plain_allowed {
            return "https";
        }
        let host = reference.api_host().to_string();
        let mut schemes = self.schemes.lock().await;
        if let Some(scheme) = schemes.get(&host) {
            return scheme;
        }
        let probe = self.http.get(format!("https://{host}/v2/")).send().await;
        let scheme = match probe {
            Ok(_) => "https",
            // A server that speaks TLS with a certificate we do not trust must not be
            // silently downgraded: the request fails with the certificate error instead.
            Err(e) if retry::is_certificate_error(&e) => "https",
            Err(_) => "http",
        };
        schemes.insert(host, scheme);
        scheme
    }

    fn is_insecure(&self, registry: &str) -> bool {
        let registry = registry.to_ascii_lowercase();
        let host = host_of(&registry);
        self.insecure
            .iter()
            .any(|entry| *entry == registry || (!entry.contains(':') && entry == host))
    }

    /// The authorizer for `reference`'s repository and `access`. Pushes get their own, so a
    /// token scoped for pulling is never sent with a push (which would fail with 401 and cost a
    /// renewal on every push after a pull).
    fn authorizer(&self, reference: &Reference, access: Access) -> Arc<Authorizer> {
        let key = (
            reference.registry.clone(),
            reference.repository.clone(),
            access,
        );
        let mut map = self
            .authorizers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key)
            .or_insert_with(|| {
                Arc::new(Authorizer::new(
                    &reference.registry,
                    &reference.repository,
                    access,
                    self.credentials.clone(),
                ))
            })
            .clone()
    }
}

/// `host:port` from what a user may write after `--insecure-registry` (a URL prefix or a
/// trailing slash included), lowercased.
fn normalise_host(entry: &str) -> String {
    let rest = entry
        .trim()
        .strip_prefix("https://")
        .or_else(|| entry.trim().strip_prefix("http://"))
        .unwrap_or(entry.trim());
    rest.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether `url` points at `api_host` (`host[:port]`), the registry the credentials are for.
fn same_origin(url: &reqwest::Url, api_host: &str) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    // A default port may be written or not on either side.
    let default_port = url.port_or_known_default().map(|p| format!("{host}:{p}"));
    authority.eq_ignore_ascii_case(api_host)
        || default_port.is_some_and(|a| a.eq_ignore_ascii_case(api_host))
}

/// The host of `host[:port]` (brackets kept for IPv6 literals).
fn host_of(registry: &str) -> &str {
    if registry.starts_with('[') {
        return registry.find(']').map_or(registry, |end| &registry[..=end]);
    }
    registry.split(':').next().unwrap_or(registry)
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The registry's own error code and message from an error body (distribution spec format),
/// shortened. Bodies that are not such JSON are not quoted.
async fn registry_message(response: Response) -> Option<String> {
    const MAX_BODY: usize = 16 << 10;
    const MAX_MESSAGE: usize = 200;
    let mut response = response;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return None;
        }
    }
    let envelope: ErrorEnvelope = serde_json::from_slice(&body).ok()?;
    let first = envelope.errors.first()?;
    let text = match (first.code.is_empty(), first.message.is_empty()) {
        (false, false) => format!("{}: {}", first.code, first.message),
        (false, true) => first.code.clone(),
        (true, false) => first.message.clone(),
        (true, true) => return None,
    };
    Some(text.chars().take(MAX_MESSAGE).collect())
}

/// The HTTP client: rustls (ring) trusting the system roots (which honour `SSL_CERT_FILE` and
/// `SSL_CERT_DIR`) plus the given CA bundles, HTTP/1.1, and connect and idle-read timeouts.
/// There is deliberately no total timeout: a large layer may take long to download, but a
/// connection that goes silent for `timeout` fails.
fn http_client(options: &ClientOptions) -> Result<reqwest::Client, RegistryError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A system store may hold certificates rustls cannot parse; those are skipped, as
        // every TLS client does.
        let _ = roots.add(cert);
    }
    for path in &options.ca_certs {
        let added = add_pem_bundle(&mut roots, path)?;
        if added == 0 {
            return Err(RegistryError::CaCert {
                path: path.clone(),
                reason: "holds no PEM certificate".into(),
            });
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| RegistryError::Setup(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];

    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(options.timeout.min(Duration::from_secs(30)))
        .read_timeout(options.timeout)
        .user_agent(concat!("sbomgen/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| RegistryError::Setup(format!("HTTP client: {e}")))
}

fn add_pem_bundle(roots: &mut rustls::RootCertStore, path: &Path) -> Result<usize, RegistryError> {
    let fail = |reason: String| RegistryError::CaCert {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| fail(format!("not valid PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| fail(format!("unusable certificate: {e}")))?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_entries_match_host_or_host_and_port() {
        let t = Transport::new(&ClientOptions {
            insecure: vec!["http://reg.internal:5000/".into(), "Other.Example".into()],
            ..ClientOptions::default()
        })
        .unwrap();
        assert!(t.is_insecure("reg.internal:5000"));
        assert!(!t.is_insecure("reg.internal:5001"));
        assert!(!t.is_insecure("reg.internal"));
        assert!(t.is_insecure("other.example"));
        assert!(t.is_insecure("other.example:8443"));
        assert!(!t.is_insecure("example"));
    }

    #[test]
    fn ca_bundle_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [empty, dir.path().join("missing.pem")] {
            let err = Transport::new(&ClientOptions {
                ca_certs: vec![path.clone()],
                ..ClientOptions::default()
            })
            .unwrap_err()
            .to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
    }
}
