//! Trivy's vocabulary, written beside sbomgen's own so that the layer shows where Trivy users
//! already look, and read back from Trivy's documents ([`super::foreign`]).
//!
//! Trivy writes each property of a component as an `OTHER` annotation whose comment is
//! `Key: value` and reads every annotation of that shape back into a property, whoever the
//! annotator (`pkg/sbom/spdx/marshal.go` `appendAnnotation`, `unmarshal.go` `parsePackage`).
//! On a package, `LayerDiffID` and `LayerDigest` become its `Layer.DiffID` and `Layer.Digest`
//! (`pkg/sbom/io/decode.go`); on the image, `DiffID` (one per layer, in layer order) and
//! `ImageID` (the config digest) become the report's metadata. sbomgen writes them for the
//! layer that *introduced* each package, as Trivy does, as annotations and again as attribution
//! texts: Trivy falls back to those (where it wrote them before 0.52) for a package without
//! annotations, and that is every package of a tag-value document to it, since spdx/tools-golang
//! files tag-value annotations under the document.

use sbomgen_model::{Package, Sbom};

/// The diff_id (uncompressed digest) of the layer that introduced a package.
pub(crate) const LAYER_DIFF_ID: &str = "LayerDiffID";
/// The blob digest of that layer.
pub(crate) const LAYER_DIGEST: &str = "LayerDigest";
/// On the image: one layer's diff_id.
pub(crate) const DIFF_ID: &str = "DiffID";
/// On the image: the config digest.
pub(crate) const IMAGE_ID: &str = "ImageID";
/// On the image: `<repository>@<manifest digest>`.
pub(crate) const REPO_DIGEST: &str = "RepoDigest";
/// On the image: `<repository>:<tag>`.
pub(crate) const REPO_TAG: &str = "RepoTag";

/// `Key: value`, the comment of one Trivy annotation.
fn note(key: &str, value: impl std::fmt::Display) -> String {
    format!("{key}: {value}")
}

/// `Key: value` pairs among annotation comments (or Trivy's older attribution texts).
pub(crate) fn pairs<'a>(notes: &'a [&str]) -> impl Iterator<Item = (&'a str, &'a str)> {
    notes
        .iter()
        .filter_map(|note| note.split_once(": "))
        .map(|(k, v)| (k.trim(), v.trim()))
}

/// The image's notes: its layers' diff_ids in order and its config digest.
pub(crate) fn image_notes(sbom: &Sbom) -> Vec<String> {
    let mut layers: Vec<_> = sbom.layers.iter().collect();
    layers.sort_by_key(|l| l.index);
    let mut out: Vec<String> = layers
        .iter()
        .filter_map(|l| l.diff_id.as_ref())
        .map(|d| note(DIFF_ID, d))
        .collect();
    if let Some(config) = &sbom.source.config_digest {
        out.push(note(IMAGE_ID, config));
    }
    out
}

/// A package's notes: the diff_id and blob digest of the layer that introduced it.
pub(crate) fn package_notes(sbom: &Sbom, package: &Package) -> Vec<String> {
    let Some(layer) = package
        .introduced_in
        .and_then(|i| sbom.layers.iter().find(|l| l.index == i))
    else {
        return Vec::new();
    };
    let diff_id = layer.diff_id.as_ref().map(|d| note(LAYER_DIFF_ID, d));
    let digest = layer.digest.as_ref().map(|d| note(LAYER_DIGEST, d));
    diff_id.into_iter().chain(digest).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::digest;
    use sbomgen_model::LayerSummary;

    fn sbom() -> Sbom {
        let mut sbom = Sbom {
            // Listed out of order: Trivy's DiffID list follows the layer index.
            layers: vec![
                LayerSummary {
                    index: 1,
                    diff_id: digest('d'),
                    ..LayerSummary::default()
                },
                LayerSummary {
                    index: 0,
                    digest: digest('b'),
                    diff_id: digest('c'),
                    ..LayerSummary::default()
                },
            ],
            ..Sbom::default()
        };
        sbom.source.config_digest = digest('e');
        sbom
    }

    #[test]
    fn packages_name_the_introducing_layer_as_trivy_does() {
        let sbom = sbom();
        let mut package = Package {
            introduced_in: Some(0),
            ..Package::default()
        };
        assert_eq!(
            package_notes(&sbom, &package),
            [
                format!("LayerDiffID: sha256:{}", "c".repeat(64)),
                format!("LayerDigest: sha256:{}", "b".repeat(64)),
            ]
        );
        package.introduced_in = Some(1);
        assert_eq!(
            package_notes(&sbom, &package),
            [format!("LayerDiffID: sha256:{}", "d".repeat(64))]
        );
        package.introduced_in = None;
        assert!(package_notes(&sbom, &package).is_empty());
    }

    #[test]
    fn the_image_lists_diff_ids_in_layer_order_and_its_config() {
        let notes = image_notes(&sbom());
        assert_eq!(
            notes,
            [
                format!("DiffID: sha256:{}", "c".repeat(64)),
                format!("DiffID: sha256:{}", "d".repeat(64)),
                format!("ImageID: sha256:{}", "e".repeat(64)),
            ]
        );
        let as_str: Vec<&str> = notes.iter().map(String::as_str).collect();
        assert_eq!(
            pairs(&as_str).next(),
            Some(("DiffID", &*format!("sha256:{}", "c".repeat(64))))
        );
    }
}
