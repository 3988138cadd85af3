//! The Python cataloguer on real metadata files from trivy's and Syft's test data (see
//! `shared/fixtures/python/README.md` for where each comes from and what those tools report),
//! and on inputs that must not break it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use sbomgen_catalog::python::PythonCataloguer;
use sbomgen_catalog::{Ecosystem, FileCataloguer, FileFindings, PackageRecord, Support};
use serde_json::json;

/// Parses every file of a fixture directory as the layer reader would hand them over (paths
/// relative to the directory), completes each record, and returns them by name, with the
/// warnings. `None` when the shared corpus is absent.
fn scan(dir: &str) -> Option<(BTreeMap<String, PackageRecord>, Vec<String>)> {
    let root = common::corpus()?.join(dir);
    assert!(
        root.is_dir(),
        "fixture directory {} missing",
        root.display()
    );
    Some(scan_root(&root))
}

/// Like [`scan`], on a directory of this crate's own test data (always present).
fn scan_root(root: &Path) -> (BTreeMap<String, PackageRecord>, Vec<String>) {
    let mut files = Vec::new();
    common::walk(root, root, &mut files);
    let parsed: BTreeMap<String, FileFindings> = files
        .iter()
        .map(|(path, bytes)| {
            let found = PythonCataloguer.parse(path, bytes);
            assert_eq!(found, PythonCataloguer.parse(path, bytes), "deterministic");
            (path.clone(), found)
        })
        .collect();
    let lookup = |p: &str| parsed.get(p).and_then(|f| f.support.as_ref());
    let mut packages = BTreeMap::new();
    let mut warnings = Vec::new();
    for (path, found) in &parsed {
        warnings.extend(found.warnings.iter().cloned());
        for record in &found.packages {
            let mut record = record.clone();
            PythonCataloguer.complete(&mut record, path, &lookup);
            assert_eq!(record.ecosystem, Ecosystem::Python);
            assert_eq!(&record.database, path);
            let previous = packages.insert(record.name.clone(), record);
            assert!(previous.is_none(), "duplicate package");
        }
    }
    (packages, warnings)
}

/// Name, version, purl, licenses, dependencies.
fn facts(r: &PackageRecord) -> (&str, &str, &str, Vec<&str>, Vec<&str>) {
    (
        r.name.as_str(),
        r.version.as_str(),
        r.purl.as_deref().unwrap_or(""),
        r.licenses.iter().map(String::as_str).collect(),
        r.depends_on.iter().map(String::as_str).collect(),
    )
}

/// Named `python::…` so that `cargo test -p sbomgen-catalog python` runs these too.
mod python {
    use super::*;

    #[test]
    fn trivy_site_packages_has_five_wheels() {
        let Some((packages, warnings)) = scan("python/trivy-site-packages") else {
            return;
        };
        assert_eq!(warnings, Vec::<String>::new());
        let got: Vec<_> = packages.values().map(facts).collect();
        assert_eq!(
            got,
            [
                // `License: BSD-3-Clause` beats the family classifier `BSD License` (trivy
                // reports the classifier); optional extras (async, dotenv) are no dependencies.
                (
                    "Flask",
                    "2.0.0",
                    "pkg:pypi/flask@2.0.0",
                    vec!["BSD-3-Clause"],
                    vec!["werkzeug", "jinja2", "itsdangerous", "click"]
                ),
                // Only the classifier names a license.
                (
                    "annotated-types",
                    "0.7.0",
                    "pkg:pypi/annotated-types@0.7.0",
                    vec!["MIT"],
                    vec!["typing-extensions"]
                ),
                (
                    "click",
                    "8.0.0",
                    "pkg:pypi/click@8.0.0",
                    vec!["BSD-3-Clause"],
                    vec!["colorama"]
                ),
                // The PSF classifier has no single SPDX id, so `License:` stands.
                (
                    "distlib",
                    "0.3.1",
                    "pkg:pypi/distlib@0.3.1",
                    vec!["Python license"],
                    vec![]
                ),
                (
                    "setuptools",
                    "51.3.3",
                    "pkg:pypi/setuptools@51.3.3",
                    vec!["MIT"],
                    vec![]
                ),
            ]
        );
        let flask = &packages["Flask"];
        assert_eq!(
            flask.database,
            "usr/lib/python3.10/site-packages/Flask-2.0.0.dist-info/METADATA"
        );
        assert_eq!(
            serde_json::to_value(&flask.metadata).unwrap(),
            json!({
                "summary": "A simple framework for building complex web applications.",
                "author": "Armin Ronacher",
                "authorEmail": "armin.ronacher@active-4.com",
                "homePage": "https://palletsprojects.com/p/flask",
                "requiresPython": ">=3.6",
                "sitePackagesRootPath": "usr/lib/python3.10/site-packages",
            })
        );
        assert_eq!(
            packages["annotated-types"].metadata["homePage"],
            "https://github.com/annotated-types/annotated-types"
        );
        assert!(
            packages.values().all(|p| p.files.is_empty()),
            "no RECORD in these"
        );
    }

