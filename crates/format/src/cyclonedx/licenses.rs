//! A package's licences as a CycloneDX licence choice, and back.
//!
//! The strict schema allows either a list of `license` objects (each an SPDX `id` or a free
//! `name`) or exactly one `expression`. So:
//!
//! - only listed SPDX ids → one `license.id` each (the list round-trips as is);
//! - only valid SPDX expressions → one `expression`, several `AND`-joined with compound ones
//!   parenthesised (as the SPDX encoding does), so that splitting at the top-level `AND`s gives
//!   the original list back;
//! - anything else → one `license` each: `id` where it is a listed id, `name` (the text verbatim)
//!   otherwise, so a non-SPDX text is never lost or mislabelled.
//!
//! "Listed" means listed in the licence enumeration of the CycloneDX schema the document is
//! validated against (`spdx-license-ids.txt`, copied from the vendored `spdx.schema.json`): the
//! `spdx` crate may know newer ids, which the schema would reject as `license.id`.

use std::sync::OnceLock;

use crate::expression::{join_and, split_and};

/// The ids the vendored CycloneDX schemas accept as `license.id`, one per line.
const LISTED_IDS: &str = include_str!("spdx-license-ids.txt");

/// What a component's `licenses` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Licenses {
    #[default]
    None,
    /// One SPDX expression.
    Expression(String),
    /// Several licences, each an id or a name.
    List(Vec<License>),
}

/// One entry of a licence list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum License {
    /// A listed SPDX licence id.
    Id(String),
    /// Free text.
    Name(String),
}

impl Licenses {
    /// The choice for a package's declared `licenses` (SPDX expressions or raw texts).
    pub(super) fn choose(licenses: &[String]) -> Licenses {
        let mut terms: Vec<&str> = Vec::new();
        for licence in licenses.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            if !terms.contains(&licence) {
                terms.push(licence);
            }
        }
        if terms.is_empty() {
            return Licenses::None;
        }
        if terms.iter().all(|t| is_listed_id(t)) {
            return Licenses::List(terms.iter().map(|t| License::Id(t.to_string())).collect());
        }
        if terms.iter().all(|t| is_spdx_expression(t)) {
            return Licenses::Expression(join_and(&terms));
        }
        Licenses::List(
            terms
                .iter()
                .map(|t| {
                    if is_listed_id(t) {
                        License::Id(t.to_string())
                    } else {
                        License::Name(t.to_string())
                    }
                })
                .collect(),
        )
    }
}

/// Splits an `expression` into the licences it joins: the inverse of [`Licenses::choose`] for
/// sbomgen's documents; for other tools' documents, the operands of a top-level `AND`, which
/// mean the same.
pub(crate) fn split_expression(expression: &str) -> Vec<String> {
    split_and(expression)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Whether `text` is one SPDX licence id the schemas list (not an exception, not an operator).
pub(crate) fn is_listed_id(text: &str) -> bool {
    static IDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let mut ids: Vec<&str> = LISTED_IDS.lines().filter(|l| !l.is_empty()).collect();
        ids.sort_unstable();
        ids
    });
    // The list also holds exception ids, which are no licence on their own.
    ids.binary_search(&text).is_ok() && is_spdx_expression(text)
}

/// Whether `text` parses as a strict SPDX expression needing no declarations (a `LicenseRef-`
/// would point at a licence text the document does not carry).
fn is_spdx_expression(text: &str) -> bool {
    !text.contains("LicenseRef-")
        && !text.contains("DocumentRef-")
        && spdx::Expression::parse_mode(text, spdx::ParseMode::STRICT).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    fn round_trip(list: &[&str]) -> Vec<String> {
        match Licenses::choose(&strings(list)) {
            Licenses::None => Vec::new(),
            Licenses::Expression(e) => split_expression(&e),
            Licenses::List(entries) => entries
                .into_iter()
                .map(|l| match l {
                    License::Id(t) | License::Name(t) => t,
                })
                .collect(),
        }
    }

    #[test]
    fn listed_ids_stay_a_list() {
        assert_eq!(
            Licenses::choose(&strings(&["MIT", "GPL-2.0-only", "MIT"])),
            Licenses::List(vec![
                License::Id("MIT".into()),
                License::Id("GPL-2.0-only".into())
            ])
        );
    }

    #[test]
    fn expressions_join_into_one_and_split_back() {
        let list = ["GPL-2.0-or-later OR Artistic-1.0", "MIT"];
        assert_eq!(
            Licenses::choose(&strings(&list)),
            Licenses::Expression("(GPL-2.0-or-later OR Artistic-1.0) AND MIT".into())
        );
        for case in [
            &list[..],
            &["MIT AND BSD-3-Clause"],
            &[
                "(MIT OR 0BSD) AND Zlib",
                "GPL-3.0-only WITH GCC-exception-3.1",
            ],
            &["GPL-2.0+"],
        ] {
            assert_eq!(round_trip(case), strings(case), "{case:?}");
        }
    }

    #[test]
    fn raw_text_becomes_a_name_and_ids_stay_ids() {
        assert_eq!(
            Licenses::choose(&strings(&["GPLv2+ with exceptions", "MIT", "MIT OR 0BSD"])),
            Licenses::List(vec![
                License::Name("GPLv2+ with exceptions".into()),
                License::Id("MIT".into()),
                License::Name("MIT OR 0BSD".into()),
            ])
        );
        assert_eq!(Licenses::choose(&strings(&[" ", ""])), Licenses::None);
    }

    #[test]
    fn unlisted_or_exception_ids_are_not_license_ids() {
        assert!(is_listed_id("Apache-2.0"));
        assert!(!is_listed_id("Classpath-exception-2.0"));
        assert!(
            !is_listed_id("apache-2.0"),
            "the schema enumeration is case-sensitive"
        );
        assert!(!is_listed_id("LicenseRef-foo"));
    }

    #[test]
    fn foreign_expressions_split_at_top_level_and() {
        assert_eq!(
            split_expression("MIT and (Zlib AND 0BSD)"),
            strings(&["MIT", "Zlib AND 0BSD"])
        );
        assert_eq!(
            split_expression("(MIT) OR (Zlib)"),
            strings(&["(MIT) OR (Zlib)"])
        );
    }

    #[test]
    fn the_id_list_is_the_vendored_schemas_enumeration() {
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                sbomgen_testkit::schema::schemas_dir().join("cyclonedx/spdx.schema.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let mut expected: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        expected.sort_unstable();
        let listed: Vec<&str> = LISTED_IDS.lines().collect();
        assert_eq!(
            listed, expected,
            "regenerate spdx-license-ids.txt from schemas/cyclonedx/spdx.schema.json"
        );
    }
}
