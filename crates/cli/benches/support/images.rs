//! The images the bench builds from this machine's files, once, under `target/`.

use std::path::{Path, PathBuf};

use sbomgen_model::Platform;
use sbomgen_testkit::{write_oci_dir, Compression, ImageSpec, LayerSpec};

fn layer(root: &str, prefix: &str, mb: u64) -> LayerSpec {
    LayerSpec::from_dir(Path::new(root), prefix, mb << 20, Compression::Gzip)
        .created_by(&format!("COPY {root} /{prefix}"))
}

/// Builds `spec` into `dir` unless a marker says it is there; returns `dir`.
fn build_once(dir: &Path, what: &str, spec: impl FnOnce() -> ImageSpec) -> PathBuf {
    let marker = dir.join(".complete");
    if marker.exists() {
        return dir.to_path_buf();
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!("building the {what} in {} (once)…", dir.display());
    write_oci_dir(dir, "bench", &[spec()]).expect("build the benchmark image");
    std::fs::write(marker, "").expect("marker");
    dir.to_path_buf()
}

/// The bench image: five gzip layers of `/usr/lib`, `/usr/share`, `/usr/bin`, `/etc` and
/// `/var/lib/dpkg` (the machine's own dpkg database, so cataloguing has real work to do).
pub(crate) fn system(dir: &Path) -> PathBuf {
    build_once(dir, "benchmark image", || {
        ImageSpec::new(Platform::new("linux", "amd64", None))
            .layer(layer("/usr/lib", "usr/lib", 75))
            .layer(layer("/usr/share", "usr/share", 40))
            .layer(layer("/usr/bin", "usr/bin", 25))
            .layer(layer("/etc", "etc", 10))
            .layer(layer("/var/lib/dpkg", "var/lib/dpkg", 50))
    })
}

/// A lopsided image, as real ones are: one layer of ~300 MB of `/usr/lib` (nine tenths of the
/// image) and two small ones. Layer-level parallelism leaves a core idle here: what is
/// measured is how well one layer's reading keeps two cores busy.
pub(crate) fn lopsided(dir: &Path) -> PathBuf {
    build_once(dir, "lopsided benchmark image", || {
        ImageSpec::new(Platform::new("linux", "amd64", None))
            .layer(layer("/usr/lib", "usr/lib", 300))
            .layer(layer("/var/lib/dpkg", "var/lib/dpkg", 50))
            .layer(layer("/etc", "etc", 10))
    })
}

/// An image like a distro base image plus an application layer: the whole root filesystem
/// `rootfs` (e.g. from `debootstrap`) as one gzip layer, then `/usr/share` of this machine as
/// a second. Built once per rootfs path; delete the directory to rebuild.
pub(crate) fn rootfs(rootfs: &Path, dir: &Path) -> PathBuf {
    let marker = dir.join(".complete");
    if std::fs::read(&marker).ok().as_deref() == Some(rootfs.as_os_str().as_encoded_bytes()) {
        return dir.to_path_buf();
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!(
        "building the rootfs benchmark image from {} …",
        rootfs.display()
    );
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::from_dir(rootfs, "", u64::MAX, Compression::Gzip)
                .created_by("ADD rootfs.tar /"),
        )
        .layer(layer("/usr/share", "opt/app/share", 60).created_by("COPY app /opt/app"));
    write_oci_dir(dir, "bench", &[spec]).expect("build the rootfs benchmark image");
    std::fs::write(marker, rootfs.as_os_str().as_encoded_bytes()).expect("marker");
    dir.to_path_buf()
}
