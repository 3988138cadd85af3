//! The benchmark image's recipe: six layers, realistic sizes.
//!
//! | layer | id | what |
//! |---|---|---|
//! | 0 | `base-filler` | os-release and ~3,000 generated files (~40 MB: text that compresses like source, and a few incompressible blobs), so the decompression floor is measurable |
//! | 1 | `npm-app` | `npm install express webpack eslint` in `/srv/app` (~250 packages) |
//! | 2 | `debian-nodejs` | ~1,500 Debian-style `usr/share/nodejs/<name>/package.json`, copies of the app's real ones (renamed `-compatN` past the first round) |
//! | 3 | `pip-venv` | a venv with flask, requests, django, pydantic, rich, pytest, PyYAML, attrs, python-dateutil (~35 distributions) |
//! | 4 | `npm-upgrade` | `npm install express@4.21.0 mocha axios`: upgrades and ~100 more packages |
//! | 5 | `cleanup` | `pip uninstall` of pytest and its plugins, a fifth of the filler deleted, app sources |

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::build::Build;
use super::recipe::{make_venv, npm_install, venv_pip, VENV};
use super::tools::Tools;
use super::{LangFixture, Unavailable};
use crate::Compression;

/// The recipe's name and version, the start of its cache key.
pub(crate) const NAME: &str = "bench@2";

/// How many layers [`steps`] adds.
pub(crate) const LAYERS: usize = 6;

const APP: &str = "srv/app";
const FILLER: &str = "usr/share/filler";
const NODEJS: &str = "usr/share/nodejs";
const NODEJS_COUNT: usize = 1500;

const PIP: &[&str] = &[
    "flask==3.0.3",
    "requests==2.32.3",
    "django==5.0.6",
    "pydantic==2.7.1",
    "rich==13.7.1",
    "pytest==8.2.0",
    "pyyaml==6.0.1",
    "attrs==23.2.0",
    "python-dateutil==2.9.0.post0",
];

pub(crate) fn build(work: &Path) -> Result<LangFixture, Unavailable> {
    let tools = Tools::find()?;
    let mut b = Build::new(work, NAME, tools)?;
    steps(&mut b)?;
    b.finish()
}

/// The six layers of the table above, added to `b` (the binaries benchmark image starts with
/// them too).
pub(crate) fn steps(b: &mut Build) -> Result<(), Unavailable> {
    b.write(
        "etc/os-release",
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    )?;
    filler(b, 0..3000)?;
    b.layer("base-filler", "ADD rootfs.tar /", Compression::Gzip, &[])?;

    b.write(
        &format!("{APP}/package.json"),
        r#"{ "name": "bench-app", "version": "1.0.0", "private": true }"#,
    )?;
    npm_install(b, &["express@4.19.2", "webpack@5.91.0", "eslint@8.57.0"])?;
    b.watch_npm(APP, false);
    b.layer(
        "npm-app",
        "RUN cd /srv/app && npm install express@4.19.2 webpack@5.91.0 eslint@8.57.0",
        Compression::Gzip,
        &[],
    )?;

    debian_nodejs(b)?;
    b.layer(
        "debian-nodejs",
        "RUN apt-get install -y node-* # ~1,500 usr/share/nodejs packages",
        Compression::Zstd,
        &[],
    )?;

    make_venv(b, PIP)?;
    b.watch_python(&format!(
        "{VENV}/lib/python{}/site-packages",
        b.tools.py_minor
    ));
    b.layer(
        "pip-venv",
        &format!(
            "RUN python3 -m venv /{VENV} && /{VENV}/bin/pip install {}",
            PIP.join(" ")
        ),
        // zstd, as some registries now serve: and unoptimised builds compress it fast.
        Compression::Zstd,
        &[],
    )?;

    npm_install(b, &["express@4.21.0", "mocha@10.4.0", "axios@1.7.2"])?;
    b.layer(
        "npm-upgrade",
        "RUN cd /srv/app && npm install express@4.21.0 mocha@10.4.0 axios@1.7.2",
        Compression::Gzip,
        &[],
    )?;

    venv_pip(b, &["uninstall", "-y"], &["pytest", "pluggy", "iniconfig"])?;
    for dir in 0..6 {
        fs::remove_dir_all(b.path(&format!("{FILLER}/{dir:02}")))?;
    }
    for i in 0..40 {
        b.write(
            &format!("{APP}/src/module{i:02}.js"),
            format!("'use strict';\nmodule.exports = function m{i}() {{ return {i}; }};\n"),
        )?;
    }
    b.layer(
        "cleanup",
        "RUN pip uninstall -y pytest pluggy iniconfig && rm -rf /usr/share/filler/0[0-5] && COPY src /srv/app/src",
        Compression::Gzip,
        &[],
    )?;
    Ok(())
}

