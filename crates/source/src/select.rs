//! Choosing one image among several: by platform, when they are variants of one image.

use sbomgen_model::Platform;

use crate::error::SourceError;

/// An image the source holds, before one is chosen.
#[derive(Debug)]
pub(crate) struct Candidate<T> {
    /// From the index entry (OCI) or the config (docker archive); `None` when unknown.
    pub(crate) platform: Option<Platform>,
    /// How a user can tell it apart in a message: tags, digest, platform.
    pub(crate) label: String,
    pub(crate) item: T,
}

/// The platform a scan assumes when the user asks for none and there is a choice, as `docker
/// pull` on most machines would.
fn default_platform() -> Platform {
    Platform::new("linux", "amd64", None)
}

/// Picks the image to scan.
///
/// Several candidates are acceptable only as platform variants: each with a known platform, no two
/// alike. Then `wanted` chooses (the first that satisfies it, preferring an exact match), or without
/// a request: the only candidate, else linux/amd64. A lone candidate with an unknown platform is
/// returned as is; the caller checks its config.
pub(crate) fn choose<T>(
    mut candidates: Vec<Candidate<T>>,
    wanted: Option<&Platform>,
    origin: &str,
) -> Result<Candidate<T>, SourceError> {
    if candidates.is_empty() {
        return Err(SourceError::NoImages {
            origin: origin.to_string(),
        });
    }
    if candidates.len() > 1 && !are_platform_variants(&candidates) {
        return Err(SourceError::AmbiguousImage {
            origin: origin.to_string(),
            images: candidates.into_iter().map(|c| c.label).collect(),
        });
    }
    let available = || {
        candidates
            .iter()
            .filter_map(|c| c.platform.as_ref().map(Platform::to_string))
            .collect::<Vec<_>>()
    };
    let position = match wanted {
        Some(wanted) => {
            let exact = candidates
                .iter()
                .position(|c| c.platform.as_ref() == Some(wanted));
            let satisfying = || {
                candidates.iter().position(|c| match &c.platform {
                    Some(p) => p.satisfies(wanted),
                    None => true,
                })
            };
            exact
                .or_else(satisfying)
                .ok_or_else(|| SourceError::PlatformNotFound {
                    wanted: wanted.clone(),
                    origin: origin.to_string(),
                    available: available(),
                })?
        }
        None if candidates.len() == 1 => 0,
        None => {
            let amd64 = default_platform();
            candidates
                .iter()
                .position(|c| c.platform.as_ref().is_some_and(|p| p.satisfies(&amd64)))
                .ok_or_else(|| SourceError::NoDefaultPlatform {
                    origin: origin.to_string(),
                    available: available(),
                })?
        }
    };
    Ok(candidates.swap_remove(position))
}

fn are_platform_variants<T>(candidates: &[Candidate<T>]) -> bool {
    let mut seen = Vec::with_capacity(candidates.len());
    for c in candidates {
        match &c.platform {
            Some(p) if !seen.contains(&p) => seen.push(p),
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands(platforms: &[Option<&str>]) -> Vec<Candidate<usize>> {
        platforms
            .iter()
            .enumerate()
            .map(|(i, p)| Candidate {
                platform: p.map(|p| p.parse().unwrap()),
                label: format!("image{i}"),
                item: i,
            })
            .collect()
    }

    fn pick(platforms: &[Option<&str>], wanted: Option<&str>) -> Result<usize, String> {
        let wanted: Option<Platform> = wanted.map(|w| w.parse().unwrap());
        choose(cands(platforms), wanted.as_ref(), "oci-dir x")
            .map(|c| c.item)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn platform_table() {
        let multi = [
            Some("linux/arm64"),
            Some("linux/amd64"),
            Some("linux/arm/v7"),
        ];
        assert_eq!(pick(&multi, None), Ok(1));
        assert_eq!(pick(&multi, Some("linux/arm64/v8")), Ok(0));
        assert_eq!(pick(&multi, Some("linux/arm")), Ok(2));
        assert_eq!(pick(&[Some("linux/arm64")], None), Ok(0));
        assert_eq!(pick(&[None], Some("linux/s390x")), Ok(0));
        let both = [Some("linux/arm/v6"), Some("linux/arm/v7")];
        assert_eq!(pick(&both, Some("linux/arm/v7")), Ok(1));
    }

    #[test]
    fn absent_platform_lists_present_ones() {
        let err = pick(
            &[Some("linux/arm64"), Some("linux/amd64")],
            Some("linux/s390x"),
        );
        assert_eq!(
            err,
            Err("platform linux/s390x not found in oci-dir x \
                 (platforms present: linux/arm64, linux/amd64)"
                .to_string())
        );
        let err = pick(&[Some("linux/arm64")], Some("linux/amd64")).unwrap_err();
        assert!(err.contains("(platforms present: linux/arm64)"), "{err}");
    }

    #[test]
    fn no_default_without_amd64() {
        let err = pick(&[Some("linux/arm64"), Some("linux/ppc64le")], None).unwrap_err();
        assert!(err.contains("none is linux/amd64"), "{err}");
        assert!(err.contains("linux/arm64, linux/ppc64le"), "{err}");
    }

    #[test]
    fn same_platform_twice_is_ambiguous() {
        let err = pick(&[Some("linux/amd64"), Some("linux/amd64")], None).unwrap_err();
        assert!(err.contains("several images"), "{err}");
        assert!(err.contains("image0, image1"), "{err}");
        let err = pick(&[None, Some("linux/amd64")], None).unwrap_err();
        assert!(err.contains("several images"), "{err}");
        assert!(pick(&[], None).unwrap_err().contains("holds no image"));
    }
}
