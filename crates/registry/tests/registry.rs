//! Pushes and referrers against Debian's real `docker-registry` (distribution 2.8, which has
//! no referrers API): blobs uploaded once, artifacts attached through the referrers tag and
//! found again, the manifest size limit, basic auth. Skipped (or failing under `CI`) when the
//! registry tools are missing, as `registry_tests_can_run` says.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Map;

use sbomgen_model::Digest;
use sbomgen_registry::{
    referrers_tag, ClientOptions, Descriptor, ImageIndex, ImageManifest, Login, Reference,
    ReferrersVia, RegistryClient, RegistryError, RetryPolicy, EMPTY_JSON, MANIFEST_ACCEPT,
    MEDIA_OCI_EMPTY, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
use sbomgen_testkit::registry::{
    registry_tests_can_run, BearerProxy, LoggedRequest, Registry, RegistryOptions,
};
use sbomgen_testkit::{write_oci_dir, Compression, Entry, ImageSpec, LayerSpec, Platform};

const SPDX: &str = "application/spdx+json";
const CYCLONEDX: &str = "application/vnd.cyclonedx+json";
const PASSWORD: &str = "pw-MARKER-c41e";

fn options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        ..ClientOptions::default()
    }
}

fn client(options: &ClientOptions) -> RegistryClient {
    RegistryClient::new(options).unwrap()
}

fn start(options: RegistryOptions) -> Option<Registry> {
    registry_tests_can_run().then(|| Registry::start(options).unwrap())
}

fn reference(registry: &Registry, name: &str) -> Reference {
    registry.reference(name).parse().unwrap()
}

/// Pushes a one-layer image with skopeo as `<repository>:1` and returns its manifest digest
/// as the registry serves it.
fn push_image(registry: &Registry, c: &RegistryClient, repository: &str) -> Descriptor {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("image.oci");
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(
        LayerSpec::new(Compression::None).entry(Entry::file("etc/hello", b"hello".to_vec())),
    );
    let built = write_oci_dir(&layout, "1", &[spec]).unwrap();
    registry
        .push_oci_dir(&layout, "1", &format!("{repository}:1"))
        .unwrap();
    let fetched = c
        .fetch_manifest(
            &reference(registry, &format!("{repository}:1")),
            MANIFEST_ACCEPT,
        )
        .unwrap();
    assert_eq!(fetched.digest, built.images[0].manifest_digest);
    let mut descriptor = Descriptor::of(MEDIA_OCI_MANIFEST, &fetched.bytes);
    descriptor.digest = fetched.digest;
    descriptor
}

/// Pushes an SBOM artifact's blobs (empty config, the document) and returns its manifest.
fn sbom_artifact(
    c: &RegistryClient,
    r: &Reference,
    subject: &Descriptor,
    artifact_type: &str,
    sbom: &[u8],
) -> ImageManifest {
    let empty = Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON);
    assert_eq!(c.push_blob(r, EMPTY_JSON).unwrap(), empty.digest);
    let layer = Descriptor::of(artifact_type, sbom);
    assert_eq!(c.push_blob(r, sbom).unwrap(), layer.digest);
    ImageManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.into()),
        artifact_type: Some(artifact_type.into()),
        config: empty,
        layers: vec![layer],
        subject: Some(subject.clone()),
        annotations: BTreeMap::from([
            (
                "org.opencontainers.image.created".to_string(),
                "2026-01-01T00:00:00Z".to_string(),
            ),
            ("dev.sbomgen.format".to_string(), artifact_type.to_string()),
        ]),
        extra: Map::new(),
    }
}

/// The registry's request log once `ready` holds for it (lines are written just after the
/// response), or a failure showing the log.
fn requests_when(
    registry: &Registry,
    ready: impl Fn(&[LoggedRequest]) -> bool,
) -> Vec<LoggedRequest> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let requests = registry.requests();
        if ready(&requests) {
            return requests;
        }
        assert!(Instant::now() < deadline, "{requests:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn count(requests: &[LoggedRequest], method: &str, uri_prefix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.method == method && r.uri.starts_with(uri_prefix))
        .count()
}

