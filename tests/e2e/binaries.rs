//! Binaries and archives end to end: an image whose layers hold what real `go build`,
//! `cargo auditable build`, `javac`/`jar` and Debian's packages made (see
//! `sbomgen_testkit::langfix::binaries_image`), checked against what `go version -m`, the
//! decoded `.dep-v0` section, Python's `zipfile` and `dpkg-deb` say they hold.
//!
//! The fixture knows the truth; these tests only compare. Conventions asserted:
//! - a Go module, crate or classifier hit is located at its binary; a Maven artifact at the
//!   archive holding its `pom.properties`, a nested one as `outer.jar!/BOOT-INF/lib/dep-1.0.jar`
//!   (with the outer archive's layer);
//! - purls: `pkg:golang/<module path, case kept>@<version>`, `pkg:golang/stdlib@1.19.8` (no
//!   `go`), `pkg:cargo/<name>@<version>`, `pkg:maven/<group>/<artifact>@<version>`,
//!   `pkg:generic/<name>@<version>`;
//! - a Go module replaced by another module is named by the replacement; one replaced by a local
//!   directory keeps its path (its version is not asserted, nor a main module's built without a
//!   stamped version); `-ldflags "-X main.version=1.2.3"` gives the main module `v1.2.3`;
//! - only `runtime` crates of the audit data are packages; a GOPATH-mode Go binary has no
//!   modules: a package for its `stdlib`, and one named after its main package's import path
//!   (as Syft synthesises), are allowed there, not required;
//! - a classifier hit on a file a dpkg package's file list names is dropped.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use sbomgen_testkit::langfix::{self, ExpectedPackage, LangFixture};
use serde_json::Value;

use crate::provenance::{check_expected, location_paths, packages, s, scanned_once, Scanned};
use crate::support::scan_json;

/// The fixture and its all-layers scan, made once for every test of this file.
fn scanned() -> Option<&'static (LangFixture, Value)> {
    static SCAN: OnceLock<Scanned> = OnceLock::new();
    scanned_once(&SCAN, langfix::binaries_image)
}

const KINDS: [&str; 4] = ["golang", "cargo", "maven", "generic"];

fn locations(package: &Value) -> BTreeSet<(&str, u64)> {
    package["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| Some((l["path"].as_str()?, l["layerIndex"].as_u64()?)))
        .collect()
}

/// Packages of `kind` with a location at `path`.
fn at<'a>(doc: &'a Value, kind: &str, path: &str) -> Vec<&'a Value> {
    packages(doc, kind)
        .filter(|p| location_paths(p).contains(path))
        .collect()
}

fn describe(packages: &[&Value]) -> Vec<String> {
    packages
        .iter()
        .map(|p| {
            format!(
                "{} {} {} ({})",
                s(&p["type"]),
                s(&p["name"]),
                s(&p["version"]),
                s(&p["purl"])
            )
        })
        .collect()
}

/// Whether a scanned package (already at the right place) is the expected one: Maven artifacts
/// and Go's `stdlib` compare by purl (their `name` spelling is the scanner's choice), the others
/// by name and, when asserted, version.
fn is(p: &Value, want: &ExpectedPackage) -> bool {
    match (want.kind.as_str(), want.purl()) {
        ("maven", Some(purl)) => p["purl"] == purl.as_str(),
        ("golang", Some(purl)) if want.name == "stdlib" => p["purl"] == purl.as_str(),
        _ => {
            p["name"] == want.name.as_str()
                && (!want.version_asserted() || p["version"] == want.version.as_str())
        }
    }
}

/// The scanned package the fixture expects, or a message saying what was there instead.
fn find<'a>(doc: &'a Value, want: &ExpectedPackage) -> Result<&'a Value, String> {
    let here = at(doc, &want.kind, &want.path);
    let matching: Vec<&Value> = here.iter().copied().filter(|p| is(p, want)).collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "{} {} {} at {} not found; there: {:?}",
            want.kind,
            want.name,
            want.version,
            want.path,
            describe(&here)
        )),
        // An upgrade in place leaves two versions at one path: tell them apart by provenance.
        many => many
            .iter()
            .copied()
            .find(|p| p["introducedIn"] == want.introduced_in)
            .ok_or_else(|| {
                format!(
                    "{} {} {} at {}: several candidates {:?}",
                    want.kind,
                    want.name,
                    want.version,
                    want.path,
                    describe(many)
                )
            }),
    }
}

