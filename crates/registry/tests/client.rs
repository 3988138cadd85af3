//! The registry client against a scripted server: verification, auth flows, retries, resume,
//! timeouts and the cache, each as one behaviour a user would notice.

mod mock;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mock::{client, fast, sha, Mock, Reply};
use sbomgen_registry::{
    ClientOptions, Login, Reference, RegistryError, RetryPolicy, MANIFEST_ACCEPT,
};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// A password no message may ever contain.
const MARKER: &str = "pw-MARKER-7f3a9";

fn reference(mock: &Mock, rest: &str) -> Reference {
    format!("{}/{rest}", mock.addr).parse().unwrap()
}

fn manifest_reply(body: &[u8]) -> Reply {
    Reply::ok(body.to_vec()).with("Content-Type", OCI_MANIFEST)
}

#[test]
fn a_manifest_is_fetched_with_every_accept_type_and_its_digest() {
    let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
    let mock = Mock::start(move |_| manifest_reply(body));
    let fetched = client(&fast())
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();
    assert_eq!(fetched.bytes, body);
    assert_eq!(fetched.digest, sha(body));
    assert_eq!(fetched.media_type.as_deref(), Some(OCI_MANIFEST));
    let request = &mock.requests()[0];
    assert_eq!(request.path, "/v2/app/manifests/1");
    let accept = request.header("accept").unwrap();
    for media_type in MANIFEST_ACCEPT {
        assert!(accept.contains(media_type), "{accept}");
    }
}

#[test]
fn a_pinned_digest_that_does_not_match_is_fatal() {
    let mock = Mock::start(|_| manifest_reply(b"{\"other\":1}"));
    let pinned = sha(b"what the user pinned");
    let r = reference(&mock, &format!("app@{pinned}"));
    let err = client(&fast())
        .fetch_manifest(&r, MANIFEST_ACCEPT)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::ManifestDigestMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "manifest digest mismatch for {}/app@{pinned}: registry returned {}",
            mock.addr,
            sha(b"{\"other\":1}")
        )
    );
    assert_eq!(
        mock.requests()[0].path,
        format!("/v2/app/manifests/{pinned}")
    );
}

