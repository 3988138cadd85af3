//! Declared licences as one SPDX licence expression, and back.
//!
//! A package's licences are kept as declared: valid SPDX expressions where they are one, raw
//! text otherwise. SPDX accepts only the former, so raw text becomes `LicenseRef-`s declared in
//! `hasExtractedLicensingInfos` with the text verbatim: per unknown licence name when the text
//! is otherwise a well-formed expression (`GPL-2.0-or-later AND SUSE-Public-Domain` keeps its
//! listed part), else for the whole text. The reader maps refs back to their text, so the round
//! trip gives back exactly what the package database said.
//!
//! Several licences are `AND`-joined; compound ones are parenthesised so that splitting the
//! expression at its top-level `AND`s gives the original list back.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest as _, Sha256};

use crate::expression::{join_and, split_and};

/// Written where nothing is known.
pub(crate) const NOASSERTION: &str = "NOASSERTION";
/// The prefix of document-local licence ids.
const LICENSE_REF: &str = "LicenseRef-";

/// A licence outside the SPDX list, as `hasExtractedLicensingInfos` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtractedLicense {
    pub license_id: String,
    pub extracted_text: String,
    pub name: String,
}

/// Collects the `LicenseRef-`s a document needs while its packages' licences are converted.
#[derive(Debug, Default)]
pub(crate) struct Licenses {
    /// Raw text → its ref.
    by_text: HashMap<String, String>,
    /// Lower-cased ref → text: licence ids compare case-insensitively, so two texts must not
    /// get refs differing only in case.
    taken: HashMap<String, String>,
    extracted: BTreeMap<String, ExtractedLicense>,
}

impl Licenses {
    /// The `licenseDeclared` value for `licenses`: one expression, or `NOASSERTION`.
    pub(crate) fn declared(&mut self, licenses: &[String]) -> String {
        let terms: Vec<String> = licenses
            .iter()
            .map(|l| l.trim())
            // "Nothing known" is what an absent licence already says.
            .filter(|l| !l.is_empty() && *l != NOASSERTION && *l != "NONE")
            .map(|l| {
                if is_spdx_expression(l) {
                    l.to_string()
                } else {
                    self.with_refs_for_unknown_names(l)
                        .unwrap_or_else(|| self.reference(l))
                }
            })
            .collect();
        if terms.is_empty() {
            NOASSERTION.to_string()
        } else {
            join_and(&terms)
        }
    }

    /// The extracted licences referenced so far, sorted by id.
    pub(crate) fn into_extracted(self) -> Vec<ExtractedLicense> {
        self.extracted.into_values().collect()
    }

    /// `text` with each licence name outside the SPDX list replaced by a ref, when `text` is
    /// otherwise an expression (upper-case operators, balanced parentheses) and replacing
    /// nothing else keeps it reversible; `None` when the whole text needs one ref.
    fn with_refs_for_unknown_names(&mut self, text: &str) -> Option<String> {
        let runs = name_runs(text)?;
        let unknown: Vec<(usize, usize)> = runs
            .into_iter()
            .filter(|&(start, end)| !is_listed_id(&text[start..end]))
            .collect();
        let rebuild = |ids: &[String]| {
            let mut out = String::with_capacity(text.len());
            let mut at = 0;
            for ((start, end), id) in unknown.iter().zip(ids) {
                out.push_str(&text[at..*start]);
                out.push_str(id);
                at = *end;
            }
            out.push_str(&text[at..]);
            out
        };
        // Any ref is as good as another for the syntax check; real ids are taken only once the
        // expression is known to be valid, so a failed attempt declares nothing.
        let placeholders = vec![format!("{LICENSE_REF}x"); unknown.len()];
        spdx::Expression::parse_mode(&rebuild(&placeholders), spdx::ParseMode::STRICT).ok()?;
        let ids: Vec<String> = unknown
            .iter()
            .map(|&(start, end)| self.reference(&text[start..end]))
            .collect();
        Some(rebuild(&ids))
    }

