//! Scanning straight from a registry: the real binary against Debian's `docker-registry`
//! (distribution 2.8) started by `sbomgen_testkit::registry`, with images pushed by `skopeo`.
//!
//! A registry scan must equal the local scan of the same image; credentials come from Docker's
//! `config.json`, the environment, `--password-stdin` or a bearer-token exchange, and a wrong
//! password is a 401 that never echoes the password; TLS needs `--ca-cert`; a tampered manifest or
//! layer, a registry killed or stalled mid-blob, and an unknown tag are clear errors, never
//! hangs; layers are cached by digest and `--no-cache` writes nothing.
//!
//! Every run gets a scratch `HOME`, `XDG_CACHE_HOME` and `DOCKER_CONFIG` and a time limit, so no
//! test reads the user's credentials, writes the user's cache, or hangs the suite.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sbomgen_model::{Digest, Platform};
use sbomgen_testkit::registry::{
    basic_auth, registry_tests_can_run, write_docker_config, BearerProxy, Cut, CutProxy, Registry,
    RegistryOptions,
};
use sbomgen_testkit::{write_oci_dir, BuiltLayout, Compression, Entry, ImageSpec, LayerSpec};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::local_sources::{layered_image, linux};
use crate::support::shared_fixtures;

/// No sbomgen run in these tests may take longer: a hang is a failure, not a stuck suite.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// A started registry, or `None` (after saying why) when its tools are missing outside CI.
fn start(options: RegistryOptions) -> Option<Registry> {
    if !registry_tests_can_run() {
        return None;
    }
    Some(Registry::start(options).expect("the test registry starts"))
}

fn demo_archive() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(sbomgen_testkit::DEMO_FILE)
}

/// Pushes the demo image as `demo:1` and returns its local scan, the reference for comparisons.
fn push_demo(registry: &Registry) -> Value {
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    scan_json(&[demo_archive().to_str().unwrap()])
}

/// Bytes that do not compress, deterministic.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24).to_le_bytes()[0]
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A password no message may ever show.
const MARKER: &str = "pw-MARKER-7f3c9a";

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// The native JSON of a run that must have succeeded.
    fn json(&self) -> Value {
        assert_eq!(
            self.code,
            Some(0),
            "sbomgen {:?} failed: {}",
            self.args,
            self.stderr
        );
        serde_json::from_str(&self.stdout).expect("stdout is JSON")
    }

    /// The one-line message of a run that must have failed cleanly (exit 1).
    fn error(&self) -> &str {
        assert_eq!(
            self.code,
            Some(1),
            "sbomgen {:?} should fail with exit 1; stderr: {}",
            self.args,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        assert!(self.stderr.starts_with("error: "), "{}", self.stderr);
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "one line: {}",
            self.stderr
        );
        assert!(self.stdout.is_empty(), "no partial output: {}", self.stdout);
        &self.stderr
    }
}

/// A scratch home for runs of the binary: its own `HOME`, cache and Docker config directory,
/// and the registry variables of the calling environment removed.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "docker", "cache"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Sandbox { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `DOCKER_CONFIG` of every run: empty unless a test writes a `config.json` there.
    fn docker_config(&self) -> PathBuf {
        self.dir.path().join("docker")
    }

    /// For `--cache-dir`.
    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn cache_arg(&self) -> String {
        self.cache().to_str().unwrap().to_string()
    }

    /// Runs `sbomgen ARGS -o json -q` with extra environment and optional standard input, and
    /// fails the test if it runs past [`RUN_LIMIT`].
    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut all: Vec<String> = args.iter().map(ToString::to_string).collect();
        all.extend(["-o", "json", "-q"].map(String::from));
        let mut command = Command::new(env!("CARGO_BIN_EXE_sbomgen"));
        command
            .args(&all)
            .env_remove("SBOMGEN_REGISTRY_USERNAME")
            .env_remove("SBOMGEN_REGISTRY_PASSWORD")
            .env_remove("SBOMGEN_REGISTRY_TIMEOUT")
            .env("HOME", self.home())
            .env("XDG_CACHE_HOME", self.home().join(".cache"))
            .env("DOCKER_CONFIG", self.docker_config())
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn().expect("the sbomgen binary runs");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).unwrap();
        }
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("sbomgen {all:?} still ran after {RUN_LIMIT:?}: a hang");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = started.elapsed();
        Run {
            args: all,
            code: status.code(),
            stdout: out_reader.join().unwrap(),
            stderr: err_reader.join().unwrap(),
            elapsed,
        }
    }

    /// A registry scan with this sandbox's cache dir that must succeed.
    fn scan(&self, source: &str, extra: &[&str]) -> Value {
        let cache = self.cache_arg();
        let mut args = vec![source, "--cache-dir", &cache];
        args.extend_from_slice(extra);
        self.run(&args, &[], None).json()
    }

    /// Every regular file under `dir`, recursively.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.map(Result::unwrap) {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files
    }
}

