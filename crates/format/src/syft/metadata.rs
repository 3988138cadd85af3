//! Syft's typed `metadataType` + `metadata` pair, for the package types whose metadata Grype
//! reads: the OS databases (upstream source name and version, rpm epoch and modularity), Java
//! (Maven coordinates), Go (main module, toolchain), and the installed language packages.
//!
//! Syft decodes `metadata` into the Go struct `metadataType` names, failing the whole document
//! on a wrongly typed field, so every value here has the type Syft's schema 16.0.18 gives it
//! and every field the schema requires is present (empty when sbomgen does not know it).
//! Declared packages (lockfile entries) get no metadata: Syft's lock-entry shapes need
//! integrity hashes sbomgen does not keep.

use serde_json::{json, Map, Value};

use sbomgen_model::Package;

use super::model::SyftLocation;

/// The `(metadataType, metadata)` of `package`, whose primary location is `location`.
pub(super) fn metadata(
    package: &Package,
    location: Option<&SyftLocation>,
) -> Option<(&'static str, Value)> {
    if package.declared {
        return None;
    }
    let fields = Fields(package.metadata.as_object());
    let name = package.name.as_str();
    let version = package.version.as_str();
    let arch = package.arch.as_deref().unwrap_or("");
    let (kind, mut value) = match package.kind.as_str() {
        "deb" => (
            "dpkg-db-entry",
            json!({
                "package": name,
                "source": package.source_name.as_deref().unwrap_or(""),
                "version": version,
                "sourceVersion": package.source_version.as_deref().unwrap_or(""),
                "architecture": arch,
                "maintainer": fields.str("maintainer"),
                "installedSize": fields.u64("installedSize"),
                "depends": package.depends_on,
                "files": [],
            }),
        ),
        "apk" => (
            "apk-db-entry",
            json!({
                "package": name,
                "originPackage": package.source_name.as_deref().unwrap_or(name),
                "maintainer": fields.str("maintainer"),
                "version": version,
                "architecture": arch,
                "url": fields.str("url"),
                "description": fields.str("description"),
                "size": fields.u64("size"),
                "installedSize": fields.u64("installedSize"),
                "pullDependencies": fields.strings("depends"),
                "provides": fields.strings("provides"),
                "pullChecksum": fields.str("pullChecksum"),
                "gitCommitOfApkPort": fields.str("commit"),
                "files": [],
            }),
        ),
        "rpm" => ("rpm-db-entry", rpm(package, &fields)),
        "maven" => ("java-archive", java(package, &fields, location)),
        "golang" => (
            "go-module-buildinfo-entry",
            json!({
                "goCompiledVersion": fields.str("goCompiledVersion"),
                "architecture": fields.str("architecture"),
                "mainModule": fields.str("mainModule"),
                "h1Digest": fields.str("h1Digest"),
                "goExperiments": fields.strings("goExperiments"),
                "goBuildSettings": key_values(fields.get("buildSettings")),
            }),
        ),
        "pypi" => {
            let root = fields.str("sitePackagesRootPath");
            (
                "python-package",
                json!({
                    "name": name,
                    "version": version,
                    "author": fields.str("author"),
                    "authorEmail": fields.str("authorEmail"),
                    "platform": fields.str("platform"),
                    "sitePackagesRootPath": if root.is_empty() { String::new() } else { format!("/{root}") },
                    "topLevelPackages": fields.strings("topLevelPackages"),
                    "requiresPython": fields.str("requiresPython"),
                }),
            )
        }
        "npm" => (
            "javascript-npm-package",
            json!({
                "name": name,
                "version": version,
                "author": fields.str("author"),
                "homepage": fields.str("homepage"),
                "description": fields.str("description"),
                "url": fields.str("repository"),
                "private": fields.get("private").and_then(Value::as_bool).unwrap_or(false),
            }),
        ),
        "gem" => (
            "ruby-gemspec",
            json!({
                "name": name,
                "version": version,
                "authors": fields.strings("authors"),
                "homepage": fields.str("homepage"),
            }),
        ),
        "cargo" => (
            "rust-cargo-audit-entry",
            json!({"name": name, "version": version, "source": fields.str("source")}),
        ),
        "nuget" => (
            "dotnet-deps-entry",
            json!({
                "name": name,
                "version": version,
                "path": fields.str("path"),
                "sha512": fields.str("sha512"),
                "hashPath": fields.str("hashPath"),
            }),
        ),
        "generic" => {
            let classifier = fields.get("classifier")?.as_str()?;
            (
                "binary-signature",
                json!({"matches": [{"classifier": classifier, "location": location?}]}),
            )
        }
        _ => return None,
    };
    // Syft leaves these out when empty (`omitempty`); the schema does not require them.
    let optional: &[&str] = match kind {
        "dpkg-db-entry" => &["depends"],
        "rpm-db-entry" => &["provides", "requires"],
        "go-module-buildinfo-entry" => {
            &["goBuildSettings", "goExperiments", "h1Digest", "mainModule"]
        }
        "python-package" => &["topLevelPackages", "requiresPython"],
        "ruby-gemspec" => &["authors", "homepage"],
        _ => &[],
    };
    if let Some(map) = value.as_object_mut() {
        map.retain(|key, v| !(optional.contains(&key.as_str()) && is_empty(v)));
    }
    Some((kind, value))
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// rpm: Syft splits `[epoch:]version-release` into its three parts.
fn rpm(package: &Package, fields: &Fields<'_>) -> Value {
    let epoch = fields.get("epoch").and_then(Value::as_u64);
    let full = match epoch {
        Some(epoch) => package
            .version
            .strip_prefix(&format!("{epoch}:"))
            .unwrap_or(&package.version),
        None => &package.version,
    };
    let release = fields.str("release");
    let version = full
        .strip_suffix(release)
        .and_then(|v| v.strip_suffix('-'))
        .filter(|_| !release.is_empty())
        .unwrap_or(full);
    let mut out = json!({
        "name": package.name,
        "version": version,
        "epoch": epoch,
        "architecture": package.arch.as_deref().unwrap_or(""),
        "release": release,
        "sourceRpm": fields.str("sourceRpm"),
        "size": fields.u64("size"),
        "vendor": fields.str("vendor"),
        "provides": fields.strings("provides"),
        "requires": fields.strings("requires"),
        "files": [],
    });
    let label = fields.str("modularityLabel");
    if !label.is_empty() {
        out["modularityLabel"] = label.into();
    }
    out
}

/// Java: the archive's path and Maven coordinates, the manifest's main attributes.
fn java(package: &Package, fields: &Fields<'_>, location: Option<&SyftLocation>) -> Value {
    let virtual_path = match fields.str("virtualPath") {
        "" => location.map_or(String::new(), |l| l.path.clone()),
        path => format!("/{}", path.trim_start_matches('/')),
    };
    let mut out = json!({"virtualPath": virtual_path});
    let (group, artifact) = (fields.str("groupId"), fields.str("artifactId"));
    if !group.is_empty() && !artifact.is_empty() {
        out["pomProperties"] = json!({
            "path": fields.str("pomProperties"),
            "name": "",
            "groupId": group,
            "artifactId": artifact,
            "version": package.version,
        });
    }
    let main = key_values(fields.get("manifest"));
    if main.as_array().is_some_and(|m| !m.is_empty()) {
        out["manifest"] = json!({ "main": main });
    }
    out
}

/// A JSON object of strings as Syft's `KeyValues` list, in key order.
fn key_values(object: Option<&Value>) -> Value {
    let pairs = object.and_then(Value::as_object).map_or(Vec::new(), |map| {
        map.iter()
            .filter_map(|(key, value)| Some(json!({"key": key, "value": value.as_str()?})))
            .collect()
    });
    Value::Array(pairs)
}

/// Typed reads of the native metadata object: a missing or wrongly typed field is empty.
struct Fields<'a>(Option<&'a Map<String, Value>>);

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0?.get(key)
    }

    fn str(&self, key: &str) -> &'a str {
        self.get(key).and_then(Value::as_str).unwrap_or("")
    }

    fn u64(&self, key: &str) -> u64 {
        self.get(key).and_then(Value::as_u64).unwrap_or(0)
    }

    fn strings(&self, key: &str) -> Vec<&'a str> {
        self.get(key)
            .and_then(Value::as_array)
            .map_or(Vec::new(), |items| {
                items.iter().filter_map(Value::as_str).collect()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(kind: &str, version: &str, metadata: Value) -> Package {
        Package {
            name: "pkg".into(),
            version: version.into(),
            kind: kind.into(),
            arch: Some("x86_64".into()),
            metadata,
            ..Package::default()
        }
    }

    #[test]
    fn rpm_versions_split_into_epoch_version_release() {
        let p = package(
            "rpm",
            "1:5.1.8-2.fc35",
            json!({"epoch": 1, "release": "2.fc35", "sourceRpm": "bash-5.1.8-2.fc35.src.rpm"}),
        );
        let (kind, m) = metadata(&p, None).unwrap();
        assert_eq!(kind, "rpm-db-entry");
        assert_eq!(
            (&m["epoch"], &m["version"], &m["release"]),
            (&json!(1), &json!("5.1.8"), &json!("2.fc35"))
        );
        assert_eq!(m["sourceRpm"], "bash-5.1.8-2.fc35.src.rpm");
        let no_epoch = package("rpm", "5.1.8-2.fc35", json!({"release": "2.fc35"}));
        let (_, m) = metadata(&no_epoch, None).unwrap();
        assert_eq!(
            (&m["epoch"], &m["version"]),
            (&Value::Null, &json!("5.1.8"))
        );
    }

    #[test]
    fn dpkg_entries_carry_the_upstream_source() {
        let mut p = package("deb", "3.0.11-1~deb12u2", json!({"installedSize": 100}));
        p.source_name = Some("openssl".into());
        let (kind, m) = metadata(&p, None).unwrap();
        assert_eq!(kind, "dpkg-db-entry");
        assert_eq!(m["source"], "openssl");
        assert_eq!(m["installedSize"], 100);
        assert_eq!(
            m["maintainer"], "",
            "required by the schema, so written empty"
        );
    }

    #[test]
    fn java_archives_carry_their_coordinates_and_manifest() {
        let p = package(
            "maven",
            "0.1.0",
            json!({"groupId": "org.anchore", "artifactId": "app", "virtualPath": "jars/app.jar",
                   "manifest": {"Main-Class": "hello.HelloWorld"}}),
        );
        let (_, m) = metadata(&p, None).unwrap();
        assert_eq!(m["virtualPath"], "/jars/app.jar");
        assert_eq!(m["pomProperties"]["groupId"], "org.anchore");
        assert_eq!(
            m["manifest"]["main"],
            json!([{"key": "Main-Class", "value": "hello.HelloWorld"}])
        );
    }

    #[test]
    fn declared_and_unknown_packages_have_no_metadata() {
        let mut p = package("npm", "1.0.0", json!({}));
        p.declared = true;
        assert!(metadata(&p, None).is_none());
        assert!(metadata(&package("conan", "1", json!({})), None).is_none());
        assert!(
            metadata(&package("generic", "1", json!({})), None).is_none(),
            "a binary without its classifier"
        );
    }
}
