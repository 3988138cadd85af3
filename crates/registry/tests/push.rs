//! Pushes and referrers against a scripted server: what a registry with the OCI referrers API
//! does (the Debian registry has none), the push scope asked of a token server, upload
//! locations in every form registries send them, and credentials kept from other hosts.

mod mock;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use serde_json::{json, Map};

use mock::{client, fast, sha, Mock, Reply, Request};
use sbomgen_model::Digest;
use sbomgen_registry::{
    referrers_tag, ClientOptions, Descriptor, ImageIndex, ImageManifest, Login, Reference,
    ReferrersVia, RegistryError, EMPTY_JSON, MEDIA_OCI_EMPTY, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};

const SPDX: &str = "application/spdx+json";
const CYCLONEDX: &str = "application/vnd.cyclonedx+json";

fn reference(addr: &str, rest: &str) -> Reference {
    format!("{addr}/{rest}").parse().unwrap()
}

fn subject() -> Descriptor {
    Descriptor::of(MEDIA_OCI_MANIFEST, br#"{"schemaVersion":2,"the":"image"}"#)
}

/// An SBOM artifact manifest referring to [`subject`].
fn artifact(artifact_type: &str, sbom: &[u8]) -> ImageManifest {
    let mut layer = Descriptor::of(artifact_type, sbom);
    layer
        .annotations
        .insert("org.opencontainers.image.title".into(), "sbom.json".into());
    ImageManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.into()),
        artifact_type: Some(artifact_type.into()),
        config: Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON),
        layers: vec![layer],
        subject: Some(subject()),
        annotations: BTreeMap::from([(
            "org.opencontainers.image.created".to_string(),
            "2026-01-01T00:00:00Z".to_string(),
        )]),
        extra: Map::new(),
    }
}

fn index_reply(index: &serde_json::Value) -> Reply {
    Reply::ok(index.to_string()).with("Content-Type", MEDIA_OCI_INDEX)
}

fn entry(digest: &Digest, artifact_type: &str) -> serde_json::Value {
    json!({"mediaType": MEDIA_OCI_MANIFEST, "digest": digest, "size": 10, "artifactType": artifact_type})
}

#[test]
fn a_registry_with_the_referrers_api_indexes_pushes_itself() {
    let subject_digest = subject().digest;
    let (spdx, cdx) = (sha(b"spdx"), sha(b"cdx"));
    let mock = Mock::start(move |req| {
        let path = req.path_only();
        if req.method == "PUT" && path.starts_with("/v2/app/manifests/sha256:") {
            let digest = sha(&req.body);
            return Reply::status(201, "")
                .with("Docker-Content-Digest", digest.as_str())
                .with("OCI-Subject", subject().digest.as_str());
        }
        if path == format!("/v2/app/referrers/{}", subject().digest) {
            // Two pages, the second behind a relative `Link`; no filter applied.
            return match req.query("page").as_deref() {
                None => index_reply(&json!({
                    "schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
                    "manifests": [entry(&sha(b"spdx"), SPDX)],
                }))
                .with(
                    "Link",
                    &format!(
                        r#"</v2/app/referrers/{}?page=2>; rel="next""#,
                        subject().digest
                    ),
                ),
                Some(_) => index_reply(&json!({
                    "schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
                    "manifests": [entry(&sha(b"cdx"), CYCLONEDX)],
                })),
            };
        }
        Reply::status(404, "unexpected")
    });
    let c = client(&fast());
    let r = reference(&mock.addr, "app:1");

    let manifest = artifact(SPDX, b"{}");
    let digest = c.push_referrer(&r, &manifest).unwrap();
    assert_eq!(digest, sha(&manifest.to_json()));
    let puts: Vec<Request> = mock
        .requests()
        .into_iter()
        .filter(|q| q.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "the artifact only, no referrers tag");
    assert_eq!(puts[0].path, format!("/v2/app/manifests/{digest}"));
    assert_eq!(puts[0].header("content-type"), Some(MEDIA_OCI_MANIFEST));
    assert_eq!(puts[0].body, manifest.to_json());
    let tag = referrers_tag(&subject_digest);
    assert!(
        mock.requests().iter().all(|q| !q.path.contains(&tag)),
        "{:?}",
        mock.requests()
    );

    let all = c.referrers(&r, &subject_digest, None).unwrap();
    assert_eq!(all.via, ReferrersVia::Api);
    let digests: Vec<_> = all.descriptors.iter().map(|d| d.digest.clone()).collect();
    assert_eq!(digests, vec![spdx, cdx.clone()]);
    let request = mock
        .requests()
        .into_iter()
        .find(|q| q.path.contains("/referrers/"))
        .unwrap();
    assert_eq!(request.header("accept"), Some(MEDIA_OCI_INDEX));

    // The server applied no filter (no OCI-Filters-Applied): the client does.
    let only = c.referrers(&r, &subject_digest, Some(CYCLONEDX)).unwrap();
    assert_eq!(only.via, ReferrersVia::Api);
    assert_eq!(only.descriptors.len(), 1);
    assert_eq!(only.descriptors[0].digest, cdx);
    let asked = mock
        .requests()
        .into_iter()
        .rev()
        .find(|q| q.path.contains("artifactType="))
        .unwrap();
    assert!(
        asked
            .path
            .contains("artifactType=application%2Fvnd.cyclonedx%2Bjson"),
        "{}",
        asked.path
    );
    assert_eq!(asked.query("artifactType").as_deref(), Some(CYCLONEDX));
    assert!(mock.requests().iter().all(|q| !q.path.contains(&tag)));
}

