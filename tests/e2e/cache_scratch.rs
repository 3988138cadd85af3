//! Shared ground for the local-cache tests (`cache_local`, `cache_result`): a scratch
//! directory whose `XDG_CACHE_HOME` every run uses (never the user's cache), the image they
//! scan, and the means to look into (and damage) the store and the image.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sbomgen_testkit::{
    demo_image, write_oci_dir, BuiltLayout, Compression, Entry, ImageSpec, LayerSpec,
};

/// The demo image (a package removed by a later layer, so `--scope` matters) plus a layer
/// that makes the layer reader and a file cataloguer speak: a Python package (parsed
/// findings) and an entry escaping the root (a layer warning).
pub(crate) fn spec() -> ImageSpec {
    let metadata = "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache-2.0\n";
    demo_image().layer(
        LayerSpec::new(Compression::Gzip)
            .created_by("RUN pip install requests")
            .entry(Entry::file(
                "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                metadata,
            ))
            .entry(Entry::raw_file("../outside", "x")),
    )
}

pub(crate) struct Scratch {
    pub(crate) dir: tempfile::TempDir,
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `spec` written as an OCI layout named `name` in the scratch directory.
    pub(crate) fn image(&self, name: &str, spec: ImageSpec) -> (PathBuf, BuiltLayout) {
        let path = self.dir.path().join(name);
        let layout = write_oci_dir(&path, "1.0", &[spec]).unwrap();
        (path, layout)
    }

    fn cache_home(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    /// The local store's directory.
    pub(crate) fn store(&self) -> PathBuf {
        self.cache_home().join("sbomgen/layers")
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
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

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("the sbomgen binary runs")
    }

    /// `scan IMAGE -o json EXTRA…`, which must succeed.
    pub(crate) fn scan(&self, image: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["scan", image.to_str().unwrap(), "-o", "json"];
        args.extend(extra);
        let out = self.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        out
    }

    /// The store's entries, by name, sorted.
    pub(crate) fn all_entries(&self) -> Vec<String> {
        let Ok(listing) = std::fs::read_dir(self.store()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = listing
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// The store's entries by name: layer entries, then image results (told by their magic).
    pub(crate) fn entries(&self) -> (Vec<String>, Vec<String>) {
        self.all_entries()
            .into_iter()
            .partition(|name| !self.is_result(name))
    }

    fn is_result(&self, name: &str) -> bool {
        std::fs::read(self.store().join(name))
            .unwrap()
            .starts_with(b"sbomgenR")
    }

    pub(crate) fn remove(&self, names: &[String]) {
        for name in names {
            std::fs::remove_file(self.store().join(name)).unwrap();
        }
    }
}

impl Scratch {
    /// After `victim` (an entry holding `bytes`) was damaged: a warm scan of `image` names the
    /// entry as corrupt, gives `cold`'s output, writes the entry again, and warns no more.
    pub(crate) fn assert_recomputed(
        &self,
        image: &Path,
        cold: &Output,
        victim: &Path,
        bytes: &[u8],
    ) {
        let name = victim.file_name().unwrap().to_str().unwrap();
        let warm = self.scan(image, &[]);
        assert_eq!(warm.stdout, cold.stdout);
        let warnings = stderr(&warm);
        assert!(
            warnings.contains(name) && warnings.contains("corrupt"),
            "the warning names the entry: {warnings}"
        );
        assert_eq!(
            std::fs::read(victim).unwrap(),
            bytes,
            "the entry is written again"
        );
        assert_eq!(stderr(&self.scan(image, &[])), stderr(cold));
    }
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Overwrites every layer blob of the OCI layout at `path` with bytes of the same length: any
/// read of a layer now fails its digest check, so a scan that succeeds read none.
pub(crate) fn destroy_layer_blobs(path: &Path) {
    let blob = |digest: &str| path.join("blobs/sha256").join(&digest["sha256:".len()..]);
    let read = |p: PathBuf| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let index = read(path.join("index.json"));
    let manifest = read(blob(index["manifests"][0]["digest"].as_str().unwrap()));
    for layer in manifest["layers"].as_array().unwrap() {
        let blob = blob(layer["digest"].as_str().unwrap());
        let size = std::fs::metadata(&blob).unwrap().len();
        std::fs::write(&blob, vec![0x5a; usize::try_from(size).unwrap()]).unwrap();
    }
}