/// A local scan's native JSON (no registry involved; the sandbox only keeps it tidy).
fn scan_json(args: &[&str]) -> Value {
    Sandbox::new().run(args, &[], None).json()
}

/// `layers[].digest` of a document.
fn layer_digests(doc: &Value) -> Vec<Digest> {
    doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Asserts a registry scan reports exactly what the local scan of the same image reports:
/// every layer and package, field for field, and the same manifest, config and platform.
fn assert_same_scan(remote: &Value, local: &Value, reference: &str) {
    assert_eq!(remote["source"]["type"], "registry", "{}", remote["source"]);
    let said = remote["source"]["reference"].as_str().unwrap_or_default();
    assert!(
        said.contains(reference),
        "source.reference {said:?} names {reference}"
    );
    for field in ["manifestDigest", "configDigest", "platform"] {
        assert_eq!(
            remote["source"][field], local["source"][field],
            "source.{field} of {reference}"
        );
    }
    assert_same_contents(remote, local, reference, &[]);
}

/// Asserts the two documents agree on everything but `source`, layer for layer and package for
/// package, ignoring the layer fields in `ignored_layer_fields`.
fn assert_same_contents(remote: &Value, local: &Value, what: &str, ignored_layer_fields: &[&str]) {
    let strip = |layer: &Value| {
        let mut layer = layer.clone();
        for field in ignored_layer_fields {
            layer.as_object_mut().unwrap().remove(*field);
        }
        layer
    };
    let (remote_layers, local_layers) = (
        remote["layers"].as_array().unwrap(),
        local["layers"].as_array().unwrap(),
    );
    assert_eq!(
        remote_layers.len(),
        local_layers.len(),
        "layer count of {what}"
    );
    for (i, (r, l)) in remote_layers.iter().zip(local_layers).enumerate() {
        assert_eq!(strip(r), strip(l), "layer {i} of {what}");
    }
    let (remote_packages, local_packages) = (
        remote["packages"].as_array().unwrap(),
        local["packages"].as_array().unwrap(),
    );
    assert_eq!(
        remote_packages.len(),
        local_packages.len(),
        "package count of {what}"
    );
    for (r, l) in remote_packages.iter().zip(local_packages) {
        assert_eq!(r, l, "package {} of {what}", l["name"]);
    }
    let keys = |doc: &Value| -> Vec<String> {
        doc.as_object()
            .unwrap()
            .keys()
            .filter(|k| !matches!(k.as_str(), "source" | "layers" | "packages"))
            .cloned()
            .collect()
    };
    assert_eq!(keys(remote), keys(local), "top-level fields of {what}");
    for key in keys(local) {
        assert_eq!(remote[&key], local[&key], "{key} of {what}");
    }
}

/// Writes a two-platform index (arm64/v8 first, then amd64) tagged `multi`.
fn two_platform_layout(dir: &Path) -> BuiltLayout {
    let amd = ImageSpec::new(linux("amd64"))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("arch", "amd64")));
    let arm = ImageSpec::new(Platform::new("linux", "arm64", Some("v8")))
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("arch", "arm64")));
    write_oci_dir(dir, "multi", &[arm, amd]).unwrap()
}

