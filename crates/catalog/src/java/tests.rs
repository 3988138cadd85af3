//! The archive walk on hand-built zips: identity, shading, nesting, zips found by magic
//! bytes. Limits and malformed zips are in `hostile_tests.rs`.

use std::io::Cursor;

use serde_json::json;

use super::testzip::ZipBuilder;
use super::*;
use sbomgen_model::PackageRecord;

pub(super) fn run(path: &str, zip: &[u8], limits: &Limits) -> FileFindings {
    let found = catalog_archive(path, &mut Cursor::new(zip), zip.len() as u64, limits);
    for w in &found.warnings {
        assert!(w.starts_with(&format!("{path}: ")), "{w}");
    }
    for r in &found.packages {
        assert!(!r.name.is_empty() && !r.version.is_empty(), "{r:?}");
        assert!(
            r.database == path || r.database.starts_with(&format!("{path}!/")),
            "{r:?}"
        );
    }
    found
}

pub(super) fn cat(path: &str, zip: &[u8]) -> FileFindings {
    run(path, zip, &Limits::DEFAULT)
}

/// `name@version database` per record, in order.
pub(super) fn summary(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|r| format!("{}@{} {}", r.name, r.version, r.database))
        .collect()
}

pub(super) fn pom_entry(g: &str, a: &str, v: &str) -> (String, Vec<u8>) {
    (
        format!("META-INF/maven/{g}/{a}/pom.properties"),
        format!("groupId={g}\nartifactId={a}\nversion={v}\n").into_bytes(),
    )
}

pub(super) fn jar(poms: &[(&str, &str, &str)], manifest: Option<&str>) -> ZipBuilder {
    let mut z = ZipBuilder::new();
    if let Some(m) = manifest {
        z = z.deflated("META-INF/MANIFEST.MF", m.as_bytes());
    }
    for (g, a, v) in poms {
        let (name, data) = pom_entry(g, a, v);
        z = z.deflated(&name, &data);
    }
    z
}

fn find<'a>(found: &'a FileFindings, name: &str) -> &'a PackageRecord {
    found.packages.iter().find(|r| r.name == name).expect(name)
}

