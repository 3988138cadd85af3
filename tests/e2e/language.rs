//! Language packages end to end: an image whose layers hold what real `pip` and `npm` wrote
//! (see `sbomgen_testkit::langfix`), checked against what those tools list as installed and
//! against the provenance their per-layer listings give.
//!
//! The fixture knows the truth; these tests only compare. Python names compare PEP 503
//! normalised (`charset_normalizer-3.3.2.dist-info` is `charset-normalizer`); a Python
//! package's location is its metadata file inside the `.dist-info`/`.egg-info` directory, or
//! the `.egg-info` file itself; an npm package's is its `package.json`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use sbomgen_testkit::langfix::{self, pep503_normalize, ExpectedPackage, LangFixture};
use serde_json::Value;

use crate::provenance::{check_expected, location_paths, packages, s, scanned_once, Scanned};
use crate::support::{convert_round_trip, run_ok, scan_json};

/// The fixture and its all-layers scan, made once for every test of this file.
fn scanned() -> Option<&'static (LangFixture, Value)> {
    static SCAN: OnceLock<Scanned> = OnceLock::new();
    scanned_once(&SCAN, langfix::python_npm_image)
}

/// Installed (not declared by a lockfile) and not removed by a later layer.
fn installed<'a>(doc: &'a Value, kind: &str) -> impl Iterator<Item = &'a Value> + 'a {
    packages(doc, kind).filter(|p| p["removedIn"].is_null() && p["declared"] != true)
}

/// Where the recipe's pip and npm install: any pypi or npm package located here must be one the
/// fixture expects.
const PLACES: &[&str] = &[
    "opt/app/venv/",
    "usr/lib/python3/dist-packages/",
    "usr/local/lib/",
    "srv/app/node_modules/",
];

fn in_places(package: &Value) -> bool {
    location_paths(package)
        .iter()
        .any(|l| PLACES.iter().any(|place| l.starts_with(place)))
}

/// Whether a scanned location is the expected package's: its npm `package.json`, or a Python
/// metadata path (the `.egg-info` file, or a file inside the metadata directory).
fn at(expected: &ExpectedPackage, path: &str) -> bool {
    match expected.kind.as_str() {
        "npm" => path == format!("{}/package.json", expected.path),
        _ => path == expected.path || path.starts_with(&format!("{}/", expected.path)),
    }
}

fn same_name(kind: &str, a: &str, b: &str) -> bool {
    if kind == "pypi" {
        pep503_normalize(a) == pep503_normalize(b)
    } else {
        a == b
    }
}

/// The scanned package the fixture expects, or a message saying what was there instead.
fn find<'a>(doc: &'a Value, expected: &ExpectedPackage) -> Result<&'a Value, String> {
    let candidates: Vec<&Value> = packages(doc, &expected.kind)
        .filter(|p| p["declared"] != true)
        .filter(|p| same_name(&expected.kind, s(&p["name"]), &expected.name))
        .collect();
    candidates
        .iter()
        .copied()
        .find(|p| {
            p["version"] == expected.version.as_str()
                && location_paths(p).iter().any(|path| at(expected, path))
        })
        .ok_or_else(|| {
            let seen: Vec<String> = candidates
                .iter()
                .map(|p| format!("{} {:?}", s(&p["version"]), location_paths(p)))
                .collect();
            format!(
                "{} {} {} at {} not found; same name: {seen:?}",
                expected.kind, expected.name, expected.version, expected.path
            )
        })
}

fn expected<'a>(f: &'a LangFixture, kind: &str, name: &str, version: &str) -> &'a ExpectedPackage {
    f.expected
        .iter()
        .find(|p| p.kind == kind && p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("the recipe installs no {kind} {name} {version}"))
}