#[test]
fn demo_image_by_tag_by_digest_and_bare_reference_equals_the_local_scan() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let local = push_demo(&registry);
    let digest = local["source"]["manifestDigest"].as_str().unwrap();
    let sandbox = Sandbox::new();

    // Plain HTTP to 127.0.0.1 needs no flag.
    let by_tag = registry.reference("demo:1");
    let remote = sandbox.scan(&format!("registry:{by_tag}"), &[]);
    assert_same_scan(&remote, &local, &by_tag);

    let by_digest = registry.reference(&format!("demo@{digest}"));
    let remote = sandbox
        .run(&[&format!("registry:{by_digest}"), "--no-cache"], &[], None)
        .json();
    assert_same_scan(&remote, &local, &by_digest);

    // Without the `registry:` prefix, a reference that is not an existing path is detected.
    let remote = sandbox.scan(&by_tag, &["-j", "1"]);
    assert_same_scan(&remote, &local, &by_tag);

    let via_localhost = format!("localhost:{}/demo:1", registry.addr().port());
    let remote = sandbox.scan(&format!("registry:{via_localhost}"), &[]);
    assert_same_scan(&remote, &local, &via_localhost);
}

#[test]
fn layered_image_with_whiteouts_in_every_compression_equals_the_local_scan() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("app.oci");
    let built = write_oci_dir(&layout, "v1", &[layered_image(linux("amd64"))]).unwrap();
    registry.push_oci_dir(&layout, "v1", "team/app:v1").unwrap();
    let local = scan_json(&[layout.to_str().unwrap()]);
    assert_eq!(
        local["source"]["manifestDigest"],
        built.images[0].manifest_digest.as_str()
    );

    let reference = registry.reference("team/app:v1");
    let remote = Sandbox::new().scan(&format!("registry:{reference}"), &[]);
    assert_same_scan(&remote, &local, &reference);
    assert_eq!(remote["hiddenFiles"].as_array().unwrap().len(), 4);
}

#[test]
fn shared_fixture_images_equal_their_local_scans() {
    let Some(shared) = shared_fixtures() else {
        return;
    };
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let sandbox = Sandbox::new();
    let dive = shared.join("images/dive");

    // OCI archives are pushed byte for byte: every digest must agree.
    for name in ["uncompressed", "gzip", "zstd", "estargz"] {
        let archive = dive.join(format!("test-oci-{name}-image.tar"));
        registry
            .push_oci_archive(&archive, &format!("dive:{name}"))
            .unwrap();
        let local = scan_json(&[archive.to_str().unwrap()]);
        let reference = registry.reference(&format!("dive:{name}"));
        let remote = sandbox.scan(&format!("registry:{reference}"), &[]);
        assert_same_scan(&remote, &local, &reference);
    }

    // Docker archives become schema2 manifests with gzip layers: the blobs change, the
    // uncompressed layers (diff_ids), config, files and packages do not.
    let tmp = tempfile::tempdir().unwrap();
    let trivy = tmp.path().join("alpine-310.tar");
    let mut gz = flate2::read::GzDecoder::new(
        fs::File::open(shared.join("images/trivy/alpine-310.tar.gz")).unwrap(),
    );
    std::io::copy(&mut gz, &mut fs::File::create(&trivy).unwrap()).unwrap();
    for (archive, tag) in [
        (dive.join("test-docker-image.tar"), "docker"),
        (dive.join("test-kaniko-image.tar"), "kaniko"),
        (trivy, "alpine-310"),
    ] {
        registry
            .push_docker_archive(&archive, &format!("converted:{tag}"))
            .unwrap();
        let local = scan_json(&[archive.to_str().unwrap()]);
        let reference = registry.reference(&format!("converted:{tag}"));
        let remote = sandbox.scan(&format!("registry:{reference}"), &[]);
        assert_eq!(remote["source"]["type"], "registry");
        assert_eq!(
            remote["source"]["configDigest"], local["source"]["configDigest"],
            "{reference}"
        );
        assert_same_contents(
            &remote,
            &local,
            &reference,
            &["digest", "mediaType", "size"],
        );
        for layer in remote["layers"].as_array().unwrap() {
            assert_eq!(
                layer["mediaType"], "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "{reference}"
            );
        }
    }
}

