//! The cataloguer as the scan drives it: which paths it wants, how each parses, and how a
//! record is completed from the supporting files beside it.

use std::collections::HashMap;

use serde_json::json;

use super::*;

/// globset's dialect with `literal_separator(true)`, for these patterns: `*` stays within a
/// segment, a leading `**/` matches any number of whole segments, none included.
fn glob_match(pattern: &str, path: &str) -> bool {
    fn segments(pattern: &[&str], path: &[&str]) -> bool {
        pattern.len() == path.len()
            && pattern
                .iter()
                .zip(path)
                .all(|(p, s)| segment(p.as_bytes(), s.as_bytes()))
    }
    fn segment(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|skip| segment(rest, &s[skip..])),
            Some((c, rest)) => s.first() == Some(c) && segment(rest, &s[1..]),
        }
    }
    let path: Vec<&str> = path.split('/').collect();
    match pattern.strip_prefix("**/") {
        Some(rest) => {
            let rest: Vec<&str> = rest.split('/').collect();
            (0..path.len()).any(|skip| segments(&rest, &path[skip..]))
        }
        None => segments(&pattern.split('/').collect::<Vec<_>>(), &path),
    }
}

fn wanted(path: &str) -> bool {
    PythonCataloguer
        .patterns()
        .iter()
        .any(|p| glob_match(p, path))
}

#[test]
fn patterns_select_metadata_and_supporting_files_anywhere() {
    for (path, expected) in [
        (
            "usr/lib/python3/dist-packages/yaml-6.0.dist-info/METADATA",
            true,
        ),
        ("yaml-6.0.dist-info/METADATA", true),
        (
            "usr/local/lib/python3.12/site-packages/x-1.dist-info/RECORD",
            true,
        ),
        ("a/x-1.dist-info/top_level.txt", true),
        ("a/x-1.dist-info/direct_url.json", true),
        (
            "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO",
            true,
        ),
        (
            "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/installed-files.txt",
            true,
        ),
        (
            "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/top_level.txt",
            true,
        ),
        ("usr/lib/python2.7/argparse.egg-info", true),
        ("opt/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO", true),
        ("python/dist-info/METADATA", true),
        ("python/egg-info/PKG-INFO", true),
        ("a/x-1.dist-info/LICENSE", false),
        ("a/x-1.dist-info/INSTALLER", false),
        ("a/x-1.egg-info/SOURCES.txt", false),
        ("a/x-1.dist-info/sub/METADATA", false),
        ("a/METADATA", false),
        ("a/PKG-INFO", false),
        ("a/x.whl", false),
    ] {
        assert_eq!(wanted(path), expected, "{path}");
    }
}

/// Parses `files` as the layer would, then completes the record of `metadata`.
fn scan(files: &[(&str, &str)], metadata: &str) -> PackageRecord {
    let parsed: HashMap<&str, FileFindings> = files
        .iter()
        .inspect(|(path, _)| assert!(wanted(path), "{path} not wanted"))
        .map(|(path, text)| (*path, PythonCataloguer.parse(path, text.as_bytes())))
        .collect();
    let lookup = |p: &str| parsed.get(p).and_then(|f| f.support.as_ref());
    let mut record = parsed[metadata].packages[0].clone();
    PythonCataloguer.complete(&mut record, metadata, &lookup);
    record
}

#[test]
fn completes_a_wheel_from_record_top_level_and_a_vcs_direct_url() {
    let dir = "usr/local/lib/python3.8/site-packages/Pygments-2.6.1.dist-info";
    let files = [
        (format!("{dir}/METADATA"), "Name: Pygments\nVersion: 2.6.1\n".to_string()),
        (
            format!("{dir}/RECORD"),
            "../../../bin/pygmentize,sha256=dDhv,220\npygments/util.py,sha256=5,10\n".to_string(),
        ),
        (format!("{dir}/top_level.txt"), "pygments\n".to_string()),
        (
            format!("{dir}/direct_url.json"),
            r#"{"url": "https://github.com/python-test/test.git", "vcs_info": {"commit_id": "aaaa", "vcs": "git"}}"#.to_string(),
        ),
    ];
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let r = scan(&files, &format!("{dir}/METADATA"));
    assert_eq!(
        r.purl.as_deref(),
        Some("pkg:pypi/pygments@2.6.1?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpython-test%2Ftest.git%40aaaa")
    );
    assert_eq!(
        r.files,
        [
            "usr/local/bin/pygmentize",
            "usr/local/lib/python3.8/site-packages/pygments/util.py"
        ]
    );
    assert_eq!(r.metadata["topLevelPackages"], json!(["pygments"]));
    assert_eq!(
        r.metadata["directUrl"],
        json!({"url": "https://github.com/python-test/test.git", "vcs": "git", "commitId": "aaaa"})
    );
}