/// A registry behind a token server that knows user/`secret` and issues `tok-1`.
fn token_registry() -> Mock {
    let addr = Arc::new(std::sync::OnceLock::<String>::new());
    let inner = addr.clone();
    let mock = Mock::start(move |req| {
        let realm = format!("http://{}/token", inner.get().unwrap());
        if req.path.starts_with("/token") {
            let good = format!("Basic {}", base64_of("user:secret"));
            return match req.header("authorization") {
                Some(h) if h == good => {
                    assert!(
                        req.path.contains("scope=repository%3Aapp%3Apull"),
                        "{}",
                        req.path
                    );
                    assert!(req.path.contains("service=mock"), "{}", req.path);
                    Reply::ok(r#"{"token":"tok-1","expires_in":300}"#)
                }
                None => Reply::ok(r#"{"token":"anonymous"}"#),
                Some(_) => Reply::status(401, r#"{"details":"bad password"}"#),
            };
        }
        if req.header("authorization") == Some("Bearer tok-1") {
            return manifest_reply(b"{}");
        }
        Reply::status(
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        )
        .with(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="{realm}",service="mock",scope="repository:app:pull""#),
        )
    });
    addr.set(mock.addr.clone()).unwrap();
    mock
}

fn base64_of(text: &str) -> String {
    use std::fmt::Write;
    // Small, dependency-free base64 for the test's expected header.
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.write_char(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char)
                    .unwrap();
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_bearer_token_flow_uses_the_login() {
    let mock = token_registry();
    let options = ClientOptions {
        login: Some(Login {
            username: "user".into(),
            password: "secret".into(),
        }),
        ..fast()
    };
    let c = client(&options);
    c.fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();
    // The token is reused: a second fetch goes straight to the registry.
    c.fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();
    assert_eq!(mock.count("/token"), 1);
    assert_eq!(mock.count("/v2/app/manifests/1"), 3);
}

#[test]
fn a_wrong_password_is_reported_without_the_password() {
    let mock = token_registry();
    let options = ClientOptions {
        login: Some(Login {
            username: "user".into(),
            password: MARKER.into(),
        }),
        ..fast()
    };
    let err = client(&options)
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap_err();
    let text = format!("{err} {err:?} {options:?}");
    assert!(!text.contains(MARKER), "{text}");
    assert!(
        err.to_string().starts_with(&format!(
            "registry {0}: unauthorized (401) for {0}/app:1: check credentials",
            mock.addr
        )),
        "{err}"
    );
    assert!(err.to_string().contains("\"user\""), "{err}");
}

#[test]
fn anonymous_access_to_a_private_repository_is_unauthorized() {
    let mock = token_registry();
    let err = client(&fast())
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("no credentials given"), "{err}");
}

#[test]
fn basic_auth_and_identity_tokens_from_docker_config() {
    // Basic: the registry challenges with Basic and accepts the configured pair.
    let mock = Mock::start(|req| match req.header("authorization") {
        Some(h) if h == format!("Basic {}", base64_of("cfg:pw")) => manifest_reply(b"{}"),
        _ => Reply::status(401, "").with("WWW-Authenticate", r#"Basic realm="test""#),
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{}"}}}}}}"#,
            mock.addr,
            base64_of("cfg:pw")
        ),
    )
    .unwrap();
    let options = ClientOptions {
        docker_config: Some(config.clone()),
        ..fast()
    };
    client(&options)
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();

    // Identity token: exchanged at the realm with the OAuth2 refresh-token grant.
    let addr = Arc::new(std::sync::OnceLock::<String>::new());
    let inner = addr.clone();
    let mock = Mock::start(move |req| {
        if req.path.starts_with("/token") {
            let form = String::from_utf8_lossy(&req.body).to_string();
            assert_eq!(req.method, "POST");
            assert!(form.contains("grant_type=refresh_token"), "{form}");
            assert!(form.contains("refresh_token=refresh-1"), "{form}");
            return Reply::ok(r#"{"access_token":"acc-1"}"#);
        }
        match req.header("authorization") {
            Some("Bearer acc-1") => manifest_reply(b"{}"),
            _ => Reply::status(401, "").with(
                "WWW-Authenticate",
                &format!(
                    r#"Bearer realm="http://{}/token",service="s""#,
                    inner.get().unwrap()
                ),
            ),
        }
    });
    addr.set(mock.addr.clone()).unwrap();
    std::fs::write(
        &config,
        format!(
            r#"{{"auths": {{"{}": {{"identitytoken": "refresh-1"}}}}}}"#,
            mock.addr
        ),
    )
    .unwrap();
    client(&options)
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();
}

#[test]
fn transient_failures_are_retried_then_succeed() {
    let calls = AtomicUsize::new(0);
    let mock = Mock::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::status(503, "busy"),
        1 => Reply::status(429, "").with("Retry-After", "1"),
        _ => manifest_reply(b"{}"),
    });
    let started = Instant::now();
    client(&fast())
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(mock.count("/v2/"), 3);
}

#[test]
fn persistent_failures_give_a_clear_final_error() {
    let mock = Mock::start(|_| {
        Reply::status(
            500,
            r#"{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}"#,
        )
    });
    let err = client(&fast())
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "registry {0}: 500 Internal Server Error for manifest 1 of {0}/app:1 (UNKNOWN: \
             storage backend down) (gave up after 3 attempts)",
            mock.addr
        )
    );

    let mock = Mock::start(|_| Reply::status(429, "").with("Retry-After", "3600"));
    let err = client(&fast())
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::RetryAfterTooLong { seconds: 3600, .. }),
        "{err:?}"
    );
}

#[test]
fn not_found_and_denied_are_not_retried() {
    let mock = Mock::start(|req| {
        if req.path.contains("/blobs/") {
            Reply::status(404, r#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#)
        } else {
            Reply::status(
                403,
                r#"{"errors":[{"code":"DENIED","message":"no pull access"}]}"#,
            )
        }
    });
    let c = client(&fast());
    let r = reference(&mock, "app:1");
    let err = c
        .fetch_manifest(&r, MANIFEST_ACCEPT)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "registry {0}: access denied (403) for {0}/app:1 (DENIED: no pull access)",
            mock.addr
        )
    );
    let digest = sha(b"layer");
    let err = c.open_blob(&r, &digest, None).err().unwrap().to_string();
    assert_eq!(
        err,
        format!(
            "registry {0}: blob {digest} not found (404) for {0}/app:1",
            mock.addr
        )
    );
    assert_eq!(mock.requests().len(), 2);
}