#[test]
fn multi_platform_index_gives_the_default_or_the_requested_platform() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("multi.oci");
    let built = two_platform_layout(&layout);
    registry.push_oci_dir(&layout, "multi", "multi:1").unwrap();
    let path = layout.to_str().unwrap();
    let sandbox = Sandbox::new();
    let reference = registry.reference("multi:1");
    let source = format!("registry:{reference}");

    let remote = sandbox.scan(&source, &[]);
    assert_eq!(remote["source"]["platform"], "linux/amd64");
    assert_eq!(
        remote["source"]["indexDigest"],
        built.index_digest.as_ref().unwrap().as_str()
    );
    assert_eq!(
        remote["source"]["manifestDigest"],
        built.images[1].manifest_digest.as_str()
    );
    assert_same_scan(&remote, &scan_json(&[path]), &reference);

    let remote = sandbox.scan(&source, &["--platform", "linux/arm64"]);
    assert_eq!(remote["source"]["platform"], "linux/arm64/v8");
    assert_eq!(
        remote["source"]["manifestDigest"],
        built.images[0].manifest_digest.as_str()
    );
    assert_same_scan(
        &remote,
        &scan_json(&[path, "--platform", "linux/arm64"]),
        &reference,
    );

    // The index's own digest pins the same choice.
    let index = built.index_digest.as_ref().unwrap();
    let by_index = registry.reference(&format!("multi@{index}"));
    let remote = sandbox.scan(
        &format!("registry:{by_index}"),
        &["--platform", "linux/arm64"],
    );
    assert_eq!(
        remote["source"]["manifestDigest"],
        built.images[0].manifest_digest.as_str()
    );

    let cache = sandbox.cache_arg();
    let run = sandbox.run(
        &[&source, "--platform", "linux/s390x", "--cache-dir", &cache],
        &[],
        None,
    );
    let err = run.error();
    assert!(
        err.contains("linux/s390x") && err.contains("linux/amd64") && err.contains("linux/arm64"),
        "{err}"
    );
}

#[test]
fn basic_auth_from_docker_config_json() {
    let Some(registry) = start(RegistryOptions::default().basic_auth("ci-user", MARKER)) else {
        return;
    };
    let local = push_demo(&registry);
    let reference = registry.reference("demo:1");
    let source = format!("registry:{reference}");

    let anonymous = Sandbox::new();
    let run = anonymous.run(&[&source, "--no-cache"], &[], None);
    let err = run.error().to_lowercase();
    assert!(
        err.contains(&reference) && err.contains("unauthorized"),
        "{err}"
    );

    let sandbox = Sandbox::new();
    write_docker_config(
        &sandbox.docker_config(),
        &registry.host(),
        "ci-user",
        MARKER,
    )
    .unwrap();
    let remote = sandbox.scan(&source, &[]);
    assert_same_scan(&remote, &local, &reference);
}

/// Asserts a run failed with a 401 that names the reference and shows no password, in clear or
/// base64.
fn assert_unauthorized_without_password(run: &Run, reference: &str, username: &str) {
    let header = basic_auth(username, &format!("{MARKER}-wrong"));
    let encoded = header.trim_start_matches("Basic ");
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(MARKER), "the password leaked: {text}");
        assert!(!text.contains(encoded), "the password leaked: {text}");
    }
    let err = run.error().to_lowercase();
    assert!(err.contains(reference), "{err}");
    assert!(err.contains("unauthorized"), "{err}");
}

#[test]
fn wrong_password_is_a_clear_401_that_never_shows_the_password() {
    let Some(registry) = start(RegistryOptions::default().basic_auth("ci-user", "right-pw")) else {
        return;
    };
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let reference = registry.reference("demo:1");
    let source = format!("registry:{reference}");
    let wrong = format!("{MARKER}-wrong");

    let from_config = Sandbox::new();
    write_docker_config(
        &from_config.docker_config(),
        &registry.host(),
        "ci-user",
        &wrong,
    )
    .unwrap();
    let run = from_config.run(&[&source, "--no-cache"], &[], None);
    assert_unauthorized_without_password(&run, &reference, "ci-user");

    let run = Sandbox::new().run(
        &[&source, "--no-cache"],
        &[
            ("SBOMGEN_REGISTRY_USERNAME", "ci-user"),
            ("SBOMGEN_REGISTRY_PASSWORD", &wrong),
        ],
        None,
    );
    assert_unauthorized_without_password(&run, &reference, "ci-user");

    let run = Sandbox::new().run(
        &[
            &source,
            "--no-cache",
            "--username",
            "ci-user",
            "--password-stdin",
        ],
        &[],
        Some(&format!("{wrong}\n")),
    );
    assert_unauthorized_without_password(&run, &reference, "ci-user");
}

