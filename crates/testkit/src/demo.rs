//! The demo image the project ships in `fixtures/`: small, yet with every layer story the tool
//! tells (a secret copied in and "deleted", a cache emptied through an opaque directory, a file
//! rewritten, os-release behind a symlink).

use sbomgen_model::Platform;

use crate::{Compression, Entry, ImageSpec, LayerSpec};

/// The file name of the demo image under `fixtures/`.
pub const DEMO_FILE: &str = "demo.oci.tar";

/// The demo image's tag inside the archive.
pub const DEMO_TAG: &str = "sbomgen-demo:1.0";

/// A dpkg status stanza as apt writes it.
fn stanza(name: &str, version: &str, source: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nPriority: optional\nSection: libs\n\
         Installed-Size: 100\nMaintainer: Debian Maintainers <debian@example.org>\n\
         Architecture: amd64\nSource: {source}\nVersion: {version}\nDescription: {name}\n\n"
    )
}

/// The demo image: three layers, one each of gzip, zstd and uncompressed.
pub fn demo_image() -> ImageSpec {
    let base_status = [
        stanza("base-files", "12.5", "base-files"),
        stanza("curl", "7.88.1-10+deb12u4", "curl"),
        stanza("libssl3", "3.0.11-1~deb12u1", "openssl"),
    ]
    .concat();
    let final_status = [
        stanza("base-files", "12.5", "base-files"),
        stanza("libssl3", "3.0.11-1~deb12u2", "openssl"),
    ]
    .concat();
    ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .created_by("ADD debian-bookworm-rootfs.tar /")
                .entry(Entry::dir("etc"))
                .entry(Entry::file("etc/debian_version", "12.5\n"))
                .entry(Entry::symlink("etc/os-release", "../usr/lib/os-release"))
                .entry(Entry::file("etc/hostname", "demo\n"))
                .entry(Entry::dir("usr"))
                .entry(Entry::dir("usr/lib"))
                .entry(Entry::file(
                    "usr/lib/os-release",
                    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                     VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
                ))
                .entry(Entry::dir("var"))
                .entry(Entry::dir("var/cache"))
                .entry(Entry::dir("var/cache/apt"))
                .entry(Entry::file("var/cache/apt/pkgcache.bin", vec![0x42; 4096]))
                .entry(Entry::file("var/lib/dpkg/status", base_status)),
        )
        .empty_history(1, "ENV APP_HOME=/srv/app")
        .layer(
            LayerSpec::new(Compression::Zstd)
                .created_by("COPY . /srv/app # buildkit")
                .entry(Entry::dir("srv"))
                .entry(Entry::dir("srv/app"))
                .entry(Entry::file("srv/app/server.py", "print('hello')\n"))
                .entry(Entry::file("srv/app/.env", "DATABASE_URL=postgres://app:s3cr3t@db/app\n"))
                .entry(Entry::file("srv/app/deploy_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n…\n"))
                .entry(Entry::hardlink("srv/app/deploy_key.orig", "srv/app/deploy_key")),
        )
        .layer(
            LayerSpec::new(Compression::None)
                .created_by(
                    "RUN rm -f /srv/app/.env /srv/app/deploy_key && rm -rf /var/cache/apt/* \
                     && apt-get purge -y curl && apt-get install -y libssl3 && echo app > /etc/hostname",
                )
                .entry(Entry::whiteout("srv/app/.env"))
                .entry(Entry::whiteout("srv/app/deploy_key"))
                .entry(Entry::opaque("var/cache/apt"))
                .entry(Entry::file("etc/hostname", "app\n"))
                .entry(Entry::file("var/lib/dpkg/status", final_status)),
        )
        .empty_history(3, "CMD [\"python3\", \"/srv/app/server.py\"]")
}