    #[test]
    fn syft_image_pkg_coverage_has_all_four() {
        let Some((packages, warnings)) = scan("python/syft-pkg-coverage") else {
            return;
        };
        assert_eq!(warnings, Vec::<String>::new());
        let got: Vec<_> = packages.values().map(facts).collect();
        assert_eq!(
            got,
            [
                (
                    "Pygments",
                    "2.6.1",
                    "pkg:pypi/pygments@2.6.1",
                    vec!["BSD License"],
                    vec![]
                ),
                (
                    "requests",
                    "2.22.0",
                    "pkg:pypi/requests@2.22.0",
                    vec!["Apache 2.0"],
                    vec![]
                ),
                (
                    "someotherpkg",
                    "3.19.0",
                    "pkg:pypi/someotherpkg@3.19.0",
                    vec!["Apache 2.0"],
                    vec![]
                ),
                (
                    "somerequests",
                    "3.22.0",
                    "pkg:pypi/somerequests@3.22.0",
                    vec!["BSD License"],
                    vec![]
                ),
            ]
        );
        // Syft's odd directories named just `dist-info` / `egg-info` are found too.
        let pygments = &packages["Pygments"];
        assert_eq!(pygments.database, "python/dist-info/METADATA");
        // RECORD paths are resolved against the directory holding `dist-info` (`python/`);
        // `../../../bin/pygmentize` climbs above this fixture's root, so it is dropped.
        assert_eq!(
            pygments.files,
            [
                "python/Pygments-2.6.1.dist-info/AUTHORS",
                "python/Pygments-2.6.1.dist-info/RECORD",
                "python/pygments/__pycache__/__init__.cpython-38.pyc",
                "python/pygments/util.py",
            ]
        );
        assert_eq!(pygments.metadata["sitePackagesRootPath"], "python");
        for package in packages.values() {
            assert_eq!(
                package.metadata["topLevelPackages"],
                json!(["top-level-pkg"]),
                "{}",
                package.name
            );
        }
        assert_eq!(packages["requests"].database, "python/egg-info/PKG-INFO");
        assert_eq!(
            packages["requests"].metadata["homePage"],
            "http://python-requests.org"
        );
    }