#[test]
fn credentials_from_the_environment_and_from_password_stdin() {
    let Some(registry) = start(RegistryOptions::default().basic_auth("ci-user", MARKER)) else {
        return;
    };
    let local = push_demo(&registry);
    let reference = registry.reference("demo:1");
    let source = format!("registry:{reference}");

    let sandbox = Sandbox::new();
    let cache = sandbox.cache_arg();
    let run = sandbox.run(
        &[&source, "--cache-dir", &cache],
        &[
            ("SBOMGEN_REGISTRY_USERNAME", "ci-user"),
            ("SBOMGEN_REGISTRY_PASSWORD", MARKER),
        ],
        None,
    );
    assert_same_scan(&run.json(), &local, &reference);
    assert!(!run.stderr.contains(MARKER));

    let sandbox = Sandbox::new();
    let cache = sandbox.cache_arg();
    let run = sandbox.run(
        &[
            &source,
            "--cache-dir",
            &cache,
            "--username",
            "ci-user",
            "--password-stdin",
        ],
        &[],
        Some(&format!("{MARKER}\n")),
    );
    assert_same_scan(&run.json(), &local, &reference);
    assert!(!run.stderr.contains(MARKER));
}

#[test]
fn bearer_token_challenge_flow() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let local = push_demo(&registry);
    let proxy = BearerProxy::start(registry.addr(), "tok-user", MARKER).unwrap();
    let reference = format!("{}/demo:1", proxy.host());
    let source = format!("registry:{reference}");

    let sandbox = Sandbox::new();
    let cache = sandbox.cache_arg();
    let run = sandbox.run(
        &[&source, "--cache-dir", &cache],
        &[
            ("SBOMGEN_REGISTRY_USERNAME", "tok-user"),
            ("SBOMGEN_REGISTRY_PASSWORD", MARKER),
        ],
        None,
    );
    assert_same_scan(&run.json(), &local, &reference);
    let requests = proxy.token_requests();
    assert!(
        requests.iter().any(|r| r.granted
            && r.service.as_deref() == Some("test")
            && r.scope.as_deref() == Some("repository:demo:pull")),
        "a token was asked for the challenge's service and scope: {requests:?}"
    );
    assert!(
        proxy.forwarded() >= 3,
        "manifest, config and layers went through with the token"
    );

    // The same credentials from config.json.
    let sandbox = Sandbox::new();
    write_docker_config(&sandbox.docker_config(), &proxy.host(), "tok-user", MARKER).unwrap();
    assert_same_scan(&sandbox.scan(&source, &[]), &local, &reference);

    let run = Sandbox::new().run(
        &[&source, "--no-cache"],
        &[
            ("SBOMGEN_REGISTRY_USERNAME", "tok-user"),
            ("SBOMGEN_REGISTRY_PASSWORD", &format!("{MARKER}-wrong")),
        ],
        None,
    );
    assert_unauthorized_without_password(&run, &reference, "tok-user");

    let run = Sandbox::new().run(&[&source, "--no-cache"], &[], None);
    let err = run.error().to_lowercase();
    assert!(
        err.contains(&reference) && err.contains("unauthorized"),
        "{err}"
    );
}

#[test]
fn tls_registry_is_trusted_with_ca_cert_and_refused_without() {
    let Some(registry) = start(RegistryOptions::default().tls()) else {
        return;
    };
    let local = push_demo(&registry);
    let reference = registry.reference("demo:1");
    let source = format!("registry:{reference}");
    let ca = registry.ca_cert().unwrap().to_str().unwrap();
    let sandbox = Sandbox::new();

    let remote = sandbox.scan(&source, &["--ca-cert", ca]);
    assert_same_scan(&remote, &local, &reference);

    let run = sandbox.run(&[&source, "--no-cache"], &[], None);
    let err = run.error().to_lowercase();
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains(&registry.host()), "{err}");
}

