//! The table's invariants, the streaming pass's limits, and how hits become records.
//! Samples from real binaries are in `tests/binary_classifiers.rs`.

use std::collections::HashSet;
use std::io::{self, Cursor, Read};

use serde_json::json;

use super::classifier::{compile, evidence_regex, glob_regex, render_cpe};
use super::*;

fn classify_bytes(path: &str, bytes: &[u8]) -> FileFindings {
    classify(path, &mut Cursor::new(bytes), Limits::default())
}

/// (name, version, class) of each record.
fn found(findings: &FileFindings) -> Vec<(String, String, String)> {
    findings
        .packages
        .iter()
        .map(|r| {
            let class = r.metadata["classifier"].as_str().unwrap_or_default();
            (r.name.clone(), r.version.clone(), class.to_string())
        })
        .collect()
}

fn one(name: &str, version: &str, class: &str) -> Vec<(String, String, String)> {
    vec![(name.into(), version.into(), class.into())]
}

#[test]
fn class_names_are_unique_and_groups_contiguous() {
    let mut seen = HashSet::new();
    let mut closed_groups = HashSet::new();
    let mut current: Option<&str> = None;
    for c in all_classifiers() {
        assert!(seen.insert(c.class), "duplicate class {}", c.class);
        if current.is_some() && current != c.group {
            closed_groups.insert(current);
        }
        assert!(
            c.group.is_none() || !closed_groups.contains(&c.group),
            "group {:?} is split",
            c.group
        );
        current = c.group;
    }
    assert!(seen.len() >= 30, "{}", seen.len());
}

#[test]
fn every_entry_compiles_and_names_a_version() {
    assert!(compiled().errors.is_empty(), "{:?}", compiled().errors);
    for c in all_classifiers() {
        compile(c).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.globs.is_empty() && !c.evidence.is_empty(), "{}", c.class);
        for glob in c.globs {
            assert!(
                glob.starts_with("**/"),
                "{}: {glob} is not anywhere",
                c.class
            );
            // The glob matches a path made from itself.
            let example = glob
                .replace("**/", "usr/")
                .replace('*', "x")
                .replace('?', "y");
            let regex = regex::Regex::new(&glob_regex(glob).unwrap()).unwrap();
            assert!(regex.is_match(&example), "{glob} vs {example}");
        }
        for alternative in c.evidence {
            let names: HashSet<String> = alternative
                .iter()
                .flat_map(|p| {
                    let regex = evidence_regex(p).unwrap();
                    let names: Vec<String> =
                        regex.capture_names().flatten().map(String::from).collect();
                    names
                })
                .collect();
            let versioned = names.contains("version")
                || ["major", "minor", "patch"]
                    .iter()
                    .all(|n| names.contains(*n));
            assert!(
                versioned,
                "{}: {alternative:?} captures no version",
                c.class
            );
            for template in c.package.cpes {
                let value = |n: &str| (n == "version" || names.contains(n)).then(|| "1".into());
                let cpe = render_cpe(template, &value)
                    .unwrap_or_else(|| panic!("{}: {template} needs a missing group", c.class));
                assert!(cpe.starts_with("cpe:2.3:a:"), "{cpe}");
                assert_eq!(cpe.split(':').count(), 13, "{cpe}");
            }
        }
        assert!(
            matches!(c.package.purl_type, "generic" | "golang"),
            "{}",
            c.class
        );
    }
}

#[test]
fn patterns_are_the_sorted_union_of_the_globs() {
    let patterns = BinaryClassifierCataloguer.patterns();
    let mut sorted = patterns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(patterns, sorted.as_slice());
    for c in all_classifiers() {
        assert!(c.globs.iter().all(|g| patterns.contains(g)), "{}", c.class);
    }
    for wanted in [
        "**/busybox",
        "**/libcrypto.so*",
        "**/python*",
        "**/libstd-*.so",
    ] {
        assert!(patterns.contains(&wanted), "{wanted}");
    }
    assert!(BinaryClassifierCataloguer.random_access());
    assert!(!BinaryClassifierCataloguer.sniff(b"\x7fELF"));
}

