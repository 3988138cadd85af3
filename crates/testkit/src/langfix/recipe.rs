//! The language fixture's recipe: seven steps, seven layers.
//!
//! | layer | id | what |
//! |---|---|---|
//! | 0 | `debian-base` | by hand: Debian's `python3-yaml` (a `PyYAML-6.0.egg-info` directory, owned by a dpkg stanza and file list) and a `six-1.16.0.egg-info` *file* in `usr/lib/python3/dist-packages` |
//! | 1 | `venv` | `python3 -m venv /opt/app/venv`; pip installs six, idna, requests 2.31.0 and requests' dependencies, all pinned |
//! | 2 | `pip-upgrade` | pip upgrades requests to 2.32.3; `pip install --target /usr/local/lib/python3.X/site-packages attrs` |
//! | 3 | `pip-uninstall` | `pip uninstall -y six` (the venv's; Debian's six stays) |
//! | 4 | `npm-install` | `npm install` in `/srv/app`: ms 2.1.2, debug 2.6.9 (which nests its own ms 2.0.0), @sindresorhus/is; `npm install -g semver` into `/usr/local` |
//! | 5 | `npm-upgrade` | `npm install ms@2.1.3` (the same directory, a new version) |
//! | 6 | `npm-reinstall` | `rm -rf node_modules package-lock.json`, a smaller package.json (ms, is-number), `npm install`: an opaque `node_modules` |
//!
//! Every version is pinned, transitive ones included, so the image only changes when this file
//! does. The cache key hashes this file (and the layer machinery), so an edit rebuilds the
//! image; bump [`NAME`] to rebuild for a reason outside them (a newer pip or npm on the host).

use std::path::Path;

use super::build::Build;
use super::tools::{python, run, Tools};
use super::{LangFixture, OsOwned, Unavailable};
use crate::Compression;

/// The recipe's name and version, the start of its cache key.
pub(crate) const NAME: &str = "python-npm@2";

pub(crate) const VENV: &str = "opt/app/venv";
const DIST_PACKAGES: &str = "usr/lib/python3/dist-packages";
const APP: &str = "srv/app";

/// requests 2.31.0 and its dependencies, pinned so that pip resolves nothing by date.
const VENV_INSTALL: &[&str] = &[
    "six==1.16.0",
    "idna==3.7",
    "requests==2.31.0",
    "certifi==2024.7.4",
    "charset-normalizer==3.3.2",
    "urllib3==2.2.2",
];

