//! binary-classifier: software named by version strings inside binaries (Syft's binary
//! classifiers).
//!
//! A statically linked `busybox`, a `python3.11` built from source, an `openssl` copied into
//! an image: no package database names them, but each carries its version as a string
//! (`BusyBox v1.35.0`, `[NUL]3.11.2[NUL]`, `[NUL]OpenSSL 3.0.22`). A data table
//! (`runtimes.rs`, `services.rs`; one `Classifier` per entry) says, for each piece
//! of software, which file names to read (globs: selection is by name, never by content, so
//! [`FileCataloguer::sniff`] stays off), which byte patterns give the version, and which purl
//! and CPEs name it. The patterns are Syft's (`syft/pkg/cataloger/binary/classifiers.go`),
//! plus a few for Debian's builds, which Syft's miss; each difference is noted at its entry.
//!
//! Files arrive with random access because they can be hundreds of MB; they are streamed in
//! bounded windows (`scan.rs`: 1 MiB chunks, 64 KiB overlap, at most 512 MiB per file), never
//! read whole. Each pattern stops at its first match, and the pass stops as soon as every
//! classifier reading the file has its answer (`plan.rs`).
//!
//! One file is read at a time, so Syft's look-ups in other files (an executable's
//! `DT_NEEDED` libraries, a `VERSION` file beside `go`) are not made: libraries are classified
//! where they lie instead. Symlinks are not files: Debian's `redis-server`, a link to
//! `redis-check-rdb`, is not read under that name.
//!
//! Records: purl `pkg:generic/<name>@<version>` (`pkg:golang/…` for the Go programs Syft
//! names by module: Consul, Vault, Helm), `database` = the binary's path, and metadata
//! `classifier` (the class, e.g. `busybox-binary`: the scan drops a hit on a file an OS
//! package owns exactly), `evidence` (the matched bytes, escaped, at most 200 characters),
//! `evidenceOffset` and `cpes`.

mod classifier;
mod evidence;
mod plan;
mod runtimes;
mod scan;
mod services;
#[cfg(test)]
mod tests;

use std::io::{Cursor, Read};
use std::sync::LazyLock;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::Serialize;

use crate::npm::json;
use crate::{purl, FileCataloguer, ReadSeek};
use classifier::{compiled, Classifier, Compiled};
use plan::{Plan, Winner};
use scan::Limits;

/// Names software by version strings in binaries (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct BinaryClassifierCataloguer;

impl FileCataloguer for BinaryClassifierCataloguer {
    fn name(&self) -> &'static str {
        "binary-classifier"
    }

    fn patterns(&self) -> &'static [&'static str] {
        static PATTERNS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
            let mut globs: Vec<&'static str> = all_classifiers()
                .flat_map(|c| c.globs.iter().copied())
                .collect();
            globs.sort_unstable();
            globs.dedup();
            globs
        });
        &PATTERNS
    }

    fn random_access(&self) -> bool {
        true
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        classify(path, &mut Cursor::new(bytes), Limits::default())
    }

    fn parse_content(&self, path: &str, content: &mut dyn ReadSeek, _size: u64) -> FileFindings {
        classify(path, content, Limits::default())
    }
}

/// Every classifier's class name, in table order.
pub fn classes() -> Vec<&'static str> {
    all_classifiers().map(|c| c.class).collect()
}

/// The table: runtimes, then services.
fn all_classifiers() -> impl Iterator<Item = &'static Classifier> {
    runtimes::CLASSIFIERS.iter().chain(services::CLASSIFIERS)
}

/// Runs the table's classifiers that select `path` over `content`, in one bounded pass.
fn classify(path: &str, content: &mut dyn Read, limits: Limits) -> FileFindings {
    let table = compiled();
    let mut findings = classify_with(&table.classifiers, path, content, limits);
    // A table bug, which the invariant tests catch; said rather than hidden if it ships.
    (findings.warnings)
        .extend((table.errors.iter()).map(|e| format!("{path}: binary classifier left out: {e}")));
    findings
}

fn classify_with(
    classifiers: &[Compiled],
    path: &str,
    content: &mut dyn Read,
    limits: Limits,
) -> FileFindings {
    let mut findings = FileFindings::default();
    let selected: Vec<_> = (classifiers.iter())
        .filter_map(|c| c.selects(path))
        .collect();
    if selected.is_empty() {
        return findings;
    }
    let plan = Plan::new(&selected);
    let outcome = match scan::first_matches(content, &plan.slots, limits, &|h| plan.needed(h)) {
        Ok(outcome) => outcome,
        Err(e) => {
            findings.warnings.push(format!("{path}: cannot read: {e}"));
            return findings;
        }
    };
    if outcome.truncated {
        findings.warnings.push(format!(
            "{path}: only the first {} bytes searched for version strings",
            limits.max_scan
        ));
    }
    for winner in plan.winners(&outcome.hits) {
        match record(path, &winner) {
            Some(record) => findings.packages.push(record),
            None => findings.warnings.push(format!(
                "{path}: {} matched without a usable version",
                winner.compiled.classifier.class
            )),
        }
    }
    findings
}

/// The extra fields a classifier record carries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClassifierMetadata<'a> {
    /// The class that matched (also in `PackageRecord::classifier`).
    classifier: &'static str,
    /// The matched bytes, escaped (see [`evidence`]).
    evidence: String,
    /// Where `evidence` starts in the file.
    evidence_offset: u64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    cpes: &'a [String],
}

fn record(path: &str, winner: &Winner<'_, '_>) -> Option<PackageRecord> {
    let classifier = winner.compiled.classifier;
    let package = &classifier.package;
    let captured = |name: &str| winner.captures.get(name).copied();
    let version = match captured("version") {
        Some(version) => version.to_string(),
        // Syft's `{major, minor, patch}` form, as numbers.
        None => ["major", "minor", "patch"]
            .iter()
            .map(|part| captured(part)?.parse::<u64>().ok().map(|n| n.to_string()))
            .collect::<Option<Vec<_>>>()?
            .join("."),
    };
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let ecosystem = match package.purl_type {
        "golang" => Ecosystem::Golang,
        _ => Ecosystem::Generic,
    };
    let mut record = PackageRecord::new(ecosystem, package.name, &version, path);
    record.purl = Some(purl::purl(
        package.purl_type,
        package.namespace,
        package.purl_name,
        &version,
        &[],
    ));
    let value = |name: &str| match name {
        "version" => Some(version.clone()),
        _ => captured(name).map(str::to_string),
    };
    let cpes: Vec<String> = (package.cpes.iter())
        .filter_map(|t| classifier::render_cpe(t, &value))
        .collect();
    record.metadata = json::metadata_map(&ClassifierMetadata {
        classifier: classifier.class,
        evidence: evidence::render(&winner.evidence.matched, winner.evidence.version.clone()),
        evidence_offset: winner.evidence.offset,
        cpes: &cpes,
    });
    record.cpes = cpes;
    record.classifier = Some(classifier.class);
    Some(record)
}