#[test]
fn globs_follow_globset_with_literal_separator() {
    let cases = [
        ("**/busybox", "bin/busybox", true),
        ("**/busybox", "busybox", true),
        ("**/busybox", "bin/busybox.sh", false),
        (
            "**/libcrypto.so*",
            "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            true,
        ),
        ("**/libcrypto.so*", "usr/lib/libcrypto.so.3/x", false),
        ("**/python*", "usr/bin/python3.11-config", true),
        (
            "**/apache*/**/libphp*.so",
            "usr/lib/apache2/modules/libphp8.2.so",
            true,
        ),
        ("**/apache*/**/libphp*.so", "apache2/libphp.so", true),
        ("**/apache*/**/libphp*.so", "usr/lib/php/libphp.so", false),
        ("**/libstd-*.so", "usr/lib/libstd-a5a48102fbd58791.so", true),
    ];
    for (glob, path, expected) in cases {
        let regex = regex::Regex::new(&glob_regex(glob).unwrap()).unwrap();
        assert_eq!(regex.is_match(path), expected, "{glob} {path}");
    }
    for unsupported in ["**/{go,go.exe}", "**/[ab]", "/abs", "a/**b"] {
        assert!(glob_regex(unsupported).is_err(), "{unsupported}");
    }
}

#[test]
fn the_path_selects_the_classifiers_before_any_byte_is_read() {
    // `python3.11-config` is a shell script the glob selects; the path condition skips it.
    let findings = classify(
        "usr/bin/python3.11-config",
        &mut FailingReader,
        Limits::default(),
    );
    assert_eq!(findings, FileFindings::default());
    let findings = classify("usr/bin/python3.11", &mut FailingReader, Limits::default());
    assert!(findings.warnings[0].contains("cannot read"), "{findings:?}");
}

#[test]
fn the_path_version_must_prefix_the_content_version() {
    let content = b"\x002.0\x00\x003.110\x00junk\x003.11.2\x00\x003.11.9\x00";
    let findings = classify_bytes("usr/local/bin/python3.11", content);
    assert_eq!(found(&findings), one("python", "3.11.2", "python-binary"));
    let lib = classify_bytes("usr/lib/libpython3.11.so.1.0", content);
    assert_eq!(found(&lib), one("python", "3.11.2", "python-binary-lib"));
}

#[test]
fn the_first_branch_of_a_group_wins() {
    let aws = b"x\x00OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)\x00y";
    let findings = classify_bytes("usr/bin/openssl", aws);
    assert_eq!(
        found(&findings),
        one("aws-lc", "1.69.0", "openssl-binary-aws-lc")
    );
    // MariaDB's client, installed as `mysql`, also matches the MySQL pattern.
    let mariadb = b"shutdown\x0010.11.19\x00mysql_real_escape\x00 10.11.19-MariaDB\x00";
    let findings = classify_bytes("usr/bin/mysql", mariadb);
    assert_eq!(
        found(&findings),
        one("mariadb", "10.11.19", "mariadb-binary")
    );
}

#[test]
fn a_more_trusted_alternative_wins_even_when_found_later() {
    // Kubernetes' client version (one NUL after) comes first; Helm's (two NULs) wins.
    let helm = b"\x00v1.21.2\x00abc\x00\x00v4.1.4\x00\x00\x00";
    let findings = classify_bytes("usr/local/bin/helm", helm);
    assert_eq!(found(&findings), one("helm.sh/helm", "4.1.4", "helm"));
}

#[test]
fn a_dotted_string_alone_is_not_a_java_version() {
    // Syft's last Java branch took any `[NUL]N.N.x[NUL]`: in a large binary called `java`, an
    // address. The launcher's layout is required here.
    let findings = classify_bytes("opt/app/java", b"\x00127.0.0.1\x00");
    assert!(findings.packages.is_empty(), "{findings:?}");
    let findings = classify_bytes("opt/jre/bin/java", b"\x00java\x001.8\x001.8.0_451-b10\x00");
    assert_eq!(
        found(&findings),
        one("jre", "1.8.0_451-b10", "java-binary-oracle")
    );
}