pub(crate) fn build(work: &Path) -> Result<LangFixture, Unavailable> {
    let tools = Tools::find()?;
    let mut b = Build::new(work, NAME, tools)?;
    let venv_site = format!("{VENV}/lib/python{}/site-packages", b.tools.py_minor);
    let target_site = format!("usr/local/lib/python{}/site-packages", b.tools.py_minor);

    debian_base(&mut b)?;
    b.watch_python(DIST_PACKAGES);
    b.layer(
        "debian-base",
        "ADD rootfs.tar / # python3-yaml and six as Debian ships them",
        Compression::Gzip,
        &[],
    )?;

    make_venv(&b, VENV_INSTALL)?;
    b.watch_python(&venv_site);
    b.layer(
        "venv",
        &format!(
            "RUN python3 -m venv /{VENV} && /{VENV}/bin/pip install {}",
            VENV_INSTALL.join(" ")
        ),
        // The biggest layer (pip and setuptools with their bytecode): zstd compresses it
        // several times faster than gzip does in unoptimised test builds.
        Compression::Zstd,
        &[],
    )?;

    venv_pip(&b, &["install"], &["requests==2.32.3"])?;
    let target = b.path(&target_site);
    run(
        b.tools
            .pip()
            .args([
                "install",
                "--no-cache-dir",
                "--no-compile",
                "--timeout",
                "60",
            ])
            .arg("--target")
            .arg(&target)
            .arg("attrs==23.2.0"),
        "pip install --target",
    )?;
    b.watch_python(&target_site);
    b.layer(
        "pip-upgrade",
        &format!(
            "RUN /{VENV}/bin/pip install requests==2.32.3 && pip install --target /{target_site} attrs==23.2.0"
        ),
        Compression::Gzip,
        &[],
    )?;

    venv_pip(&b, &["uninstall", "-y"], &["six"])?;
    b.layer(
        "pip-uninstall",
        &format!("RUN /{VENV}/bin/pip uninstall -y six"),
        Compression::Gzip,
        &[],
    )?;

    b.write(
        &format!("{APP}/package.json"),
        r#"{ "name": "app", "version": "1.0.0", "private": true }"#,
    )?;
    npm_install(&b, &["ms@2.1.2", "debug@2.6.9", "@sindresorhus/is@4.6.0"])?;
    let prefix = b.path("usr/local");
    run(
        b.tools
            .npm()
            .current_dir(&b.root)
            .args([
                "install",
                "--global",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
            ])
            .arg(&prefix)
            .arg("semver@7.6.2"),
        "npm install --global",
    )?;
    b.watch_npm(APP, false);
    b.watch_npm("usr/local", true);
    b.layer(
        "npm-install",
        "RUN cd /srv/app && npm install ms@2.1.2 debug@2.6.9 @sindresorhus/is@4.6.0 && npm install -g semver@7.6.2",
        Compression::Gzip,
        &[],
    )?;

    npm_install(&b, &["ms@2.1.3"])?;
    b.layer(
        "npm-upgrade",
        "RUN cd /srv/app && npm install ms@2.1.3",
        Compression::GzipMultiMember,
        &[],
    )?;

    std::fs::remove_dir_all(b.path(&format!("{APP}/node_modules")))?;
    std::fs::remove_file(b.path(&format!("{APP}/package-lock.json")))?;
    b.write(
        &format!("{APP}/package.json"),
        r#"{ "name": "app", "version": "1.0.0", "private": true, "dependencies": { "ms": "2.1.3", "is-number": "7.0.0" } }"#,
    )?;
    npm_install(&b, &[])?;
    let node_modules = format!("{APP}/node_modules");
    b.layer(
        "npm-reinstall",
        "RUN cd /srv/app && rm -rf node_modules package-lock.json && npm install",
        Compression::Gzip,
        &[&node_modules],
    )?;

    b.finish()
}

/// `/opt/app/venv/bin/python -m pip <verb> <packages>`, no cache, no bytecode.
/// `python3 -m venv` at [`VENV`], then the venv's pip installs `packages`.
pub(crate) fn make_venv(b: &Build, packages: &[&str]) -> Result<(), Unavailable> {
    run(
        python(&b.tools.python)
            .current_dir(&b.root)
            .args(["-m", "venv", VENV]),
        "python3 -m venv",
    )?;
    venv_pip(b, &["install"], packages)
}

pub(crate) fn venv_pip(b: &Build, verb: &[&str], packages: &[&str]) -> Result<(), Unavailable> {
    // The venv's own interpreter and pip, as `/opt/app/venv/bin/pip` would run.
    let mut c = python(&b.path(&format!("{VENV}/bin/python")));
    c.args(["-m", "pip"]).args(verb);
    if verb[0] == "install" {
        c.args(["--no-cache-dir", "--no-compile", "--timeout", "60"]);
    }
    run(c.args(packages), "venv pip")?;
    Ok(())
}

/// `npm install <packages>` in the app, exact versions saved, no scripts.
pub(crate) fn npm_install(b: &Build, packages: &[&str]) -> Result<(), Unavailable> {
    run(
        b.tools
            .npm()
            .current_dir(b.path(APP))
            .args([
                "install",
                "--save-exact",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
            ])
            .args(packages),
        "npm install",
    )?;
    Ok(())
}

const OS_RELEASE: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

const YAML_VERSION: &str = "6.0-3";

