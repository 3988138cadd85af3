//! The harness on its own: a real registry starts, takes pushes, answers, authenticates, speaks
//! TLS, and is gone afterwards; the proxies challenge, forward, kill and stall as documented.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::*;
use crate::{write_oci_dir, BuiltLayout, Compression, Entry, ImageSpec, LayerSpec, Platform};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn image(payload: Vec<u8>) -> ImageSpec {
    ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
        LayerSpec::new(Compression::None)
            .entry(Entry::dir("data"))
            .entry(Entry::file("data/payload", payload)),
    )
}

/// Pushes a one-layer image as `demo:1` and returns what was written.
fn push_demo(registry: &Registry, payload: Vec<u8>) -> BuiltLayout {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("demo.oci");
    let built = write_oci_dir(&layout, "1", &[image(payload)]).unwrap();
    registry.push_oci_dir(&layout, "1", "demo:1").unwrap();
    built
}

/// Bytes that do not compress, deterministic.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[test]
fn starts_takes_a_push_answers_and_stops() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let built = push_demo(&registry, b"hello".to_vec());
    let image = &built.images[0];

    assert_eq!(http_get(registry.addr(), "/v2/", &[]).unwrap().status, 200);
    let catalog = http_get(registry.addr(), "/v2/_catalog", &[]).unwrap();
    assert_eq!(catalog.status, 200);
    let catalog: serde_json::Value = serde_json::from_slice(&catalog.body).unwrap();
    assert_eq!(catalog["repositories"], serde_json::json!(["demo"]));

    let head = http_request(
        registry.addr(),
        "HEAD",
        "/v2/demo/manifests/1",
        &[("Accept", OCI_MANIFEST)],
        &[],
    )
    .unwrap();
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(
        head.header("docker-content-digest"),
        Some(image.manifest_digest.as_str()),
        "skopeo kept the layout's manifest byte for byte"
    );
    // As REGISTRY.md says: without an OCI Accept header the OCI manifest is not found.
    let bare = http_request(registry.addr(), "HEAD", "/v2/demo/manifests/1", &[], &[]).unwrap();
    assert_eq!(bare.status, 404);

    let layer = &image.layers[0];
    let stored = fs::read(registry.blob_data(&layer.digest)).unwrap();
    assert_eq!(sha256_hex(&stored), layer.digest.hex());
    let manifest = fs::read(registry.blob_data(&image.manifest_digest)).unwrap();
    assert_eq!(sha256_hex(&manifest), image.manifest_digest.hex());

    let storage = registry.storage().to_path_buf();
    let addr = registry.addr();
    let killer = registry.killer();
    registry.stop().unwrap();
    assert!(!storage.exists(), "the temp dir is deleted");
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
    killer.kill().unwrap(); // harmless once stopped
}

#[test]
fn dropping_during_a_panic_stops_the_registry_and_deletes_its_dir() {
    if !registry_tests_can_run() {
        return;
    }
    let seen = Mutex::new(None);
    let outcome = std::panic::catch_unwind(|| {
        let registry = Registry::start(RegistryOptions::default()).unwrap();
        *seen.lock().unwrap() = Some((registry.addr(), registry.storage().to_path_buf()));
        panic!("deliberate panic: the registry must still be cleaned up");
    });
    assert!(outcome.is_err());
    let (addr, storage) = seen.into_inner().unwrap().unwrap();
    assert!(!storage.exists());
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn basic_auth_registry_rejects_anonymous_requests() {
    if !registry_tests_can_run() {
        return;
    }
    let registry =
        Registry::start(RegistryOptions::default().basic_auth("alice", "s3cret")).unwrap();
    push_demo(&registry, b"x".to_vec());

    let anonymous = http_get(registry.addr(), "/v2/", &[]).unwrap();
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Basic ")),
        "{anonymous:?}"
    );
    let good = basic_auth("alice", "s3cret");
    let wrong = basic_auth("alice", "wrong");
    let catalog = http_get(registry.addr(), "/v2/_catalog", &[("Authorization", &good)]).unwrap();
    assert_eq!(catalog.status, 200);
    assert!(String::from_utf8_lossy(&catalog.body).contains("demo"));
    let denied = http_get(
        registry.addr(),
        "/v2/_catalog",
        &[("Authorization", &wrong)],
    )
    .unwrap();
    assert_eq!(denied.status, 401);
}

