//! Records for Java archives: Maven purl, Jenkins-plugin type, typed metadata.
//!
//! A record's name is the artifactId, as Syft names Java packages, so `depends_on` (names)
//! holds artifactIds too; the groupId lives in the purl and the metadata.

use serde::Serialize;

use sbomgen_model::{Ecosystem, PackageRecord};

use super::manifest::ManifestSummary;
use super::naming::is_jenkins_group;
use crate::npm::json::metadata_map;
use crate::purl::purl;

/// The `type` metadata of an ordinary archive.
pub(super) const JAVA_ARCHIVE: &str = "java-archive";
/// The `type` metadata of a Jenkins plugin (`.hpi`/`.jpi`, or a Jenkins plugins groupId;
/// Syft's `finalizePackage`). Its purl stays `pkg:maven`.
pub(super) const JENKINS_PLUGIN: &str = "jenkins-plugin";

/// What a record is made of.
#[derive(Debug)]
pub(super) struct Coordinates<'a> {
    pub group_id: &'a str,
    pub artifact_id: &'a str,
    pub version: &'a str,
    /// Where the archive holding it is: `app.jar`, `app.jar!/BOOT-INF/lib/x.jar`.
    pub location: &'a str,
    /// Whether the archive's file name says Jenkins plugin.
    pub jenkins_file: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JavaMetadata<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    group_id: &'a str,
    artifact_id: &'a str,
    /// Syft's `virtualPath`: the archive's location, plus `:groupId:artifactId` for a package
    /// found inside it (a shaded dependency), which tells apart two in one archive.
    virtual_path: String,
    /// The `pom.properties` entry the coordinates came from, inside the archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pom_properties: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a ManifestSummary>,
}

/// The record of an archive itself.
pub(super) fn archive_record(
    c: &Coordinates<'_>,
    pom_properties: Option<&str>,
    manifest: Option<&ManifestSummary>,
) -> PackageRecord {
    let manifest = manifest.filter(|m| !m.is_empty());
    record(
        c,
        c.location.to_string(),
        pom_properties,
        manifest,
        c.jenkins_file,
    )
}

/// The record of a package whose `pom.properties` sits inside an archive that is not it.
pub(super) fn inner_record(c: &Coordinates<'_>, pom_properties: &str) -> PackageRecord {
    let virtual_path = format!("{}:{}:{}", c.location, c.group_id, c.artifact_id);
    record(c, virtual_path, Some(pom_properties), None, false)
}

fn record(
    c: &Coordinates<'_>,
    virtual_path: String,
    pom_properties: Option<&str>,
    manifest: Option<&ManifestSummary>,
    jenkins_file: bool,
) -> PackageRecord {
    let jenkins = jenkins_file || is_jenkins_group(c.group_id);
    let mut r = PackageRecord::new(Ecosystem::Maven, c.artifact_id, c.version, c.location);
    r.purl = Some(purl(
        "maven",
        Some(c.group_id),
        c.artifact_id,
        c.version,
        &[],
    ));
    let metadata = JavaMetadata {
        kind: if jenkins {
            JENKINS_PLUGIN
        } else {
            JAVA_ARCHIVE
        },
        group_id: c.group_id,
        artifact_id: c.artifact_id,
        virtual_path,
        pom_properties,
        manifest,
    };
    r.metadata = metadata_map(&metadata);
    r
}

/// Licenses a manifest declares: OSGi `Bundle-License`, Jenkins `Plugin-License-Name`
/// (Syft's `selectLicenses`), verbatim.
pub(super) fn manifest_licenses(manifest: &super::manifest::Manifest) -> Vec<String> {
    ["Bundle-License", "Plugin-License-Name"]
        .iter()
        .filter_map(|a| manifest.main(a))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coords<'a>(group: &'a str, location: &'a str, jenkins_file: bool) -> Coordinates<'a> {
        Coordinates {
            group_id: group,
            artifact_id: "a",
            version: "1.0",
            location,
            jenkins_file,
        }
    }

    #[test]
    fn archive_and_inner_records() {
        let r = archive_record(
            &coords("com.acme", "app.jar!/BOOT-INF/lib/a-1.0.jar", false),
            None,
            None,
        );
        assert_eq!((r.name.as_str(), r.version.as_str()), ("a", "1.0"));
        assert_eq!(r.database, "app.jar!/BOOT-INF/lib/a-1.0.jar");
        assert_eq!(r.purl.as_deref(), Some("pkg:maven/com.acme/a@1.0"));
        assert_eq!(r.metadata["type"], json!("java-archive"));
        assert_eq!(
            r.metadata["virtualPath"],
            json!("app.jar!/BOOT-INF/lib/a-1.0.jar")
        );
        assert!(!r.metadata.contains_key("manifest"));
        let r = inner_record(
            &coords("com.acme", "app.jar", false),
            "META-INF/maven/com.acme/a/pom.properties",
        );
        assert_eq!(r.metadata["virtualPath"], json!("app.jar:com.acme:a"));
        assert_eq!(
            r.metadata["pomProperties"],
            json!("META-INF/maven/com.acme/a/pom.properties")
        );
    }

    #[test]
    fn jenkins_plugins_by_file_or_group() {
        let by_file = archive_record(&coords("g", "x.hpi", true), None, None);
        let by_group = inner_record(
            &coords("io.jenkins.plugins", "x.jar", false),
            "pom.properties",
        );
        let neither = archive_record(&coords("org.jenkins-ci.main", "x.jar", false), None, None);
        assert_eq!(by_file.metadata["type"], json!("jenkins-plugin"));
        assert_eq!(by_group.metadata["type"], json!("jenkins-plugin"));
        assert_eq!(neither.metadata["type"], json!("java-archive"));
        assert_eq!(
            by_group.purl.as_deref(),
            Some("pkg:maven/io.jenkins.plugins/a@1.0")
        );
    }
}
