//! The per-layer cache in Redis (`--cache-backend redis://…`, issue 15): the real binary against
//! Debian's `redis-server` started by `sbomgen_testkit::redis`.
//!
//! A cold scan fills Redis and a warm scan of the same image answers from it alone (its layer
//! blobs destroyed) with byte-identical output; Redis down at start, killed between scans or
//! killed in the middle of a scan never fails the scan: it warns and computes.
//!
//! Every run gets a scratch `XDG_CACHE_HOME` and a time limit, so no test writes the user's
//! cache or hangs the suite.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use sbomgen_testkit::redis::{redis_tests_can_run, RedisServer, RedisServerOptions};
use sbomgen_testkit::{demo_image, write_oci_dir, BuiltLayout};

/// No sbomgen run here may take longer: a hang is a failure, not a stuck suite.
const RUN_LIMIT: Duration = Duration::from_secs(90);
/// Where sbomgen keeps its entries (`RedisStore::KEY_PREFIX`).
const KEY_PATTERN: &str = "sbomgen:layer:*";

/// A started Redis, or `None` (after saying why) when it is missing outside CI.
fn start_redis() -> Option<RedisServer> {
    redis_tests_can_run()
        .then(|| RedisServer::start(RedisServerOptions::default()).expect("redis-server starts"))
}

/// One finished run of the binary.
struct Run {
    success: bool,
    stdout: Vec<u8>,
    stderr: String,
}

/// A scratch home for the runs of one test and the demo image written as an OCI layout.
struct Scratch {
    dir: tempfile::TempDir,
    layout: BuiltLayout,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let layout = write_oci_dir(&dir.path().join("demo.oci"), "1.0", &[demo_image()]).unwrap();
        Scratch { dir, layout }
    }

    fn image(&self) -> String {
        self.dir.path().join("demo.oci").display().to_string()
    }

    /// Starts `sbomgen <args> -o json` with this scratch `XDG_CACHE_HOME`.
    fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.spawn_with(args, &[])
    }

    /// [`spawn`](Self::spawn) with variables set.
    fn spawn_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_sbomgen"))
            .args(args)
            .args(["-o", "json"])
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("SBOMGEN_REDIS_PASSWORD")
            .env_remove("SBOMGEN_CACHE_CA_CERT")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sbomgen binary runs")
    }

    fn run(&self, args: &[&str]) -> Run {
        finish(self.spawn(args), args)
    }

    /// A run expected to succeed.
    fn scan(&self, args: &[&str]) -> Run {
        self.scan_with(args, &[])
    }

    fn scan_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = finish(self.spawn_with(args, env), args);
        assert!(run.success, "sbomgen {args:?} failed: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    /// Overwrites every layer blob of the layout with bytes of the same length, so that any
    /// read of a layer fails its digest check.
    fn destroy_layer_blobs(&self) {
        for layer in &self.layout.images[0].layers {
            let size = std::fs::metadata(&layer.blob_path).unwrap().len();
            std::fs::write(&layer.blob_path, vec![0x5a; usize::try_from(size).unwrap()]).unwrap();
        }
    }
}