    /// The ref standing for raw licence `text`, declared on first use.
    fn reference(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let readable = readable_id(text);
        let mut id = format!("{LICENSE_REF}{readable}");
        // The readable form is the text itself only when the text is already a valid id; any
        // change (or a case-insensitive clash) could merge two texts, which the hash prevents.
        let clashes = |id: &str| {
            self.taken
                .get(&id.to_ascii_lowercase())
                .is_some_and(|other| other != text)
        };
        if readable != text || clashes(&id) {
            id = format!("{id}-{}", short_hash(text));
        }
        self.taken.insert(id.to_ascii_lowercase(), text.to_string());
        self.by_text.insert(text.to_string(), id.clone());
        self.extracted.insert(
            id.clone(),
            ExtractedLicense {
                license_id: id.clone(),
                extracted_text: text.to_string(),
                name: text.split_whitespace().collect::<Vec<_>>().join(" "),
            },
        );
        id
    }
}

/// Whether `text` is an SPDX expression a strict validator accepts without declarations:
/// listed ids and operators only (a `LicenseRef-` would need an extracted-licence entry whose
/// text we do not have).
pub(crate) fn is_spdx_expression(text: &str) -> bool {
    // The `spdx` crate lists `NOASSERTION` as a licence id; inside an expression it is not one.
    let special = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .any(|word| word == NOASSERTION || word == "NONE");
    !special
        && !text.contains(LICENSE_REF)
        && !text.contains("DocumentRef-")
        && spdx::Expression::parse_mode(text, spdx::ParseMode::STRICT).is_ok()
}

/// A single id on the SPDX list (not an expression, not deprecated).
fn is_listed_id(name: &str) -> bool {
    !name.contains(char::is_whitespace) && is_spdx_expression(name)
}

/// The byte ranges of the licence names in `text`: maximal runs of words between operators and
/// parentheses (`ASL 2.0` is one name). `None` when an operator is not upper-case (rewriting it
/// would change the text) or a word mixes parentheses into a name.
fn name_runs(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'(' || c == b')' {
            runs.extend(run.take());
            i += 1;
            continue;
        }
        let end = text[i..]
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .map_or(text.len(), |n| i + n);
        let word = &text[i..end];
        if ["AND", "OR", "WITH"].contains(&word) {
            runs.extend(run.take());
        } else if ["and", "or", "with"].contains(&word.to_ascii_lowercase().as_str()) {
            return None;
        } else {
            run = Some((run.map_or(i, |(start, _)| start), end));
        }
        i = end;
    }
    runs.extend(run);
    Some(runs)
}

/// `[A-Za-z0-9.-]` only, runs of anything else folded to one `-`, bounded length.
fn readable_id(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(64).collect();
    if trimmed.is_empty() {
        "unknown".to_string()
    } else {
        trimmed
    }
}

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..4])
}

