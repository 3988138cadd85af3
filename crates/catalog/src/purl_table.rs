//! One pinned purl per language ecosystem, each produced by the real cataloguer from a file of
//! the shape its package manager writes, and each the purl Syft 1.18 writes for the same
//! package: matchers key on these strings, so a change here is a change in what gets matched.
//! Syft 1.18.1 run on the same files (`syft dir:… --override-default-catalogers
//! image,directory`) wrote exactly the pypi, npm, gem, composer and cargo purls below; the
//! nuget, golang and maven ones follow its source (it found nothing in these minimal inputs). OS purls (with `distro=`) are pinned in
//! the scan crate's `identify` tests, where the distro is known.

use std::io::Cursor;

use crate::{FileCataloguer, FILE_CATALOGUERS};

fn cataloguer(name: &str) -> &'static dyn FileCataloguer {
    *FILE_CATALOGUERS
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no cataloguer {name}"))
}

/// The purls one cataloguer finds in one file.
fn purls(name: &str, path: &str, bytes: &[u8]) -> Vec<String> {
    let cataloguer = cataloguer(name);
    let found = if cataloguer.random_access() {
        cataloguer.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64)
    } else {
        cataloguer.parse(path, bytes)
    };
    assert!(
        found.warnings.is_empty(),
        "{name} {path}: {:?}",
        found.warnings
    );
    found.packages.into_iter().filter_map(|r| r.purl).collect()
}

const METADATA: &str = "Metadata-Version: 2.1\nName: Zope.Interface\nVersion: 6.1\n";
const PACKAGE_JSON: &str = r#"{"name": "@babel/Core", "version": "7.23.0"}"#;
const GEMSPEC: &str =
    "Gem::Specification.new do |s|\n  s.name = \"rack\"\n  s.version = \"3.0.8\"\nend\n";
const INSTALLED_JSON: &str =
    r#"{"packages": [{"name": "symfony/console", "version": "v6.4.1", "type": "library"}]}"#;
const DEPS_JSON: &str = r#"{
  "targets": {".NETCoreApp,Version=v8.0": {
    "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {}}}}},
  "libraries": {"Newtonsoft.Json/13.0.3": {"type": "package", "sha512": "sha512-x"}}
}"#;
const CARGO_LOCK: &str = "version = 3\n\n[[package]]\nname = \"serde_json\"\nversion = \"1.0.108\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
const GO_MODINFO: &str = "path\tgithub.com/Acme/Tool/cmd/tool\n\
    mod\tgithub.com/Acme/Tool\tv1.4.0\th1:a=\n\
    dep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:b=\n";

#[test]
fn one_purl_per_ecosystem_as_syft_writes_it() {
    let go_binary = {
        use crate::golang::testbin;
        testbin::elf(
            &testbin::inline_blob("go1.22.3", &testbin::framed(GO_MODINFO)),
            Some(".go.buildinfo"),
        )
    };
    let jar = crate::java::testzip::ZipBuilder::new()
        .deflated(
            "META-INF/maven/org.apache.commons/commons-lang3/pom.properties",
            b"groupId=org.apache.commons\nartifactId=commons-lang3\nversion=3.14.0\n",
        )
        .build();
    let site = "usr/lib/python3/dist-packages";
    let cases: &[(&str, &str, &[u8], &[&str])] = &[
        // PEP 503: lower case, runs of `-_.` as one `-`.
        (
            "python",
            &format!("{site}/Zope.Interface-6.1.dist-info/METADATA"),
            METADATA.as_bytes(),
            &["pkg:pypi/zope-interface@6.1"],
        ),
        // The scope is the namespace, its `@` percent-encoded; case as published.
        (
            "npm",
            "app/node_modules/@babel/Core/package.json",
            PACKAGE_JSON.as_bytes(),
            &["pkg:npm/%40babel/Core@7.23.0"],
        ),
        (
            "gem",
            "usr/local/bundle/specifications/rack-3.0.8.gemspec",
            GEMSPEC.as_bytes(),
            &["pkg:gem/rack@3.0.8"],
        ),
        (
            "composer",
            "app/vendor/composer/installed.json",
            INSTALLED_JSON.as_bytes(),
            &["pkg:composer/symfony/console@v6.4.1"],
        ),
        (
            "dotnet",
            "app/app.deps.json",
            DEPS_JSON.as_bytes(),
            &["pkg:nuget/Newtonsoft.Json@13.0.3"],
        ),
        (
            "cargo-lock",
            "src/Cargo.lock",
            CARGO_LOCK.as_bytes(),
            &["pkg:cargo/serde_json@1.0.108"],
        ),
        // Module path case kept (the Go proxy's `!`-escaping is not a purl matter).
        (
            "go-binary",
            "usr/local/bin/tool",
            &go_binary,
            &[
                "pkg:golang/github.com/Acme/Tool@v1.4.0",
                "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
                "pkg:golang/stdlib@1.22.3",
            ],
        ),
        (
            "java-archive",
            "opt/app/lib/commons-lang3-3.14.0.jar",
            &jar,
            &["pkg:maven/org.apache.commons/commons-lang3@3.14.0"],
        ),
    ];
    for (name, path, bytes, expected) in cases {
        let mut got = purls(name, path, bytes);
        got.sort();
        let mut want: Vec<String> = expected.iter().map(ToString::to_string).collect();
        want.sort();
        assert_eq!(got, want, "{name} on {path}");
    }
}
