//! Scan throughput and memory against the physical floor, Trivy and the layer cache
//! (`cargo bench -p sbomgen`).
//!
//! For one image (by default a ~85 MB image of five gzip layers built from this machine's
//! `/usr/lib`, `/usr/share`, `/usr/bin`, `/etc` and `/var/lib/dpkg`, cached under `target/`; or
//! any image given in `SBOMGEN_BENCH_IMAGE`, or one built from a distro root filesystem given in
//! `SBOMGEN_BENCH_ROOTFS`, e.g. `debootstrap --variant=minbase bookworm DIR`), it measures,
//! each as the median of five runs with the largest peak RSS of the five (of that process
//! alone, through `wait4`):
//! - floor: decompressing every layer with the same decoders sbomgen uses (flate2/zlib-rs, zstd),
//!   layers in parallel on the same number of threads, output discarded;
//! - floor + SHA-256 (an extra line, not the floor): the same, also hashing each blob and its
//!   tar on the decoding thread; its CPU time over the thread count, or the floor if larger, is
//!   a lower bound for any scan that verifies digest and diff_id (another extra line);
//! - index-only: the real `sbomgen` binary with `--catalogers none` (layers read, indexed,
//!   verified and merged, no package cataloguing; no layer cache);
//! - cold scan: the real binary scanning the image to `-o json` with every cataloguer, from an
//!   empty layer cache (`support/caches.rs`), and with `--no-layer-cache` (an extra line);
//! - warm scans: the same once the local store, or a Redis on 127.0.0.1 (when `redis-server`
//!   is installed), holds every layer, and their ratio to the cold scan;
//! - Trivy: every `trivy` found (`SBOMGEN_BENCH_TRIVY`, PATH, `/tmp/peers/bin/trivy`), offline;
//! - registry (the bench image only, when Debian's `docker-registry` and `skopeo` are
//!   installed): the image pushed to a registry on 127.0.0.1 and scanned from there.
//!
//! Without `SBOMGEN_BENCH_IMAGE`, more images are measured the same way: a lopsided one (one
//! ~300 MB layer and two small ones, where layer-level parallelism leaves a core idle); the
//! language image of `sbomgen_testkit::langfix::bench_image` (six layers of real `npm install`
//! and `pip install` output and ~1,500 Debian-style `usr/share/nodejs` manifests), where file
//! cataloguers do the most work; and issue 12's `bench_binaries_image`: those six layers plus
//! one of large Go and Rust binaries and a Spring Boot fat jar; then hostile inputs.
//!
//! `SBOMGEN_BENCH_BASELINE=/path/to/an/older/sbomgen` also times that binary's index-only and
//! uncached scans, interleaved run by run with this one's, and prints their ratios: a
//! before/after comparison taken under the same load.
//!
//! Numbers go to stdout and to `target/bench/scan.json`. Nothing here asserts a time.

use std::path::Path;
use std::time::Duration;

use sbomgen_source::{open, OpenOptions, SourceSpec};

#[path = "support/caches.rs"]
mod caches;
#[path = "support/floor.rs"]
mod floor;
#[path = "support/hostile.rs"]
mod hostile;
#[path = "support/images.rs"]
mod images;
#[path = "support/registry.rs"]
mod registry;
#[path = "support/run.rs"]
mod run;
#[path = "support/trivy.rs"]
mod trivy;

use run::{Sbomgen, Stats};

