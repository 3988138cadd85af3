//! How sbomgen's package types (purl types) are named in syft-json: Syft's `type`, `language`
//! and the `foundBy` cataloguer, both ways.
//!
//! Grype picks its matchers by `type` and `language`, so these follow Syft's `pkg.Type` and
//! `pkg.Language` values exactly (syft/pkg/type.go, syft/pkg/language.go at v1.18.1).

use sbomgen_model::Package;

/// One ecosystem: sbomgen's type, Syft's type, Syft's language, sbomgen's cataloguer.
struct Kind {
    native: &'static str,
    syft: &'static str,
    language: &'static str,
    cataloguer: &'static str,
    /// The cataloguer of packages a lockfile declares, where one exists.
    lock_cataloguer: Option<&'static str>,
}

const KINDS: &[Kind] = &[
    kind("deb", "deb", "", "dpkg", None),
    kind("apk", "apk", "", "apk", None),
    kind("rpm", "rpm", "", "rpm", None),
    kind("alpm", "alpm", "", "alpm", None),
    kind("pypi", "python", "python", "python", Some("python-lock")),
    kind("npm", "npm", "javascript", "npm", Some("npm-lock")),
    kind("gem", "gem", "ruby", "gem", Some("gem-lock")),
    kind(
        "composer",
        "php-composer",
        "php",
        "composer",
        Some("composer-lock"),
    ),
    kind("nuget", "dotnet", "dotnet", "dotnet", None),
    kind(
        "cargo",
        "rust-crate",
        "rust",
        "rust-binary",
        Some("cargo-lock"),
    ),
    kind("golang", "go-module", "go", "go-binary", None),
    kind("maven", "java-archive", "java", "java-archive", None),
    kind("generic", "binary", "", "binary-classifier", None),
];

const fn kind(
    native: &'static str,
    syft: &'static str,
    language: &'static str,
    cataloguer: &'static str,
    lock_cataloguer: Option<&'static str>,
) -> Kind {
    Kind {
        native,
        syft,
        language,
        cataloguer,
        lock_cataloguer,
    }
}

fn by_native(native: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.native == native)
}

/// Syft's `type` for a native type; an unknown one is passed through.
pub(super) fn syft_type(native: &str) -> &str {
    by_native(native).map_or(native, |k| k.syft)
}

/// Syft's `language` (empty for OS packages and binaries, as Syft writes them).
pub(super) fn language(native: &str) -> &'static str {
    by_native(native).map_or("", |k| k.language)
}

/// `foundBy`: the sbomgen cataloguer that reports packages of this type, so a reader can tell
/// them from packages Syft found.
pub(super) fn found_by(package: &Package) -> String {
    let name = by_native(&package.kind).map(|k| match k.lock_cataloguer {
        Some(lock) if package.declared => lock,
        _ => k.cataloguer,
    });
    format!("sbomgen-{}-cataloguer", name.unwrap_or(&package.kind))
}

/// The native type for Syft's `type` (`python` → `pypi`), `None` when Syft's type is not one
/// sbomgen knows.
pub(super) fn native_type(syft: &str) -> Option<&'static str> {
    match syft {
        // Syft's other Java-shaped types are Maven coordinates too.
        "jenkins-plugin" | "java-archive" => Some("maven"),
        _ => KINDS.iter().find(|k| k.syft == syft).map(|k| k.native),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_native_type_maps_back() {
        for k in KINDS {
            assert_eq!(
                native_type(syft_type(k.native)),
                Some(k.native),
                "{}",
                k.native
            );
        }
        assert_eq!(syft_type("pypi"), "python");
        assert_eq!(syft_type("cargo"), "rust-crate");
        assert_eq!(syft_type("swift"), "swift", "unknown types pass through");
        assert_eq!(native_type("jenkins-plugin"), Some("maven"));
        assert_eq!(native_type("R-package"), None);
    }

    #[test]
    fn declared_packages_name_their_lock_cataloguer() {
        let mut package = Package {
            kind: "npm".into(),
            ..Package::default()
        };
        assert_eq!(found_by(&package), "sbomgen-npm-cataloguer");
        package.declared = true;
        assert_eq!(found_by(&package), "sbomgen-npm-lock-cataloguer");
        package.kind = "nuget".into();
        assert_eq!(found_by(&package), "sbomgen-dotnet-cataloguer");
    }
}
