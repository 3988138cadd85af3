//! Signing, attaching, verifying and downloading SBOM attestations: the real binary against
//! Debian's `docker-registry` (no referrers API, so the referrers tag schema is exercised), with
//! key files written by `generate-key-pair`.
//!
//! Forged attestations are built with the library crates and pushed beside the image the way a
//! hostile writer with registry access could; `verify` must reject each with its reason. The
//! envelopes the binary signs are also checked by Python's `securesystemslib` (code we did not
//! write) when it is installed, as `scripts/test.sh` does in CI.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sbomgen_attach::artifacts::{
    append_att, legacy_tag, ANNOTATION_BUNDLE_CONTENT, ANNOTATION_BUNDLE_PREDICATE_TYPE,
    ANNOTATION_COSIGN_SIGNATURE, ANNOTATION_PREDICATE_TYPE, MEDIA_CYCLONEDX_JSON,
    MEDIA_DSSE_ENVELOPE,
};
use sbomgen_attest::bundle::MEDIA_BUNDLE_V03;
use sbomgen_attest::dsse::Envelope;
use sbomgen_attest::statement::{PREDICATE_CYCLONEDX, PREDICATE_SPDX};
use sbomgen_model::Digest;
use sbomgen_registry::{ClientOptions, Reference, RegistryClient, MEDIA_OCI_MANIFEST};
use sbomgen_testkit::python::DsseVerifier;
use sbomgen_testkit::registry::{
    http_get, registry_tests_can_run, write_docker_config, Registry, RegistryOptions,
};
use sbomgen_testkit::write_oci_dir;
use serde_json::Value;

use crate::local_sources::{layered_image, linux};

const PASSWORD: &str = "correct horse";
const EPOCH: &str = "1700000000";

/// One run of the binary.
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "sbomgen {:?} failed: {}",
            self.args,
            self.stderr
        );
        self
    }

    /// The message of a run that must have failed cleanly: exit 1, one `error:` line, no
    /// panic, nothing on stdout.
    fn error(&self) -> &str {
        self.error_with(1)
    }

    /// [`Run::error`] with another exit code (`verify`'s 10, 11, 12).
    fn error_with(&self, code: i32) -> &str {
        assert_eq!(
            self.code,
            Some(code),
            "sbomgen {:?} should fail with exit {code}; stdout: {} stderr: {}",
            self.args,
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        let last = self.stderr.trim_end().lines().last().unwrap_or_default();
        assert!(last.starts_with("error: "), "{}", self.stderr);
        assert!(
            self.stdout.is_empty(),
            "no output on failure: {}",
            self.stdout
        );
        last
    }
}

/// A scratch home, Docker config and key directory for every run.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "docker", "keys"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Sandbox { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn key(&self, prefix: &str, ext: &str) -> String {
        self.path("keys")
            .join(format!("{prefix}.{ext}"))
            .to_str()
            .unwrap()
            .to_string()
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("SBOMGEN_PASSWORD")
            .env_remove("COSIGN_PASSWORD")
            .env_remove("SBOMGEN_REGISTRY_USERNAME")
            .env_remove("SBOMGEN_REGISTRY_PASSWORD")
            .env("SBOMGEN_REGISTRY_TIMEOUT", "30")
            .env("HOME", self.path("home"))
            .env("XDG_CACHE_HOME", self.path("home").join(".cache"))
            .env("DOCKER_CONFIG", self.path("docker"))
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("the sbomgen binary runs");
        Run {
            args: args.iter().map(ToString::to_string).collect(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `PREFIX.key` and `PREFIX.pub` under `keys/`, written by the binary.
    fn key_pair(&self, prefix: &str) -> (String, String) {
        let out = self.path("keys").join(prefix);
        self.run(
            &[
                "generate-key-pair",
                "--output-key-prefix",
                out.to_str().unwrap(),
            ],
            &[("COSIGN_PASSWORD", PASSWORD)],
        )
        .ok();
        (self.key(prefix, "key"), self.key(prefix, "pub"))
    }
}

fn start() -> Option<Registry> {
    if !registry_tests_can_run() {
        return None;
    }
    Some(Registry::start(RegistryOptions::default()).expect("the test registry starts"))
}

fn demo_archive() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(sbomgen_testkit::DEMO_FILE)
}

