//! Build facts for `sbomgen version`: the git commit, a build date, rustc's version and the
//! target triple, as `SBOMGEN_BUILD_*` compile-time variables.
//!
//! Reproducible: the date is `SOURCE_DATE_EPOCH` when set (reproducible-builds.org), else the
//! commit's own date, never the clock, so two builds of one commit are identical. Outside a git
//! checkout (a source tarball) the commit and date read `unknown` unless `SBOMGEN_BUILD_COMMIT`
//! and `SOURCE_DATE_EPOCH` say otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=SBOMGEN_BUILD_COMMIT");
    watch_git_head(&manifest);

    let commit = std::env::var("SBOMGEN_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&manifest, &["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .or_else(|| git(&manifest, &["log", "-1", "--format=%ct"]))
        .and_then(|text| text.trim().parse::<i64>().ok());
    let date = epoch.map_or_else(|| "unknown".into(), rfc3339);
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc = run(Command::new(rustc).arg("--version")).unwrap_or_else(|| "unknown".into());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());

    println!("cargo:rustc-env=SBOMGEN_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=SBOMGEN_BUILD_DATE={date}");
    println!("cargo:rustc-env=SBOMGEN_BUILD_RUSTC={rustc}");
    println!("cargo:rustc-env=SBOMGEN_BUILD_TARGET={target}");
}

/// Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs.
fn watch_git_head(manifest: &Path) {
    let Some(dir) = git(manifest, &["rev-parse", "--absolute-git-dir"]) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let head = dir.join("HEAD");
    println!("cargo:rerun-if-changed={}", head.display());
    if let Ok(text) = std::fs::read_to_string(&head) {
        if let Some(branch) = text.trim().strip_prefix("ref: ") {
            println!("cargo:rerun-if-changed={}", dir.join(branch).display());
        }
    }
    if dir.join("packed-refs").exists() {
        println!(
            "cargo:rerun-if-changed={}",
            dir.join("packed-refs").display()
        );
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    run(Command::new("git").arg("-C").arg(dir).args(args))
}

fn run(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
fn rfc3339(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}