/// `GET /v2/` over TLS with `openssl s_client`; `Some(status line)` when the certificate
/// verified against `ca` (when given) for `name`.
fn tls_get(addr: SocketAddr, name: &str, ca: Option<&Path>) -> Option<String> {
    let mut command = Command::new("openssl");
    command
        .args(["s_client", "-quiet", "-verify_return_error", "-connect"])
        .arg(addr.to_string());
    if name == "localhost" {
        command.args(["-servername", "localhost", "-verify_hostname", "localhost"]);
    } else {
        command.args(["-verify_ip", name]);
    }
    match ca {
        Some(ca) => command.arg("-CAfile").arg(ca),
        // An empty trust store: no system CA signed this certificate either way.
        None => command.args(["-CAfile", "/dev/null", "-no-CApath", "-no-CAstore"]),
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let request = format!("GET /v2/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    output
        .status
        .success()
        .then(|| stdout.lines().next().unwrap_or_default().to_string())
}

#[test]
fn tls_registry_is_trusted_through_its_ca_only() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default().tls()).unwrap();
    // skopeo verifies the certificate (--dest-tls-verify=true with the CA's cert dir).
    push_demo(&registry, b"tls".to_vec());
    let ca = registry.ca_cert().unwrap();
    assert_eq!(
        tls_get(registry.addr(), "127.0.0.1", Some(ca)).as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    assert_eq!(
        tls_get(registry.addr(), "localhost", Some(ca)).as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    assert_eq!(tls_get(registry.addr(), "127.0.0.1", None), None);
    // The plain-HTTP client is turned away.
    assert_eq!(http_get(registry.addr(), "/v2/", &[]).unwrap().status, 400);
}

#[test]
fn bearer_proxy_challenges_issues_a_token_and_forwards() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let built = push_demo(&registry, b"bearer".to_vec());
    let proxy = BearerProxy::start(registry.addr(), "bob", "pw").unwrap();
    let realm = format!(
        "Bearer realm=\"http://{}/token\",service=\"test\"",
        proxy.host()
    );

    let root = http_get(proxy.addr(), "/v2/", &[]).unwrap();
    assert_eq!(root.status, 401);
    assert_eq!(root.header("www-authenticate"), Some(realm.as_str()));
    let accept = ("Accept", OCI_MANIFEST);
    let manifest = http_get(proxy.addr(), "/v2/demo/manifests/1", &[accept]).unwrap();
    assert_eq!(manifest.status, 401);
    assert_eq!(
        manifest.header("www-authenticate"),
        Some(format!("{realm},scope=\"repository:demo:pull\"").as_str())
    );

    let token_path = "/token?service=test&scope=repository%3Ademo%3Apull";
    let basic = |pass: &str| basic_auth("bob", pass);
    let refused = http_get(proxy.addr(), token_path, &[("Authorization", &basic("no"))]).unwrap();
    assert_eq!(refused.status, 401);
    let granted = http_get(proxy.addr(), token_path, &[("Authorization", &basic("pw"))]).unwrap();
    assert_eq!(granted.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&granted.body).unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(body["access_token"], token);

    let bearer = format!("Bearer {token}");
    let forwarded = http_get(
        proxy.addr(),
        "/v2/demo/manifests/1",
        &[accept, ("Authorization", &bearer)],
    )
    .unwrap();
    assert_eq!(forwarded.status, 200, "{forwarded:?}");
    assert_eq!(
        sha256_hex(&forwarded.body),
        built.images[0].manifest_digest.hex()
    );
    let wrong_token = http_get(
        proxy.addr(),
        "/v2/demo/manifests/1",
        &[accept, ("Authorization", "Bearer nope")],
    )
    .unwrap();
    assert_eq!(wrong_token.status, 401);

    let scope = Some("repository:demo:pull".to_string());
    let service = Some("test".to_string());
    assert_eq!(
        proxy.token_requests(),
        [
            TokenRequest {
                service: service.clone(),
                scope: scope.clone(),
                granted: false
            },
            TokenRequest {
                service,
                scope,
                granted: true
            },
        ]
    );
    assert_eq!(proxy.forwarded(), 1);
}

#[test]
fn cut_proxy_kills_the_registry_in_the_middle_of_a_blob() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let built = push_demo(&registry, noise(1 << 20));
    let layer = &built.images[0].layers[0];
    let proxy = CutProxy::start(
        registry.addr(),
        64 * 1024,
        Cut::KillRegistry(registry.killer()),
    )
    .unwrap();

    // Manifests pass untouched.
    let manifest = http_get(
        proxy.addr(),
        "/v2/demo/manifests/1",
        &[("Accept", OCI_MANIFEST)],
    )
    .unwrap();
    assert_eq!(manifest.status, 200);
    assert!(registry.is_running());

    let blob_path = format!("/v2/demo/blobs/{}", layer.digest);
    // A reset connection (an error here) is a cut too.
    if let Ok(partial) = http_get(proxy.addr(), &blob_path, &[]) {
        assert!(
            (partial.body.len() as u64) < layer.size,
            "the blob was cut: {} of {} bytes",
            partial.body.len(),
            layer.size
        );
    }
    assert_eq!(proxy.cut_paths(), std::slice::from_ref(&blob_path));
    assert!(!registry.is_running(), "the registry was killed");
    assert!(
        http_get(proxy.addr(), &blob_path, &[]).is_err(),
        "nothing behind the proxy"
    );
}

