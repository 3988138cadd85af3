//! The Java cataloguers on real archives: the shared corpus's jars and Jenkins plugin
//! (`fixtures/java/README.md` gives the expected facts), archives built here with `javac` and
//! `jar` (plain, shaded, fat, war, ear, without a manifest), and real JDK `release` files.

mod common;

use std::io::{Cursor, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sbomgen_catalog::java::{JavaArchiveCataloguer, JavaJvmCataloguer};
use sbomgen_catalog::{Ecosystem, FileCataloguer, FileFindings};
use serde_json::json;

/// Catalogues `bytes` as `path`, in memory and spooled to a file (both must agree), and
/// checks what every record and warning must hold.
fn catalog(path: &str, bytes: &[u8]) -> FileFindings {
    let found =
        JavaArchiveCataloguer.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64);
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(bytes).expect("write");
    file.rewind().expect("rewind");
    let spooled = JavaArchiveCataloguer.parse_content(path, &mut file, bytes.len() as u64);
    assert_eq!(found, spooled, "{path}: memory and file differ");
    for r in &found.packages {
        assert_eq!(r.ecosystem, Ecosystem::Maven);
        assert!(!r.name.is_empty() && !r.version.is_empty(), "{r:?}");
        assert!(
            r.database == path || r.database.starts_with(&format!("{path}!/")),
            "{r:?}"
        );
        assert!(
            r.purl
                .as_deref()
                .is_some_and(|p| p.starts_with("pkg:maven/")),
            "{r:?}"
        );
    }
    for w in &found.warnings {
        assert!(w.starts_with(&format!("{path}: ")), "{w}");
    }
    found
}

/// `groupId:artifactId:version database` per record, from the purl, in order.
fn coordinates(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|r| {
            let group = r.metadata["groupId"].as_str().unwrap_or_default();
            format!("{group}:{}:{} {}", r.name, r.version, r.database)
        })
        .collect()
}

fn corpus_jar(name: &str) -> Option<(String, Vec<u8>)> {
    let path = common::corpus()?.join("java/jars").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some((format!("opt/app/{name}"), bytes))
}

#[test]
fn java_jackson_annotations_from_pom_properties() {
    let Some((path, bytes)) = corpus_jar("jackson-annotations-2.15.0-rc2.jar") else {
        return;
    };
    let found = catalog(&path, &bytes);
    assert_eq!(
        coordinates(&found),
        [format!(
            "com.fasterxml.jackson.core:jackson-annotations:2.15.0-rc2 {path}"
        )]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let r = &found.packages[0];
    assert_eq!(
        r.purl.as_deref(),
        Some("pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2")
    );
    assert_eq!(
        r.licenses,
        ["https://www.apache.org/licenses/LICENSE-2.0.txt"]
    );
    assert_eq!(
        r.metadata["manifest"]["Bundle-SymbolicName"],
        json!("com.fasterxml.jackson.core.jackson-annotations")
    );
    assert_eq!(r.metadata["type"], json!("java-archive"));
}

#[test]
fn java_nested_jars_three_deep() {
    let Some((path, bytes)) = corpus_jar("nested.jar") else {
        return;
    };
    let found = catalog(&path, &bytes);
    // Trivy's answer; Syft reports none (nested.jar has no MANIFEST.MF).
    assert_eq!(
        coordinates(&found),
        [
            format!("test:nested:0.0.1 {path}"),
            format!("test:nested2:0.0.2 {path}!/META-INF/jars/nested2.jar"),
            format!(
                "test:nested3:0.0.3 {path}!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar"
            ),
        ]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.packages[0].depends_on, ["nested2"]);
    assert_eq!(found.packages[1].depends_on, ["nested3"]);
    assert_eq!(
        found.packages[2].purl.as_deref(),
        Some("pkg:maven/test/nested3@0.0.3")
    );
}

#[test]
fn java_multi_license() {
    let Some((path, bytes)) = corpus_jar("multi-license-1.0.0.jar") else {
        return;
    };
    let found = catalog(&path, &bytes);
    assert_eq!(
        coordinates(&found),
        [format!("com.example:multi-license:1.0.0 {path}")]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
}

#[test]
fn java_shaded_example_app() {
    let Some((path, bytes)) = corpus_jar("example-java-app-maven-0.1.0.jar") else {
        return;
    };
    let found = catalog(&path, &bytes);
    // Syft's "find java packages": example-java-app-maven 0.1.0 and joda-time 2.9.2.
    assert_eq!(
        coordinates(&found),
        [
            format!("org.anchore:example-java-app-maven:0.1.0 {path}"),
            format!("joda-time:joda-time:2.9.2 {path}")
        ]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.packages[0].depends_on, ["joda-time"]);
    assert_eq!(
        found.packages[0].metadata["manifest"]["Main-Class"],
        json!("hello.HelloWorld")
    );
    assert_eq!(
        found.packages[1].metadata["virtualPath"],
        json!(format!("{path}:joda-time:joda-time"))
    );
}

#[test]
fn java_jenkins_plugin_and_its_inner_jar() {
    let Some((path, bytes)) = corpus_jar("example-jenkins-plugin.hpi") else {
        return;
    };
    let found = catalog(&path, &bytes);
    // Syft's "find jenkins plugins": reported twice, the hpi and the jar inside it.
    assert_eq!(
        coordinates(&found),
        [
            format!("io.jenkins.plugins:example-jenkins-plugin:1.0-SNAPSHOT {path}"),
            format!("io.jenkins.plugins:example-jenkins-plugin:1.0-SNAPSHOT {path}!/WEB-INF/lib/example-jenkins-plugin.jar"),
        ]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    for r in &found.packages {
        assert_eq!(r.metadata["type"], json!("jenkins-plugin"));
        assert_eq!(
            r.purl.as_deref(),
            Some("pkg:maven/io.jenkins.plugins/example-jenkins-plugin@1.0-SNAPSHOT")
        );
        assert_eq!(r.licenses, ["MIT License"]);
    }
}

#[test]
fn java_corpus_archives_truncated_or_mutated_never_panic() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus.join("java/jars"))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut state = 0x5eedu64;
    for file in names {
        let bytes = std::fs::read(&file).expect("fixture");
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            catalog("a.jar", &bytes[..cut]);
        }
        for _ in 0..60 {
            let mut copy = bytes.clone();
            for _ in 0..4 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Mostly the tail, where the central directory is.
                let span = if state & 1 == 0 {
                    copy.len()
                } else {
                    copy.len().min(4096)
                };
                let at = copy.len() - 1 - (state >> 33) as usize % span;
                copy[at] = (state >> 24).to_le_bytes()[0];
            }
            catalog("a.jar", &copy);
        }
    }
}