#[test]
fn shaded_jar_reports_itself_once_and_its_shaded_dependencies() {
    let zip = jar(
        &[
            ("joda-time", "joda-time", "2.9.2"),
            ("org.anchore", "app", "0.1.0"),
        ],
        Some("Manifest-Version: 1.0\nMain-Class: hello.HelloWorld\nBundle-License: MIT\n"),
    )
    .build();
    let found = cat("app/app-0.1.0.jar", &zip);
    assert_eq!(
        summary(&found),
        [
            "app@0.1.0 app/app-0.1.0.jar",
            "joda-time@2.9.2 app/app-0.1.0.jar"
        ]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let app = find(&found, "app");
    assert_eq!(app.purl.as_deref(), Some("pkg:maven/org.anchore/app@0.1.0"));
    assert_eq!(app.depends_on, ["joda-time"]);
    assert_eq!(app.licenses, ["MIT"]);
    assert_eq!(
        app.metadata["manifest"],
        json!({"Main-Class": "hello.HelloWorld"})
    );
    assert_eq!(
        app.metadata["pomProperties"],
        json!("META-INF/maven/org.anchore/app/pom.properties")
    );
    let joda = find(&found, "joda-time");
    assert_eq!(
        joda.purl.as_deref(),
        Some("pkg:maven/joda-time/joda-time@2.9.2")
    );
    assert_eq!(
        joda.metadata["virtualPath"],
        json!("app/app-0.1.0.jar:joda-time:joda-time")
    );
    assert!(joda.depends_on.is_empty());
}

#[test]
fn fat_jar_nests_boot_inf_lib_and_depends_on_it() {
    let lib = jar(&[("com.x", "x", "1.0")], None).build();
    let plain = ZipBuilder::new().stored("a/B.class", b"\xca\xfe").build();
    let zip = jar(
        &[],
        Some("Implementation-Title: boot\nImplementation-Version: 3.1\n"),
    )
    .stored("BOOT-INF/lib/x-1.0.jar", &lib)
    .deflated("BOOT-INF/lib/plain-2.0.jar", &plain)
    .stored("BOOT-INF/lib/", b"")
    .build();
    let found = cat("srv/app.jar", &zip);
    assert_eq!(
        summary(&found),
        [
            "app@3.1 srv/app.jar",
            "x@1.0 srv/app.jar!/BOOT-INF/lib/x-1.0.jar",
            "plain@2.0 srv/app.jar!/BOOT-INF/lib/plain-2.0.jar",
        ]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let app = find(&found, "app");
    assert_eq!(app.depends_on, ["plain", "x"]);
    assert_eq!(
        app.purl.as_deref(),
        Some("pkg:maven/app/app@3.1"),
        "groupId falls back to the artifactId"
    );
    assert_eq!(
        find(&found, "plain").purl.as_deref(),
        Some("pkg:maven/plain/plain@2.0")
    );
}

#[test]
fn jar_without_manifest_is_named_by_its_file() {
    let classes = ZipBuilder::new()
        .deflated("a/B.class", b"\xca\xfe\xba\xbe")
        .build();
    assert_eq!(
        summary(&cat("lib/nomf-0.9.jar", &classes)),
        ["nomf@0.9 lib/nomf-0.9.jar"]
    );
    assert_eq!(
        summary(&cat("lib/nomf.jar", &classes)),
        Vec::<String>::new(),
        "no version, no package"
    );
    // Trivy's nested.jar: pom.properties outside META-INF/maven, and no manifest.
    let zip = ZipBuilder::new()
        .stored(
            "META-INF/nested/pom.properties",
            b"groupId=test\nartifactId=nested\nversion=0.0.1\n",
        )
        .build();
    let found = cat("nested.jar", &zip);
    assert_eq!(summary(&found), ["nested@0.0.1 nested.jar"]);
    assert_eq!(
        found.packages[0].purl.as_deref(),
        Some("pkg:maven/test/nested@0.0.1")
    );
}

#[test]
fn zips_by_magic_only_count_what_they_hold() {
    let wheel = ZipBuilder::new()
        .deflated("six-1.16.0.dist-info/METADATA", b"Name: six\n")
        .build();
    assert_eq!(
        cat("six-1.16.0-py2.py3-none-any.whl", &wheel),
        FileFindings::default()
    );
    let odt = ZipBuilder::new()
        .stored("mimetype", b"application/vnd.oasis.opendocument.text")
        .deflated("META-INF/manifest.xml", b"<manifest/>")
        .build();
    assert_eq!(cat("report-2021.odt", &odt), FileFindings::default());
    let lib = jar(&[("com.x", "x", "1.0")], None).build();
    let dist = jar(&[("g", "tool", "5")], None)
        .stored("tool/lib/x-1.0.jar", &lib)
        .build();
    let found = cat("opt/tool-5.zip", &dist);
    assert_eq!(
        summary(&found),
        [
            "tool@5 opt/tool-5.zip",
            "x@1.0 opt/tool-5.zip!/tool/lib/x-1.0.jar"
        ]
    );
    assert!(found.packages.iter().all(|r| r.depends_on.is_empty()));
    assert_eq!(
        cat("broken.zip", b"PK\x03\x04garbage"),
        FileFindings::default()
    );
}

#[test]
fn jenkins_plugin_and_its_jar() {
    let inner = jar(&[("io.jenkins.plugins", "plug", "1.0-SNAPSHOT")], None).build();
    let hpi = jar(
        &[("io.jenkins.plugins", "plug", "1.0-SNAPSHOT")],
        Some("Short-Name: plug\n"),
    )
    .stored("WEB-INF/lib/plug.jar", &inner)
    .build();
    let found = cat("plugins/plug.hpi", &hpi);
    assert_eq!(
        summary(&found),
        [
            "plug@1.0-SNAPSHOT plugins/plug.hpi",
            "plug@1.0-SNAPSHOT plugins/plug.hpi!/WEB-INF/lib/plug.jar"
        ]
    );
    for r in &found.packages {
        assert_eq!(r.metadata["type"], json!("jenkins-plugin"));
        assert_eq!(
            r.purl.as_deref(),
            Some("pkg:maven/io.jenkins.plugins/plug@1.0-SNAPSHOT")
        );
        assert!(r.depends_on.is_empty(), "no self-loop by name: {r:?}");
    }
}

#[test]
fn weave_classes_jars_have_no_package_of_their_own() {
    let zip = jar(&[], Some("Weave-Classes: a.B\nImplementation-Version: 1\n")).build();
    assert!(cat("spring-4.jar", &zip).packages.is_empty());
}

#[test]
fn cataloguer_contract() {
    let c = JavaArchiveCataloguer;
    assert!(c.random_access());
    assert!(c.sniff(b"PK\x03\x04\x14\x00"));
    assert!(!c.sniff(b"PK\x05\x06") && !c.sniff(b"\x7fELF"));
    let zip = jar(&[("g", "app", "1")], None).build();
    let by_parse = c.parse("app.jar", &zip);
    let by_content = c.parse_content("app.jar", &mut Cursor::new(&zip[..]), zip.len() as u64);
    assert_eq!(by_parse, by_content);
    assert_eq!(summary(&by_parse), ["app@1 app.jar"]);
}

#[path = "hostile_tests.rs"]
mod hostile;