#[test]
fn unknown_tag_or_repository_is_a_plain_error_naming_the_reference() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let sandbox = Sandbox::new();
    for name in ["demo:no-such-tag", "nobody/here:1"] {
        let reference = registry.reference(name);
        let run = sandbox.run(&[&format!("registry:{reference}"), "--no-cache"], &[], None);
        let err = run.error().to_lowercase();
        assert!(err.contains(&reference), "{err}");
        assert!(err.contains("not found") || err.contains("404"), "{err}");
        assert!(
            run.elapsed < Duration::from_secs(10),
            "a 404 is not retried"
        );
    }
}

/// Overwrites a stored blob's bytes in the registry's filesystem storage.
fn tamper(registry: &Registry, digest: &Digest, edit: impl FnOnce(&mut Vec<u8>)) {
    let path = registry.blob_data(digest);
    let mut bytes = fs::read(&path).unwrap();
    let before = bytes.clone();
    edit(&mut bytes);
    assert_ne!(bytes, before, "the edit changed something");
    fs::write(&path, bytes).unwrap();
}

#[test]
fn manifest_not_matching_its_pinned_digest_is_caught() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let sandbox = Sandbox::new();

    // Pinned by the reference.
    let local = push_demo(&registry);
    let digest: Digest = local["source"]["manifestDigest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Still valid JSON, same meaning, other bytes.
    tamper(&registry, &digest, |bytes| bytes.insert(1, b' '));
    let reference = registry.reference(&format!("demo@{digest}"));
    let run = sandbox.run(&[&format!("registry:{reference}"), "--no-cache"], &[], None);
    let err = run.error();
    assert!(err.contains(digest.as_str()), "{err}");
    assert!(err.to_lowercase().contains("digest"), "{err}");

    // Pinned by an index: the platform manifest it lists.
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("multi.oci");
    let built = two_platform_layout(&layout);
    registry.push_oci_dir(&layout, "multi", "multi:1").unwrap();
    let arm = &built.images[0].manifest_digest;
    tamper(&registry, arm, |bytes| bytes.insert(1, b' '));
    let reference = registry.reference("multi:1");
    let run = sandbox.run(
        &[
            &format!("registry:{reference}"),
            "--no-cache",
            "--platform",
            "linux/arm64",
        ],
        &[],
        None,
    );
    let err = run.error();
    assert!(err.contains(arm.as_str()), "{err}");
    assert!(err.to_lowercase().contains("digest"), "{err}");
    // The untouched platform still scans.
    let remote = sandbox.scan(&format!("registry:{reference}"), &[]);
    assert_eq!(
        remote["source"]["manifestDigest"],
        built.images[1].manifest_digest.as_str()
    );
}

#[test]
fn tampered_layer_blob_is_a_digest_error_and_never_cached() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("plain.oci");
    // An uncompressed layer: a flipped byte in file data breaks nothing but the digests.
    let spec = ImageSpec::new(linux("amd64")).layer(
        LayerSpec::new(Compression::None)
            .entry(Entry::dir("data"))
            .entry(Entry::file("data/a.txt", vec![b'A'; 64 * 1024])),
    );
    let built = write_oci_dir(&layout, "1", &[spec]).unwrap();
    registry.push_oci_dir(&layout, "1", "plain:1").unwrap();
    let layer = &built.images[0].layers[0];
    tamper(&registry, &layer.digest, |bytes| {
        let at = bytes.windows(4).position(|w| w == b"AAAA").unwrap();
        bytes[at + 2] = b'B';
    });

    let sandbox = Sandbox::new();
    let cache = sandbox.cache_arg();
    let reference = registry.reference("plain:1");
    let run = sandbox.run(
        &[&format!("registry:{reference}"), "--cache-dir", &cache],
        &[],
        None,
    );
    let err = run.error();
    assert!(err.contains(layer.digest.as_str()), "{err}");
    assert!(err.to_lowercase().contains("digest"), "{err}");
    let cached = Sandbox::files_under(&sandbox.cache());
    assert!(
        !cached
            .iter()
            .any(|p| p.to_string_lossy().contains(layer.digest.hex())),
        "a blob that failed verification is not cached: {cached:?}"
    );
}

/// A registry holding one image with a single large uncompressed layer, and that layer.
fn big_image(registry: &Registry) -> Digest {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("big.oci");
    let spec = ImageSpec::new(linux("amd64")).layer(
        LayerSpec::new(Compression::None)
            .entry(Entry::dir("data"))
            .entry(Entry::file("data/blob.bin", noise(4 << 20))),
    );
    let built = write_oci_dir(&layout, "1", &[spec]).unwrap();
    registry.push_oci_dir(&layout, "1", "big:1").unwrap();
    built.images[0].layers[0].digest.clone()
}