#[test]
fn installed_python_packages_are_what_pip_lists_per_site_packages() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let sites: BTreeSet<&str> = f
        .pip_list
        .iter()
        .map(|d| d.site_packages.as_str())
        .collect();
    assert_eq!(
        sites.len(),
        3,
        "dist-packages, the venv and the --target tree"
    );
    for site in sites {
        let want: BTreeSet<(String, String)> = f
            .pip_list
            .iter()
            .filter(|d| d.site_packages == site)
            .map(|d| (pep503_normalize(&d.name), d.version.clone()))
            .collect();
        let got: BTreeSet<(String, String)> = installed(doc, "pypi")
            .filter(|p| {
                location_paths(p)
                    .iter()
                    .any(|l| l.starts_with(&format!("{site}/")))
            })
            .map(|p| {
                (
                    pep503_normalize(s(&p["name"])),
                    s(&p["version"]).to_string(),
                )
            })
            .collect();
        assert_eq!(got, want, "installed in {site}");
    }
    for dist in &f.pip_list {
        let metadata_dir = format!("{}/", dist.metadata);
        let found = installed(doc, "pypi").any(|p| {
            same_name("pypi", s(&p["name"]), &dist.name)
                && location_paths(p)
                    .iter()
                    .any(|l| *l == dist.metadata || l.starts_with(&metadata_dir))
        });
        assert!(found, "no package located at {}", dist.metadata);
    }
}

#[test]
fn installed_npm_packages_are_what_npm_query_lists() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let want: BTreeSet<(String, String, String)> = f
        .npm_query
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                n.version.clone(),
                format!("{}/package.json", n.path),
            )
        })
        .collect();
    let projects: BTreeSet<String> = f
        .npm_query
        .iter()
        .map(|n| format!("{}/node_modules/", n.project))
        .collect();
    let got: BTreeSet<(String, String, String)> = installed(doc, "npm")
        .flat_map(|p| {
            location_paths(p).into_iter().map(move |l| {
                (
                    s(&p["name"]).to_string(),
                    s(&p["version"]).to_string(),
                    l.to_string(),
                )
            })
        })
        .filter(|(_, _, l)| projects.iter().any(|p| l.starts_with(p.as_str())))
        .collect();
    assert_eq!(got, want);
}

/// Every package any layer installed has the life the tools' per-layer listings give it, and
/// the scan has no other pip- or npm-installed package.
#[test]
fn provenance_follows_the_recipe() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let (mut problems, matched) = check_expected(&f.expected, |want| find(doc, want), |_, _, _| {});
    for p in packages(doc, "pypi").chain(packages(doc, "npm")) {
        if in_places(p) && p["declared"] != true && !matched.contains(&std::ptr::from_ref(p)) {
            problems.push(format!(
                "unexpected {} {} {} at {:?}",
                s(&p["type"]),
                s(&p["name"]),
                s(&p["version"]),
                location_paths(p)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn pip_upgrade_replaces_the_old_distribution() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("pip-upgrade").index;
    let old = find(doc, expected(f, "pypi", "requests", "2.31.0")).unwrap();
    assert_eq!(
        (&old["introducedIn"], &old["removedIn"], &old["replacedBy"]),
        (
            &f.layer("venv").index.into(),
            &layer.into(),
            &"2.32.3".into()
        )
    );
    let new = find(doc, expected(f, "pypi", "requests", "2.32.3")).unwrap();
    assert_eq!(
        (&new["introducedIn"], &new["removedIn"]),
        (&layer.into(), &Value::Null)
    );
    assert_eq!(new["purl"], "pkg:pypi/requests@2.32.3");
}

#[test]
fn pip_uninstall_removes_only_the_venv_copy() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let copies: Vec<&ExpectedPackage> = f.expected.iter().filter(|p| p.name == "six").collect();
    assert_eq!(copies.len(), 2, "Debian's six and the venv's");
    for want in copies {
        let got = find(doc, want).unwrap();
        if want.path.starts_with("opt/app/venv/") {
            assert_eq!(got["removedIn"], f.layer("pip-uninstall").index);
            assert_eq!(got["replacedBy"], Value::Null);
        } else {
            assert_eq!(got["removedIn"], Value::Null, "{}", want.path);
        }
    }
}

#[test]
fn pip_target_install_is_found() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let attrs = find(doc, expected(f, "pypi", "attrs", "23.2.0")).unwrap();
    assert_eq!(attrs["introducedIn"], f.layer("pip-upgrade").index);
    assert!(location_paths(attrs)
        .iter()
        .all(|l| l.starts_with("usr/local/lib/python3.")
            && l.contains("/site-packages/attrs-23.2.0.dist-info/")));
}

#[test]
fn pypi_purls_use_normalised_names() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let charset = find(doc, expected(f, "pypi", "charset-normalizer", "3.3.2")).unwrap();
    assert_eq!(charset["purl"], "pkg:pypi/charset-normalizer@3.3.2");
    let yaml = find(doc, expected(f, "pypi", "PyYAML", "6.0")).unwrap();
    assert_eq!(yaml["purl"], "pkg:pypi/pyyaml@6.0");
}