/// xorshift64*: deterministic filler without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("less than a usize")
    }
}

const WORDS: &[&str] = &[
    "return", "const", "function", "module", "exports", "require", "value", "index", "layer",
    "image", "package", "version", "if", "else", "for", "while", "null", "true", "false", "this",
    "object", "string", "number", "buffer", "stream", "error", "result", "options", "config",
    "path", "file", "digest", "=", "==", "(", ")", "{", "}", ";", ",", ".", "[", "]", "=>",
];

/// Files `n` of the filler: 30 directories of generated text (1–16 KiB each, about 3× gzip
/// compressible) and, every 750th, a 4 MiB incompressible blob.
fn filler(b: &Build, files: std::ops::Range<usize>) -> Result<(), Unavailable> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in files {
        let path = format!("{FILLER}/{:02}/file{n:05}.txt", n % 30);
        let content = if n % 750 == 0 {
            (0..4 << 20)
                .map(|_| rng.next().to_le_bytes()[0])
                .collect::<Vec<u8>>()
        } else {
            let size = 1024 + rng.below(15 * 1024);
            let mut text = Vec::with_capacity(size + 16);
            while text.len() < size {
                let word = WORDS[rng.below(WORDS.len())];
                text.extend_from_slice(word.as_bytes());
                text.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
                if rng.below(40) == 0 {
                    text.extend_from_slice(format!("{}", rng.next()).as_bytes());
                }
            }
            text
        };
        b.write(&path, content)?;
    }
    Ok(())
}

/// Debian packages npm modules one per `usr/share/nodejs/<name>/`: copy the app's real
/// `package.json` files there until there are [`NODEJS_COUNT`], renaming later rounds.
fn debian_nodejs(b: &Build) -> Result<(), Unavailable> {
    let mut manifests = Vec::new();
    collect_manifests(&b.path(&format!("{APP}/node_modules")), &mut manifests)?;
    manifests.sort();
    if manifests.is_empty() {
        return Err(Unavailable::Step("npm installed no packages".into()));
    }
    let mut written = std::collections::BTreeSet::new();
    let mut round = 0;
    while written.len() < NODEJS_COUNT {
        for manifest in &manifests {
            if written.len() == NODEJS_COUNT {
                break;
            }
            let Ok(mut json) = serde_json::from_slice::<Value>(&fs::read(manifest)?) else {
                continue;
            };
            let Some(name) = json["name"].as_str().map(str::to_string) else {
                continue;
            };
            let name = if round == 0 {
                name
            } else {
                format!("{name}-compat{round}")
            };
            if !written.insert(name.clone()) {
                continue;
            }
            json["name"] = Value::String(name.clone());
            let text = serde_json::to_string_pretty(&json).expect("JSON values serialise");
            b.write(&format!("{NODEJS}/{name}/package.json"), text + "\n")?;
        }
        round += 1;
    }
    Ok(())
}

/// Every `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`
/// under `dir`, nested `node_modules` included.
fn collect_manifests(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), Unavailable> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_dir() || path.is_symlink() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if name.starts_with('@') {
            collect_manifests(&path, out)?;
            continue;
        }
        let manifest = path.join("package.json");
        if manifest.is_file() {
            out.push(manifest);
        }
        collect_manifests(&path.join("node_modules"), out)?;
    }
    Ok(())
}