/// Pushes an image as `repo:tag` and returns its manifest digest.
fn push_layered(registry: &Registry, dir: &Path, repo_tag: &str) -> Digest {
    let layout = dir.join(repo_tag.replace([':', '/'], "_"));
    let built = write_oci_dir(&layout, "v1", &[layered_image(linux("amd64"))]).unwrap();
    registry.push_oci_dir(&layout, "v1", repo_tag).unwrap();
    built.images[0].manifest_digest.clone()
}

fn manifest_digest(registry: &Registry, repo: &str, tag: &str) -> Digest {
    let response = http_get(
        registry.addr(),
        &format!("/v2/{repo}/manifests/{tag}"),
        &[("Accept", MEDIA_OCI_MANIFEST)],
    )
    .unwrap();
    assert_eq!(response.status, 200, "{repo}:{tag}");
    let digest = response.header("docker-content-digest").unwrap();
    digest.parse().unwrap()
}

/// A manifest or index from the registry, or `None` for 404.
fn get_json(registry: &Registry, repo: &str, reference: &str) -> Option<Value> {
    let response = http_get(
        registry.addr(),
        &format!("/v2/{repo}/manifests/{reference}"),
        &[(
            "Accept",
            "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json",
        )],
    )
    .unwrap();
    match response.status {
        404 => None,
        200 => Some(serde_json::from_slice(&response.body).unwrap()),
        other => panic!("GET {repo}/{reference}: {other}"),
    }
}

fn get_blob(registry: &Registry, repo: &str, digest: &str) -> Vec<u8> {
    let response = http_get(registry.addr(), &format!("/v2/{repo}/blobs/{digest}"), &[]).unwrap();
    assert_eq!(response.status, 200, "blob {digest}");
    response.body
}

/// The referrers tag schema index of `digest`.
fn referrers_index(registry: &Registry, repo: &str, digest: &Digest) -> Value {
    get_json(registry, repo, &format!("sha256-{}", digest.hex())).expect("the referrers tag exists")
}

fn att_manifest(registry: &Registry, repo: &str, digest: &Digest) -> Option<Value> {
    get_json(registry, repo, &legacy_tag(digest, "att"))
}

/// Each verified statement `verify` printed.
fn statements(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON statement per line"))
        .collect()
}

