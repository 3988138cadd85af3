//! Trivy on the same image, for the "at most half of Trivy's time" target: every `trivy` found
//! (`SBOMGEN_BENCH_TRIVY`, `trivy` on PATH, `/tmp/peers/bin/trivy`), offline, with an in-memory
//! cache, so it measures analysis, not downloads.

use std::path::{Path, PathBuf};
use std::process::Command;

use sbomgen_source::SourceSpec;

use super::run::{self, Sample, Stats};

/// One Trivy binary's median on the image.
pub(crate) struct TrivyTime {
    pub(crate) binary: PathBuf,
    pub(crate) version: String,
    pub(crate) stats: Stats,
}

/// The distinct Trivy binaries to measure, in the order named above.
fn binaries() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    let named = std::env::var_os("SBOMGEN_BENCH_TRIVY").map(PathBuf::from);
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("trivy"))
            .find(|p| p.is_file())
    });
    let peers = Some(PathBuf::from("/tmp/peers/bin/trivy")).filter(|p| p.is_file());
    for candidate in [named, on_path, peers].into_iter().flatten() {
        let real = std::fs::canonicalize(&candidate).unwrap_or(candidate.clone());
        if !found
            .iter()
            .any(|f| std::fs::canonicalize(f).unwrap_or(f.clone()) == real)
        {
            found.push(candidate);
        }
    }
    found
}

/// Medians of every Trivy found on `image` (only local image files: Trivy's `--input`).
pub(crate) fn measure(image: &str) -> Vec<TrivyTime> {
    let Ok(
        SourceSpec::OciDir { path, .. }
        | SourceSpec::OciArchive { path, .. }
        | SourceSpec::DockerArchive { path, .. },
    ) = SourceSpec::parse(image)
    else {
        return Vec::new();
    };
    let Ok(scratch) = tempfile::tempdir() else {
        return Vec::new();
    };
    // Trivy splits `--input` at `@` (a digest): give it a path without one.
    let input = if path.to_string_lossy().contains('@') {
        let link = scratch.path().join("image");
        match std::fs::canonicalize(&path).and_then(|p| std::os::unix::fs::symlink(p, &link)) {
            Ok(()) => link,
            Err(_) => return Vec::new(),
        }
    } else {
        path
    };
    let cache = java_db_cache(scratch.path());
    let mut times = Vec::new();
    for binary in binaries() {
        let run = || trivy_run(&binary, &input, &cache);
        if run().is_none() {
            println!(
                "trivy:                 skipped ({} does not run)",
                binary.display()
            );
            continue;
        }
        let stats = run::measure(|| run().unwrap_or_else(failed));
        times.push(TrivyTime {
            version: version(&binary),
            binary,
            stats,
        });
    }
    if times.is_empty() {
        println!("trivy:                 skipped (no trivy on PATH or in /tmp/peers/bin)");
    }
    times
}

fn failed() -> Sample {
    panic!("trivy ran once and then failed on the same image")
}

/// Trivy refuses `--skip-java-db-update` without a Java DB in its cache: give it the test DB
/// from ../shared/fixtures (jars are then named from pom.properties and manifests only).
fn java_db_cache(scratch: &Path) -> PathBuf {
    let cache = scratch.join("cache");
    let java_db = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/trivy-java-db/java-db");
    if std::fs::create_dir_all(cache.join("java-db")).is_ok() {
        for name in ["trivy-java.db", "metadata.json"] {
            let _ = std::fs::copy(java_db.join(name), cache.join("java-db").join(name));
        }
    }
    cache
}

fn trivy_run(binary: &Path, input: &Path, cache: &Path) -> Option<Sample> {
    let mut command = Command::new(binary);
    command
        .args(["image", "--input"])
        .arg(input)
        .arg("--cache-dir")
        .arg(cache)
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
        ]);
    let (sample, status) = run::run(&mut command);
    (status == 0).then_some(sample)
}

/// `0.76.0` from `trivy --version`.
fn version(binary: &Path) -> String {
    Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Version: ").map(str::to_string))
        })
        .unwrap_or_else(|| "?".into())
}