/// The SPDX list version the expressions were checked against, as `M.N`.
pub(crate) fn list_version() -> String {
    spdx::identifiers::VERSION
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

/// Splits a `licenseDeclared` value back into the licences it joins; refs found in `extracted`
/// (id → text) become their text. `NOASSERTION`, `NONE` and empty give nothing.
pub(crate) fn split_declared(declared: &str, extracted: &HashMap<String, String>) -> Vec<String> {
    let declared = declared.trim();
    if declared.is_empty() || declared == NOASSERTION || declared == "NONE" {
        return Vec::new();
    }
    split_and(declared)
        .into_iter()
        .map(|term| restore_refs(term, extracted))
        .collect()
}

/// `term` with every ref found in `extracted` replaced by its text; other refs stay.
fn restore_refs(term: &str, extracted: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(term.len());
    let mut rest = term;
    while let Some(at) = rest.find(LICENSE_REF) {
        let end = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .map_or(rest.len(), |n| at + n);
        out.push_str(&rest[..at]);
        let id = &rest[at..end];
        out.push_str(extracted.get(id).map_or(id, String::as_str));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(licenses: &[&str]) -> (String, Vec<String>) {
        let licenses: Vec<String> = licenses.iter().map(ToString::to_string).collect();
        let mut refs = Licenses::default();
        let declared = refs.declared(&licenses);
        let extracted: HashMap<String, String> = refs
            .into_extracted()
            .into_iter()
            .map(|e| (e.license_id, e.extracted_text))
            .collect();
        (declared.clone(), split_declared(&declared, &extracted))
    }

    #[test]
    fn valid_expressions_pass_through_and_split_back() {
        for case in [
            &["MIT"][..],
            &["MIT", "GPL-2.0-only OR BSD-3-Clause"],
            &["MIT AND BSD-3-Clause"],
            &["(MIT OR Apache-2.0)"],
            &["GPL-2.0-or-later WITH Classpath-exception-2.0", "Zlib"],
        ] {
            let (declared, back) = round_trip(case);
            assert!(
                spdx::Expression::parse(&declared).is_ok(),
                "{declared} must parse"
            );
            assert_eq!(back, case, "via {declared}");
        }
        assert_eq!(round_trip(&["MIT", "Zlib"]).0, "MIT AND Zlib");
        assert_eq!(round_trip(&[]).0, NOASSERTION);
    }

    #[test]
    fn raw_text_becomes_a_declared_ref_with_a_stable_collision_free_id() {
        let mut refs = Licenses::default();
        let declared = refs.declared(&[
            "GPLv2+".into(),
            "public-domain".into(),
            "GPL v2+".into(),
            "GPLv2+".into(),
            "MIT".into(),
        ]);
        let extracted = refs.into_extracted();
        let ids: Vec<&str> = extracted.iter().map(|e| e.license_id.as_str()).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert!(ids.contains(&"LicenseRef-public-domain"), "{ids:?}");
        let gpl: Vec<&&str> = ids
            .iter()
            .filter(|i| i.starts_with("LicenseRef-GPL"))
            .collect();
        assert_eq!(gpl.len(), 2, "the hash tells `GPLv2+` and `GPL v2+` apart");
        assert!(declared.ends_with(" AND MIT"), "{declared}");
        assert!(extracted.iter().all(|e| e.license_id[LICENSE_REF.len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')));
        let mut again = Licenses::default();
        again.declared(&["GPLv2+".into()]);
        assert!(ids.contains(&again.into_extracted()[0].license_id.as_str()));
    }

    #[test]
    fn only_unknown_names_become_refs_when_the_rest_is_an_expression() {
        let (declared, back) = round_trip(&[
            "LGPL-2.1-or-later AND BSD-3-Clause AND SUSE-Public-Domain",
            "BSD AND Public Domain AND (ASL 2.0 OR CC0 1.0 OR OpenSSL)",
        ]);
        assert_eq!(
            declared,
            "(LGPL-2.1-or-later AND BSD-3-Clause AND LicenseRef-SUSE-Public-Domain) AND \
             (LicenseRef-BSD AND LicenseRef-Public-Domain-f6960be1 AND \
             (LicenseRef-ASL-2.0-dceddda2 OR LicenseRef-CC0-1.0-5ff11ab0 OR OpenSSL))"
        );
        assert_eq!(
            back,
            [
                "LGPL-2.1-or-later AND BSD-3-Clause AND SUSE-Public-Domain",
                "BSD AND Public Domain AND (ASL 2.0 OR CC0 1.0 OR OpenSSL)"
            ]
        );
        // Lower-case operators or a dangling WITH: the whole text is one ref.
        for raw in ["BSD and GPLv2+", "MIT WITH Foo-exception", "(MIT"] {
            let (declared, back) = round_trip(&[raw]);
            assert!(declared.starts_with("LicenseRef-"), "{raw}: {declared}");
            assert!(!declared.contains(' '), "{raw}: {declared}");
            assert_eq!(back, [raw]);
        }
    }

    #[test]
    fn refs_in_foreign_expressions_are_kept_and_lowercase_and_splits() {
        let extracted = HashMap::from([("LicenseRef-x".to_string(), "X licence".to_string())]);
        assert_eq!(
            split_declared("LicenseRef-x and (MIT OR LicenseRef-y)", &extracted),
            ["X licence", "MIT OR LicenseRef-y"]
        );
        assert_eq!(
            split_declared("(MIT OR LicenseRef-x) AND Zlib", &extracted),
            ["MIT OR X licence", "Zlib"]
        );
        assert_eq!(
            split_declared("(A) OR (B)", &extracted),
            ["(A) OR (B)"],
            "not one enclosing pair"
        );
        assert!(split_declared("NONE", &extracted).is_empty());
        assert!(!is_spdx_expression("LicenseRef-foo"));
        assert!(!is_spdx_expression("GPLv2+"));
        assert!(!is_spdx_expression("MIT AND NOASSERTION"));
        assert_eq!(round_trip(&["NOASSERTION"]).0, NOASSERTION);
        assert_eq!(list_version().split('.').count(), 2);
    }
}
