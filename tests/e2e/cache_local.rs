//! The local layer cache (issue 15): a warm scan answers from the cache alone, byte for byte
//! the same as a cold one (warnings included); damaged entries are recomputed; concurrent
//! scans share one store; the size cap evicts; `sbomgen cache {info,clean,prune}`.
//!
//! Every run gets the test's own `XDG_CACHE_HOME`, never the user's cache.

use std::path::PathBuf;
use std::process::{Output, Stdio};

use super::cache_scratch::{destroy_layer_blobs, spec, stderr, Scratch};

#[test]
fn a_warm_scan_reads_no_layer_and_writes_the_same_bytes_and_warnings() {
    let scratch = Scratch::new();
    let (image, layout) = scratch.image("image.oci", spec());
    let cold = scratch.scan(&image, &[]);
    assert!(
        stderr(&cold).contains("escapes the image root"),
        "the image should cause a layer warning: {}",
        stderr(&cold)
    );
    let doc: serde_json::Value = serde_json::from_slice(&cold.stdout).unwrap();
    assert!(
        doc.to_string().contains("requests"),
        "the file cataloguer's findings are in the document"
    );
    let layers = layout.images[0].layers.len();
    assert_eq!(
        scratch.all_entries().len(),
        layers + 1,
        "one entry per layer and the image's result"
    );

    destroy_layer_blobs(&image);
    let uncached = scratch.run(&["scan", image.to_str().unwrap(), "--no-layer-cache"]);
    assert!(
        !uncached.status.success(),
        "the destroyed blobs are unreadable"
    );

    let warm = scratch.scan(&image, &[]);
    assert_eq!(warm.stdout, cold.stdout, "the warm document differs");
    assert_eq!(stderr(&warm), stderr(&cold), "the warm warnings differ");
}

#[test]
fn options_that_change_the_analysis_use_other_entries() {
    let scratch = Scratch::new();
    let (image, layout) = scratch.image("image.oci", spec());
    let all = scratch.scan(&image, &[]);
    let dpkg_only = scratch.scan(&image, &["--catalogers", "dpkg"]);
    assert_ne!(all.stdout, dpkg_only.stdout);
    let layers = layout.images[0].layers.len();
    assert_eq!(scratch.all_entries().len(), 2 * (layers + 1));

    destroy_layer_blobs(&image);
    assert_eq!(scratch.scan(&image, &[]).stdout, all.stdout);
    let warm = scratch.scan(&image, &["--catalogers", "dpkg"]);
    assert_eq!(warm.stdout, dpkg_only.stdout);
    let limited = scratch.run(&[
        "scan",
        image.to_str().unwrap(),
        "--limit",
        "captured-file=1M",
    ]);
    assert!(
        !limited.status.success(),
        "another limit is another key: the layers are read"
    );
}

#[test]
fn a_damaged_entry_is_recomputed_replaced_and_named() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    let cold = scratch.scan(&image, &[]);
    // A layer entry, read only when the image's result is missing.
    let (entries, results) = scratch.entries();
    for result in results {
        std::fs::remove_file(scratch.store().join(result)).unwrap();
    }
    let victim = scratch.store().join(&entries[0]);
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();

    scratch.assert_recomputed(&image, &cold, &victim, &bytes);
}

#[test]
fn two_scans_racing_on_one_store_both_succeed() {
    let scratch = Scratch::new();
    let (image, layout) = scratch.image("image.oci", spec());
    let args = ["scan", image.to_str().unwrap(), "-o", "json"];
    let spawn = || {
        scratch
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let runs: Vec<_> = (0..4).map(|_| spawn()).collect();
    let outputs: Vec<Output> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
        assert_eq!(out.stdout, outputs[0].stdout);
    }
    let layers = layout.images[0].layers.len();
    assert_eq!(
        scratch.all_entries().len(),
        layers + 1,
        "no temporary file left: {:?}",
        scratch.all_entries()
    );
    destroy_layer_blobs(&image);
    assert_eq!(scratch.scan(&image, &[]).stdout, outputs[0].stdout);
}

#[test]
fn no_cache_and_no_layer_cache_write_no_entry() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    scratch.scan(&image, &["--no-layer-cache"]);
    scratch.scan(&image, &["--no-cache"]);
    assert!(scratch.all_entries().is_empty());
    scratch.scan(&image, &[]);
    assert!(!scratch.all_entries().is_empty());
}

#[test]
fn dir_sources_are_never_cached() {
    let scratch = Scratch::new();
    let root = scratch.dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/hostname"), "x\n").unwrap();
    scratch.scan(&PathBuf::from(format!("dir:{}", root.display())), &[]);
    assert!(scratch.all_entries().is_empty());
}

#[test]
fn the_size_cap_evicts_the_least_recently_used_entries() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    scratch.scan(&image, &["--catalogers", "dpkg"]);
    let old = scratch.all_entries();
    std::thread::sleep(std::time::Duration::from_millis(20));
    scratch.scan(&image, &[]);
    let all = scratch.all_entries();
    let newer: Vec<&String> = all.iter().filter(|e| !old.contains(e)).collect();
    let newer_bytes: u64 = newer
        .iter()
        .map(|e| std::fs::metadata(scratch.store().join(e)).unwrap().len())
        .sum();

    // A cap that holds the newer scan's entries only: the older ones go.
    let cap = newer_bytes.to_string();
    let out = scratch.run(&["cache", "prune", "--max-size", &cap]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = scratch.all_entries();
    assert_eq!(left.iter().collect::<Vec<_>>(), newer, "LRU order");

    // The same cap applied by a scan that writes: `--cache-size` after scanning.
    scratch.scan(&image, &["--catalogers", "dpkg", "--cache-size", &cap]);
    let after = scratch.all_entries();
    assert!(
        after.iter().all(|e| old.contains(e)),
        "only the newest scan's entries stay: {after:?}"
    );
}

#[test]
fn cache_info_and_clean() {
    let scratch = Scratch::new();
    let (image, layout) = scratch.image("image.oci", spec());
    scratch.scan(&image, &[]);
    let info = scratch.run(&["cache", "info"]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = String::from_utf8_lossy(&info.stdout);
    // One per layer and the image's result.
    let entries = layout.images[0].layers.len() + 1;
    assert!(
        text.contains(&format!("{}: {entries} entries", scratch.store().display())),
        "{text}"
    );
    assert!(text.contains("blob cache"), "{text}");

    let clean = scratch.run(&["cache", "clean"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(String::from_utf8_lossy(&clean.stdout).contains(&format!("removed {entries} entries")));
    assert!(scratch.all_entries().is_empty());
    let info = scratch.run(&["cache", "info"]);
    assert!(String::from_utf8_lossy(&info.stdout).contains("0 entries"));
}

#[test]
fn an_unwritable_cache_warns_and_the_scan_succeeds() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    let blocker = scratch.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let backend = format!("local:{}", blocker.join("layers").display());
    let plain = scratch.scan(&image, &["--no-layer-cache"]);
    let out = scratch.scan(&image, &["--cache-backend", &backend]);
    assert_eq!(out.stdout, plain.stdout);
    let warnings = stderr(&out);
    assert!(
        warnings.contains("layer cache") && warnings.contains("not-a-dir"),
        "{warnings}"
    );
    let bad = scratch.run(&[
        "scan",
        image.to_str().unwrap(),
        "--cache-backend",
        "memcached://x",
    ]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a bad backend is a usage error: {}",
        stderr(&bad)
    );
}
