//! The image-level result cache (issue 15): a re-scan of an unchanged image answers from one
//! entry, reading no layer and no layer entry, byte for byte as a cold scan (warnings
//! included); options that change the document, and other images sharing the layers, miss
//! it; a damaged result is a warning and a scan that replaces it.
//!
//! Every run gets the test's own `XDG_CACHE_HOME`, never the user's cache.

use std::path::Path;

use super::cache_scratch::{destroy_layer_blobs, spec, stderr, Scratch};

/// Copies an OCI layout directory (flat `blobs/sha256`, as the testkit writes it).
fn copy_layout(from: &Path, to: &Path) {
    let blobs = to.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for name in ["index.json", "oci-layout"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    for entry in std::fs::read_dir(from.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), blobs.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_result_hit_reads_no_layer_and_writes_the_same_bytes_and_warnings() {
    let scratch = Scratch::new();
    let (original, _) = scratch.image("image.oci", spec());
    // A copy elsewhere: the same image under another path (the document names the path).
    let copy = scratch.dir.path().join("copy.oci");
    copy_layout(&original, &copy);

    let cold = scratch.scan(&copy, &[]);
    assert!(
        stderr(&cold).contains("escapes the image root"),
        "the image should cause a layer warning: {}",
        stderr(&cold)
    );
    let (layer_entries, results) = scratch.entries();
    assert_eq!(results.len(), 1, "one result: {results:?}");
    let warm = scratch.scan(&copy, &[]);
    assert_eq!(warm.stdout, cold.stdout, "the second scan differs");
    assert_eq!(stderr(&warm), stderr(&cold));

    // Nothing but the result can answer now: no blob reads, no layer entry.
    let plain_original = scratch.scan(&original, &["--no-layer-cache"]);
    destroy_layer_blobs(&copy);
    scratch.remove(&layer_entries);
    let uncached = scratch.run(&["scan", copy.to_str().unwrap(), "--no-layer-cache"]);
    assert!(
        !uncached.status.success(),
        "the destroyed blobs are unreadable"
    );
    let hit = scratch.scan(&copy, &[]);
    assert_eq!(hit.stdout, cold.stdout, "the result hit differs");
    assert_eq!(
        stderr(&hit),
        stderr(&cold),
        "the result hit's warnings differ"
    );

    // The original path hits the same result, and its document names its own path.
    destroy_layer_blobs(&original);
    let elsewhere = scratch.scan(&original, &[]);
    assert_eq!(elsewhere.stdout, plain_original.stdout);
    assert_eq!(stderr(&elsewhere), stderr(&plain_original));
    assert_eq!(
        scratch.entries(),
        (Vec::new(), results),
        "nothing new written"
    );
}

#[test]
fn options_that_change_the_document_miss_and_run_options_do_not() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    let variants: [&[&str]; 4] = [
        &[],
        &["--scope", "squashed"],
        &["--catalogers", "dpkg"],
        &["--exclude", "usr/lib/python3"],
    ];
    let mut outputs = Vec::new();
    for (n, extra) in variants.iter().enumerate() {
        let cached = scratch.scan(&image, extra);
        let mut plain_args = extra.to_vec();
        plain_args.push("--no-layer-cache");
        let plain = scratch.scan(&image, &plain_args);
        assert_eq!(cached.stdout, plain.stdout, "{extra:?}");
        assert_eq!(
            scratch.entries().1.len(),
            n + 1,
            "{extra:?} has its own result"
        );
        outputs.push(cached);
    }
    for (i, a) in outputs.iter().enumerate() {
        for b in &outputs[i + 1..] {
            assert_ne!(a.stdout, b.stdout, "the variants should differ");
        }
    }
    // `-j` past the maximum only adds a warning of its own run.
    let many_jobs = scratch.scan(&image, &["-j", "300", "--no-layer-cache"]);
    assert!(
        stderr(&many_jobs).contains("-j 300"),
        "{}",
        stderr(&many_jobs)
    );

    let (layer_entries, results) = scratch.entries();
    scratch.remove(&layer_entries);
    destroy_layer_blobs(&image);
    for (extra, cold) in variants.iter().zip(&outputs) {
        let hit = scratch.scan(&image, extra);
        assert_eq!(hit.stdout, cold.stdout, "{extra:?}");
        assert_eq!(stderr(&hit), stderr(cold), "{extra:?}");
    }
    let hit = scratch.scan(&image, &["-j", "300"]);
    assert_eq!(hit.stdout, many_jobs.stdout);
    assert_eq!(
        stderr(&hit),
        stderr(&many_jobs),
        "the -j warning is the run's"
    );
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
    assert_eq!(scratch.entries().1, results);
}

#[test]
fn another_image_with_the_same_layers_misses_the_result_and_hits_the_layers() {
    let scratch = Scratch::new();
    let (first, _) = scratch.image("first.oci", spec());
    let (second, _) = scratch.image("second.oci", spec().empty_history(99, "ENV X=1"));
    let plain = scratch.scan(&second, &["--no-layer-cache"]);
    scratch.scan(&first, &[]);
    let (layer_entries, results) = scratch.entries();

    destroy_layer_blobs(&second);
    let shared = scratch.scan(&second, &[]);
    assert_eq!(shared.stdout, plain.stdout);
    assert_eq!(stderr(&shared), stderr(&plain));
    let (layers_after, results_after) = scratch.entries();
    assert_eq!(
        layers_after, layer_entries,
        "the layers came from their entries"
    );
    assert_eq!(
        results_after.len(),
        results.len() + 1,
        "a result of its own"
    );
}

#[test]
fn a_damaged_result_is_a_warning_a_scan_and_a_new_entry() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    let cold = scratch.scan(&image, &[]);
    let (_, results) = scratch.entries();
    let victim = scratch.store().join(&results[0]);
    let bytes = std::fs::read(&victim).unwrap();
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x40;
    std::fs::write(&victim, &damaged).unwrap();

    scratch.assert_recomputed(&image, &cold, &victim, &bytes);
}

#[test]
fn no_layer_cache_bypasses_the_result_too() {
    let scratch = Scratch::new();
    let (image, _) = scratch.image("image.oci", spec());
    scratch.scan(&image, &[]);
    destroy_layer_blobs(&image);
    let bypassed = scratch.run(&["scan", image.to_str().unwrap(), "--no-layer-cache"]);
    assert!(
        !bypassed.status.success(),
        "--no-layer-cache reads the layers"
    );
}
