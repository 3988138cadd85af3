//! The local layer cache (issue 15): a warm scan answers from the cache alone, byte for byte
//! the same as a cold one (warnings included); damaged entries are recomputed; concurrent
//! scans share one store; the size cap evicts; `sbomgen cache {info,clean,prune}`.
//!
//! Every run gets the test's own `XDG_CACHE_HOME`, never the user's cache.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sbomgen_testkit::{demo_image, write_oci_dir, BuiltLayout, Compression, Entry, LayerSpec};

/// The demo image plus a layer that makes the layer reader and a file cataloguer speak: a
/// Python package (parsed findings) and an entry escaping the root (a layer warning).
fn image(dir: &Path) -> (PathBuf, BuiltLayout) {
    let metadata = "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache-2.0\n";
    let spec = demo_image().layer(
        LayerSpec::new(Compression::Gzip)
            .created_by("RUN pip install requests")
            .entry(Entry::file(
                "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                metadata,
            ))
            .entry(Entry::raw_file("../outside", "x")),
    );
    let path = dir.join("image.oci");
    let layout = write_oci_dir(&path, "1.0", &[spec]).unwrap();
    (path, layout)
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cache_home(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn layers_dir(&self) -> PathBuf {
        self.cache_home().join("sbomgen/layers")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sbomgen"));
        command
            .args(args)
            .env("XDG_CACHE_HOME", self.cache_home())
            .env_remove("SBOMGEN_CACHE_SIZE")
            .env_remove("SBOMGEN_CACHE_BACKEND")
            .env_remove("SBOMGEN_NO_LAYER_CACHE")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("the sbomgen binary runs")
    }

    /// `scan IMAGE -o json` (plus `extra`), which must succeed.
    fn scan(&self, image: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["scan", image.to_str().unwrap(), "-o", "json"];
        args.extend(extra);
        let out = self.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        out
    }

    /// The cache entries' names: layer entries, then image results (told by their magic).
    fn layer_and_result_entries(&self) -> (Vec<String>, Vec<String>) {
        self.entries().into_iter().partition(|name| {
            let bytes = std::fs::read(self.layers_dir().join(name)).unwrap();
            !bytes.starts_with(b"sbomgenR")
        })
    }

    /// The cache entries, by name.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.layers_dir()) {
            Ok(listing) => listing
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Overwrites every layer blob with bytes of the same length: any read of a layer now fails
/// its digest check, so a scan that succeeds read none.
fn destroy_layer_blobs(layout: &BuiltLayout) {
    for layer in &layout.images[0].layers {
        let size = std::fs::metadata(&layer.blob_path).unwrap().len();
        std::fs::write(&layer.blob_path, vec![0x5a; usize::try_from(size).unwrap()]).unwrap();
    }
}

#[test]
fn a_warm_scan_reads_no_layer_and_writes_the_same_bytes_and_warnings() {
    let scratch = Scratch::new();
    let (image, layout) = image(scratch.dir.path());
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
        scratch.entries().len(),
        layers + 1,
        "one entry per layer and the image's result"
    );

    destroy_layer_blobs(&layout);
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
    let (image, layout) = image(scratch.dir.path());
    let all = scratch.scan(&image, &[]);
    let dpkg_only = scratch.scan(&image, &["--catalogers", "dpkg"]);
    assert_ne!(all.stdout, dpkg_only.stdout);
    let layers = layout.images[0].layers.len();
    assert_eq!(scratch.entries().len(), 2 * (layers + 1));

    destroy_layer_blobs(&layout);
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
    let (image, _) = image(scratch.dir.path());
    let cold = scratch.scan(&image, &[]);
    // A layer entry, read only when the image's result is missing.
    let (entries, results) = scratch.layer_and_result_entries();
    for result in results {
        std::fs::remove_file(scratch.layers_dir().join(result)).unwrap();
    }
    let victim = scratch.layers_dir().join(&entries[0]);
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();

    let warm = scratch.scan(&image, &[]);
    assert_eq!(warm.stdout, cold.stdout);
    let warnings = stderr(&warm);
    assert!(
        warnings.contains(&entries[0]) && warnings.contains("corrupt"),
        "the warning names the entry: {warnings}"
    );
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        bytes,
        "the entry is written again"
    );
    assert_eq!(stderr(&scratch.scan(&image, &[])), stderr(&cold));
}