#[test]
fn a_blob_is_uploaded_once_then_found_by_head() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let c = client(&options());
    let r = reference(&registry, "blobs:1");
    let bytes = b"{\"spdxVersion\":\"SPDX-2.3\"}".to_vec();
    let first = c.push_blob(&r, &bytes).unwrap();
    let second = c.push_blob(&r, &bytes).unwrap();
    assert_eq!(first, second);
    assert_eq!(first, Descriptor::of(SPDX, &bytes).digest);
    assert_eq!(
        c.fetch_blob_bytes(&r, &first, Some(bytes.len() as u64), 1 << 20)
            .unwrap(),
        bytes
    );
    assert!(registry.blob_data(&first).is_file());

    let head = format!("/v2/blobs/blobs/{first}");
    let requests = requests_when(&registry, |log| {
        log.iter()
            .any(|q| q.method == "HEAD" && q.uri == head && q.status == 200)
    });
    assert_eq!(
        count(&requests, "POST", "/v2/blobs/blobs/uploads/"),
        1,
        "{requests:#?}"
    );
    assert_eq!(
        count(&requests, "PUT", "/v2/blobs/blobs/uploads/"),
        1,
        "{requests:#?}"
    );
    assert_eq!(count(&requests, "HEAD", &head), 2, "{requests:#?}");
}