/// A scratch directory with `javac` and `jar` at hand, or `None` (with a message) without.
struct Jdk {
    dir: tempfile::TempDir,
}

impl Jdk {
    fn new() -> Option<Jdk> {
        let works = |tool: &str| {
            Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !works("javac") || !works("jar") {
            eprintln!("skipping: javac and jar are not installed");
            return None;
        }
        let jdk = Jdk {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        jdk.write(
            "src/hello/Hello.java",
            "package hello; public class Hello { public static void main(String[] a) {} }",
        );
        jdk.run("javac", &["-d", "classes", "src/hello/Hello.java"]);
        Some(jdk)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, content: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    fn copy(&self, from: &str, to: &str) {
        let to = self.path(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(self.path(from), to).expect("copy");
    }

    fn pom(&self, dir: &str, g: &str, a: &str, v: &str) {
        let text = format!("#Generated by Maven\ngroupId={g}\nartifactId={a}\nversion={v}\n");
        self.write(
            &format!("{dir}/META-INF/maven/{g}/{a}/pom.properties"),
            &text,
        );
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = Command::new(tool)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect(tool);
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn catalog(&self, relative: &str) -> FileFindings {
        let bytes = std::fs::read(self.path(relative)).expect("built archive");
        catalog(relative, &bytes)
    }
}

#[test]
fn java_archives_built_by_the_jdk() {
    let Some(jdk) = Jdk::new() else {
        return;
    };
    // A plain jar with a manifest and no pom.properties.
    jdk.write("lib.mf", "Implementation-Title: lib\nImplementation-Version: 1.2.3\nImplementation-Vendor-Id: com.acme\n");
    jdk.run(
        "jar",
        &[
            "--create",
            "--file",
            "lib-1.2.3.jar",
            "--manifest",
            "lib.mf",
            "-C",
            "classes",
            ".",
        ],
    );
    let plain = jdk.catalog("lib-1.2.3.jar");
    assert_eq!(coordinates(&plain), ["com.acme:lib:1.2.3 lib-1.2.3.jar"]);
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
    assert_eq!(
        plain.packages[0].metadata["manifest"]["Created-By"]
            .as_str()
            .map(|c| c.contains('(')),
        Some(true)
    );

    // A shaded jar: its own pom.properties and a shaded dependency's.
    jdk.pom("shade", "com.acme", "app", "2.0");
    jdk.pom("shade", "com.google.guava", "guava", "33.0.0-jre");
    jdk.run(
        "jar",
        &[
            "--create",
            "--file",
            "app-2.0.jar",
            "-C",
            "classes",
            ".",
            "-C",
            "shade",
            ".",
        ],
    );
    let shaded = jdk.catalog("app-2.0.jar");
    assert_eq!(
        coordinates(&shaded),
        [
            "com.acme:app:2.0 app-2.0.jar",
            "com.google.guava:guava:33.0.0-jre app-2.0.jar"
        ]
    );
    assert_eq!(shaded.packages[0].depends_on, ["guava"]);

    // A jar without MANIFEST.MF (nor META-INF): named by its file alone.
    jdk.run(
        "jar",
        &[
            "--create",
            "--no-manifest",
            "--file",
            "nomf-0.9.jar",
            "-C",
            "classes",
            ".",
        ],
    );
    assert_eq!(
        coordinates(&jdk.catalog("nomf-0.9.jar")),
        ["nomf:nomf:0.9 nomf-0.9.jar"]
    );

    // A Spring Boot style fat jar.
    jdk.copy("lib-1.2.3.jar", "boot/BOOT-INF/lib/lib-1.2.3.jar");
    jdk.copy("app-2.0.jar", "boot/BOOT-INF/lib/app-2.0.jar");
    jdk.write(
        "boot.mf",
        "Main-Class: org.springframework.boot.loader.JarLauncher\nImplementation-Version: 3.1\n",
    );
    jdk.run(
        "jar",
        &[
            "--create",
            "--file",
            "boot.jar",
            "--manifest",
            "boot.mf",
            "-C",
            "boot",
            ".",
        ],
    );
    let fat = jdk.catalog("boot.jar");
    let mut got = coordinates(&fat);
    got.sort();
    assert_eq!(
        got,
        [
            "boot:boot:3.1 boot.jar",
            "com.acme:app:2.0 boot.jar!/BOOT-INF/lib/app-2.0.jar",
            "com.acme:lib:1.2.3 boot.jar!/BOOT-INF/lib/lib-1.2.3.jar",
            "com.google.guava:guava:33.0.0-jre boot.jar!/BOOT-INF/lib/app-2.0.jar",
        ]
    );
    assert_eq!(fat.packages[0].depends_on, ["app", "lib"]);

    // A war with WEB-INF/lib and WEB-INF/classes.
    jdk.copy("lib-1.2.3.jar", "web/WEB-INF/lib/lib-1.2.3.jar");
    jdk.copy(
        "classes/hello/Hello.class",
        "web/WEB-INF/classes/hello/Hello.class",
    );
    jdk.run(
        "jar",
        &["--create", "--file", "shop-1.0.war", "-C", "web", "."],
    );
    let war = jdk.catalog("shop-1.0.war");
    assert_eq!(
        coordinates(&war),
        [
            "shop:shop:1.0 shop-1.0.war",
            "com.acme:lib:1.2.3 shop-1.0.war!/WEB-INF/lib/lib-1.2.3.jar"
        ]
    );

    // An ear with lib/ and the war: no version anywhere for the ear itself, so no package of
    // its own, but what it holds is found.
    jdk.copy("lib-1.2.3.jar", "ear/lib/lib-1.2.3.jar");
    jdk.copy("shop-1.0.war", "ear/shop-1.0.war");
    jdk.run(
        "jar",
        &["--create", "--file", "store.ear", "-C", "ear", "."],
    );
    let ear = jdk.catalog("store.ear");
    let mut got = coordinates(&ear);
    got.sort();
    assert_eq!(
        got,
        [
            "com.acme:lib:1.2.3 store.ear!/lib/lib-1.2.3.jar",
            "com.acme:lib:1.2.3 store.ear!/shop-1.0.war!/WEB-INF/lib/lib-1.2.3.jar",
            "shop:shop:1.0 store.ear!/shop-1.0.war",
        ]
    );
    assert!([plain, shaded, fat, war, ear]
        .iter()
        .all(|f| f.warnings.is_empty()));
}

fn release(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/java")
        .join(name);
    std::fs::read(path).expect("release sample")
}

#[test]
fn java_jvm_release_files() {
    let temurin =
        JavaJvmCataloguer.parse("opt/java/openjdk/release", &release("temurin-25-release"));
    assert!(temurin.warnings.is_empty());
    let r = &temurin.packages[0];
    assert_eq!(
        (r.name.as_str(), r.version.as_str()),
        ("openjdk", "25.0.3+9-LTS")
    );
    assert_eq!(r.ecosystem, Ecosystem::Generic);
    assert_eq!(
        r.purl.as_deref(),
        Some("pkg:generic/oracle/openjdk@25.0.3%2B9-LTS")
    );
    assert_eq!(r.database, "opt/java/openjdk/release");
    assert_eq!(r.metadata["implementor"], json!("Eclipse Adoptium"));
    assert_eq!(r.metadata["imageType"], json!("JDK"));
    assert_eq!(r.metadata["javaVersion"], json!("25.0.3"));
    assert_eq!(
        r.metadata["sourceRepo"],
        json!("https://github.com/adoptium/jdk25u.git")
    );

    let path = "usr/lib/jvm/java-17-openjdk-amd64/release";
    let debian = JavaJvmCataloguer.parse(path, &release("debian-openjdk-17-release"));
    let r = &debian.packages[0];
    assert_eq!(
        (r.name.as_str(), r.version.as_str()),
        ("openjdk", "17.0.15+6-Debian-1deb12u1")
    );
    assert_eq!(r.metadata["implementor"], json!("Debian"));
    assert!(r.metadata["modules"]
        .as_array()
        .is_some_and(|m| m.len() > 60));

    // The pattern is broad: other `release` files yield nothing, quietly.
    let other = JavaJvmCataloguer.parse("etc/release", b"NAME=\"Some OS\"\nVERSION=3\n");
    assert_eq!(other, FileFindings::default());
}
