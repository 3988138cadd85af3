//! Naming an archive: file-name splitting (Syft's cases), pom matching, manifest fallbacks.

use super::*;

fn pom(group: &str, artifact: &str, version: &str) -> PomProperties {
    PomProperties {
        group_id: group.into(),
        artifact_id: artifact.into(),
        version: version.into(),
        path: format!("META-INF/maven/{group}/{artifact}/pom.properties"),
    }
}

/// `identify`'s answer when it finds this identity.
#[allow(clippy::unnecessary_wraps)] // compared with that `Option` directly
fn id(group: &str, artifact: &str, version: &str, pom: Option<usize>) -> Option<Identity> {
    Some(Identity {
        group_id: group.into(),
        artifact_id: artifact.into(),
        version: version.into(),
        pom,
    })
}

#[test]
fn file_names_split_as_syft_does() {
    let cases: &[(&str, &str, &str)] = &[
        ("pkg-maven-4.3.2.blerg", "pkg-maven", "4.3.2"),
        ("pkg-maven.4.3.2.blerg", "pkg-maven", "4.3.2"),
        ("pkg-maven_4.3.2.blerg", "pkg-maven", "4.3.2"),
        (
            "pkg-extra-field-maven-4.3.2-rc1.ear",
            "pkg-extra-field-maven",
            "4.3.2-rc1",
        ),
        ("liferay-package.lpkg", "liferay-package", ""),
        (
            "/some/path-with-version-5.4.3/wagon-webdav-1.0.2-beta-2.2.3a-hudson.jar",
            "wagon-webdav",
            "1.0.2-beta-2.2.3a-hudson",
        ),
        (
            "hudson.war!/WEB-INF/lib/jtidy-4aug2000r7-dev-hudson-1.jar",
            "jtidy",
            "4aug2000r7-dev-hudson-1",
        ),
        (
            "trilead-ssh2-build212-hudson-5.jar",
            "trilead-ssh2",
            "build212-hudson-5",
        ),
        ("guava-r06.jar", "guava", "r06"),
        (
            "BOOT-INF/lib/spring-data-r2dbc-1.1.0.RELEASE.jar",
            "spring-data-r2dbc",
            "1.1.0.RELEASE",
        ),
        (
            "jboss-saaj-api_1.4_spec-1.0.2.Final.jar",
            "jboss-saaj-api_1.4_spec",
            "1.0.2.Final",
        ),
        (
            "jackson-annotations-2.15.0-rc2.jar",
            "jackson-annotations",
            "2.15.0-rc2",
        ),
        (
            "org.eclipse.osgi_3.18.0.v20220516-2155.jar",
            "org.eclipse.osgi",
            "3.18.0.v20220516-2155",
        ),
        ("example-jenkins-plugin.hpi", "example-jenkins-plugin", ""),
        ("1.0.jar", "", ""),
        ("", "", ""),
    ];
    for (file, name, version) in cases {
        let got = split_file_name(file);
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (*name, *version),
            "{file}"
        );
    }
}

#[test]
fn archive_names_by_extension_any_case() {
    for yes in ["a.jar", "x/B.WAR", "c.Hpi", "d.lpkg", "lib/e.rar"] {
        assert!(is_archive_name(yes), "{yes}");
    }
    for no in ["a.zip", "a.whl", ".jar", "jar", "a.jar/", "a.jarx"] {
        assert!(!is_archive_name(no), "{no}");
    }
}