#[test]
fn referrers_are_kept_in_the_referrers_tag_and_found_again() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let c = client(&options());
    let subject = push_image(&registry, &c, "app");
    let r: Reference = format!("{}@{}", registry.reference("app"), subject.digest)
        .parse()
        .unwrap();

    let spdx = sbom_artifact(&c, &r, &subject, SPDX, br#"{"spdxVersion":"SPDX-2.3"}"#);
    let cdx = sbom_artifact(&c, &r, &subject, CYCLONEDX, br#"{"bomFormat":"CycloneDX"}"#);
    let spdx_digest = c.push_referrer(&r, &spdx).unwrap();
    let cdx_digest = c.push_referrer(&r, &cdx).unwrap();
    // Pushing the same artifact again lists it once.
    assert_eq!(c.push_referrer(&r, &spdx).unwrap(), spdx_digest);

    // The artifact is stored byte for byte, under its digest.
    let mut pinned = r.clone();
    pinned.digest = Some(spdx_digest.clone());
    let stored = c.fetch_manifest(&pinned, &[MEDIA_OCI_MANIFEST]).unwrap();
    assert_eq!(stored.bytes, spdx.to_json());

    // The referrers tag: an OCI index listing both, with artifactType and annotations.
    let tag = referrers_tag(&subject.digest);
    assert_eq!(tag, format!("sha256-{}", subject.digest.hex()));
    let tagged = reference(&registry, &format!("app:{tag}"));
    let fetched = c.fetch_manifest(&tagged, &[MEDIA_OCI_INDEX]).unwrap();
    assert_eq!(fetched.media_type.as_deref(), Some(MEDIA_OCI_INDEX));
    let index = ImageIndex::from_json(&fetched.bytes).unwrap();
    assert_eq!(index.media_type.as_deref(), Some(MEDIA_OCI_INDEX));
    let listed: Vec<_> = index
        .manifests
        .iter()
        .map(|d| (d.digest.clone(), d.artifact_type.clone().unwrap()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (spdx_digest.clone(), SPDX.to_string()),
            (cdx_digest.clone(), CYCLONEDX.to_string())
        ]
    );
    assert_eq!(index.manifests[0].annotations, spdx.annotations);
    assert_eq!(index.manifests[1].annotations, cdx.annotations);
    assert_eq!(index.manifests[0].size, spdx.to_json().len() as u64);
    assert_eq!(index.manifests[0].media_type, MEDIA_OCI_MANIFEST);

    // The third push found its digest listed and wrote nothing.
    let tag_uri = format!("/v2/app/manifests/{tag}");
    let requests = requests_when(&registry, |log| count(log, "GET", &tag_uri) >= 3);
    assert_eq!(count(&requests, "PUT", &tag_uri), 2, "{requests:#?}");

    // Read back through the client: no referrers API here, so the tag.
    let all = c.referrers(&r, &subject.digest, None).unwrap();
    assert_eq!(all.via, ReferrersVia::Tag);
    assert_eq!(all.descriptors, index.manifests);
    let only = c.referrers(&r, &subject.digest, Some(CYCLONEDX)).unwrap();
    assert_eq!(only.via, ReferrersVia::Tag);
    assert_eq!(only.descriptors.len(), 1);
    assert_eq!(only.descriptors[0].digest, cdx_digest);
    let none = c
        .referrers(&r, &Descriptor::of("x", b"no such image").digest, None)
        .unwrap();
    assert_eq!((none.via, none.descriptors.len()), (ReferrersVia::Tag, 0));

    // Cleanup removes a descriptor from the tag, and nothing when there is nothing to remove.
    assert_eq!(
        c.remove_referrers(&r, &subject.digest, std::slice::from_ref(&spdx_digest))
            .unwrap(),
        1
    );
    assert_eq!(
        c.remove_referrers(&r, &subject.digest, &[spdx_digest])
            .unwrap(),
        0
    );
    let left = c.referrers(&r, &subject.digest, None).unwrap();
    assert_eq!(left.descriptors.len(), 1);
    assert_eq!(left.descriptors[0].digest, cdx_digest);

    // The image itself is untouched.
    assert_eq!(
        c.fetch_manifest(&reference(&registry, "app:1"), MANIFEST_ACCEPT)
            .unwrap()
            .digest,
        subject.digest
    );
}

#[test]
fn manifests_and_referrers_indexes_above_4_mib_are_refused() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let c = client(&options());
    let r = reference(&registry, "big:1");
    c.push_blob(&r, EMPTY_JSON).unwrap();
    let image = ImageManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.into()),
        artifact_type: Some("application/vnd.example+json".into()),
        config: Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON),
        layers: vec![Descriptor::of(MEDIA_OCI_EMPTY, EMPTY_JSON)],
        subject: None,
        annotations: BTreeMap::new(),
        extra: Map::new(),
    };
    let pushed = c
        .push_manifest(&r, Some("1"), &image.to_json(), MEDIA_OCI_MANIFEST)
        .unwrap();
    assert_eq!(pushed.oci_subject, None);
    assert_eq!(pushed.digest, Descriptor::of("x", &image.to_json()).digest);
    let subject = Descriptor {
        digest: pushed.digest.clone(),
        ..Descriptor::of(MEDIA_OCI_MANIFEST, &image.to_json())
    };

    // Client-side: nothing is sent.
    let mut huge = image.clone();
    huge.subject = Some(subject.clone());
    huge.annotations
        .insert("padding".into(), "x".repeat(4 << 20));
    let err = c.push_referrer(&r, &huge).unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { limit: 4194304, .. }),
        "{err:?}"
    );
    let requests = registry.requests();
    assert_eq!(
        count(&requests, "PUT", "/v2/big/manifests/sha256:"),
        0,
        "{requests:#?}"
    );

    // Each artifact fits, but the referrers index listing both (annotations are copied in)
    // would not: the second push says so, naming the tag, and that its manifest is pushed.
    let mut first = image.clone();
    first.subject = Some(subject.clone());
    first
        .annotations
        .insert("padding".into(), "a".repeat(2_500_000));
    let mut second = first.clone();
    second
        .annotations
        .insert("padding".into(), "b".repeat(2_500_000));
    c.push_referrer(&r, &first).unwrap();
    let err = c.push_referrer(&r, &second).unwrap_err();
    let tag = referrers_tag(&subject.digest);
    let second_digest = Descriptor::of("x", &second.to_json()).digest;
    match &err {
        RegistryError::ReferrersIndexTooLarge {
            tag: t,
            limit,
            pushed,
            ..
        } => {
            assert_eq!((t, *limit, pushed), (&tag, 4194304, &second_digest));
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot update referrers tag {tag}")),
        "{text}"
    );
    assert!(text.contains("4194304-byte"), "{text}");
    assert!(
        text.contains(&format!("{second_digest} was pushed")),
        "{text}"
    );
    // The tag still lists the first one.
    let listed = c.referrers(&r, &subject.digest, None).unwrap();
    assert_eq!(listed.descriptors.len(), 1);
}