#[test]
fn registry_killed_mid_blob_is_a_clear_error_not_a_hang() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let layer = big_image(&registry);
    let proxy = CutProxy::start(
        registry.addr(),
        256 * 1024,
        Cut::KillRegistry(registry.killer()),
    )
    .unwrap();
    let reference = format!("{}/big:1", proxy.host());

    let run = Sandbox::new().run(
        &[&format!("registry:{reference}"), "--no-cache"],
        &[("SBOMGEN_REGISTRY_TIMEOUT", "5")],
        None,
    );
    let err = run.error();
    assert_eq!(
        proxy.cut_paths(),
        [format!("/v2/big/blobs/{layer}")],
        "the registry died in the middle of the layer"
    );
    assert!(!registry.is_running());
    assert!(
        err.contains(&reference) && err.contains(layer.as_str()),
        "names the reference and the blob: {err}"
    );
    // A dropped download is a read failure, not corrupt compressed data.
    assert!(
        err.contains("cannot read the layer blob") && !err.contains("decompress"),
        "{err}"
    );
    assert!(
        run.elapsed < Duration::from_secs(30),
        "gave up in {:?}",
        run.elapsed
    );
}

#[test]
fn stalled_blob_times_out_with_a_clear_error() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    let layer = big_image(&registry);
    let proxy = CutProxy::start(registry.addr(), 64 * 1024, Cut::Stall).unwrap();
    let reference = format!("{}/big:1", proxy.host());

    let run = Sandbox::new().run(
        &[&format!("registry:{reference}"), "--no-cache"],
        &[("SBOMGEN_REGISTRY_TIMEOUT", "2")],
        None,
    );
    let err = run.error();
    assert!(!proxy.cut_paths().is_empty(), "the layer stalled");
    assert!(
        err.contains(&reference) && err.contains(layer.as_str()),
        "names the reference and the blob: {err}"
    );
    assert!(
        err.to_lowercase().contains("time"),
        "says it timed out: {err}"
    );
    assert!(
        run.elapsed >= Duration::from_secs(2) && run.elapsed < Duration::from_secs(45),
        "waited for the timeout, and not much longer: {:?}",
        run.elapsed
    );
}

#[test]
fn cache_holds_verified_layers_and_serves_one_the_registry_lost() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let reference = registry.reference("demo:1");
    let source = format!("registry:{reference}");
    let sandbox = Sandbox::new();

    let first = sandbox.scan(&source, &[]);
    let cached = Sandbox::files_under(&sandbox.cache());
    let layers = layer_digests(&first);
    assert_eq!(layers.len(), 3);
    for layer in &layers {
        let file = cached
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == layer.hex()))
            .unwrap_or_else(|| panic!("{layer} is cached under its digest: {cached:?}"));
        assert_eq!(sha256_hex(&fs::read(file).unwrap()), layer.hex());
    }

    fs::remove_file(registry.blob_data(&layers[1])).unwrap();
    // Without the layer cache, which would answer for the lost layer without its blob.
    let second = sandbox.scan(&source, &["--no-layer-cache"]);
    assert_eq!(second, first, "the lost layer came from the blob cache");

    // Proof the registry really lost it: without the cache the scan fails on that blob.
    let run = Sandbox::new().run(&[&source, "--no-cache"], &[], None);
    let err = run.error();
    assert!(err.contains(layers[1].as_str()), "{err}");
}

#[test]
fn no_cache_writes_no_cache_anywhere() {
    let Some(registry) = start(RegistryOptions::default()) else {
        return;
    };
    registry
        .push_oci_archive(&demo_archive(), "demo:1")
        .unwrap();
    let reference = registry.reference("demo:1");
    let sandbox = Sandbox::new();

    let run = sandbox.run(&[&format!("registry:{reference}"), "--no-cache"], &[], None);
    run.json();
    let written = Sandbox::files_under(&sandbox.home());
    assert!(written.is_empty(), "--no-cache wrote {written:?}");
    assert!(Sandbox::files_under(&sandbox.cache()).is_empty());
}