#[test]
fn records_carry_purl_cpes_and_evidence() {
    let findings = classify_bytes(
        "opt/consul",
        b"-X github.com/hashicorp/consul/version.GitDescribe=1.12.9\"\n",
    );
    let record = &findings.packages[0];
    assert_eq!(record.ecosystem, Ecosystem::Golang);
    assert_eq!(record.database, "opt/consul");
    assert_eq!(
        record.purl.as_deref(),
        Some("pkg:golang/github.com/hashicorp/consul@1.12.9")
    );
    assert_eq!(record.metadata["classifier"], json!("consul-binary"));
    assert_eq!(record.metadata["evidence"], json!("GitDescribe=1.12.9\""));
    assert_eq!(record.metadata["evidenceOffset"], json!(39));
    assert_eq!(
        record.metadata["cpes"],
        json!(["cpe:2.3:a:hashicorp:consul:1.12.9:*:*:*:*:*:*:*"])
    );

    let java = b"\x00openjdk\x00java\x001.8\x001.8.0_352-b08\x00";
    let findings = classify_bytes("usr/lib/jvm/bin/java", java);
    let record = &findings.packages[0];
    assert_eq!(record.ecosystem, Ecosystem::Generic);
    assert_eq!(
        record.purl.as_deref(),
        Some("pkg:generic/oracle/openjdk@1.8.0_352-b08")
    );
    assert_eq!(
        record.metadata["cpes"],
        json!(["cpe:2.3:a:oracle:openjdk:1.8.0:update352:*:*:*:*:*:*"])
    );
    assert_eq!(
        record.metadata["evidence"],
        json!("java\\x001.8\\x001.8.0_352-b08\\x00")
    );
}

#[test]
fn a_version_can_come_from_major_minor_and_patch() {
    static SPLIT: Classifier = Classifier {
        class: "split-binary",
        group: None,
        globs: &["**/split"],
        path: None,
        evidence: &[&[r"v(?P<major>[0-9]+)_(?P<minor>[0-9]+)_(?P<patch>[0-9]+)\x00"]],
        package: classifier::generic("split", &["cpe:2.3:a:x:split:{version}:*:*:*:*:*:*:*"]),
    };
    let table = [compile(&SPLIT).unwrap()];
    let mut content = Cursor::new(b"\x00v01_2_30\x00");
    let findings = classify_with(&table, "bin/split", &mut content, Limits::default());
    assert_eq!(found(&findings), one("split", "1.2.30", "split-binary"));
    assert_eq!(
        findings.packages[0].metadata["cpes"],
        json!(["cpe:2.3:a:x:split:1.2.30:*:*:*:*:*:*:*"])
    );
}

#[test]
fn cpe_values_are_quoted() {
    let value = |n: &str| (n == "version").then(|| "17.0.2+8-LTS".to_string());
    assert_eq!(
        render_cpe("cpe:2.3:a:oracle:openjdk:{version}:*:*:*:*:*:*:*", &value).as_deref(),
        Some("cpe:2.3:a:oracle:openjdk:17.0.2\\+8-LTS:*:*:*:*:*:*:*")
    );
    assert_eq!(render_cpe("cpe:2.3:a:x:y:{missing}:*", &value), None);
}

#[test]
fn unprintable_or_overlong_versions_are_refused() {
    let long = format!("\x00openjdk\x00java\x000.0\x0017{}\x00", "9".repeat(200));
    assert!(classify_bytes("bin/java", long.as_bytes())
        .packages
        .is_empty());
}

/// Small windows, to put matches across boundaries.
const SMALL: Limits = Limits {
    chunk: 16,
    overlap: 12,
    max_scan: 1 << 20,
};

#[test]
fn a_match_across_a_chunk_boundary_is_found() {
    for shift in 0..24 {
        let mut content = vec![b'.'; shift];
        content.extend_from_slice(b"curl/7.88.1 ");
        content.extend(vec![b'.'; 40]);
        let findings = classify("usr/bin/curl", &mut Cursor::new(&content), SMALL);
        assert_eq!(
            found(&findings),
            one("curl", "7.88.1", "curl-binary"),
            "shift {shift}"
        );
        assert_eq!(
            findings.packages[0].metadata["evidenceOffset"],
            json!(shift)
        );
    }
}

#[test]
fn a_match_cut_by_the_window_end_is_taken_from_the_next_window() {
    // The first window ends after `curl/7.88.1`; the version is `7.88.12`.
    let content = b".....curl/7.88.12 ..............................";
    let findings = classify("usr/bin/curl", &mut Cursor::new(&content[..]), SMALL);
    assert_eq!(found(&findings), one("curl", "7.88.12", "curl-binary"));
}

