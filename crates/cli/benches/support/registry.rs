//! The bench image pushed to a throwaway registry on 127.0.0.1 (Debian's `docker-registry` and
//! `skopeo`) and scanned from there: with a cold blob cache (a fresh `--cache-dir` per run), a
//! warm one, and `--no-cache`. The layer cache is off in all three (`--no-layer-cache`): they
//! measure the download and blob cache paths.

use std::path::Path;

use sbomgen_source::SourceSpec;
use sbomgen_testkit::registry::{missing_tools, Registry, RegistryOptions};

use super::run::{self, Sbomgen, Stats};

/// Registry scan times of the bench image (medians).
pub(crate) struct RegistryTimes {
    pub(crate) cold: Stats,
    pub(crate) warm: Stats,
    pub(crate) no_cache: Stats,
}

/// Pushes the image and times scans from it; `None` (after saying why) when the registry tools
/// are missing or the source cannot be pushed.
pub(crate) fn measure(
    sbomgen: &Sbomgen,
    spec: &SourceSpec,
    tags: &[String],
    scratch: &Path,
) -> Option<RegistryTimes> {
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
    let scan = |extra: &[&str]| {
        let args: Vec<&str> = sbomgen
            .no_layer_cache()
            .iter()
            .chain(extra)
            .copied()
            .collect();
        sbomgen.scan(&reference, &args, scratch)
    };
    let mut fresh = 0;
    let cold = run::measure(|| {
        fresh += 1;
        let cache = scratch.join(format!("registry-cold-{fresh}"));
        scan(&["--cache-dir", cache.to_str().unwrap()])
    });
    let warm_cache = scratch.join("registry-warm");
    let warm_arg = ["--cache-dir", warm_cache.to_str().unwrap()];
    scan(&warm_arg);
    let warm = run::measure(|| scan(&warm_arg));
    let no_cache = run::measure(|| scan(&["--no-cache"]));
    Some(RegistryTimes {
        cold,
        warm,
        no_cache,
    })
}
