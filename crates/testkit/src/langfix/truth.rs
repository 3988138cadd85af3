//! Expected provenance, from what the tools listed after each step.

use std::collections::BTreeMap;

use super::{ExpectedPackage, NpmNode, PyDist};

/// What the tools listed as installed after one step (the state the layer leaves).
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    pub python: Vec<PyDist>,
    pub npm: Vec<NpmNode>,
}

/// PEP 503 normalised name: runs of `-`, `_` and `.` become one `-`, lower case
/// (`charset_normalizer` and `Charset-Normalizer` are both `charset-normalizer`).
pub fn pep503_normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            pending = true;
            continue;
        }
        if pending && !out.is_empty() {
            out.push('-');
        }
        pending = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Identity of "the same place" across layers: a Python distribution is its site-packages
/// directory and normalised name (an upgrade renames its dist-info), an npm package its directory.
pub(crate) type Place = (&'static str, String);

/// (name, version, metadata path) at each place.
fn places(listing: &Listing) -> BTreeMap<Place, Shown> {
    let python = listing.python.iter().map(|d| {
        (
            (
                "pypi",
                format!("{}\n{}", d.site_packages, pep503_normalize(&d.name)),
            ),
            (d.name.clone(), d.version.clone(), d.metadata.clone()),
        )
    });
    let npm = listing.npm.iter().map(|n| {
        (
            ("npm", n.path.clone()),
            (n.name.clone(), n.version.clone(), n.path.clone()),
        )
    });
    python.chain(npm).collect()
}

/// Every package's life: introduced when a listing first shows it at its place, removed when a
/// later one no longer does, replaced when that place then holds another version.
pub(crate) fn provenance(listings: &[Listing]) -> Vec<ExpectedPackage> {
    lives(listings.iter().map(places), |a, b| {
        pep503_normalize(a) == pep503_normalize(b)
    })
}

/// What a listing shows at a place: name, version, and the path the package is located at.
pub(crate) type Shown = (String, String, String);

/// Every package's life across per-layer listings, each of the places (kind first) it shows:
/// introduced when a listing first shows it at its place, removed when a later one shows the
/// place empty or holding another version or (by `same_name`) another package, replaced by that
/// version when it is the same package.
pub(crate) fn lives(
    listings: impl IntoIterator<Item = BTreeMap<Place, Shown>>,
    same_name: impl Fn(&str, &str) -> bool,
) -> Vec<ExpectedPackage> {
    let mut live: BTreeMap<Place, ExpectedPackage> = BTreeMap::new();
    let mut out = Vec::new();
    for (layer, now) in listings.into_iter().enumerate() {
        let ended: Vec<Place> = live
            .iter()
            .filter(|(place, p)| {
                now.get(*place)
                    .is_none_or(|(name, v, _)| *v != p.version || !same_name(name, &p.name))
            })
            .map(|(place, _)| place.clone())
            .collect();
        for place in ended {
            let mut package = live.remove(&place).expect("listed above");
            package.removed_in = Some(layer);
            package.replaced_by = now
                .get(&place)
                .filter(|(name, _, _)| same_name(name, &package.name))
                .map(|(_, version, _)| version.clone());
            out.push(package);
        }
        for (place, (name, version, path)) in now {
            live.entry(place.clone()).or_insert(ExpectedPackage {
                kind: place.0.to_string(),
                name,
                version,
                path,
                introduced_in: layer,
                removed_in: None,
                replaced_by: None,
            });
        }
    }
    out.extend(live.into_values());
    out.sort_by(|a, b| {
        (&a.kind, &a.name, &a.version, a.introduced_in, &a.path).cmp(&(
            &b.kind,
            &b.name,
            &b.version,
            b.introduced_in,
            &b.path,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(name: &str, version: &str) -> PyDist {
        PyDist {
            site_packages: "site".into(),
            name: name.into(),
            version: version.into(),
            metadata: format!("site/{name}-{version}.dist-info"),
        }
    }

    #[test]
    fn normalises_names() {
        assert_eq!(pep503_normalize("Charset_Normalizer"), "charset-normalizer");
        assert_eq!(pep503_normalize("zope..interface"), "zope-interface");
        assert_eq!(pep503_normalize("PyYAML"), "pyyaml");
    }

    #[test]
    fn install_upgrade_uninstall() {
        let listings = [
            Listing::default(),
            Listing {
                python: vec![py("requests", "2.31.0"), py("six", "1.16.0")],
                npm: vec![],
            },
            Listing {
                python: vec![py("requests", "2.32.3"), py("six", "1.16.0")],
                npm: vec![],
            },
            Listing {
                python: vec![py("requests", "2.32.3")],
                npm: vec![],
            },
        ];
        let got: Vec<(String, usize, Option<usize>, Option<String>)> = provenance(&listings)
            .into_iter()
            .map(|p| (p.version, p.introduced_in, p.removed_in, p.replaced_by))
            .collect();
        assert_eq!(
            got,
            [
                ("2.31.0".into(), 1, Some(2), Some("2.32.3".into())),
                ("2.32.3".into(), 2, None, None),
                ("1.16.0".into(), 1, Some(3), None),
            ]
        );
    }
}