#[test]
fn a_match_at_the_end_of_a_file_ending_on_a_chunk_boundary_is_found() {
    // 32 bytes, two whole chunks: the version touches the end of the second window.
    let content = b"......................curl/7.8.9";
    assert_eq!(content.len(), 32);
    let findings = classify("usr/bin/curl", &mut Cursor::new(&content[..]), SMALL);
    assert_eq!(found(&findings), one("curl", "7.8.9", "curl-binary"));
}

#[test]
fn a_match_longer_than_the_overlap_across_a_boundary_is_missed() {
    // 25 bytes of match straddling the first boundary at 16, overlap 12: documented miss.
    let content = b"..........BusyBox          v1.36.1 ....................";
    let findings = classify("bin/busybox", &mut Cursor::new(&content[..]), SMALL);
    assert!(findings.packages.is_empty(), "{findings:?}");
    let wide = Limits { chunk: 64, ..SMALL };
    let findings = classify("bin/busybox", &mut Cursor::new(&content[..]), wide);
    assert_eq!(found(&findings), one("busybox", "1.36.1", "busybox-binary"));
}

#[test]
fn look_behind_sees_the_byte_before_the_window() {
    // `(?:^|/)mariadb-` must not match `xmariadb-` because a window's search starts at the
    // `m` (offset 20: windows search from 0, 4, 20, 36…).
    let mut content = vec![b'.'; 19];
    content.extend_from_slice(b"xmariadb-11.8.5-linux");
    content.extend(vec![b'.'; 40]);
    let findings = classify("usr/bin/mariadb", &mut Cursor::new(&content), SMALL);
    assert!(findings.packages.is_empty(), "{findings:?}");
    // After a newline, `(?m)^` does match there.
    content[19] = b'\n';
    let findings = classify("usr/bin/mariadb", &mut Cursor::new(&content), SMALL);
    assert_eq!(found(&findings), one("mariadb", "11.8.5", "mariadb-binary"));
}

#[test]
fn the_pass_stops_at_the_first_decisive_match() {
    let mut content = b"BusyBox v1.36.1 ".to_vec();
    content.extend(vec![0u8; 10 << 20]);
    let mut reader = Counting(Cursor::new(content), 0);
    let findings = classify("bin/busybox", &mut reader, Limits::default());
    assert_eq!(found(&findings), one("busybox", "1.36.1", "busybox-binary"));
    assert_eq!(reader.1, 1 << 20, "one chunk read");
}

#[test]
fn at_most_max_scan_bytes_are_read() {
    let limits = Limits {
        max_scan: 64,
        ..SMALL
    };
    let mut content = vec![b'.'; 100];
    content.extend_from_slice(b"BusyBox v1.36.1 ");
    let mut reader = Counting(Cursor::new(content), 0);
    let findings = classify("bin/busybox", &mut reader, limits);
    assert!(findings.packages.is_empty());
    assert!(reader.1 <= 65, "{}", reader.1);
    assert_eq!(
        findings.warnings,
        ["bin/busybox: only the first 64 bytes searched for version strings"]
    );
    // A file that ends at the cap is not truncated.
    let findings = classify("bin/busybox", &mut Cursor::new(vec![b'.'; 64]), limits);
    assert!(findings.warnings.is_empty(), "{findings:?}");
}

#[test]
fn parse_and_parse_content_agree() {
    let content = b"\x00PostgreSQL 15.20\x00";
    let by_bytes = BinaryClassifierCataloguer.parse("usr/lib/postgresql/15/bin/postgres", content);
    let by_reader = BinaryClassifierCataloguer.parse_content(
        "usr/lib/postgresql/15/bin/postgres",
        &mut Cursor::new(&content[..]),
        content.len() as u64,
    );
    assert_eq!(by_bytes, by_reader);
    assert_eq!(
        found(&by_bytes),
        one("postgresql", "15.20", "postgresql-binary")
    );
}

struct FailingReader;

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("disk on fire"))
    }
}

/// Counts the bytes read through it.
struct Counting<R>(R, usize);

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1 += n;
        Ok(n)
    }
}