#[test]
fn a_server_side_filter_is_trusted_and_other_failures_are_not_a_fallback() {
    let mock = Mock::start(|req| {
        if req.path.contains("/referrers/") {
            // Claims to have filtered: the client keeps what it was given.
            return index_reply(&json!({
                "schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
                "manifests": [entry(&sha(b"a"), SPDX), entry(&sha(b"b"), "other")],
            }))
            .with("OCI-Filters-Applied", "artifactType");
        }
        Reply::status(404, "")
    });
    let r = reference(&mock.addr, "app:1");
    let got = client(&fast())
        .referrers(&r, &sha(b"s"), Some(SPDX))
        .unwrap();
    assert_eq!((got.via, got.descriptors.len()), (ReferrersVia::Api, 2));

    // 503s are retried and then reported, never taken for "no referrers API".
    let mock = Mock::start(|_| Reply::status(503, "busy"));
    let r = reference(&mock.addr, "app:1");
    let subject = sha(b"s");
    let err = client(&fast()).referrers(&r, &subject, None).unwrap_err();
    assert!(
        matches!(err.root(), RegistryError::Status { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(&format!(
            "cannot list referrers of {subject} in {}/app: ",
            mock.addr
        )),
        "{err}"
    );
    assert_eq!(mock.count("/v2/app/manifests/"), 0);
}

#[test]
fn without_the_api_readers_fall_back_to_the_tag_on_404_405_400_or_a_non_index() {
    for answer in [404u16, 405, 400, 200] {
        let tag = referrers_tag(&sha(b"s"));
        let mock = Mock::start(move |req| {
            if req.path.contains("/referrers/") {
                return match answer {
                    // A catch-all page answering 200 with HTML is not the API.
                    200 => Reply::ok("<html>hello</html>").with("Content-Type", "text/html"),
                    status => Reply::status(status, "404 page not found")
                        .with("Content-Type", "text/plain; charset=utf-8"),
                };
            }
            if req.path == format!("/v2/app/manifests/{tag}") {
                return index_reply(&json!({
                    "schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
                    "manifests": [entry(&sha(b"a"), SPDX), entry(&sha(b"b"), CYCLONEDX)],
                }));
            }
            Reply::status(404, "")
        });
        let r = reference(&mock.addr, "app:1");
        let c = client(&fast());
        let got = c.referrers(&r, &sha(b"s"), Some(SPDX)).unwrap();
        assert_eq!(got.via, ReferrersVia::Tag, "{answer}");
        assert_eq!(got.descriptors.len(), 1, "{answer}");
        assert_eq!(got.descriptors[0].digest, sha(b"a"));
        let fallback = mock
            .requests()
            .into_iter()
            .find(|q| q.path.contains("/manifests/"))
            .unwrap();
        assert_eq!(fallback.header("accept"), Some(MEDIA_OCI_INDEX));
        // No tag at all: no referrers.
        let none = c.referrers(&r, &sha(b"other"), None).unwrap();
        assert_eq!((none.via, none.descriptors.len()), (ReferrersVia::Tag, 0));
    }
}

#[test]
fn the_referrers_tag_keeps_what_others_wrote() {
    let existing = json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_OCI_INDEX,
        "manifests": [{
            "mediaType": MEDIA_OCI_MANIFEST, "digest": sha(b"theirs"), "size": 5,
            "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
            "x-vendor": {"kept": true},
        }],
        "annotations": {"vendor": "x"},
        "x-top": [1, 2, 3],
    });
    let tag = referrers_tag(&subject().digest);
    let stored: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
    let inner = stored.clone();
    let mock = Mock::start(move |req| {
        let path = req.path_only();
        if path == format!("/v2/app/manifests/{tag}") && req.method == "GET" {
            return index_reply(&existing);
        }
        if path == format!("/v2/app/manifests/{tag}") && req.method == "PUT" {
            *inner.lock().unwrap() = Some(req.body.clone());
            return Reply::status(201, "");
        }
        if req.method == "PUT" {
            // A registry without the API: no OCI-Subject.
            return Reply::status(201, "").with("Docker-Content-Digest", sha(&req.body).as_str());
        }
        Reply::status(404, "")
    });
    let r = reference(&mock.addr, "app:1");
    let mut manifest = artifact(CYCLONEDX, b"{}");
    // Without artifactType the descriptor takes the config's media type.
    manifest.artifact_type = None;
    manifest.config = Descriptor::of("application/vnd.example.config+json", b"{}");
    let digest = client(&fast()).push_referrer(&r, &manifest).unwrap();

    let put = stored.lock().unwrap().clone().expect("the tag was written");
    let index = ImageIndex::from_json(&put).unwrap();
    assert_eq!(index.media_type.as_deref(), Some(MEDIA_OCI_INDEX));
    assert_eq!(index.extra["x-top"], json!([1, 2, 3]));
    assert_eq!(index.annotations["vendor"], "x");
    assert_eq!(index.manifests.len(), 2);
    assert_eq!(index.manifests[0].extra["x-vendor"], json!({"kept": true}));
    let added = &index.manifests[1];
    assert_eq!(added.digest, digest);
    assert_eq!(added.size, manifest.to_json().len() as u64);
    assert_eq!(added.media_type, MEDIA_OCI_MANIFEST);
    assert_eq!(
        added.artifact_type.as_deref(),
        Some("application/vnd.example.config+json")
    );
    assert_eq!(added.annotations, manifest.annotations);
    let put_request = mock
        .requests()
        .into_iter()
        .find(|q| q.method == "PUT" && q.path.contains("sha256-"))
        .unwrap();
    assert_eq!(put_request.header("content-type"), Some(MEDIA_OCI_INDEX));
}