    #[test]
    fn debian_bookworm_python3_yaml_dist_info_and_python3_six_egg_info() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/python/debian-bookworm");
        let (packages, warnings) = scan_root(&root);
        assert_eq!(warnings, Vec::<String>::new());
        let got: Vec<_> = packages.values().map(facts).collect();
        assert_eq!(
            got,
            [
                ("PyYAML", "6.0", "pkg:pypi/pyyaml@6.0", vec!["MIT"], vec![]),
                ("six", "1.16.0", "pkg:pypi/six@1.16.0", vec!["MIT"], vec![]),
            ]
        );
        let site = "usr/lib/python3/dist-packages";
        let yaml = &packages["PyYAML"];
        assert_eq!(yaml.files.len(), 23);
        for file in [
            format!("{site}/PyYAML-6.0.dist-info/METADATA"),
            format!("{site}/_yaml/__init__.py"),
            format!("{site}/yaml/_yaml.cpython-311-x86_64-linux-gnu.so"),
        ] {
            assert!(yaml.files.contains(&file), "{file}");
        }
        assert_eq!(
            serde_json::to_value(&yaml.metadata).unwrap(),
            json!({
                "summary": "YAML parser and emitter for Python",
                "author": "Kirill Simonov",
                "authorEmail": "xi@resolvent.net",
                "homePage": "https://pyyaml.org/",
                "requiresPython": ">=3.6",
                "platform": "Any",
                "sitePackagesRootPath": site,
                "topLevelPackages": ["_yaml", "yaml"],
            })
        );
        let six = &packages["six"];
        assert!(
            six.files.is_empty(),
            "no installed-files.txt in Debian's egg-info"
        );
        assert_eq!(six.metadata["topLevelPackages"], json!(["six"]));
        assert!(
            !six.metadata.contains_key("platform"),
            "UNKNOWN is no platform"
        );
        assert_eq!(
            six.metadata["requiresPython"],
            ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*"
        );
    }

    #[test]
    fn truncated_fixtures_never_panic_and_never_invent() {
        let Some(corpus) = common::corpus() else {
            return;
        };
        let dir = corpus.join("python/trivy-site-packages/usr/lib/python3.10/site-packages");
        for (dist_info, name, version) in [
            ("Flask-2.0.0.dist-info", "Flask", "2.0.0"),
            ("distlib-0.3.1.dist-info", "distlib", "0.3.1"),
        ] {
            let path = format!("site/{dist_info}/METADATA");
            let bytes = std::fs::read(dir.join(dist_info).join("METADATA")).expect("fixture");
            for cut in 0..bytes.len() {
                let found = PythonCataloguer.parse(&path, &bytes[..cut]);
                match found.packages.as_slice() {
                    // Cut inside the version line: a prefix of it, never anything else.
                    [record] => {
                        assert!(record.name == name && version.starts_with(&record.version));
                    }
                    [] => assert_eq!(
                        found.warnings.last().map(String::as_str),
                        Some(
                            format!("{path}: no Name and Version headers; not a package").as_str()
                        )
                    ),
                    more => panic!("{more:?}"),
                }
            }
        }
    }

    #[test]
    fn binary_garbage_is_a_warning_not_a_package() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let junk: Vec<u8> = (0..200_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24).to_le_bytes()[0]
            })
            .collect();
        for path in [
            "a/x-1.dist-info/METADATA",
            "a/x-1.egg-info/PKG-INFO",
            "a/x-1.egg-info",
            "a/x-1.dist-info/RECORD",
            "a/x-1.egg-info/installed-files.txt",
            "a/x-1.dist-info/top_level.txt",
            "a/x-1.dist-info/direct_url.json",
        ] {
            let found = PythonCataloguer.parse(path, &junk);
            assert!(found.packages.is_empty(), "{path}");
            assert!(
                found.warnings.iter().all(|w| w.starts_with(path)),
                "{path}: {:?}",
                found.warnings
            );
        }
    }

    #[test]
    fn a_10_mb_single_line_is_read_in_linear_time() {
        let path = "a/big-1.dist-info/METADATA";
        let started = std::time::Instant::now();
        for line in [
            vec![b'x'; 10 << 20],
            [b"Name: ".as_slice(), &vec![b'n'; 10 << 20]].concat(),
            [
                b"Name: a\nVersion: 1\nLicense: ".as_slice(),
                &vec![b'l'; 10 << 20],
            ]
            .concat(),
            [
                b"Name: a\nVersion: 1\nRequires-Dist: x; ".as_slice(),
                &b"(".repeat(10 << 20),
            ]
            .concat(),
        ] {
            let found = PythonCataloguer.parse(path, &line);
            assert!(!found.warnings.is_empty());
            assert!(found.packages.iter().all(|p| p.licenses.is_empty()));
        }
        let record = [b"\"".as_slice(), &vec![b'r'; 10 << 20]].concat();
        let found = PythonCataloguer.parse("a/big-1.dist-info/RECORD", &record);
        assert_eq!(found.support, Some(Support::OwnedFiles(Vec::new())));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn direct_url_with_invalid_utf8_and_surrogate_escapes() {
        let path = "a/x-1.dist-info/direct_url.json";
        for (bytes, url) in [
            (
                &br#"{"url": "file:///src/caf\udce9", "dir_info": {"editable": true}}"#[..],
                Some("file:///src/caf\u{fffd}"),
            ),
            (
                b"{\"url\": \"file:///src/caf\xe9\"}",
                Some("file:///src/caf\u{fffd}"),
            ),
            (
                br#"{"url": "file:///\ud83d\ude00"}"#,
                Some("file:///\u{1f600}"),
            ),
            (
                br#"{"url": "file:///src/x", "vcs_info": {"vcs": "git", "commit_id": "\udc80"}}"#,
                Some("file:///src/x"),
            ),
            (b"{\"url\": \"file:///src/", None),
            (b"\xff\xfe{\x00\"\x00", None),
        ] {
            let found = PythonCataloguer.parse(path, bytes);
            match (&found.support, url) {
                (Some(Support::DirectUrl(direct)), Some(url)) => {
                    assert_eq!(direct.url, url);
                    assert!(found.warnings.is_empty());
                }
                (None, None) => {
                    assert!(found.warnings[0].starts_with(path), "{:?}", found.warnings);
                }
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
    }
}
