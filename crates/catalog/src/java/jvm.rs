//! A JVM installation's `release` file (`/opt/java/openjdk/release`,
//! `/usr/lib/jvm/<jdk>/release`): `KEY="value"` lines the JDK build writes.
//!
//! As Syft's `java-jvm-cataloger` (`parse_jvm_release.go`, LANGUAGES.md 5(d)): only a file
//! with `JAVA_VERSION` or `JAVA_RUNTIME_VERSION` is a JVM's (the `**/release` pattern matches
//! much else, quietly skipped); at most 500 KB are read; the version is
//! `JAVA_RUNTIME_VERSION`, else `FULL_VERSION` when its major matches `JAVA_VERSION`'s, else
//! `JAVA_VERSION`; vendor and product come from `IMPLEMENTOR` and the path. The purl is
//! `pkg:generic/<vendor>/<product>@<version>`; Syft adds `?repository_url=` from
//! `SOURCE_REPO`, which sbomgen keeps in the metadata instead (`sourceRepo`).
//!
//! Syft also tells a JDK from a JRE by a `bin/javac` beside the file; a cataloguer here sees
//! one file, so `IMAGE_TYPE` decides alone. Syft's rule is kept: a product is `jre` only when
//! `IMAGE_TYPE` says JRE (an absent `IMAGE_TYPE` gives `jdk`), and IBM's is `java_sdk` only
//! when `IMAGE_TYPE` says JDK (Syft: only with `javac`).

use serde::Serialize;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};

use crate::npm::json::metadata_map;
use crate::purl::purl;

/// Bytes of a `release` file read (Syft's `io.LimitReader(r, 500*KB)`).
const MAX_RELEASE: usize = 500 * 1000;

/// The `release` fields sbomgen reports.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct JvmMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    implementor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    implementor_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    java_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    java_runtime_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    semantic_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jvm_variant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    os_arch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    libc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_repo: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modules: Vec<String>,
}

/// Parses a `release` file; no findings when it is no JVM's.
pub(super) fn parse(path: &str, bytes: &[u8]) -> FileFindings {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RELEASE)]);
    let fields = fields(&text);
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .filter(|v| !v.is_empty())
    };
    let java_version = get("JAVA_VERSION");
    let runtime_version = get("JAVA_RUNTIME_VERSION");
    if java_version.is_none() && runtime_version.is_none() {
        return FileFindings::default();
    }
    let full_version = get("FULL_VERSION");
    let version = select_version(
        runtime_version.as_deref(),
        full_version.as_deref(),
        java_version.as_deref(),
    );
    if version.is_empty() {
        return FileFindings::default();
    }
    let implementor = get("IMPLEMENTOR");
    let image_type = get("IMAGE_TYPE");
    let build_type = get("BUILD_TYPE");
    let (vendor, product) = vendor_product(
        implementor.as_deref().unwrap_or_default(),
        path,
        image_type.as_deref().unwrap_or_default(),
        build_type.as_deref().unwrap_or_default(),
    );
    let mut record = PackageRecord::new(Ecosystem::Generic, product, &version, path);
    record.purl = Some(purl("generic", Some(vendor), product, &version, &[]));
    let metadata = JvmMetadata {
        implementor,
        implementor_version: get("IMPLEMENTOR_VERSION"),
        java_version,
        java_runtime_version: runtime_version,
        full_version,
        semantic_version: get("SEMANTIC_VERSION"),
        jvm_variant: get("JVM_VARIANT"),
        image_type,
        os_arch: get("OS_ARCH"),
        libc: get("LIBC"),
        source_repo: get("SOURCE_REPO").or_else(|| get("BUILD_SOURCE_REPO")),
        modules: get("MODULES")
            .map(|m| m.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
    };
    record.metadata = metadata_map(&metadata);
    FileFindings {
        packages: vec![record],
        ..FileFindings::default()
    }
}

/// `KEY=value` lines, surrounding double quotes removed; other lines ignored.
fn fields(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
        .collect()
}

/// Syft's `jvmPackageVersion`.
fn select_version(runtime: Option<&str>, full: Option<&str>, java: Option<&str>) -> String {
    let major = |v: &str| v.split('.').next().unwrap_or_default().to_string();
    if let Some(v) = runtime {
        return v.to_string();
    }
    if let Some(full) = full {
        if major(full) == major(java.unwrap_or_default()) {
            return full.to_string();
        }
    }
    java.unwrap_or_default().to_string()
}