#[test]
fn egg_info_file_and_directory_forms() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let yaml = find(doc, expected(f, "pypi", "PyYAML", "6.0")).unwrap();
    assert_eq!(
        location_paths(yaml),
        BTreeSet::from(["usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO"])
    );
    assert_eq!(yaml["introducedIn"], 0);
    let six = f
        .expected
        .iter()
        .find(|p| p.name == "six" && p.introduced_in == 0)
        .expect("Debian's six");
    let six = find(doc, six).unwrap();
    assert_eq!(
        location_paths(six),
        BTreeSet::from(["usr/lib/python3/dist-packages/six-1.16.0.egg-info"])
    );
}

#[test]
fn debian_owned_python_package_names_its_deb() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let owned = &f.os_owned[0];
    let deb = packages(doc, "deb")
        .find(|p| {
            p["name"] == owned.deb_name.as_str() && p["version"] == owned.deb_version.as_str()
        })
        .unwrap_or_else(|| panic!("no deb {} in {:#}", owned.deb_name, doc["packages"]));
    assert_eq!(deb["purl"], owned.deb_purl.as_str());
    let yaml = find(doc, expected(f, "pypi", "PyYAML", "6.0")).unwrap();
    assert_eq!(yaml["ownedBy"], deb["purl"]);
    // Debian's six has no dpkg file list naming it; pip's packages never do.
    for p in packages(doc, "pypi").filter(|p| p["name"] != "PyYAML") {
        assert!(
            p["ownedBy"].is_null(),
            "{} {} ownedBy {}",
            p["name"],
            p["version"],
            p["ownedBy"]
        );
    }
}

#[test]
fn nested_npm_versions_are_two_packages() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("npm-install").index;
    let top = expected(f, "npm", "ms", "2.1.2");
    let nested = expected(f, "npm", "ms", "2.0.0");
    assert_eq!(nested.path, "srv/app/node_modules/debug/node_modules/ms");
    let (top, nested) = (find(doc, top).unwrap(), find(doc, nested).unwrap());
    assert_ne!(top, nested);
    assert_eq!(
        (&top["introducedIn"], &nested["introducedIn"]),
        (&layer.into(), &layer.into())
    );
    let debug = find(doc, expected(f, "npm", "debug", "2.6.9")).unwrap();
    assert!(
        debug["dependsOn"].as_array().is_some_and(|d| d
            .iter()
            .any(|d| d.as_str().is_some_and(|d| d.starts_with("ms")))),
        "debug depends on ms: {}",
        debug["dependsOn"]
    );
}

#[test]
fn npm_upgrade_in_place_is_replaced_by() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let old = find(doc, expected(f, "npm", "ms", "2.1.2")).unwrap();
    assert_eq!(
        (&old["removedIn"], &old["replacedBy"]),
        (&f.layer("npm-upgrade").index.into(), &"2.1.3".into())
    );
}

/// `rm -rf node_modules` and a reinstall: the layer's opaque `node_modules` hides every package
/// below it; those not reinstalled are removed there, the one reinstalled unchanged lives on.
#[test]
fn opaque_node_modules_removes_the_hidden_packages() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("npm-reinstall");
    assert_eq!(layer.opaque, ["srv/app/node_modules"]);
    for (name, version) in [
        ("debug", "2.6.9"),
        ("ms", "2.0.0"),
        ("@sindresorhus/is", "4.6.0"),
    ] {
        let got = find(doc, expected(f, "npm", name, version)).unwrap();
        assert_eq!(got["removedIn"], layer.index, "{name} {version}");
        assert_eq!(got["replacedBy"], Value::Null, "{name} {version}");
    }
    let kept = find(doc, expected(f, "npm", "ms", "2.1.3")).unwrap();
    assert_eq!(
        (&kept["introducedIn"], &kept["removedIn"]),
        (&f.layer("npm-upgrade").index.into(), &Value::Null)
    );
    let new = find(doc, expected(f, "npm", "is-number", "7.0.0")).unwrap();
    assert_eq!(new["introducedIn"], layer.index);
}