fn layer_bytes() -> Vec<u8> {
    (0..300_000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_blob_cut_mid_stream_resumes_with_a_range_request() {
    let data = layer_bytes();
    let digest = sha(&data);
    let total = data.len();
    let served = data.clone();
    let mock = Mock::start(move |req| match req.header("range") {
        None => Reply::Cut {
            status: 200,
            headers: Vec::new(),
            body: served[..100_000].to_vec(),
            total,
        },
        Some(range) => {
            let from: usize = range
                .strip_prefix("bytes=")
                .and_then(|r| r.strip_suffix('-'))
                .unwrap()
                .parse()
                .unwrap();
            Reply::Full {
                status: 206,
                headers: vec![(
                    "Content-Range".into(),
                    format!("bytes {from}-{}/{total}", total - 1),
                )],
                body: served[from..].to_vec(),
            }
        }
    });
    let mut out = Vec::new();
    client(&fast())
        .open_blob(&reference(&mock, "app:1"), &digest, Some(total as u64))
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    assert!(out == data, "every byte exactly once");
    let ranges: Vec<_> = mock
        .requests()
        .iter()
        .filter_map(|r| r.header("range").map(str::to_string))
        .collect();
    assert_eq!(ranges.len(), 1);
    let from: usize = ranges[0][6..ranges[0].len() - 1].parse().unwrap();
    assert!(from > 0 && from <= 100_000, "{ranges:?}");
}

#[test]
fn a_registry_that_ignores_range_has_the_repeated_bytes_skipped() {
    let data = layer_bytes();
    let digest = sha(&data);
    let total = data.len();
    let served = data.clone();
    let calls = AtomicUsize::new(0);
    let mock = Mock::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Cut {
                status: 200,
                headers: Vec::new(),
                body: served[..50_000].to_vec(),
                total,
            }
        } else {
            Reply::ok(served.clone())
        }
    });
    let mut out = Vec::new();
    client(&fast())
        .open_blob(&reference(&mock, "app:1"), &digest, Some(total as u64))
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    assert!(out == data);
}

#[test]
fn a_blob_that_keeps_failing_names_the_blob_and_reference() {
    let data = layer_bytes();
    let digest = sha(&data);
    let total = data.len();
    let mock = Mock::start(move |_| Reply::Cut {
        status: 200,
        headers: Vec::new(),
        body: Vec::new(),
        total,
    });
    let mut reader = client(&fast())
        .open_blob(&reference(&mock, "app:1"), &digest, Some(total as u64))
        .unwrap();
    let err = reader.read_to_end(&mut Vec::new()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "registry {0}: reading blob {digest} of {0}/app:1 failed: ",
            mock.addr
        )),
        "{err}"
    );
    assert!(err.ends_with("(gave up after 3 attempts)"), "{err}");
}

#[test]
fn a_stalled_registry_times_out() {
    let mock = Mock::start(|_| Reply::Stall);
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            attempts: 2,
            ..fast().retry
        },
        ..fast()
    };
    let started = Instant::now();
    let err = client(&options)
        .fetch_manifest(&reference(&mock, "app:1"), MANIFEST_ACCEPT)
        .unwrap_err()
        .to_string();
    assert!(err.contains("timed out"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_cache_serves_a_second_read_and_never_stores_a_bad_blob() {
    let data = layer_bytes();
    let digest = sha(&data);
    let served = data.clone();
    let mock = Mock::start(move |req| {
        if req.path.ends_with(&sha(b"good").to_string()) {
            Reply::ok(b"evil".to_vec())
        } else {
            Reply::ok(served.clone())
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let options = ClientOptions {
        cache_dir: Some(dir.path().join("blobs")),
        ..fast()
    };
    let c = client(&options);
    let r = reference(&mock, "app:1");
    for _ in 0..2 {
        let mut out = Vec::new();
        c.open_blob(&r, &digest, Some(data.len() as u64))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert!(out == data);
    }
    assert_eq!(
        mock.count("/v2/app/blobs/"),
        1,
        "second read from the cache"
    );
    assert!(dir.path().join("blobs/sha256").join(digest.hex()).is_file());

    // A blob whose bytes do not match its digest fails at its end and is not cached.
    let good = sha(b"good");
    let err = c
        .open_blob(&r, &good, None)
        .unwrap()
        .read_to_end(&mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("digest mismatch") && err.contains(good.as_str()),
        "{err}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path().join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![digest.hex().to_string()], "only the good blob");

    // Configs go through the cache too, verified.
    let config = c.fetch_blob_bytes(&r, &digest, Some(data.len() as u64), 1 << 20);
    assert!(config.unwrap() == data);
    assert_eq!(mock.count("/v2/app/blobs/"), 2);
}