#[test]
fn a_manifest_without_subject_or_above_4_mib_is_refused_before_sending() {
    let mock = Mock::start(|_| Reply::status(500, ""));
    let c = client(&fast());
    let r = reference(&mock.addr, "app:1");
    let mut manifest = artifact(SPDX, b"{}");
    manifest.subject = None;
    let err = c.push_referrer(&r, &manifest).unwrap_err();
    assert!(matches!(err, RegistryError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("no subject"), "{err}");

    let big = vec![b' '; 4 * 1024 * 1024 + 1];
    let err = c
        .push_manifest(&r, Some("big"), &big, MEDIA_OCI_MANIFEST)
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 4194304, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "manifest {} (4194305 bytes, not pushed) of {}/app:big is larger than the \
             4194304-byte limit",
            sha(&big),
            mock.addr
        )
    );
    assert!(mock.requests().is_empty());
}

/// A token-protected registry whose token server grants `push-tok` for a scope with push and
/// `pull-tok` otherwise; writes need `push-tok`. The challenge names only the pull scope, as
/// some registries do: the client must still ask for push.
fn push_token_registry(scopes: Arc<Mutex<Vec<Vec<String>>>>) -> Mock {
    let addr = Arc::new(OnceLock::<String>::new());
    let inner = addr.clone();
    let mock = Mock::start(move |req| {
        let realm = format!("http://{}/token", inner.get().unwrap());
        if req.path.starts_with("/token") {
            let asked = req.query_all("scope");
            let push = asked.iter().any(|s| s.ends_with(":pull,push"));
            scopes.lock().unwrap().push(asked);
            let token = if push { "push-tok" } else { "pull-tok" };
            return Reply::ok(format!(r#"{{"token":"{token}"}}"#));
        }
        let auth = req.header("authorization");
        let allowed = match req.method.as_str() {
            "GET" => matches!(auth, Some("Bearer pull-tok" | "Bearer push-tok")),
            _ => auth == Some("Bearer push-tok"),
        };
        if !allowed {
            return Reply::status(401, "").with(
                "WWW-Authenticate",
                &format!(r#"Bearer realm="{realm}",service="mock",scope="repository:app:pull""#),
            );
        }
        match req.method.as_str() {
            "GET" => Reply::ok(b"{}".to_vec()).with("Content-Type", MEDIA_OCI_MANIFEST),
            "HEAD" => Reply::status(404, ""),
            "POST" => Reply::status(202, "").with("Location", "/v2/app/blobs/uploads/u1"),
            _ => Reply::status(201, ""),
        }
    });
    addr.set(mock.addr.clone()).unwrap();
    mock
}

#[test]
fn a_push_asks_the_token_server_for_pull_and_push() {
    let scopes = Arc::new(Mutex::new(Vec::new()));
    let mock = push_token_registry(scopes.clone());
    let c = client(&fast());
    let r = reference(&mock.addr, "app:1");
    c.fetch_manifest(&r, &[MEDIA_OCI_MANIFEST]).unwrap();
    c.push_blob(&r, b"layer").unwrap();
    c.push_manifest(&r, Some("2"), b"{}", MEDIA_OCI_MANIFEST)
        .unwrap();
    // Pulls keep their pull token.
    c.fetch_manifest(&r, &[MEDIA_OCI_MANIFEST]).unwrap();

    assert_eq!(
        *scopes.lock().unwrap(),
        vec![
            vec!["repository:app:pull".to_string()],
            vec!["repository:app:pull,push".to_string()],
        ],
        "one pull token, one push token, each fetched once"
    );
    let writes: Vec<Request> = mock
        .requests()
        .into_iter()
        .filter(|q| q.method != "GET" && q.header("authorization").is_some())
        .collect();
    assert!(!writes.is_empty());
    assert!(
        writes
            .iter()
            .all(|q| q.header("authorization") == Some("Bearer push-tok")),
        "a pull token was sent with a write: {writes:?}"
    );
}

/// A registry that answers the upload POST with `location` (`{addr}` replaced by its
/// address) and records the PUT.
fn upload_registry(location: &'static str) -> Mock {
    let addr = Arc::new(OnceLock::<String>::new());
    let inner = addr.clone();
    let mock = Mock::start(move |req| match req.method.as_str() {
        "HEAD" => Reply::status(404, r#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#),
        "POST" if req.path == "/v2/ns/app/blobs/uploads/" => Reply::status(202, "").with(
            "Location",
            &location.replace("{addr}", inner.get().unwrap()),
        ),
        "PUT" => Reply::status(201, "").with(
            "Docker-Content-Digest",
            req.query("digest").unwrap_or_default().as_str(),
        ),
        _ => Reply::status(404, ""),
    });
    addr.set(mock.addr.clone()).unwrap();
    mock
}

#[test]
fn upload_locations_relative_absolute_with_and_without_a_query() {
    let blob = b"an sbom".to_vec();
    let digest = sha(&blob);
    for (location, path, state) in [
        (
            "/v2/ns/app/blobs/uploads/u1",
            "/v2/ns/app/blobs/uploads/u1",
            None,
        ),
        (
            "/v2/ns/app/blobs/uploads/u2?_state=a%2Bb%3D%3D",
            "/v2/ns/app/blobs/uploads/u2",
            Some("a+b=="),
        ),
        (
            "http://{addr}/v2/ns/app/blobs/uploads/u3",
            "/v2/ns/app/blobs/uploads/u3",
            None,
        ),
        (
            "http://{addr}/v2/ns/app/blobs/uploads/u4?_state=xyz",
            "/v2/ns/app/blobs/uploads/u4",
            Some("xyz"),
        ),
        // Relative to the POST's URL, not to the registry root.
        ("u5?_state=s", "/v2/ns/app/blobs/uploads/u5", Some("s")),
    ] {
        let mock = upload_registry(location);
        let got = client(&fast())
            .push_blob(&reference(&mock.addr, "ns/app:1"), &blob)
            .unwrap();
        assert_eq!(got, digest);
        let requests = mock.requests();
        let methods: Vec<_> = requests.iter().map(|q| q.method.as_str()).collect();
        assert_eq!(methods, ["HEAD", "POST", "PUT"], "{location}");
        assert_eq!(requests[0].path, format!("/v2/ns/app/blobs/{digest}"));
        assert_eq!(requests[1].header("content-length"), Some("0"));
        let put = &requests[2];
        assert_eq!(put.path_only(), path, "{location}");
        assert_eq!(
            put.query_all("digest"),
            vec![digest.to_string()],
            "{location}"
        );
        assert_eq!(put.query("_state").as_deref(), state, "{location}");
        assert_eq!(put.header("content-type"), Some("application/octet-stream"));
        assert_eq!(put.body, blob);
    }
}

#[test]
fn a_blob_the_registry_has_is_not_uploaded_and_a_digest_lie_is_caught() {
    let mock = Mock::start(|req| match req.method.as_str() {
        "HEAD" => Reply::status(200, ""),
        _ => Reply::status(500, ""),
    });
    let digest = client(&fast())
        .push_blob(&reference(&mock.addr, "app:1"), b"x")
        .unwrap();
    assert_eq!(digest, sha(b"x"));
    assert_eq!(mock.requests().len(), 1);

    let mock = Mock::start(|req| match req.method.as_str() {
        "PUT" => Reply::status(201, "").with("Docker-Content-Digest", sha(b"other").as_str()),
        _ => Reply::status(404, ""),
    });
    let err = client(&fast())
        .push_manifest(
            &reference(&mock.addr, "app:1"),
            Some("t"),
            b"{}",
            MEDIA_OCI_MANIFEST,
        )
        .unwrap_err();
    assert!(
        matches!(err.root(), RegistryError::DigestMismatch { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(&format!(
            "cannot push manifest {} to {}/app:t: ",
            sha(b"{}"),
            mock.addr
        )),
        "{err}"
    );
}

#[test]
fn credentials_are_not_sent_to_an_upload_location_on_another_host() {
    let storage = Mock::start(|_| Reply::status(201, ""));
    let storage_addr = storage.addr.clone();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:secret")
    );
    let registry = Mock::start(move |req| {
        if req.header("authorization") != Some(basic.as_str()) {
            return Reply::status(401, "").with("WWW-Authenticate", r#"Basic realm="r""#);
        }
        match req.method.as_str() {
            "HEAD" => Reply::status(404, ""),
            "POST" => Reply::status(202, "").with(
                "Location",
                &format!("http://{storage_addr}/upload/1?sig=abc"),
            ),
            _ => Reply::status(500, ""),
        }
    });
    let options = ClientOptions {
        login: Some(Login {
            username: "user".into(),
            password: "secret".into(),
        }),
        ..fast()
    };
    client(&options)
        .push_blob(&reference(&registry.addr, "app:1"), b"blob")
        .unwrap();
    let put = &storage.requests()[0];
    assert_eq!(put.path_only(), "/upload/1");
    assert_eq!(put.query("sig").as_deref(), Some("abc"));
    assert_eq!(put.header("authorization"), None);
}