fn main() {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let sbomgen = Sbomgen::new(env!("CARGO_BIN_EXE_sbomgen"));
    let baseline = std::env::var_os("SBOMGEN_BENCH_BASELINE").map(Sbomgen::new);
    let bench = Bench { sbomgen, baseline };
    let given = std::env::var("SBOMGEN_BENCH_IMAGE").ok();
    let image = match &given {
        Some(path) => path.clone(),
        None => match std::env::var_os("SBOMGEN_BENCH_ROOTFS") {
            Some(rootfs) => path_string(&images::rootfs(
                Path::new(&rootfs),
                &target.join("bench-rootfs-image"),
            )),
            None => path_string(&images::system(&target.join("bench-image-v2"))),
        },
    };
    let mut reports = vec![bench.measure("system", &image, true)];
    if given.is_none() {
        let lopsided = images::lopsided(&target.join("bench-image-lopsided"));
        reports.push(bench.measure("lopsided", &path_string(&lopsided), false));
        match sbomgen_testkit::langfix::bench_image() {
            Some(fixture) => {
                let path = fixture.oci_dir.display().to_string();
                reports.push(bench.measure("language", &path, false));
            }
            None => println!("language image:        skipped (see above)"),
        }
        match sbomgen_testkit::langfix::bench_binaries_image() {
            Some(fixture) => {
                let path = fixture.oci_dir.display().to_string();
                reports.push(bench.measure("binaries", &path, false));
            }
            None => println!("binaries image:        skipped (see above)"),
        }
        reports.extend(hostile::measure(&bench.sbomgen, &target));
    }
    let out = target.join("bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(out.join("scan.json"), format!("[{}]\n", reports.join(",")))
        .expect("write scan.json");
}

fn path_string(path: &Path) -> String {
    path.display().to_string()
}

/// The binary measured, and an older one to compare it with.
struct Bench {
    sbomgen: Sbomgen,
    baseline: Option<Sbomgen>,
}

impl Bench {
    /// Measures one image; prints the table and returns its JSON report.
    fn measure(&self, label: &str, image: &str, with_registry: bool) -> String {
        let spec = SourceSpec::parse(image).expect("bench image source");
        let opened = open(&spec, &OpenOptions::default()).expect("bench image opens");
        let compressed: u64 = opened.layers.iter().filter_map(|l| l.size).sum();
        let threads = rayon::current_num_threads();
        println!("== {label} image (load average {})", run::load_average());

        let mut floor_bytes = 0;
        let floor = run::measure(|| {
            let before = run::cpu_seconds();
            let (wall, bytes) = floor::decompress_all(&opened.layers, false);
            floor_bytes = bytes;
            in_process(wall, run::cpu_seconds() - before)
        });
        // CPU seconds (all threads) of the verifying decode: what any verifying scan must
        // spend, so `cpu / threads` bounds its wall time from below, beside the floor itself.
        let verified = run::measure(|| {
            let before = run::cpu_seconds();
            let (wall, _) = floor::decompress_all(&opened.layers, true);
            in_process(wall, run::cpu_seconds() - before)
        });
        let bound = floor.secs().max(verified.cpu / threads as f64);

        let scratch = tempfile::tempdir().expect("scratch dir");
        let home = scratch.path();
        let sbomgen = &self.sbomgen;
        let index_args: Vec<&str> = ["--catalogers", "none"]
            .into_iter()
            .chain(sbomgen.no_layer_cache().iter().copied())
            .collect();
        let index_only = run::measure(|| sbomgen.scan(image, &index_args, home));
        let cache = caches::measure(sbomgen, image, home);
        let cold = cache.cold;
        let trivy = trivy::measure(image);
        let registry = with_registry
            .then(|| registry::measure(sbomgen, &spec, &opened.tags, home))
            .flatten();

        let mb = |bytes: u64| bytes as f64 / 1e6;
        let rate = |s: &Stats| mb(compressed) / s.secs();
        let x_floor = |s: &Stats| s.secs() / floor.secs();
        println!("image:                 {image}");
        println!("layers:                {}", opened.layers.len());
        println!("compressed input:      {:.1} MB", mb(compressed));
        println!("uncompressed:          {:.1} MB", mb(floor_bytes));
        println!("threads:               {threads}");
        println!(
            "floor (decompress):    {:.3} s  {:.1} MB/s",
            floor.secs(),
            rate(&floor)
        );
        // Not the floor: what verifying both digests adds to it, for judging the 1.3x target.
        println!(
            "floor + SHA-256 of blob and tar (extra): {:.3} s, {:.3} s CPU  ({:.2}x floor)",
            verified.secs(),
            verified.cpu,
            x_floor(&verified)
        );
        println!(
            "verifying-scan bound (extra): {bound:.3} s = max(floor, that CPU / {threads} threads)  ({:.2}x floor)",
            bound / floor.secs()
        );
        println!(
            "index-only scan:       {:.3} s  {:.1} MB/s  peak RSS {:.1} MB",
            index_only.secs(),
            rate(&index_only),
            index_only.rss_mb()
        );
        println!(
            "cold scan:             {:.3} s  {:.1} MB/s  peak RSS {:.1} MB (target < 150 MB)",
            cold.secs(),
            rate(&cold),
            cold.rss_mb()
        );
        println!(
            "cold / floor:          {:.2}x (target <= 1.30x)",
            x_floor(&cold)
        );
        println!(
            "cold / index-only:     {:.2}x",
            cold.secs() / index_only.secs()
        );
        if let Some(uncached) = &cache.uncached {
            println!(
                "--no-layer-cache (extra): {:.3} s  peak RSS {:.1} MB (the cold scan spends {:+.3} s on the cache)",
                uncached.secs(),
                uncached.rss_mb(),
                cold.secs() - uncached.secs()
            );
        }
        for (what, warm) in [
            ("warm scan, local:", &cache.warm_local),
            ("warm scan, Redis:", &cache.warm_redis),
        ] {
            if let Some(warm) = warm {
                println!(
                    "{what:<23}{:.3} s  peak RSS {:.1} MB  ({:.1}% of cold; target <= 5%)",
                    warm.secs(),
                    warm.rss_mb(),
                    100.0 * warm.secs() / cold.secs()
                );
            }
        }
        for t in &trivy {
            println!(
                "trivy {} ({}): {:.3} s  peak RSS {:.1} MB  (sbomgen cold takes {:.2}x Trivy's time; target <= 0.50x)",
                t.version,
                t.binary.display(),
                t.stats.secs(),
                t.stats.rss_mb(),
                cold.secs() / t.stats.secs()
            );
        }
        // CPU seconds (user + system) of the same runs: less disturbed than wall time by other
        // work on a shared machine, and what the cores must absorb.
        println!(
            "CPU (extra): floor {:.3} s, floor + SHA-256 {:.3} s, index-only {:.3} s, cold scan {:.3} s ({:.2}x the floor's)",
            floor.cpu,
            verified.cpu,
            index_only.cpu,
            cold.cpu,
            cold.cpu / floor.cpu
        );
        if let Some(r) = &registry {
            for (what, d) in [
                ("registry, cold cache:", r.cold),
                ("registry, warm cache:", r.warm),
                ("registry, --no-cache:", r.no_cache),
            ] {
                println!(
                    "{what:<23}{:.3} s  ({:.2}x the local scan)",
                    d.secs(),
                    d.secs() / cold.secs()
                );
            }
        }
        let baseline = self.baseline.as_ref().map(|old| self.compare(old, image));
        println!("load average now:      {}", run::load_average());

        let opt = |s: &Option<Stats>| s.as_ref().map_or("null".to_string(), Stats::json);
        let trivy_json: Vec<String> = trivy
            .iter()
            .map(|t| {
                format!(
                    "{{\"binary\":{:?},\"version\":{:?},\"run\":{}}}",
                    t.binary.display().to_string(),
                    t.version,
                    t.stats.json()
                )
            })
            .collect();
        let registry_json = registry.as_ref().map_or("null".to_string(), |r| {
            format!(
                "{{\"cold\":{},\"warm\":{},\"noCache\":{}}}",
                r.cold.json(),
                r.warm.json(),
                r.no_cache.json()
            )
        });
        format!(
            "{{\"label\":{label:?},\"image\":{image:?},\"layers\":{},\"compressedBytes\":{compressed},\"uncompressedBytes\":{floor_bytes},\"threads\":{threads},\"floor\":{},\"floorWithDigests\":{},\"verifyingScanBoundSeconds\":{bound:.4},\"indexOnly\":{},\"cold\":{},\"noLayerCache\":{},\"warmLocal\":{},\"warmRedis\":{},\"coldOverFloor\":{:.3},\"trivy\":[{}],\"registry\":{registry_json},\"baseline\":{}}}",
            opened.layers.len(),
            floor.json(),
            verified.json(),
            index_only.json(),
            cold.json(),
            opt(&cache.uncached),
            opt(&cache.warm_local),
            opt(&cache.warm_redis),
            x_floor(&cold),
            trivy_json.join(","),
            baseline.unwrap_or_else(|| "null".into())
        )
    }

    /// Index-only and uncached full scans of this binary and `old`, interleaved; prints the
    /// ratios and returns them as JSON.
    fn compare(&self, old: &Sbomgen, image: &str) -> String {
        let scratch = tempfile::tempdir().expect("scratch dir");
        let home = scratch.path();
        let args = |sbomgen: &Sbomgen, index_only: bool| -> Vec<&'static str> {
            let catalogers: &[&'static str] = if index_only {
                &["--catalogers", "none"]
            } else {
                &[]
            };
            catalogers
                .iter()
                .chain(sbomgen.no_layer_cache())
                .copied()
                .collect()
        };
        let mut json = Vec::new();
        for (what, index_only) in [("index-only", true), ("full, uncached", false)] {
            let (new_args, old_args) = (args(&self.sbomgen, index_only), args(old, index_only));
            let (new, before) = run::measure_pair(
                || self.sbomgen.scan(image, &new_args, home),
                || old.scan(image, &old_args, home),
            );
            println!(
                "vs baseline, {what:<15} {:.3} s before, {:.3} s now ({:.2}x); CPU {:.3} s before, {:.3} s now; peak RSS {:.1} MB before, {:.1} MB now",
                before.secs(),
                new.secs(),
                new.secs() / before.secs(),
                before.cpu,
                new.cpu,
                before.rss_mb(),
                new.rss_mb()
            );
            json.push(format!(
                "{{\"what\":{what:?},\"before\":{},\"now\":{}}}",
                before.json(),
                new.json()
            ));
        }
        format!(
            "{{\"binary\":{:?},\"runs\":[{}]}}",
            old.path.display().to_string(),
            json.join(",")
        )
    }
}

/// A sample of work done inside the bench process (its RSS is not measured).
fn in_process(wall: Duration, cpu: f64) -> run::Sample {
    run::Sample {
        wall,
        rss_kib: 0,
        cpu,
    }
}