#[test]
fn pushes_with_basic_auth_and_a_wrong_password_is_unauthorized() {
    let Some(registry) = start(RegistryOptions::default().basic_auth("user", PASSWORD)) else {
        return;
    };
    let login = |password: &str| ClientOptions {
        login: Some(Login {
            username: "user".into(),
            password: password.into(),
        }),
        ..options()
    };
    let c = client(&login(PASSWORD));
    let subject = push_image(&registry, &c, "private");
    let r: Reference = format!("{}@{}", registry.reference("private"), subject.digest)
        .parse()
        .unwrap();
    let artifact = sbom_artifact(&c, &r, &subject, SPDX, b"{\"spdx\":1}");
    let digest = c.push_referrer(&r, &artifact).unwrap();
    let found = c.referrers(&r, &subject.digest, Some(SPDX)).unwrap();
    assert_eq!(found.descriptors.len(), 1);
    assert_eq!(found.descriptors[0].digest, digest);

    let wrong = client(&login("not-the-password"));
    let err = wrong.push_blob(&r, b"new blob").unwrap_err();
    assert!(
        matches!(err.root(), RegistryError::Unauthorized { .. }),
        "{err:?}"
    );
    let blob = Descriptor::of("x", b"new blob").digest;
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot push blob {blob} to {}: registry {}: unauthorized (401)",
            registry.reference("private"),
            registry.host()
        )),
        "{text}"
    );
    assert!(!format!("{err:?}").contains(PASSWORD));
    let err = wrong.push_referrer(&r, &artifact).unwrap_err();
    assert!(
        matches!(err.root(), RegistryError::Unauthorized { .. }),
        "{err:?}"
    );
    let err = client(&options())
        .referrers(&r, &subject.digest, None)
        .unwrap_err();
    assert!(
        matches!(err.root(), RegistryError::Unauthorized { .. }),
        "{err:?}"
    );
}

#[test]
fn an_optional_fetch_of_a_missing_tag_or_repository_is_none() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let c = client(&options());
    push_image(&registry, &c, "present");
    let found = c
        .fetch_manifest_optional(&reference(&registry, "present:1"), MANIFEST_ACCEPT)
        .unwrap();
    assert!(found.is_some());
    for missing in ["present:nope", "absent:1"] {
        let got = c
            .fetch_manifest_optional(&reference(&registry, missing), MANIFEST_ACCEPT)
            .unwrap();
        assert!(got.is_none(), "{missing}");
    }
    let digest: Digest = Descriptor::of("x", b"nothing").digest;
    let mut by_digest = reference(&registry, "present");
    by_digest.digest = Some(digest);
    assert!(c
        .fetch_manifest_optional(&by_digest, MANIFEST_ACCEPT)
        .unwrap()
        .is_none());
}

#[test]
fn pushes_through_a_token_server_ask_for_the_push_scope() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let proxy = BearerProxy::start(registry.addr(), "user", PASSWORD).unwrap();
    let c = client(&ClientOptions {
        login: Some(Login {
            username: "user".into(),
            password: PASSWORD.into(),
        }),
        ..options()
    });
    let subject = push_image(&registry, &client(&options()), "tokens");
    let r: Reference = format!("{}/tokens@{}", proxy.host(), subject.digest)
        .parse()
        .unwrap();
    let artifact = sbom_artifact(&c, &r, &subject, SPDX, b"{\"spdx\":2}");
    c.push_referrer(&r, &artifact).unwrap();
    let found = c.referrers(&r, &subject.digest, None).unwrap();
    assert_eq!(found.descriptors.len(), 1);

    let scopes: Vec<_> = proxy
        .token_requests()
        .into_iter()
        .map(|t| (t.scope.unwrap_or_default(), t.granted))
        .collect();
    // The proxy's challenges name only `pull`; writes still get a push token, once.
    assert_eq!(
        scopes,
        vec![
            ("repository:tokens:pull,push".to_string(), true),
            ("repository:tokens:pull".to_string(), true),
        ]
    );
}