/// Whether securesystemslib accepts `document` signed by the key in `public_key`.
fn python_accepts(
    verifier: &DsseVerifier,
    public_key: &str,
    document: &[u8],
    bundle: bool,
) -> bool {
    let out = verifier.run(Path::new(public_key), document, bundle);
    eprintln!(
        "verify_dsse.py: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.success()
}

#[test]
fn generate_key_pair_writes_cosign_key_files_and_never_half() {
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    let key = fs::read_to_string(&private).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    assert!(fs::read_to_string(&public)
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the private key is readable by its owner only");

    // Existing files are not replaced without --force.
    let prefix = sandbox.path("keys").join("cosign");
    let again = sandbox.run(
        &[
            "generate-key-pair",
            "--output-key-prefix",
            prefix.to_str().unwrap(),
        ],
        &[("COSIGN_PASSWORD", PASSWORD)],
    );
    assert!(again.error().contains("already exists"), "{}", again.stderr);
    assert_eq!(fs::read_to_string(&private).unwrap(), key);

    // No password and no terminal: an error, and no file at all.
    let other = sandbox.path("keys").join("other");
    let run = sandbox.run(
        &[
            "generate-key-pair",
            "--output-key-prefix",
            other.to_str().unwrap(),
        ],
        &[],
    );
    assert!(run.error().contains("COSIGN_PASSWORD"), "{}", run.stderr);
    assert!(!Path::new(&sandbox.key("other", "key")).exists());
    assert!(!Path::new(&sandbox.key("other", "pub")).exists());
}

#[test]
fn attest_all_modes_then_verify_and_download_the_same_sbom() {
    let Some(registry) = start() else { return };
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let digest = manifest_digest(&registry, "demo", "1");
    let image = registry.reference("demo:1");
    let envelope_file = sandbox.path("envelope.json");

    // By tag: resolved to the digest first, and said so.
    let attest = sandbox.run(
        &[
            "attest",
            "--key",
            &private,
            "--envelope-file",
            envelope_file.to_str().unwrap(),
            &image,
        ],
        &[("COSIGN_PASSWORD", PASSWORD)],
    );
    attest.ok();
    assert!(
        attest.stderr.contains(&format!("resolved to {digest}")),
        "{}",
        attest.stderr
    );

    // Bundle referrer, listed in the referrers tag with artifactType and annotations.
    let index = referrers_index(&registry, "demo", &digest);
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{index}");
    let entry = &entries[0];
    assert_eq!(entry["artifactType"], MEDIA_BUNDLE_V03);
    assert_eq!(
        entry["annotations"][ANNOTATION_BUNDLE_CONTENT],
        "dsse-envelope"
    );
    assert_eq!(
        entry["annotations"][ANNOTATION_BUNDLE_PREDICATE_TYPE],
        PREDICATE_SPDX
    );
    let referrer = get_json(&registry, "demo", entry["digest"].as_str().unwrap()).unwrap();
    assert_eq!(referrer["subject"]["digest"], digest.to_string());
    assert_eq!(
        referrer["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    let bundle_blob = get_blob(
        &registry,
        "demo",
        referrer["layers"][0]["digest"].as_str().unwrap(),
    );
    let bundle: Value = serde_json::from_slice(&bundle_blob).unwrap();
    assert_eq!(bundle["mediaType"], MEDIA_BUNDLE_V03);
    assert!(bundle["verificationMaterial"]["publicKey"]["hint"].is_string());

    // Legacy .att: one DSSE layer with cosign's annotations.
    let att = att_manifest(&registry, "demo", &digest).expect("the .att tag exists");
    let layers = att["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], MEDIA_DSSE_ENVELOPE);
    assert_eq!(layers[0]["annotations"][ANNOTATION_COSIGN_SIGNATURE], "");
    assert_eq!(
        layers[0]["annotations"][ANNOTATION_PREDICATE_TYPE],
        PREDICATE_SPDX
    );
    let att_blob = get_blob(&registry, "demo", layers[0]["digest"].as_str().unwrap());
    assert_eq!(
        att_blob,
        fs::read(&envelope_file).unwrap(),
        "the same envelope"
    );

    // Verify: both places verify, the statement is printed once.
    let verify = sandbox.run(&["verify", "--key", &public, &image], &[]);
    verify.ok();
    assert!(verify.stderr.contains("referrers tag"), "{}", verify.stderr);
    assert!(verify.stderr.contains(".att"), "{}", verify.stderr);
    let printed = statements(&verify);
    assert_eq!(printed.len(), 1, "{}", verify.stdout);
    let statement = &printed[0];
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], PREDICATE_SPDX);
    assert_eq!(statement["subject"][0]["digest"]["sha256"], digest.hex());
    assert_eq!(
        statement["subject"][0]["name"],
        format!("{}/demo", registry.host())
    );
    assert_eq!(statement["predicate"]["spdxVersion"], "SPDX-2.3");
    // By digest and filtered by type too.
    let pinned = format!("{}/demo@{digest}", registry.host());
    sandbox
        .run(
            &["verify", "--key", &public, "--type", "spdxjson", &pinned],
            &[],
        )
        .ok();
    let wrong_type = sandbox.run(
        &["verify", "--key", &public, "--type", "cyclonedx", &pinned],
        &[],
    );
    assert!(
        wrong_type
            .error_with(10)
            .contains("no attestation of type https://cyclonedx.org/bom"),
        "{}",
        wrong_type.stderr
    );

    // Download: the signed document is what a scan of the same digest writes.
    let downloaded = sandbox.path("sbom.spdx.json");
    sandbox
        .run(
            &[
                "download",
                "sbom",
                "--key",
                &public,
                "-o",
                downloaded.to_str().unwrap(),
                &image,
            ],
            &[],
        )
        .ok();
    let scan = sandbox.run(
        &[
            "scan",
            &format!("{}/demo:1@{digest}", registry.host()),
            "-o",
            "spdx-json",
            "-q",
        ],
        &[],
    );
    scan.ok();
    let scanned: Value = serde_json::from_str(&scan.stdout).unwrap();
    let document: Value = serde_json::from_slice(&fs::read(&downloaded).unwrap()).unwrap();
    assert_eq!(
        document, scanned,
        "the attested SBOM is the scan's document"
    );
    assert_eq!(document, statement["predicate"]);

    // Code we did not write agrees with the signature, for the envelope as stored.
    if let Some(verifier) = DsseVerifier::find() {
        assert!(python_accepts(&verifier, &public, &att_blob, false));
        assert!(python_accepts(&verifier, &public, &bundle_blob, true));
        let (_, other_public) = sandbox.key_pair("other");
        assert!(!python_accepts(&verifier, &other_public, &att_blob, false));
    }
}

#[test]
fn legacy_att_appends_replaces_and_bundle_mode_stays_out_of_it() {
    let Some(registry) = start() else { return };
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    let digest = push_layered(&registry, sandbox.dir.path(), "team/app:v1");
    let image = format!("{}/team/app@{digest}", registry.host());
    let password = [("SBOMGEN_PASSWORD", PASSWORD)];

    // Bundle only: a referrer, no .att tag.
    sandbox
        .run(
            &[
                "attest",
                "--key",
                &private,
                "-o",
                "cyclonedx-json",
                "--mode",
                "bundle",
                &image,
            ],
            &password,
        )
        .ok();
    assert!(att_manifest(&registry, "team/app", &digest).is_none());
    let verify = sandbox.run(
        &["verify", "--key", &public, "--type", "cyclonedx", &image],
        &[],
    );
    verify.ok();
    assert_eq!(
        statements(&verify)[0]["predicate"]["bomFormat"],
        "CycloneDX"
    );

    // Legacy twice with two types: the second is appended, not a replacement.
    let attest_legacy = |format: &str, extra: &[&str]| {
        let mut args = vec![
            "attest", "--key", &private, "-o", format, "--mode", "legacy",
        ];
        args.extend_from_slice(extra);
        args.push(&image);
        sandbox.run(&args, &password).ok().stderr.clone()
    };
    attest_legacy("spdx-json", &[]);
    attest_legacy("cyclonedx-json", &[]);
    // The same statement again (same document, deterministic signature) is not a third layer.
    let again = attest_legacy("cyclonedx-json", &[]);
    assert!(again.contains("already held this attestation"), "{again}");
    let att = att_manifest(&registry, "team/app", &digest).unwrap();
    let types = |att: &Value| -> Vec<String> {
        att["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                l["annotations"][ANNOTATION_PREDICATE_TYPE]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(types(&att), [PREDICATE_SPDX, PREDICATE_CYCLONEDX]);
    let config: Value = serde_json::from_slice(&get_blob(
        &registry,
        "team/app",
        att["config"]["digest"].as_str().unwrap(),
    ))
    .unwrap();
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);

    // --replace swaps the SPDX layer, keeps the CycloneDX one. (Another document date: the
    // same document would be signed into the same envelope, RFC 6979 signatures being
    // deterministic.)
    let before = att["layers"][0]["digest"].clone();
    sandbox
        .run(
            &[
                "attest",
                "--key",
                &private,
                "--mode",
                "legacy",
                "--replace",
                &image,
            ],
            &[
                ("SBOMGEN_PASSWORD", PASSWORD),
                ("SOURCE_DATE_EPOCH", "1800000000"),
            ],
        )
        .ok();
    let replaced = att_manifest(&registry, "team/app", &digest).unwrap();
    assert_eq!(types(&replaced), [PREDICATE_CYCLONEDX, PREDICATE_SPDX]);
    assert_ne!(replaced["layers"][1]["digest"], before);

    // All three verify; the CycloneDX statement in the referrer and in the .att tag is the
    // same one (same document, deterministic signature), printed once.
    let verify = sandbox.run(&["verify", "--key", &public, &image], &[]);
    let found = statements(verify.ok());
    assert_eq!(
        verify.stderr.matches("Verified ").count(),
        3,
        "{}",
        verify.stderr
    );
    let mut kinds: Vec<String> = found
        .iter()
        .map(|s| s["predicateType"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    assert_eq!(kinds, [PREDICATE_CYCLONEDX, PREDICATE_SPDX]);
}

#[test]
fn attached_sboms_are_listed_with_every_referrer_and_downloaded() {
    let Some(registry) = start() else { return };
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    let digest = push_layered(&registry, sandbox.dir.path(), "app:1");
    let image = registry.reference("app:1");

    let cdx = sandbox.path("sbom.cdx.json");
    sandbox
        .run(
            &[
                "scan",
                &image,
                "-o",
                &format!("cyclonedx-json={}", cdx.display()),
                "-q",
            ],
            &[],
        )
        .ok();
    sandbox
        .run(&["attach", "--sbom", cdx.to_str().unwrap(), &image], &[])
        .ok();
    sandbox
        .run(
            &["attest", "--key", &private, "--mode", "bundle", &image],
            &[("COSIGN_PASSWORD", PASSWORD)],
        )
        .ok();

    // The referrers tag lists both, each with its artifactType.
    let index = referrers_index(&registry, "app", &digest);
    let mut types: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["artifactType"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(types, [MEDIA_CYCLONEDX_JSON, MEDIA_BUNDLE_V03]);

    // Without a key: the unsigned CycloneDX byte for byte, and the attested SPDX.
    let cdx_only = sandbox.run(&["download", "sbom", "--type", "cyclonedx", &image], &[]);
    assert_eq!(cdx_only.ok().stdout.as_bytes(), fs::read(&cdx).unwrap());
    let all = sandbox.run(&["download", "sbom", &image], &[]);
    // Documents follow each other as stored: a JSON stream, as `jq` reads.
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&all.ok().stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(documents.len(), 2, "{}", all.stderr);
    assert!(documents.iter().any(|d| d["spdxVersion"] == "SPDX-2.3"));
    assert!(documents.iter().any(|d| d["bomFormat"] == "CycloneDX"));

    // With a key only the signed one counts.
    let verified = sandbox.run(&["download", "sbom", "--key", &public, &image], &[]);
    let docs: Vec<&str> = verified.ok().stdout.lines().collect();
    assert_eq!(docs.len(), 1);
    assert!(docs[0].contains("SPDX-2.3"));
    let none = sandbox.run(
        &[
            "download",
            "sbom",
            "--key",
            &public,
            "--type",
            "cyclonedx",
            &image,
        ],
        &[],
    );
    none.error_with(10);

    // Existing documents signed as they are: CycloneDX JSON as an object, SPDX tag-value as
    // cosign's `--type spdx` string.
    let spdx = sandbox.path("sbom.spdx");
    sandbox
        .run(
            &[
                "scan",
                &image,
                "-o",
                &format!("spdx-tag-value={}", spdx.display()),
                "-q",
            ],
            &[],
        )
        .ok();
    for (file, kind) in [(&cdx, "cyclonedx"), (&spdx, "spdx")] {
        sandbox
            .run(
                &[
                    "attest",
                    "--key",
                    &private,
                    "--predicate",
                    file.to_str().unwrap(),
                    "--type",
                    kind,
                    "--mode",
                    "legacy",
                    &image,
                ],
                &[("COSIGN_PASSWORD", PASSWORD)],
            )
            .ok();
    }
    let cdx_signed = sandbox.run(
        &[
            "download",
            "sbom",
            "--key",
            &public,
            "--type",
            "cyclonedx",
            &image,
        ],
        &[],
    );
    let signed: Value = serde_json::from_str(&cdx_signed.ok().stdout).unwrap();
    let original: Value = serde_json::from_slice(&fs::read(&cdx).unwrap()).unwrap();
    assert_eq!(signed, original);
    let verify = sandbox.run(&["verify", "--key", &public, "--type", "spdx", &image], &[]);
    let printed = statements(verify.ok());
    assert_eq!(
        printed.len(),
        2,
        "the scanned SPDX JSON and the tag-value file"
    );
    let text = fs::read_to_string(&spdx).unwrap();
    assert!(printed.iter().any(|s| s["predicate"] == text.as_str()));
    // Both come out on stdout; `-o` takes the first: places are read referrers first.
    let both = sandbox.run(
        &[
            "download", "sbom", "--key", &public, "--type", "spdx", &image,
        ],
        &[],
    );
    assert!(both.ok().stdout.contains("SPDXVersion: SPDX-2.3"));
    assert!(both.stdout.contains("\"spdxVersion\":\"SPDX-2.3\""));
    let first = sandbox.path("first.spdx.json");
    sandbox
        .run(
            &[
                "download",
                "sbom",
                "--key",
                &public,
                "--type",
                "spdx",
                "-o",
                first.to_str().unwrap(),
                &image,
            ],
            &[],
        )
        .ok();
    let first: Value = serde_json::from_slice(&fs::read(&first).unwrap()).unwrap();
    assert_eq!(first["spdxVersion"], "SPDX-2.3");
}

/// Pushes a `.att` manifest holding only `envelope` for `digest`, as anyone with write access
/// to the repository could.
fn plant_att(registry: &Registry, repo: &str, digest: &Digest, envelope: &[u8]) {
    let client = RegistryClient::new(&ClientOptions::default()).unwrap();
    let reference: Reference = format!("{}/{repo}@{digest}", registry.host())
        .parse()
        .unwrap();
    let tag = legacy_tag(digest, "att");
    let artifact = append_att(None, &tag, envelope, PREDICATE_SPDX, false)
        .unwrap()
        .unwrap();
    for blob in &artifact.blobs {
        client.push_blob(&reference, blob).unwrap();
    }
    client
        .push_manifest(
            &reference,
            Some(&tag),
            &artifact.manifest.to_json(),
            MEDIA_OCI_MANIFEST,
        )
        .unwrap();
}

#[test]
fn verify_rejects_forged_and_misplaced_attestations() {
    let Some(registry) = start() else { return };
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    let (other_private, _) = sandbox.key_pair("other");
    let a = push_layered(&registry, sandbox.dir.path(), "a:1");
    registry.push_oci_archive(&demo_archive(), "b:1").unwrap();
    let b = manifest_digest(&registry, "b", "1");
    let image_a = format!("{}/a@{a}", registry.host());
    let image_b = format!("{}/b@{b}", registry.host());
    let password = [("COSIGN_PASSWORD", PASSWORD)];

    // Nothing attached yet.
    let none = sandbox.run(&["verify", "--key", &public, &image_a], &[]);
    assert!(
        none.error_with(10).contains("no attestation found"),
        "{}",
        none.stderr
    );

    // A genuine one, kept as the raw material for forgeries.
    let genuine_file = sandbox.path("genuine.json");
    sandbox
        .run(
            &[
                "attest",
                "--key",
                &private,
                "--mode",
                "legacy",
                "--envelope-file",
                genuine_file.to_str().unwrap(),
                &image_a,
            ],
            &password,
        )
        .ok();
    sandbox
        .run(&["verify", "--key", &public, &image_a], &[])
        .ok();
    let genuine_bytes = fs::read(&genuine_file).unwrap();
    let genuine = Envelope::from_json(&genuine_bytes).unwrap();

    let expect_rejected =
        |image: &str, digest: &Digest, repo: &str, envelope: &[u8], reason: &str| {
            plant_att(&registry, repo, digest, envelope);
            let run = sandbox.run(&["verify", "--key", &public, image], &[]);
            let message = run.error_with(12);
            assert!(message.contains("no valid attestation"), "{message}");
            assert!(
                message.to_lowercase().contains(reason),
                "expected {reason:?} in: {message}"
            );
        };

    // A payload changed after signing.
    let mut tampered = genuine.clone();
    let text = String::from_utf8(tampered.payload.clone()).unwrap();
    tampered.payload = text.replacen("SPDX-2.3", "SPDX-2.4", 1).into_bytes();
    assert_ne!(tampered.payload, genuine.payload);
    expect_rejected(&image_a, &a, "a", &tampered.to_json(), "signature");

    // A statement signed by another key.
    let by_other = sandbox.path("other.json");
    sandbox
        .run(
            &[
                "attest",
                "--key",
                &other_private,
                "--mode",
                "legacy",
                "--replace",
                "--envelope-file",
                by_other.to_str().unwrap(),
                &image_a,
            ],
            &password,
        )
        .ok();
    expect_rejected(
        &image_a,
        &a,
        "a",
        &fs::read(&by_other).unwrap(),
        "signature",
    );

    // The genuine attestation of A copied beside image B.
    expect_rejected(&image_b, &b, "b", &genuine_bytes, "subject");

    // A truncated envelope.
    let half = &genuine_bytes[..genuine_bytes.len() / 2];
    expect_rejected(&image_a, &a, "a", half, "unreadable envelope");

    // A statement under another payloadType (signature left as it was).
    let mut retyped = genuine.clone();
    retyped.payload_type = "application/json".into();
    expect_rejected(&image_a, &a, "a", &retyped.to_json(), "payloadtype");

    // And the genuine one put back verifies again.
    plant_att(&registry, "a", &a, &genuine_bytes);
    sandbox
        .run(&["verify", "--key", &public, &image_a], &[])
        .ok();
}

#[test]
fn attestation_commands_fail_cleanly_on_bad_input() {
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    let password = [("COSIGN_PASSWORD", PASSWORD)];
    let here = sandbox.dir.path().to_str().unwrap().to_string();

    // A local path has no registry digest.
    let local = sandbox.run(&["attest", "--key", &private, &here], &password);
    assert!(local.error().contains("local path"), "{}", local.stderr);

    // A wrong password names the key file and fails before any network access.
    let wrong = sandbox.run(
        &["attest", "--key", &private, "127.0.0.1:1/nothing:1"],
        &[("COSIGN_PASSWORD", "wrong")],
    );
    let message = wrong.error();
    assert!(
        message.contains(&private) && message.contains("password"),
        "{message}"
    );

    // A public key where a private one belongs, and the reverse.
    let swapped = sandbox.run(&["attest", "--key", &public, "127.0.0.1:1/x:1"], &password);
    assert!(swapped.error().contains(&public), "{}", swapped.stderr);
    let swapped = sandbox.run(&["verify", "--key", &private, "127.0.0.1:1/x:1"], &[]);
    assert!(swapped.error().contains(&private), "{}", swapped.stderr);

    // --predicate that is not JSON, and an unknown --type.
    let junk = sandbox.path("junk.txt");
    fs::write(&junk, "not json").unwrap();
    let run = sandbox.run(
        &[
            "attest",
            "--key",
            &private,
            "--predicate",
            junk.to_str().unwrap(),
            "127.0.0.1:1/x:1",
        ],
        &password,
    );
    assert!(run.error().contains("junk.txt"), "{}", run.stderr);
    let run = sandbox.run(
        &[
            "verify",
            "--key",
            &public,
            "--type",
            "nonsense",
            "127.0.0.1:1/x:1",
        ],
        &[],
    );
    assert!(run.error().contains("nonsense"), "{}", run.stderr);

    let Some(registry) = start() else { return };
    let missing = sandbox.run(
        &["verify", "--key", &public, &registry.reference("absent:1")],
        &[],
    );
    assert!(
        missing.error_with(11).contains("absent"),
        "{}",
        missing.stderr
    );

    // download -o leaves no file behind when nothing is found.
    push_layered(&registry, sandbox.dir.path(), "empty:1");
    let target = sandbox.path("out.json");
    let run = sandbox.run(
        &[
            "download",
            "sbom",
            "-o",
            target.to_str().unwrap(),
            &registry.reference("empty:1"),
        ],
        &[],
    );
    assert!(run.error().contains("no SBOM"), "{}", run.stderr);
    assert!(!target.exists());
}

#[test]
fn attest_uses_docker_config_credentials_and_refused_ones_leave_nothing() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default().basic_auth("builder", "s3cret-push"))
        .expect("the test registry starts");
    let sandbox = Sandbox::new();
    let (private, public) = sandbox.key_pair("cosign");
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let image = registry.reference("demo:1");
    let envelope = sandbox.path("envelope.json");
    let attest = [
        "attest",
        "--key",
        private.as_str(),
        "--envelope-file",
        envelope.to_str().unwrap(),
        image.as_str(),
    ];
    let password = [("COSIGN_PASSWORD", PASSWORD)];

    // Wrong credentials: a 401 naming the registry, no envelope file, nothing attached.
    write_docker_config(
        &sandbox.path("docker"),
        &registry.host(),
        "builder",
        "wrong",
    )
    .unwrap();
    let refused = sandbox.run(&attest, &password);
    let message = refused.error();
    assert!(message.contains(&registry.host()), "{message}");
    assert!(
        !message.contains("wrong"),
        "no password in messages: {message}"
    );
    assert!(!envelope.exists(), "no envelope file from a failed attest");

    // The right ones: pushed, then verified with the same config.
    write_docker_config(
        &sandbox.path("docker"),
        &registry.host(),
        "builder",
        "s3cret-push",
    )
    .unwrap();
    sandbox.run(&attest, &password).ok();
    assert!(envelope.exists());
    let verify = sandbox.run(&["verify", "--key", &public, &image], &[]);
    assert_eq!(statements(verify.ok()).len(), 1);
}