fn expected<'a>(f: &'a LangFixture, kind: &str, name: &str, path: &str) -> &'a ExpectedPackage {
    f.expected
        .iter()
        .find(|p| p.kind == kind && p.name == name && p.path == path)
        .unwrap_or_else(|| panic!("the recipe puts no {kind} {name} at {path}"))
}

/// Every path the recipe wrote a binary or archive to: packages of the four kinds located there
/// must all be expected.
fn recipe_paths(f: &LangFixture) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    paths.extend(f.go_binaries.iter().map(|g| g.path.clone()));
    paths.extend(f.rust_binaries.iter().map(|r| r.path.clone()));
    paths.extend(f.classified.iter().map(|c| c.path.clone()));
    for pom in &f.pom_properties {
        paths.insert(pom.location.clone());
        let outer = pom.location.split("!/").next().unwrap_or_default();
        paths.insert(outer.to_string());
    }
    paths
}

/// Whether `p` is a package a GOPATH-mode Go binary may (not must) yield: its `stdlib`, or
/// one named after its main package (`go version -m` prints no module for such a binary).
fn optional_gopath_package(f: &LangFixture, p: &Value) -> bool {
    let here = location_paths(p);
    p["type"] == "golang"
        && !here.is_empty()
        && here.iter().all(|l| {
            f.go_binaries.iter().any(|g| {
                g.main.is_none()
                    && g.path == *l
                    && (p["name"] == "stdlib" || p["name"] == g.main_package.as_str())
            })
        })
}

#[test]
fn go_modules_are_what_go_version_m_prints() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let mut problems = Vec::new();
    for bin in f.go_binaries.iter().filter(|b| b.removed_in.is_none()) {
        let Some(main) = &bin.main else {
            continue;
        };
        let here = at(doc, "golang", &bin.path);
        let named = |name: &str| here.iter().copied().find(|p| p["name"] == name);
        match named(&main.path) {
            None => problems.push(format!(
                "{}: no main module {}: {:?}",
                bin.path,
                main.path,
                describe(&here)
            )),
            Some(p) => {
                let version = bin.main_version().unwrap_or_default();
                if version != "(devel)" && p["version"] != version.as_str() {
                    problems.push(format!(
                        "{}: main module {} version {}, want {version}",
                        bin.path, main.path, p["version"]
                    ));
                }
            }
        }
        for dep in &bin.deps {
            let (name, version) = dep.effective();
            let found = here
                .iter()
                .any(|p| p["name"] == name && (version == "(devel)" || p["version"] == version));
            if !found {
                problems.push(format!(
                    "{}: no module {name} {version}: {:?}",
                    bin.path,
                    describe(&here)
                ));
            }
        }
        let stdlib = format!(
            "pkg:golang/stdlib@{}",
            bin.go_version.trim_start_matches("go")
        );
        if !here.iter().any(|p| p["purl"] == stdlib.as_str()) {
            problems.push(format!("{}: no {stdlib}: {:?}", bin.path, describe(&here)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn go_binary_without_exec_bit_is_found() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let vendored = f
        .go_binaries
        .iter()
        .find(|g| g.path == "usr/local/bin/vendored")
        .expect("the vendored build");
    assert_eq!(vendored.mode & 0o111, 0, "the recipe clears its x bits");
    let greet = find(
        doc,
        expected(f, "golang", "example.com/greet", &vendored.path),
    )
    .unwrap();
    assert_eq!(greet["version"], "v1.3.0");
    assert_eq!(greet["purl"], "pkg:golang/example.com/greet@v1.3.0");
}

#[test]
fn go_main_module_version_from_ldflags() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let hello = find(
        doc,
        expected(f, "golang", "example.com/hello", "usr/local/bin/hello"),
    )
    .unwrap();
    assert_eq!(hello["version"], "v1.2.3");
    assert_eq!(hello["purl"], "pkg:golang/example.com/hello@v1.2.3");
}

#[test]
fn go_replacements_name_the_replacing_module() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let hello = "usr/local/bin/hello";
    let fork = find(doc, expected(f, "golang", "example.com/colorfork", hello)).unwrap();
    assert_eq!(fork["version"], "v0.3.0");
    assert_eq!(fork["purl"], "pkg:golang/example.com/colorfork@v0.3.0");
    let replaced = at(doc, "golang", hello);
    assert!(
        !replaced.iter().any(|p| p["name"] == "example.com/color"),
        "the replaced module is not in the binary: {:?}",
        describe(&replaced)
    );
    // Replaced by a local directory: the required path stays the name.
    find(
        doc,
        expected(
            f,
            "golang",
            "example.com/localdep",
            "usr/local/bin/vendored",
        ),
    )
    .unwrap();
}

#[test]
fn go_trimpath_build_is_read_like_any_other() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let trimmed = "usr/local/bin/trimmed";
    let greet = find(doc, expected(f, "golang", "example.com/greet", trimmed)).unwrap();
    assert_eq!(greet["version"], "v1.4.0");
    find(doc, expected(f, "golang", "example.com/trimmed", trimmed)).unwrap();
}