#[test]
fn cut_proxy_stalls_blob_responses_until_dropped() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let built = push_demo(&registry, noise(256 * 1024));
    let layer = &built.images[0].layers[0];
    let proxy = CutProxy::start(registry.addr(), 4096, Cut::Stall).unwrap();

    let mut stream = TcpStream::connect(proxy.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /v2/demo/blobs/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        layer.digest
    )
    .unwrap();
    // The first 4096 bytes come through…
    let mut received = vec![0u8; 4096];
    stream.read_exact(&mut received).unwrap();
    // …and then nothing, while the connection stays open.
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 8192];
    let after = stream.read(&mut buf);
    assert!(
        matches!(&after, Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)),
        "the response stalls instead of going on or ending: {after:?}"
    );
    assert!(received.starts_with(b"HTTP/1.1 200"));
    assert!(registry.is_running(), "a stall leaves the registry up");

    drop(proxy);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert!(
        matches!(stream.read(&mut buf), Ok(0) | Err(_)),
        "dropping the proxy hangs up"
    );
}

#[test]
fn docker_config_holds_base64_user_and_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_docker_config(dir.path(), "127.0.0.1:5000", "u", "p:w").unwrap();
    let config: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    assert_eq!(config["auths"]["127.0.0.1:5000"]["auth"], "dTpwOnc=");
    assert_eq!(basic_auth("u", "p:w"), "Basic dTpwOnc=");
}

#[test]
fn logged_requests_are_parsed_from_the_registry_log() {
    let line = r#"time="2026-12-03T11:41:36Z" level=error msg="response completed with error" err.code="blob unknown" http.request.method=HEAD http.request.uri="/v2/foo/blobs/sha256:e3b0" http.response.status=404 vars.name=foo"#;
    assert_eq!(
        LoggedRequest::parse(line),
        Some(LoggedRequest {
            method: "HEAD".into(),
            uri: "/v2/foo/blobs/sha256:e3b0".into(),
            status: 404,
        })
    );
    let line = r#"level=info msg="response completed" http.request.method=POST http.request.uri=/v2/foo/blobs/uploads/ http.response.status=202"#;
    assert_eq!(
        LoggedRequest::parse(line).unwrap().uri,
        "/v2/foo/blobs/uploads/"
    );
    assert_eq!(
        LoggedRequest::parse(r#"level=info msg="listening on 127.0.0.1:5000""#),
        None
    );
    assert_eq!(
        logfmt_value(r#"a="x \"y\" \\ z" b=1"#, "a").as_deref(),
        Some(r#"x "y" \ z"#)
    );
    assert_eq!(logfmt_value("xa=1 a=2", "a").as_deref(), Some("2"));
    assert_eq!(logfmt_value(r#"a="unterminated"#, "a"), None);

    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let missing = format!("/v2/demo/blobs/sha256:{}", "0".repeat(64));
    assert_eq!(
        http_request(registry.addr(), "HEAD", &missing, &[], &[])
            .unwrap()
            .status,
        404
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let requests = registry.requests();
        if requests
            .iter()
            .any(|r| r.method == "HEAD" && r.uri == missing && r.status == 404)
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{requests:?}\n{}",
            registry.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
