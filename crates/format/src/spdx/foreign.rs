//! What the reader can learn from SPDX documents sbomgen did not write (Syft's, Trivy's),
//! which lack its `sbomgen:` annotations.
//!
//! Trivy annotates the image with its layers' diff ids in order (`DiffID: sha256:…`) and each
//! package with the layer that introduced it (`LayerDiffID: sha256:…`, `LayerDigest: …`);
//! Trivy releases before 0.52 put the same `Key: value` pairs in `attributionTexts`. Syft
//! records no layer list, so its packages keep no provenance. Both give a `pkg:oci` purl on the
//! image and purls with `arch` and `distro` qualifiers on packages.

use std::str::FromStr;

use packageurl::PackageUrl;

use sbomgen_model::{Distro, LayerSummary, SourceInfo};

use super::read::SpdxPackage;
use super::trivy::{self, DIFF_ID, IMAGE_ID, LAYER_DIFF_ID, LAYER_DIGEST, REPO_DIGEST, REPO_TAG};

/// `Key: value` notes (Trivy's annotation comments and attribution texts).
fn notes<'a>(package: &'a SpdxPackage<'_>) -> impl Iterator<Item = (&'a str, &'a str)> {
    trivy::pairs(&package.notes)
}

/// Source and layers from the image package of a foreign document.
pub(super) fn image(image: &SpdxPackage<'_>) -> (SourceInfo, Vec<LayerSummary>) {
    let mut source = SourceInfo::default();
    let mut layers = Vec::new();
    for (key, value) in notes(image) {
        match key {
            DIFF_ID => {
                if let Ok(diff_id) = value.parse() {
                    layers.push(LayerSummary {
                        index: layers.len(),
                        diff_id: Some(diff_id),
                        ..LayerSummary::default()
                    });
                }
            }
            IMAGE_ID if source.config_digest.is_none() => source.config_digest = value.parse().ok(),
            // `alpine@sha256:…`: the digest of the manifest the image was pulled by.
            REPO_DIGEST if source.manifest_digest.is_none() => {
                source.manifest_digest = value.rsplit_once('@').and_then(|(_, d)| d.parse().ok());
            }
            REPO_TAG if source.reference.is_none() => source.reference = Some(value.to_string()),
            _ => {}
        }
    }
    let purl = image.purl.and_then(|p| PackageUrl::from_str(p).ok());
    if source.manifest_digest.is_none() {
        // Syft: the version is the manifest digest, also the SHA256 checksum and purl version.
        source.manifest_digest = image
            .version
            .and_then(|v| v.parse().ok())
            .or_else(|| purl.as_ref().and_then(|p| p.version()?.parse().ok()));
    }
    if let Some(purl) = &purl {
        let qualifier = |key: &str| purl.qualifiers().get(key).map(ToString::to_string);
        if let Some(arch) = qualifier("arch").filter(|a| !a.is_empty()) {
            // Container images in these documents are Linux images; the purl names no OS.
            source.platform = format!("linux/{arch}").parse().ok();
        }
        if source.reference.is_none() {
            if let Some(tag) = qualifier("tag") {
                let repository =
                    qualifier("repository_url").unwrap_or_else(|| purl.name().to_string());
                source.reference = Some(format!("{repository}:{tag}"));
            }
        }
    }
    if source.reference.is_none() && !image.name.is_empty() {
        source.reference = Some(image.name.to_string());
    }
    (source, layers)
}

/// The index of the layer Trivy says introduced `package`, among `layers`.
pub(super) fn introduced_in(package: &SpdxPackage<'_>, layers: &[LayerSummary]) -> Option<usize> {
    notes(package).find_map(|(key, value)| {
        let matches = |layer: &&LayerSummary| match key {
            LAYER_DIFF_ID => layer.diff_id.as_ref().is_some_and(|d| d.as_str() == value),
            LAYER_DIGEST => layer.digest.as_ref().is_some_and(|d| d.as_str() == value),
            _ => false,
        };
        layers.iter().find(matches).map(|l| l.index)
    })
}

/// Trivy's `built package from: <name> <version>` source package.
pub(super) fn source_package(source_info: &str) -> Option<(String, Option<String>)> {
    let rest = source_info.strip_prefix("built package from:")?.trim();
    let mut parts = rest.split_whitespace();
    let name = parts.next()?.to_string();
    let version = parts.next().map(str::to_string);
    Some((name, version))
}

/// The purl's type (the native package kind) and `arch` qualifier.
pub(crate) fn kind_and_arch(purl: &str) -> Option<(String, Option<String>)> {
    let purl = PackageUrl::from_str(purl).ok()?;
    let arch = purl
        .qualifiers()
        .get("arch")
        .map(ToString::to_string)
        .filter(|a| !a.is_empty());
    Some((purl.ty().to_string(), arch))
}

/// A distro from the first OS package purl with a `distro` qualifier, for documents without an
/// operating-system package (Syft's): `distro=debian-12` with namespace `debian`, or Trivy's
/// `distro=3.19.1` with namespace `alpine`.
pub(super) fn distro_from_purls<'a>(purls: impl Iterator<Item = &'a str>) -> Option<Distro> {
    purls
        .filter_map(|p| PackageUrl::from_str(p).ok())
        .find_map(|purl| {
            if !crate::ids::OS_PACKAGE_TYPES.contains(&purl.ty()) {
                return None;
            }
            let qualifier = purl.qualifiers().get("distro")?.to_string();
            let namespace = purl.namespace().unwrap_or_default().to_string();
            let (id, version) = match qualifier.strip_prefix(&format!("{namespace}-")) {
                Some(version) if !namespace.is_empty() => (namespace, version.to_string()),
                _ => match qualifier.split_once('-') {
                    Some((id, version)) if !id.starts_with(|c: char| c.is_ascii_digit()) => {
                        (id.to_string(), version.to_string())
                    }
                    _ if !namespace.is_empty() => (namespace, qualifier.clone()),
                    _ => return None,
                },
            };
            Some(Distro {
                id,
                version_id: Some(version).filter(|v| !v.is_empty()),
                pretty_name: None,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_qualifiers_of_both_tools() {
        let syft =
            distro_from_purls(["pkg:deb/debian/curl@8?arch=amd64&distro=debian-12"].into_iter());
        assert_eq!(
            syft.map(|d| (d.id, d.version_id)),
            Some(("debian".into(), Some("12".into())))
        );
        let trivy =
            distro_from_purls(["pkg:npm/x@1", "pkg:apk/alpine/musl@1?distro=3.15.11"].into_iter());
        assert_eq!(
            trivy.map(|d| (d.id, d.version_id)),
            Some(("alpine".into(), Some("3.15.11".into())))
        );
        let rhel = distro_from_purls(["pkg:rpm/redhat/bash@5?distro=rhel-9.2"].into_iter());
        assert_eq!(rhel.map(|d| d.id), Some("rhel".into()));
        assert!(distro_from_purls(["pkg:npm/x@1?distro=debian-12"].into_iter()).is_none());
    }

    #[test]
    fn source_package_of_trivy() {
        assert_eq!(
            source_package("built package from: openssl 1:1.1.1k-5.el8"),
            Some(("openssl".into(), Some("1:1.1.1k-5.el8".into())))
        );
        assert_eq!(
            source_package("acquired package info from DPKG DB: /var/lib/dpkg/status"),
            None
        );
    }
}