#[test]
fn go_gopath_build_names_no_module() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let legacy = f
        .go_binaries
        .iter()
        .find(|g| g.main.is_none())
        .expect("the GOPATH build");
    let here = at(doc, "golang", &legacy.path);
    assert!(
        here.iter().all(|p| optional_gopath_package(f, p)),
        "{} ({}): {:?}",
        legacy.path,
        legacy.main_package,
        describe(&here)
    );
}

#[test]
fn deleted_go_binary_modules_are_removed_in_its_layer() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("retire-and-upgrade");
    assert_eq!(layer.whiteouts, ["usr/local/bin/retired"]);
    let here = at(doc, "golang", "usr/local/bin/retired");
    assert!(
        here.len() >= 3,
        "main, greet, stdlib: {:?}",
        describe(&here)
    );
    for p in here {
        assert_eq!(
            (&p["introducedIn"], &p["removedIn"], &p["replacedBy"]),
            (
                &f.layer("go-binaries").index.into(),
                &layer.index.into(),
                &Value::Null
            ),
            "{} {}",
            p["name"],
            p["version"]
        );
    }
}

#[test]
fn audited_rust_binary_lists_its_runtime_crates() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let bin = f
        .rust_binaries
        .iter()
        .find(|r| r.audit.is_some())
        .expect("the audited build");
    let audit = bin.audit.as_ref().unwrap();
    let want: BTreeSet<(String, String)> = audit
        .iter()
        .filter(|c| c.kind == "runtime")
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    let got: BTreeSet<(String, String)> = at(doc, "cargo", &bin.path)
        .into_iter()
        .map(|p| (s(&p["name"]).to_string(), s(&p["version"]).to_string()))
        .collect();
    assert_eq!(got, want, "runtime crates of {}", bin.path);
    assert!(
        audit.iter().any(|c| c.kind == "build"),
        "the recipe has a build-dependency"
    );
    for p in at(doc, "cargo", &bin.path) {
        // The binary's own (local) crate is not the crates.io crate of that name.
        if p["metadata"]["source"] == "local" {
            assert_eq!(p["purl"], Value::Null, "{}", p["name"]);
        } else {
            assert_eq!(
                p["purl"],
                format!("pkg:cargo/{}@{}", s(&p["name"]), s(&p["version"]))
            );
        }
    }
}

#[test]
fn plain_cargo_build_has_no_crates() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let plain = f
        .rust_binaries
        .iter()
        .find(|r| r.audit.is_none())
        .expect("the plain build");
    let here = at(doc, "cargo", &plain.path);
    assert!(here.is_empty(), "{}: {:?}", plain.path, describe(&here));
}

