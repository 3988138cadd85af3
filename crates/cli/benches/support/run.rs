//! Running a program and measuring it alone: wall time, its own peak RSS and CPU (`wait4`),
//! and medians over [`RUNS`] runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per measurement; the median is reported.
pub(crate) const RUNS: usize = 5;

/// One run of a process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) wall: Duration,
    /// Peak resident set of that process alone, KiB.
    pub(crate) rss_kib: i64,
    /// User plus system CPU seconds of that process.
    pub(crate) cpu: f64,
}

/// [`RUNS`] runs of one thing: median wall and CPU time, and the largest peak RSS of any run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) wall: Duration,
    pub(crate) cpu: f64,
    pub(crate) rss_kib: i64,
}

impl Stats {
    pub(crate) fn of(mut samples: Vec<Sample>) -> Stats {
        let rss_kib = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
        samples.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
        let cpu = samples[samples.len() / 2].cpu;
        samples.sort_by_key(|s| s.wall);
        Stats {
            wall: samples[samples.len() / 2].wall,
            cpu,
            rss_kib,
        }
    }

    pub(crate) fn secs(&self) -> f64 {
        self.wall.as_secs_f64()
    }

    pub(crate) fn rss_mb(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }

    /// `"seconds":…,"cpuSeconds":…,"peakRssKiB":…` for the JSON report.
    pub(crate) fn json(&self) -> String {
        format!(
            "{{\"seconds\":{:.4},\"cpuSeconds\":{:.4},\"peakRssKiB\":{}}}",
            self.secs(),
            self.cpu,
            self.rss_kib
        )
    }
}

/// [`RUNS`] runs of `f`, median.
pub(crate) fn measure(mut f: impl FnMut() -> Sample) -> Stats {
    Stats::of((0..RUNS).map(|_| f()).collect())
}

/// [`RUNS`] runs each of `a` and `b`, interleaved (a, b, a, b…) so that a change of load on a
/// shared machine hits both alike.
pub(crate) fn measure_pair(
    mut a: impl FnMut() -> Sample,
    mut b: impl FnMut() -> Sample,
) -> (Stats, Stats) {
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        first.push(a());
        second.push(b());
    }
    (Stats::of(first), Stats::of(second))
}

/// An `sbomgen` binary and what its `scan` understands.
#[derive(Debug, Clone)]
pub(crate) struct Sbomgen {
    pub(crate) path: PathBuf,
    /// Whether it has the per-layer cache (`--no-layer-cache`, `--cache-backend`).
    pub(crate) layer_cache: bool,
}

impl Sbomgen {
    pub(crate) fn new(path: impl Into<PathBuf>) -> Sbomgen {
        let path = path.into();
        let help = Command::new(&path)
            .args(["scan", "--help"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        Sbomgen {
            path,
            layer_cache: help.contains("--no-layer-cache") && help.contains("--cache-backend"),
        }
    }

    /// `--no-layer-cache` when this binary has a layer cache, else nothing.
    pub(crate) fn no_layer_cache(&self) -> &'static [&'static str] {
        if self.layer_cache {
            &["--no-layer-cache"]
        } else {
            &[]
        }
    }

    /// One `scan IMAGE -q -o json EXTRA…` with `XDG_CACHE_HOME=cache_home` (the layer and
    /// blob caches' default home), output discarded. Panics with its stderr if it fails.
    pub(crate) fn scan(&self, image: &str, extra: &[&str], cache_home: &Path) -> Sample {
        let mut command = Command::new(&self.path);
        command
            .args(["scan", image, "-q", "-o", "json"])
            .args(extra)
            .env("XDG_CACHE_HOME", cache_home);
        let (sample, status) = run(&mut command);
        if status != 0 {
            let out = command
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output();
            let stderr = out.map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
            panic!(
                "{} scan {image} {extra:?} failed: {}",
                self.path.display(),
                stderr.unwrap_or_default()
            );
        }
        sample
    }
}

/// Runs `command` with its output discarded; returns its sample and raw wait status.
// The child is reaped by `wait4` in `wait_with_rusage`, which clippy cannot see.
#[allow(clippy::zombie_processes)]
pub(crate) fn run(command: &mut Command) -> (Sample, i32) {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    let (status, rss_kib, cpu) = wait_with_rusage(child.id());
    let sample = Sample {
        wall: start.elapsed(),
        rss_kib,
        cpu,
    };
    (sample, status)
}

/// User plus system CPU seconds of this process so far, all its threads (not its children).
#[allow(unsafe_code)]
pub(crate) fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &raw mut usage) };
    timeval_sum(&usage)
}

/// Waits for child `pid` and returns its exit status, its own peak resident set in KiB and its
/// CPU seconds (`wait4`), so each scan is measured alone rather than the largest child so far.
#[allow(unsafe_code)]
pub(crate) fn wait_with_rusage(pid: u32) -> (i32, i64, f64) {
    let mut status: libc::c_int = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 writes into the status and struct we own; `pid` is our own child, not
    // waited for elsewhere (the `Child` handle is dropped without waiting).
    let pid = libc::pid_t::try_from(pid).expect("a child's pid fits pid_t");
    let rc = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
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

/// The 1-minute load average, to print beside numbers taken on a shared machine.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}