#[test]
fn completes_an_egg_from_installed_files() {
    let dir = "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info";
    let metadata = format!("{dir}/PKG-INFO");
    let installed = format!("{dir}/installed-files.txt");
    let top_level = format!("{dir}/top_level.txt");
    let r = scan(
        &[
            (&metadata, "Name: PyYAML\nVersion: 6.0\n"),
            (&installed, "../yaml/__init__.py\n"),
            (&top_level, "_yaml\nyaml\n"),
        ],
        &metadata,
    );
    assert_eq!(r.files, ["usr/lib/python3/dist-packages/yaml/__init__.py"]);
    assert_eq!(r.purl.as_deref(), Some("pkg:pypi/pyyaml@6.0"));
    assert_eq!(r.metadata["topLevelPackages"], json!(["_yaml", "yaml"]));
    assert!(!r.metadata.contains_key("directUrl"));
}

#[test]
fn an_empty_record_falls_back_to_installed_files() {
    let dir = "a/x-1.dist-info";
    let metadata = format!("{dir}/METADATA");
    let (record_path, installed) = (
        format!("{dir}/RECORD"),
        format!("{dir}/installed-files.txt"),
    );
    let empty = Support::OwnedFiles(Vec::new());
    let fallback = Support::OwnedFiles(vec!["x".into()]);
    let lookup = |p: &str| {
        if p == record_path {
            Some(&empty)
        } else if p == installed {
            Some(&fallback)
        } else {
            None
        }
    };
    let mut record = PackageRecord::new(sbomgen_model::Ecosystem::Python, "x", "1", &metadata);
    PythonCataloguer.complete(&mut record, &metadata, &lookup);
    assert_eq!(record.files, ["x"]);
}

#[test]
fn an_editable_directory_install_gets_no_vcs_qualifier() {
    let dir = "srv/venv/lib/python3.12/site-packages/app-0.1.dist-info";
    let metadata = format!("{dir}/METADATA");
    let direct = format!("{dir}/direct_url.json");
    let r = scan(
        &[
            (&metadata, "Name: app\nVersion: 0.1\n"),
            (
                &direct,
                r#"{"url": "file:///src/app", "dir_info": {"editable": true}}"#,
            ),
        ],
        &metadata,
    );
    assert_eq!(r.purl.as_deref(), Some("pkg:pypi/app@0.1"));
    assert_eq!(
        r.metadata["directUrl"],
        json!({"url": "file:///src/app", "editable": true})
    );
    assert!(r.files.is_empty());
}

#[test]
fn single_file_egg_info_has_no_siblings() {
    let path = "usr/lib/python2.7/argparse.egg-info";
    let top = Support::TopLevel(vec!["argparse".into()]);
    let lookup = |_: &str| Some(&top);
    let mut record = PythonCataloguer
        .parse(path, b"Name: argparse\nVersion: 1.2.1\n")
        .packages[0]
        .clone();
    let before = record.clone();
    PythonCataloguer.complete(&mut record, path, &lookup);
    assert_eq!(record, before);
}

#[test]
fn completing_twice_gives_the_same_record() {
    let dir = "a/x-1.dist-info";
    let metadata = format!("{dir}/METADATA");
    let direct = format!("{dir}/direct_url.json");
    let parsed = PythonCataloguer.parse(
        &direct,
        br#"{"url": "https://h/r", "vcs_info": {"vcs": "hg"}}"#,
    );
    let lookup = |p: &str| (p == direct).then_some(()).and(parsed.support.as_ref());
    let mut record = PythonCataloguer
        .parse(&metadata, b"Name: x\nVersion: 1\n")
        .packages[0]
        .clone();
    PythonCataloguer.complete(&mut record, &metadata, &lookup);
    let once = record.clone();
    PythonCataloguer.complete(&mut record, &metadata, &lookup);
    assert_eq!(record, once);
    assert_eq!(
        record.purl.as_deref(),
        Some("pkg:pypi/x@1?vcs_url=hg%2Bhttps%3A%2F%2Fh%2Fr")
    );
}

#[test]
fn unknown_files_parse_to_nothing() {
    assert_eq!(
        PythonCataloguer.parse("a/x.dist-info/LICENSE", b"MIT"),
        FileFindings::default()
    );
}

#[test]
fn pep_503_names() {
    for (name, expected) in [
        ("PyYAML", "pyyaml"),
        ("zope.interface", "zope-interface"),
        ("Foo__Bar--baz..Qux", "foo-bar-baz-qux"),
        ("  _x_ ", "x"),
        ("", ""),
    ] {
        assert_eq!(normalize_name(name), expected, "{name}");
    }
}