#[test]
fn every_pom_properties_is_a_maven_package() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let mut problems = Vec::new();
    for pom in &f.pom_properties {
        let purl = format!(
            "pkg:maven/{}/{}@{}",
            pom.group_id, pom.artifact_id, pom.version
        );
        let here = at(doc, "maven", &pom.location);
        if !here.iter().any(|p| p["purl"] == purl.as_str()) {
            problems.push(format!(
                "{purl} ({} in {}) not located there: {:?}",
                pom.entry,
                pom.location,
                describe(&here)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn nested_archives_are_located_inside_their_outer_archive() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("java-archives").index as u64;
    for (location, artifact) in [
        ("opt/app/service.jar!/BOOT-INF/lib/dep-1.0.jar", "dep"),
        (
            "opt/app/service.jar!/BOOT-INF/lib/log4j-1.2-api-2.20.0.jar",
            "log4j-1.2-api",
        ),
        (
            "opt/webapps/store.war!/WEB-INF/lib/store-model-1.4.jar",
            "store-model",
        ),
    ] {
        let pom = f
            .pom_properties
            .iter()
            .find(|p| p.location == location && p.artifact_id == artifact)
            .unwrap_or_else(|| panic!("the recipe nests {artifact} in {location}"));
        let purl = format!("pkg:maven/{}/{artifact}@{}", pom.group_id, pom.version);
        let here = at(doc, "maven", location);
        let p = here
            .iter()
            .find(|p| p["purl"] == purl.as_str())
            .unwrap_or_else(|| panic!("{purl} not at {location}: {:?}", describe(&here)));
        assert_eq!(locations(p), BTreeSet::from([(location, layer)]));
        assert_eq!(p["introducedIn"], layer);
        // pom.properties names the artifact, whatever the file name seems to say.
        let others: Vec<&Value> = here.iter().copied().filter(|o| o != p).collect();
        assert!(
            others.is_empty(),
            "{location}: also {:?}",
            describe(&others)
        );
    }
}

#[test]
fn jar_without_manifest_still_names_its_artifact() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let pom = f
        .pom_properties
        .iter()
        .find(|p| !p.has_manifest)
        .expect("the --no-manifest jar");
    let p = find(
        doc,
        expected(
            f,
            "maven",
            &format!("{}:{}", pom.group_id, pom.artifact_id),
            &pom.location,
        ),
    )
    .unwrap();
    assert_eq!(p["purl"], "pkg:maven/com.example/nomanifest@0.5.0");
}

#[test]
fn rewritten_jar_is_replaced_by_the_new_version() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let layer = f.layer("retire-and-upgrade").index;
    let path = "opt/app/app-1.0.jar";
    let here = at(doc, "maven", path);
    let version = |v: &str| {
        here.iter()
            .copied()
            .find(|p| p["purl"] == format!("pkg:maven/com.example/app@{v}").as_str())
            .unwrap_or_else(|| panic!("app {v} not at {path}: {:?}", describe(&here)))
    };
    let old = version("1.0.0");
    assert_eq!(
        (&old["introducedIn"], &old["removedIn"], &old["replacedBy"]),
        (
            &f.layer("java-archives").index.into(),
            &layer.into(),
            &"1.1.0".into()
        )
    );
    let new = version("1.1.0");
    assert_eq!(
        (&new["introducedIn"], &new["removedIn"]),
        (&layer.into(), &Value::Null)
    );
    assert!(locations(new).contains(&(path, layer as u64)));
}

#[test]
fn classifiers_name_debian_binaries_with_their_upstream_version() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let samples: Vec<_> = f
        .classified
        .iter()
        .filter(|c| c.owned_by.is_none())
        .collect();
    assert_eq!(samples.len(), 3);
    let mut problems = Vec::new();
    for sample in samples {
        let here = at(doc, "generic", &sample.path);
        let purl = format!("pkg:generic/{}@{}", sample.name, sample.version);
        let hit = here
            .iter()
            .find(|p| p["name"] == sample.name.as_str() && p["version"] == sample.version.as_str());
        match hit {
            Some(p) if p["purl"] == purl.as_str() => {}
            Some(p) => problems.push(format!("{}: purl {}, want {purl}", sample.path, p["purl"])),
            None => problems.push(format!(
                "{}: no {} {} (Debian {} {}): {:?}",
                sample.path,
                sample.name,
                sample.version,
                sample.deb_package,
                sample.deb_version,
                describe(&here)
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn dpkg_owned_binary_is_left_to_its_os_package() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let owned = f
        .classified
        .iter()
        .find(|c| c.owned_by.is_some())
        .expect("the dpkg-owned sample");
    let deb = packages(doc, "deb")
        .find(|p| p["name"] == owned.deb_package.as_str())
        .unwrap_or_else(|| panic!("no deb {}", owned.deb_package));
    assert_eq!(deb["version"], owned.deb_version.as_str());
    let here = at(doc, "generic", &owned.path);
    assert!(
        here.is_empty(),
        "{} is {}'s: no classifier hit there, found {:?}",
        owned.path,
        owned.deb_package,
        describe(&here)
    );
}

/// Every package the recipe's binaries and archives hold has the life the per-layer truth gives
/// it, its purl, and a location at its path in the layer that wrote it; the scan has no other
/// package of these kinds there.
#[test]
fn provenance_follows_the_recipe() {
    let Some((f, doc)) = scanned() else {
        return;
    };
    let (mut problems, matched) = check_expected(
        &f.expected,
        |want| find(doc, want),
        |p, want, problems| {
            // A local crate (the binary's own) gets no crates.io purl.
            let local_crate = want.kind == "cargo" && p["metadata"]["source"] == "local";
            if local_crate && p["purl"] != Value::Null {
                problems.push(format!("local crate {} has a purl", want.name));
            }
            if let Some(purl) = want.purl().filter(|_| !local_crate) {
                if p["purl"] != purl.as_str() {
                    problems.push(format!(
                        "{} {} at {}: purl {}, want {purl}",
                        want.kind, want.name, want.path, p["purl"]
                    ));
                }
            }
            if !locations(p).contains(&(want.path.as_str(), want.introduced_in as u64)) {
                problems.push(format!(
                    "{} {} at {}: locations {:?} lack ({}, layer {})",
                    want.kind,
                    want.name,
                    want.path,
                    locations(p),
                    want.path,
                    want.introduced_in
                ));
            }
        },
    );
    let paths = recipe_paths(f);
    for kind in KINDS {
        for p in packages(doc, kind) {
            let here = location_paths(p);
            if matched.contains(&std::ptr::from_ref(p))
                || !here.iter().any(|l| paths.contains(*l))
                || optional_gopath_package(f, p)
            {
                continue;
            }
            problems.push(format!(
                "unexpected {} {} {} at {here:?}",
                kind,
                s(&p["name"]),
                s(&p["version"])
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The squashed view is exactly the final filesystem's: what the tools list there.
#[test]
fn squashed_scope_lists_the_final_filesystem() {
    let Some((f, _)) = scanned() else {
        return;
    };
    let doc = scan_json(&[f.oci_path(), "--scope", "squashed"]);
    let mut problems = Vec::new();
    let mut matched = BTreeSet::new();
    for want in f.installed() {
        match find(&doc, want) {
            Ok(p) => {
                matched.insert(std::ptr::from_ref(p));
            }
            Err(e) => problems.push(e),
        }
    }
    let paths = recipe_paths(f);
    for kind in KINDS {
        for p in packages(&doc, kind) {
            let here = location_paths(p);
            if !matched.contains(&std::ptr::from_ref(p))
                && here.iter().any(|l| paths.contains(*l))
                && !optional_gopath_package(f, p)
            {
                problems.push(format!(
                    "not in the final filesystem: {kind} {} {} at {here:?}",
                    s(&p["name"]),
                    s(&p["version"])
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
