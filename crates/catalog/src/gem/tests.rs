//! The gem cataloguer's specification, on specifications as RubyGems and gem2deb write them.

use serde_json::json;

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gem/");

fn parse_fixture(path: &str) -> FileFindings {
    let bytes = std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_default();
    GemCataloguer.parse(path, &bytes)
}

fn only(found: &FileFindings) -> &PackageRecord {
    assert_eq!(found.warnings, Vec::<String>::new());
    let [record] = found.packages.as_slice() else {
        panic!("{found:?}");
    };
    record
}

#[test]
fn default_gem_of_debian_ruby() {
    let path = "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec";
    let found = parse_fixture(path);
    let record = only(&found);
    assert_eq!(
        (record.name.as_str(), record.version.as_str()),
        ("json", "2.6.1")
    );
    assert_eq!(record.purl.as_deref(), Some("pkg:gem/json@2.6.1"));
    assert_eq!(record.licenses, ["Ruby"]);
    assert_eq!(record.database, path);
    assert!(record.files.is_empty() && record.depends_on.is_empty());
    assert_eq!(record.metadata["authors"], json!(["Florian Frank"]));
    assert_eq!(
        record.metadata["homepage"],
        json!("http://flori.github.com/json")
    );
    assert_eq!(record.metadata["defaultGem"], json!(true));
}

#[test]
fn platform_gem_installed_by_bundler() {
    let path = "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec";
    let found = parse_fixture(path);
    let record = only(&found);
    assert_eq!(
        record.purl.as_deref(),
        Some("pkg:gem/nokogiri@1.15.4?platform=x86_64-linux")
    );
    assert_eq!(record.depends_on, ["racc"]);
    assert_eq!(record.metadata["platform"], json!("x86_64-linux"));
    assert_eq!(
        record.metadata["authors"].as_array().map(Vec::len),
        Some(13)
    );
    assert!(!record.metadata.contains_key("defaultGem"));
}

#[test]
fn debian_gem2tgz_spec_with_legacy_dependency_branches() {
    let path = "usr/share/rubygems-integration/all/specifications/rack-2.2.6.4.gemspec";
    let found = parse_fixture(path);
    let record = only(&found);
    assert_eq!(record.version, "2.2.6.4");
    // minitest and rake are development dependencies, repeated in the `else` branch.
    assert!(record.depends_on.is_empty(), "{:?}", record.depends_on);
    // Debian's files live in vendor_ruby, not beside the specification.
    assert!(record.files.is_empty());
}

#[test]
fn owned_files_beside_a_regular_spec() {
    let files = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
    let listed = files(&[
        "lib/a.rb",
        "./bin/a",
        "",
        "/etc/passwd",
        "../../x",
        "lib//b",
    ]);
    assert_eq!(
        owned_files("usr/local/bundle/specifications/a-1.0.gemspec", &listed),
        [
            "usr/local/bundle/gems/a-1.0/lib/a.rb",
            "usr/local/bundle/gems/a-1.0/bin/a"
        ]
    );
    assert_eq!(
        owned_files("specifications/a-1.gemspec", &listed[..1]),
        ["gems/a-1/lib/a.rb"]
    );
    for path in [
        "usr/lib/ruby/gems/3.1.0/specifications/default/a-1.gemspec",
        "usr/share/rubygems-integration/all/specifications/a-1.gemspec",
        "x/myspecifications/a-1.gemspec",
        "specifications/.gemspec",
    ] {
        assert!(owned_files(path, &listed).is_empty(), "{path}");
    }
}

#[test]
fn old_style_and_escaped_literals() {
    let src = concat!(
        "Gem::Specification.new do |s|\n",
        "  s.name = %q{caf\u{e9}}\n",
        "  s.version = \"1.0.0\"\n",
        "  s.authors = [\"Ren\\u00e9e \\u{1F6E0}\"]\n",
        "  s.license = 'MIT'\n",
        "  s.homepage = %q{http://x/#{s.name}}\n",
        "end\n",
    );
    let found = GemCataloguer.parse("specifications/x.gemspec", src.as_bytes());
    assert!(found.warnings[0].contains("invalid gem name"), "{found:?}");
    let src = src.replace("caf\u{e9}", "cafe");
    let found = GemCataloguer.parse("specifications/x.gemspec", src.as_bytes());
    let record = only(&found);
    assert_eq!(record.metadata["authors"], json!(["Ren\u{e9}e \u{1F6E0}"]));
    // `%q` does not interpolate: the text is kept as written.
    assert_eq!(record.metadata["homepage"], json!("http://x/#{s.name}"));
    assert_eq!(record.licenses, ["MIT"]);
}

#[test]
fn warns_naming_the_path() {
    let path = "specifications/x-1.gemspec";
    let long = format!(
        "s.name = \"{}\"\ns.version = \"1\"\n",
        "a b".repeat(100_000)
    );
    let cases: &[(&[u8], &str)] = &[
        (b"", "no literal name"),
        (b"s.name = \"x\"\n", "no literal version"),
        (b"s.name = \"x\"\ns.version = \"\"\n", "no literal version"),
        (b"s.name = NAME\ns.version = \"1\"\n", "no literal name"),
        (
            b"s.name = \"x\"\ns.version = \"1 2\"\n",
            "invalid gem version",
        ),
        (b"\x00\xff\xfe%q(\"\\", "no literal name"),
        (long.as_bytes(), "invalid gem name"),
    ];
    for (bytes, problem) in cases {
        let found = GemCataloguer.parse(path, bytes);
        assert!(found.packages.is_empty());
        let [warning] = found.warnings.as_slice() else {
            panic!("{found:?}");
        };
        assert!(
            warning.starts_with(path) && warning.contains(problem),
            "{warning}"
        );
        assert!(warning.len() < 300);
    }
}

#[test]
fn truncations_never_panic() {
    let path = "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec";
    let bytes = std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_default();
    for cut in 0..bytes.len() {
        let found = GemCataloguer.parse(path, &bytes[..cut]);
        assert_eq!(found.packages.len() + found.warnings.len(), 1);
    }
}