#[test]
fn pom_matching_the_file_name_is_the_archive() {
    let poms = [
        pom("joda-time", "joda-time", "2.9.2"),
        pom("org.anchore", "example-java-app-maven", "0.1.0"),
    ];
    assert_eq!(
        identify("example-java-app-maven-0.1.0.jar", &poms, None),
        id("org.anchore", "example-java-app-maven", "0.1.0", Some(1))
    );
    // Loose: the name part starts or ends with the artifactId at a boundary.
    let poms = [pom("g", "foo", "1")];
    assert_eq!(
        identify("foo-all.jar", &poms, None),
        id("g", "foo", "1", Some(0))
    );
    assert_eq!(
        identify("renamed_foo.jar", &poms, None),
        id("g", "foo", "1", Some(0))
    );
    // An artifactId holding a digit group, which the file-name split cuts short.
    let poms = [
        pom("org.apache.logging.log4j", "log4j-1.2-api", "2.20.0"),
        pom("g", "log4j", "9"),
    ];
    assert_eq!(
        identify("BOOT-INF/lib/log4j-1.2-api-2.20.0.jar", &poms, None),
        id(
            "org.apache.logging.log4j",
            "log4j-1.2-api",
            "2.20.0",
            Some(0)
        )
    );
    let poms = [pom("bench", "bench-lib-00", "1.0.0")];
    assert_eq!(
        identify("bench-lib-00-1.0.0.jar", &poms, None),
        id("bench", "bench-lib-00", "1.0.0", Some(0))
    );
    // Not a match: `app` is no `app-core`, nor `foobar` a `foo`.
    let poms = [pom("g", "app-core", "1")];
    assert_eq!(identify("app.jar", &poms, None), None);
    let poms = [pom("g", "foo", "1")];
    assert_eq!(
        identify("foobar-2.jar", &poms, None),
        id("foobar", "foobar", "2", None)
    );
}

#[test]
fn file_name_before_manifest() {
    let m = Manifest::parse(b"Implementation-Title: Other\nImplementation-Version: 9\nImplementation-Vendor-Id: com.acme\n");
    assert_eq!(
        identify("lib-1.2.3.jar", &[], Some(&m)),
        id("com.acme", "lib", "1.2.3", None)
    );
    assert_eq!(
        identify("lib.jar", &[], Some(&m)),
        id("com.acme", "lib", "9", None)
    );
    assert_eq!(
        identify("1.jar", &[], Some(&m)),
        id("com.acme", "Other", "9", None)
    );
    // No manifest at all: the file name alone, groupId = artifactId (Syft's fallback).
    assert_eq!(
        identify("lib-1.2.3.jar", &[], None),
        id("lib", "lib", "1.2.3", None)
    );
    // A name without a version, or nothing at all: no package.
    assert_eq!(identify("lib.jar", &[], None), None);
    assert_eq!(identify("1.jar", &[], None), None);
}

#[test]
fn version_from_named_sections_too() {
    let m = Manifest::parse(b"Manifest-Version: 1.0\n\nName: x/\nSpecification-Version: 4.1\n");
    assert_eq!(
        identify("lib.jar", &[], Some(&m)),
        id("lib", "lib", "4.1", None)
    );
}

#[test]
fn manifest_name_may_find_its_pom() {
    let m = Manifest::parse(b"Implementation-Title: core\n");
    let poms = [pom("g", "core", "3")];
    assert_eq!(
        identify("2.jar", &poms, Some(&m)),
        id("g", "core", "3", Some(0))
    );
}

#[test]
fn groups_from_the_manifest() {
    let cases: &[(&str, Option<&str>)] = &[
        (
            "Implementation-Vendor-Id: com.fasterxml.jackson.core\nBundle-SymbolicName: x.y.z\n",
            Some("com.fasterxml.jackson.core"),
        ),
        (
            "Implementation-Vendor-Id: Apache Software Foundation\nGroup-Id: io.jenkins.plugins\n",
            Some("io.jenkins.plugins"),
        ),
        (
            "Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-annotations\n",
            Some("com.fasterxml.jackson.core"),
        ),
        (
            "Bundle-SymbolicName: org.apache.commons.lang3;singleton:=true\n",
            Some("org.apache.commons"),
        ),
        ("Bundle-SymbolicName: org.lang3\n", None),
        ("Bundle-SymbolicName: jakarta.servlet-api\n", None),
        ("Bundle-SymbolicName: com.9x.y\n", None),
        ("Main-Class: com.acme.Main\n", None),
    ];
    for (text, want) in cases {
        let m = Manifest::parse(text.as_bytes());
        assert_eq!(manifest_group(&m).as_deref(), *want, "{text}");
    }
}

#[test]
fn jenkins_groups() {
    assert!(is_jenkins_group("io.jenkins.plugins"));
    assert!(is_jenkins_group("org.jenkins-ci.plugins.workflow"));
    assert!(!is_jenkins_group("io.jenkins.pluginsx"));
    assert!(!is_jenkins_group("org.jenkins-ci.main"));
}