#[test]
fn scoped_and_global_npm_packages() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let scoped = find(doc, expected(f, "npm", "@sindresorhus/is", "4.6.0")).unwrap();
    assert_eq!(scoped["purl"], "pkg:npm/%40sindresorhus/is@4.6.0");
    let global = find(doc, expected(f, "npm", "semver", "7.6.2")).unwrap();
    assert_eq!(global["purl"], "pkg:npm/semver@7.6.2");
    assert_eq!(
        location_paths(global),
        BTreeSet::from(["usr/local/lib/node_modules/semver/package.json"])
    );
}

/// The squashed view is exactly the final filesystem's: what pip and npm list there.
#[test]
fn squashed_scope_lists_the_final_filesystem() {
    let Some((f, _)) = scanned() else {
        return;
    };
    let doc = scan_json(&[f.oci_path(), "--scope", "squashed"]);
    let mut want: Vec<(String, String, String)> = f
        .installed()
        .map(|p| {
            let name = if p.kind == "pypi" {
                pep503_normalize(&p.name)
            } else {
                p.name.clone()
            };
            (p.kind.clone(), name, p.version.clone())
        })
        .collect();
    want.sort();
    let mut got: Vec<(String, String, String)> = packages(&doc, "pypi")
        .chain(packages(&doc, "npm"))
        .filter(|p| p["declared"] != true && in_places(p))
        .map(|p| {
            let kind = s(&p["type"]).to_string();
            let name = if kind == "pypi" {
                pep503_normalize(s(&p["name"]))
            } else {
                s(&p["name"]).to_string()
            };
            (kind, name, s(&p["version"]).to_string())
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}

/// What a round trip through SPDX or CycloneDX must keep of each language package, beyond the
/// essentials every package keeps: the OS package that owns it, whether it is declared, and
/// its resolved dependency names.
fn language_facts(doc: &Value) -> Vec<Value> {
    let mut facts: Vec<Value> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "deb")
        .map(|p| {
            serde_json::json!([
                p["type"],
                p["name"],
                p["version"],
                p["purl"],
                p["introducedIn"],
                p["removedIn"],
                p["replacedBy"],
                p["locations"],
                p["ownedBy"],
                p["declared"],
                p["licenses"],
            ])
        })
        .collect();
    facts.sort_by_key(ToString::to_string);
    facts
}

/// `convert` round-trips language packages (ownership and declared ones included) through every
/// standard, and converting the native document gives the bytes a direct scan writes.
#[test]
fn convert_round_trips_language_packages() {
    let Some(fixture) = langfix::python_npm_image() else {
        return;
    };
    let image = fixture.oci_path();
    let tmp = tempfile::tempdir().unwrap();
    let native_path = tmp.path().join("native.json");
    // --declared: the app's package-lock.json lists what npm was asked to install.
    let native_arg = format!("json={}", native_path.display());
    run_ok(&[image, "--declared", "-q", "-o", &native_arg]);
    let native: Value = serde_json::from_slice(&std::fs::read(&native_path).unwrap()).unwrap();
    let facts = language_facts(&native);
    assert!(
        facts.iter().any(|f| f[8].is_string()),
        "the image must have an owned package for the round trip to prove anything"
    );
    assert!(
        facts.iter().any(|f| f[9] == true),
        "the image must have a declared package for the round trip to prove anything"
    );
    for format in ["spdx-json", "cyclonedx-json"] {
        let converted = tmp.path().join(format!("{format}.doc"));
        let back = convert_round_trip(&native_path, format, &converted);
        assert_eq!(language_facts(&back), facts, "via {format}");
        let direct = run_ok(&[image, "--declared", "-q", "-o", format]);
        assert!(
            direct == std::fs::read(&converted).unwrap(),
            "convert to {format} differs from a direct scan"
        );
    }
}