/// Syft's `jvmPrimaryVendorProduct`, with `IMAGE_TYPE` standing for its `bin/javac` check.
fn vendor_product(
    implementor: &str,
    path: &str,
    image_type: &str,
    build_type: &str,
) -> (&'static str, &'static str) {
    let implementor = implementor.to_lowercase().replace(' ', "");
    let image_type = image_type.to_lowercase();
    let product = if image_type.contains("jre") {
        "jre"
    } else {
        "jdk"
    };
    if implementor.contains("azul") || path.contains("zulu") {
        ("azul", "zulu")
    } else if implementor.contains("sun") {
        ("sun", product)
    } else if implementor.contains("ibm") || path.contains("/ibm") {
        (
            "ibm",
            if image_type == "jdk" {
                "java_sdk"
            } else {
                "java"
            },
        )
    } else if implementor.contains("oracle")
        || path.contains("oracle")
        || build_type.contains("commercial")
    {
        ("oracle", product)
    } else {
        ("oracle", "openjdk")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEMURIN: &str = "IMPLEMENTOR=\"Eclipse Adoptium\"\nIMPLEMENTOR_VERSION=\"Temurin-21.0.4+7\"\nJAVA_RUNTIME_VERSION=\"21.0.4+7-LTS\"\nJAVA_VERSION=\"21.0.4\"\nMODULES=\"java.base java.logging\"\nSOURCE_REPO=\"https://github.com/adoptium/jdk21u.git\"\nFULL_VERSION=\"21.0.4+7-LTS\"\nIMAGE_TYPE=\"JDK\"\n";

    #[test]
    fn temurin() {
        let found = parse("opt/java/openjdk/release", TEMURIN.as_bytes());
        let r = &found.packages[0];
        assert_eq!(
            (r.name.as_str(), r.version.as_str()),
            ("openjdk", "21.0.4+7-LTS")
        );
        assert_eq!(r.ecosystem, Ecosystem::Generic);
        assert_eq!(
            r.purl.as_deref(),
            Some("pkg:generic/oracle/openjdk@21.0.4%2B7-LTS")
        );
        assert_eq!(r.metadata["implementor"], json!("Eclipse Adoptium"));
        assert_eq!(r.metadata["modules"], json!(["java.base", "java.logging"]));
        assert_eq!(
            r.metadata["sourceRepo"],
            json!("https://github.com/adoptium/jdk21u.git")
        );
        assert!(found.warnings.is_empty());
    }

    #[test]
    fn versions_by_precedence() {
        // JAVA_RUNTIME_VERSION, FULL_VERSION, JAVA_VERSION ("" for absent) → version.
        let cases: &[[&str; 4]] = &[
            ["17.0.12+7-LTS", "17.0.12+7", "17.0.12", "17.0.12+7-LTS"],
            ["", "1.8.0_422-b05", "1.8.0_422", "1.8.0_422-b05"],
            ["", "8.0.422+5", "1.8.0_422", "1.8.0_422"],
            ["", "", "11.0.2", "11.0.2"],
        ];
        let set = |v: &'static str| Some(v).filter(|v| !v.is_empty());
        for [runtime, full, java, want] in cases {
            assert_eq!(select_version(set(runtime), set(full), set(java)), *want);
        }
    }

    #[test]
    fn vendors_and_products() {
        // IMPLEMENTOR, path, IMAGE_TYPE, BUILD_TYPE → vendor, product.
        let cases: &[([&str; 4], (&str, &str))] = &[
            (
                ["Azul Systems, Inc.", "usr/lib/jvm/x/release", "", ""],
                ("azul", "zulu"),
            ),
            (
                ["", "usr/lib/jvm/zulu17/release", "JRE", ""],
                ("azul", "zulu"),
            ),
            (
                ["Sun Microsystems Inc.", "x/release", "JRE", ""],
                ("sun", "jre"),
            ),
            (
                ["IBM Corporation", "x/release", "JDK", ""],
                ("ibm", "java_sdk"),
            ),
            (["IBM Corporation", "x/release", "", ""], ("ibm", "java")),
            (
                ["Oracle Corporation", "x/release", "", ""],
                ("oracle", "jdk"),
            ),
            (["", "x/release", "JRE", "commercial"], ("oracle", "jre")),
            (
                ["Eclipse Adoptium", "x/release", "JRE", ""],
                ("oracle", "openjdk"),
            ),
            (
                [
                    "Debian",
                    "usr/lib/jvm/java-17-openjdk-amd64/release",
                    "",
                    "",
                ],
                ("oracle", "openjdk"),
            ),
        ];
        for ([implementor, path, image, build], want) in cases {
            assert_eq!(
                vendor_product(implementor, path, image, build),
                *want,
                "{implementor} {path}"
            );
        }
    }

    #[test]
    fn other_release_files_yield_nothing() {
        for text in [
            "",
            "VERSION=1.2\n",
            "JAVA_HOME=/opt\n",
            "\u{0}\u{ff}garbage",
            "JAVA_VERSION=\"\"\n",
        ] {
            assert_eq!(
                parse("etc/release", text.as_bytes()),
                FileFindings::default(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn reads_at_most_500_kb() {
        let mut text = "#".repeat(MAX_RELEASE);
        text.push_str("\nJAVA_VERSION=\"17\"\n");
        assert!(parse("x/release", text.as_bytes()).packages.is_empty());
        let found = parse(
            "x/release",
            format!("JAVA_VERSION=\"17\"\n{text}").as_bytes(),
        );
        assert_eq!(found.packages[0].version, "17");
    }
}