/// Debian's python3-yaml as dpkg installs it (egg-info directory, owned through
/// `var/lib/dpkg/info/python3-yaml.list`) and six's metadata as a single `.egg-info` file, the
/// form distutils-era installs left.
fn debian_base(b: &mut Build) -> Result<(), Unavailable> {
    b.write("usr/lib/os-release", OS_RELEASE)?;
    std::fs::create_dir_all(b.path("etc"))?;
    std::os::unix::fs::symlink("../usr/lib/os-release", b.path("etc/os-release"))?;
    let egg = format!("{DIST_PACKAGES}/PyYAML-6.0.egg-info");
    let owned = [
        format!("{egg}/PKG-INFO"),
        format!("{egg}/dependency_links.txt"),
        format!("{egg}/top_level.txt"),
        format!("{DIST_PACKAGES}/_yaml/__init__.py"),
        format!("{DIST_PACKAGES}/yaml/__init__.py"),
        format!("{DIST_PACKAGES}/yaml/_yaml.cpython-311-x86_64-linux-gnu.so"),
        "usr/share/doc/python3-yaml/copyright".to_string(),
    ];
    b.write(&owned[0], PYYAML_PKG_INFO)?;
    b.write(&owned[1], "\n")?;
    b.write(&owned[2], "_yaml\nyaml\n")?;
    b.write(&owned[3], "from yaml._yaml import *\n")?;
    b.write(&owned[4], "__version__ = '6.0'\n")?;
    b.write(&owned[5], b"\x7fELF\x02\x01\x01\0".as_slice())?;
    b.write(&owned[6], YAML_COPYRIGHT)?;
    b.write(
        &format!("{DIST_PACKAGES}/six-1.16.0.egg-info"),
        SIX_PKG_INFO,
    )?;
    b.write(
        &format!("{DIST_PACKAGES}/six.py"),
        "__version__ = \"1.16.0\"\n",
    )?;

    // The list names every directory too, as dpkg writes it.
    let mut listed = std::collections::BTreeSet::new();
    for path in &owned {
        let mut p = String::new();
        for part in path.split('/') {
            p.push('/');
            p.push_str(part);
            listed.insert(p.clone());
        }
    }
    let list: String = std::iter::once("/.".to_string())
        .chain(listed)
        .map(|l| l + "\n")
        .collect();
    b.write("var/lib/dpkg/info/python3-yaml.list", list)?;
    b.write(
        "var/lib/dpkg/status",
        format!(
            "Package: python3-yaml\nStatus: install ok installed\nPriority: optional\n\
             Section: python\nInstalled-Size: 723\nMaintainer: Debian Python Team <team+python@tracker.debian.org>\n\
             Architecture: amd64\nSource: pyyaml\nVersion: {YAML_VERSION}\n\
             Depends: python3 (<< 3.12), python3 (>= 3.11~), python3:any, libc6 (>= 2.14), libyaml-0-2\n\
             Description: YAML parser and emitter for Python3\n Python3-yaml is a complete YAML 1.1 parser and emitter for Python3.\n\
             Homepage: https://github.com/yaml/pyyaml\n\n"
        ),
    )?;
    b.os_owned.push(OsOwned {
        metadata: egg,
        deb_name: "python3-yaml".into(),
        deb_version: YAML_VERSION.into(),
        deb_purl: format!(
            "pkg:deb/debian/python3-yaml@{YAML_VERSION}?arch=amd64&distro=debian-12&upstream=pyyaml"
        ),
    });
    Ok(())
}

const PYYAML_PKG_INFO: &str = "Metadata-Version: 2.1
Name: PyYAML
Version: 6.0
Summary: YAML parser and emitter for Python
Home-page: https://pyyaml.org/
Author: Kirill Simonov
Author-email: xi@resolvent.net
License: MIT
Download-URL: https://pypi.org/project/PyYAML/
Project-URL: Bug Tracker, https://github.com/yaml/pyyaml/issues
Platform: Any
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: MIT License
Classifier: Programming Language :: Python :: 3
Requires-Python: >=3.6
License-File: LICENSE

YAML is a data serialization format designed for human readability
and interaction with scripting languages.
";

const SIX_PKG_INFO: &str = "Metadata-Version: 1.2
Name: six
Version: 1.16.0
Summary: Python 2 and 3 compatibility utilities
Home-page: https://github.com/benjaminp/six
Author: Benjamin Peterson
Author-email: benjamin@python.org
License: MIT
Platform: UNKNOWN
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*

Six is a Python 2 and 3 compatibility library.
";

const YAML_COPYRIGHT: &str =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: PyYAML
Source: https://github.com/yaml/pyyaml

Files: *
Copyright: 2017-2021 Ingy döt Net, 2006-2016 Kirill Simonov
License: Expat
";