#[test]
fn two_scans_racing_on_one_store_both_succeed() {
    let scratch = Scratch::new();
    let (image, layout) = image(scratch.dir.path());
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
        scratch.entries().len(),
        layers + 1,
        "no temporary file left: {:?}",
        scratch.entries()
    );
    destroy_layer_blobs(&layout);
    assert_eq!(scratch.scan(&image, &[]).stdout, outputs[0].stdout);
}

#[test]
fn no_cache_and_no_layer_cache_write_no_entry() {
    let scratch = Scratch::new();
    let (image, _) = image(scratch.dir.path());
    scratch.scan(&image, &["--no-layer-cache"]);
    scratch.scan(&image, &["--no-cache"]);
    assert!(scratch.entries().is_empty());
    scratch.scan(&image, &[]);
    assert!(!scratch.entries().is_empty());
}

#[test]
fn dir_sources_are_never_cached() {
    let scratch = Scratch::new();
    let root = scratch.dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/hostname"), "x\n").unwrap();
    scratch.scan(&PathBuf::from(format!("dir:{}", root.display())), &[]);
    assert!(scratch.entries().is_empty());
}

#[test]
fn the_size_cap_evicts_the_least_recently_used_entries() {
    let scratch = Scratch::new();
    let (image, _) = image(scratch.dir.path());
    scratch.scan(&image, &["--catalogers", "dpkg"]);
    let old = scratch.entries();
    std::thread::sleep(std::time::Duration::from_millis(20));
    scratch.scan(&image, &[]);
    let all = scratch.entries();
    let newer: Vec<&String> = all.iter().filter(|e| !old.contains(e)).collect();
    let newer_bytes: u64 = newer
        .iter()
        .map(|e| {
            std::fs::metadata(scratch.layers_dir().join(e))
                .unwrap()
                .len()
        })
        .sum();

    // A cap that holds the newer scan's entries only: the older ones go.
    let cap = newer_bytes.to_string();
    let out = scratch.run(&["cache", "prune", "--max-size", &cap]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = scratch.entries();
    assert_eq!(left.iter().collect::<Vec<_>>(), newer, "LRU order");

    // The same cap applied by a scan that writes: `--cache-size` after scanning.
    scratch.scan(&image, &["--catalogers", "dpkg", "--cache-size", &cap]);
    let after = scratch.entries();
    assert!(
        after.iter().all(|e| old.contains(e)),
        "only the newest scan's entries stay: {after:?}"
    );
}

#[test]
fn cache_info_and_clean() {
    let scratch = Scratch::new();
    let (image, layout) = image(scratch.dir.path());
    scratch.scan(&image, &[]);
    let info = scratch.run(&["cache", "info"]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = String::from_utf8_lossy(&info.stdout);
    // One per layer and the image's result.
    let entries = layout.images[0].layers.len() + 1;
    assert!(
        text.contains(&format!(
            "{}: {entries} entries",
            scratch.layers_dir().display()
        )),
        "{text}"
    );
    assert!(text.contains("blob cache"), "{text}");

    let clean = scratch.run(&["cache", "clean"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(String::from_utf8_lossy(&clean.stdout).contains(&format!("removed {entries} entries")));
    assert!(scratch.entries().is_empty());
    let info = scratch.run(&["cache", "info"]);
    assert!(String::from_utf8_lossy(&info.stdout).contains("0 entries"));
}

#[test]
fn an_unwritable_cache_warns_and_the_scan_succeeds() {
    let scratch = Scratch::new();
    let (image, _) = image(scratch.dir.path());
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