/// Waits for the child (at most [`RUN_LIMIT`]) and collects what it wrote.
fn finish(mut child: std::process::Child, args: &[&str]) -> Run {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sbomgen {args:?} still ran after {RUN_LIMIT:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        success: status.success(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn cached_keys(redis: &RedisServer) -> Vec<String> {
    let listing = redis.cli(&["--raw", "KEYS", KEY_PATTERN]).unwrap();
    let mut keys: Vec<String> = listing.lines().map(str::to_string).collect();
    keys.sort();
    keys
}

/// The warning a scan prints when the cache at `url` fails it.
fn assert_cache_warning(run: &Run, url: &str) {
    assert!(
        run.stderr.contains("warning") && run.stderr.contains(url),
        "expected a warning naming {url}: {}",
        run.stderr
    );
}

#[test]
fn a_warm_scan_is_answered_by_redis_alone_with_identical_bytes() {
    let Some(redis) = start_redis() else {
        return;
    };
    let scratch = Scratch::new();
    let image = scratch.image();
    let url = redis.url();
    let plain = scratch.scan(&[&image, "--no-layer-cache"]);

    let cold = scratch.scan(&[&image, "--cache-backend", &url]);
    assert_eq!(cold.stdout, plain.stdout, "a cold cached scan differs");
    let keys = cached_keys(&redis);
    assert_eq!(
        keys.len(),
        scratch.layout.images[0].layers.len() + 1,
        "one entry per layer and the image's result: {keys:?}"
    );

    scratch.destroy_layer_blobs();
    let broken = scratch.run(&[&image, "--no-layer-cache"]);
    assert!(
        !broken.success,
        "the destroyed layers still scan without the cache"
    );

    let warm = scratch.scan(&[&image, "--cache-backend", &url]);
    assert_eq!(warm.stdout, cold.stdout, "the warm scan's bytes differ");
    assert_eq!(warm.stderr, plain.stderr, "the warm scan warned");
    assert_eq!(cached_keys(&redis), keys);
}

#[test]
fn redis_down_at_start_warns_and_the_scan_computes() {
    let Some(mut redis) = start_redis() else {
        return;
    };
    redis.kill().unwrap();
    let scratch = Scratch::new();
    let image = scratch.image();
    let plain = scratch.scan(&[&image, "--no-layer-cache"]);
    let url = redis.url();
    let run = scratch.scan(&[&image, "--cache-backend", &url]);
    assert_eq!(run.stdout, plain.stdout);
    assert_cache_warning(&run, &url);
}

#[test]
fn redis_killed_between_scans_then_restarted() {
    let Some(mut redis) = start_redis() else {
        return;
    };
    let scratch = Scratch::new();
    let image = scratch.image();
    let url = redis.url();
    let cold = scratch.scan(&[&image, "--cache-backend", &url]);
    assert!(!cached_keys(&redis).is_empty());

    redis.kill().unwrap();
    let down = scratch.scan(&[&image, "--cache-backend", &url]);
    assert_eq!(down.stdout, cold.stdout);
    assert_cache_warning(&down, &url);

    // Back, empty (nothing persisted): the next scan fills it again.
    redis.restart().unwrap();
    let refill = scratch.scan(&[&image, "--cache-backend", &url]);
    assert_eq!(refill.stdout, cold.stdout);
    assert_eq!(
        cached_keys(&redis).len(),
        scratch.layout.images[0].layers.len() + 1
    );
}

#[test]
fn redis_killed_in_the_middle_of_a_scan() {
    let Some(mut redis) = start_redis() else {
        return;
    };
    let scratch = Scratch::new();
    let image = scratch.image();
    let plain = scratch.scan(&[&image, "--no-layer-cache"]);

    // The scan talks to Redis through a tripwire that holds its first SET (all its lookups
    // done, layers computed) until Redis has been killed: a kill mid-scan, every time.
    let tripwire = Tripwire::start(redis.port(), b"\r\nSET\r\n");
    let url = format!("redis://127.0.0.1:{}/0", tripwire.port);
    let args = [image.as_str(), "--cache-backend", url.as_str()];
    let child = scratch.spawn(&args);
    tripwire
        .tripped
        .recv_timeout(RUN_LIMIT)
        .expect("the scan stores a layer in Redis");
    redis.kill().unwrap();
    tripwire.resume.send(()).unwrap();
    let run = finish(child, &args);
    assert!(
        run.success,
        "the scan failed with Redis killed: {}",
        run.stderr
    );
    assert_eq!(run.stdout, plain.stdout);
    assert_cache_warning(&run, &url);
    // Reached at the start, lost during the scan.
    assert!(run.stderr.contains("unreachable"), "{}", run.stderr);
    assert!(!run.stderr.contains("unavailable"), "{}", run.stderr);
}

#[test]
fn tls_and_a_password_from_the_environment() {
    if !redis_tests_can_run() {
        return;
    }
    let options = RedisServerOptions::default().tls().password("fleet-secret");
    let redis = RedisServer::start(options).expect("redis-server starts");
    let scratch = Scratch::new();
    let image = scratch.image();
    let url = redis.url();
    assert!(url.starts_with("rediss://"), "{url}");
    let ca = redis.ca_cert().unwrap().display().to_string();
    let env = [
        ("SBOMGEN_CACHE_CA_CERT", ca.as_str()),
        ("SBOMGEN_REDIS_PASSWORD", "fleet-secret"),
    ];
    let args = [image.as_str(), "--cache-backend", url.as_str()];
    let cold = scratch.scan_with(&args, &env);
    assert_eq!(
        cached_keys(&redis).len(),
        scratch.layout.images[0].layers.len() + 1
    );

    // Without the CA the server is not trusted; without the password it refuses: each is a
    // warning, and the scan reads the layers.
    let untrusted = scratch.scan_with(&args, &env[1..]);
    assert!(
        untrusted.stderr.contains("UnknownIssuer"),
        "{}",
        untrusted.stderr
    );
    assert_eq!(untrusted.stdout, cold.stdout);
    let refused = scratch.scan_with(&args, &env[..1]);
    assert!(
        refused.stderr.contains("requires a password"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("fleet-secret"),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.stdout, cold.stdout);

    scratch.destroy_layer_blobs();
    let warm = scratch.scan_with(&args, &env);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(warm.stderr, cold.stderr);
}

#[test]
fn tls_with_the_ca_from_the_flag_or_the_configuration() {
    if !redis_tests_can_run() {
        return;
    }
    let redis =
        RedisServer::start(RedisServerOptions::default().tls()).expect("redis-server starts");
    let scratch = Scratch::new();
    let image = scratch.image();
    let url = redis.url();
    let ca = redis.ca_cert().unwrap().display().to_string();
    let args = [image.as_str(), "--cache-backend", url.as_str()];

    let untrusted = scratch.scan(&args);
    assert!(
        untrusted.stderr.contains("UnknownIssuer"),
        "{}",
        untrusted.stderr
    );
    assert!(cached_keys(&redis).is_empty());

    let flagged: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--cache-ca-cert", &ca])
        .collect();
    let cold = scratch.scan(&flagged);
    assert!(!cold.stderr.contains("warning"), "{}", cold.stderr);
    assert_eq!(cold.stdout, untrusted.stdout);
    assert_eq!(
        cached_keys(&redis).len(),
        scratch.layout.images[0].layers.len() + 1
    );

    // The same key in a configuration file, and the warm scan answered by Redis alone.
    let config = scratch.dir.path().join("sbomgen.yaml");
    std::fs::write(&config, format!("cache-ca-cert: {ca:?}\n")).unwrap();
    let config = config.display().to_string();
    scratch.destroy_layer_blobs();
    let configured: Vec<&str> = args.iter().copied().chain(["-c", &config]).collect();
    let warm = scratch.scan(&configured);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(warm.stderr, cold.stderr);
}

#[test]
fn a_failed_scan_still_says_the_cache_was_unavailable() {
    let scratch = Scratch::new();
    let image = scratch.image();
    // A port nothing listens on: connecting is refused at once.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/0");
    scratch.destroy_layer_blobs();
    let run = scratch.run(&[&image, "--cache-backend", &url]);
    assert!(!run.success, "a scan of destroyed layers succeeded");
    assert!(
        run.stderr.contains("layer cache unavailable"),
        "{}",
        run.stderr
    );
    assert_cache_warning(&run, &url);
    assert!(run.stderr.contains("cannot scan"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_mistyped_backend_never_prints_its_password() {
    let scratch = Scratch::new();
    let image = scratch.image();
    for value in ["redis:/ci:hunter2@cache:6379", "rediss//ci:hunter2@cache"] {
        let flag = scratch.run(&[&image, "--cache-backend", value]);
        let env = finish(
            scratch.spawn_with(&[&image], &[("SBOMGEN_CACHE_BACKEND", value)]),
            &[value],
        );
        for run in [flag, env] {
            assert!(!run.success, "{value} was accepted");
            assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
            assert!(run.stderr.contains("ci:***@cache"), "{}", run.stderr);
        }
    }
}

/// A TCP relay to Redis that holds the first client chunk containing `needle`, reports it on
/// `tripped`, and forwards it only after a message on `resume`.
struct Tripwire {
    port: u16,
    tripped: mpsc::Receiver<()>,
    resume: mpsc::Sender<()>,
}

/// The tripwire's two ends, taken by the connection that trips it.
type Trip = Arc<Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>>;

impl Tripwire {
    fn start(redis_port: u16, needle: &'static [u8]) -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tripped_tx, tripped) = mpsc::channel();
        let (resume, resume_rx) = mpsc::channel::<()>();
        let trip: Trip = Arc::new(Mutex::new(Some((tripped_tx, resume_rx))));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                // Once Redis is gone, the client sees its connection closed.
                if let Ok(server) = TcpStream::connect(("127.0.0.1", redis_port)) {
                    let trip = Arc::clone(&trip);
                    let (client_in, server_out) =
                        (client.try_clone().unwrap(), server.try_clone().unwrap());
                    std::thread::spawn(move || forward(client_in, server_out, needle, &trip));
                    std::thread::spawn(move || forward(server, client, b"", &Trip::default()));
                }
            }
        });
        Tripwire {
            port,
            tripped,
            resume,
        }
    }
}

/// Copies `from` to `to` until either side closes; the first chunk holding `needle` (when not
/// empty) waits for the tripwire's resume.
fn forward(mut from: TcpStream, mut to: TcpStream, needle: &[u8], trip: &Trip) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buffer[..n];
        if !needle.is_empty() && chunk.windows(needle.len()).any(|w| w == needle) {
            let armed = trip.lock().unwrap().take();
            if let Some((tripped, resume)) = armed {
                let _ = tripped.send(());
                let _ = resume.recv_timeout(RUN_LIMIT);
            }
        }
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
