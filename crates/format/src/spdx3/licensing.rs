//! Declared licences as SPDX 3 simple-licensing elements.
//!
//! Each distinct expression is one `simplelicensing_LicenseExpression`, shared by every package
//! declaring it. The expression is the one SPDX 2.3's `licenseDeclared` gets ([`license`]):
//! text outside the SPDX licence list becomes `LicenseRef-`s, which SPDX 3 resolves through
//! the expression's `customIdToUri` to a `SimpleLicensingText` element holding the text
//! verbatim; reading maps them back, so a round trip gives the package database's words.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest as _, Sha256};

use super::license::{self, Licenses, NOASSERTION};
use super::model::{DictionaryEntry, Element, LicenseExpression, LicensingText, Node};

const LICENSE_REF: &str = "LicenseRef-";

/// Collects the licence elements a document needs while its packages are built.
#[derive(Debug)]
pub(crate) struct Licensing {
    /// Prefix of every spdxId (`<namespace>#`).
    base: String,
    licenses: Licenses,
    /// Expression → its element.
    expressions: BTreeMap<String, LicenseExpression>,
}

impl Licensing {
    pub(super) fn new(base: &str) -> Licensing {
        Licensing {
            base: base.to_string(),
            licenses: Licenses::default(),
            expressions: BTreeMap::new(),
        }
    }

    /// The spdxId of the expression declaring `licenses`, or `None` when nothing is declared
    /// (no relationship is SPDX 3's NOASSERTION).
    pub(super) fn declared(&mut self, licenses: &[String]) -> Option<String> {
        let expression = self.licenses.declared(licenses);
        (expression != NOASSERTION).then(|| self.expression(&expression))
    }

    /// The spdxId of the element for `expression`, created on first use.
    pub(super) fn expression(&mut self, expression: &str) -> String {
        if let Some(existing) = self.expressions.get(expression) {
            return existing.element.spdx_id.clone();
        }
        let hash = hex::encode(&Sha256::digest(expression.as_bytes())[..4]);
        let spdx_id = format!("{}license-{hash}", self.base);
        let custom_ids = license_refs(expression)
            .into_iter()
            .map(|id| DictionaryEntry {
                value: format!("{}{id}", self.base),
                key: id.to_string(),
            })
            .collect();
        self.expressions.insert(
            expression.to_string(),
            LicenseExpression {
                element: Element::new(spdx_id.clone()),
                expression: expression.to_string(),
                // SPDX 3 wants the full `M.N.P` (2.3's `licenseListVersion` was `M.N`).
                list_version: spdx::identifiers::VERSION.to_string(),
                custom_ids,
            },
        );
        spdx_id
    }

    /// The expression elements (by expression) and then the texts of the refs (by id).
    pub(super) fn into_nodes(self) -> Vec<Node> {
        let base = self.base;
        let mut nodes: Vec<Node> = self
            .expressions
            .into_values()
            .map(Node::LicenseExpression)
            .collect();
        nodes.extend(self.licenses.into_extracted().into_iter().map(|extracted| {
            Node::LicensingText(LicensingText {
                element: Element::new(format!("{base}{}", extracted.license_id)),
                name: extracted.name,
                text: extracted.extracted_text,
            })
        }));
        nodes
    }
}

/// The distinct `LicenseRef-…` ids in `expression`, in order of appearance.
fn license_refs(expression: &str) -> Vec<&str> {
    let mut refs = Vec::new();
    let mut rest = expression;
    while let Some(at) = rest.find(LICENSE_REF) {
        let end = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .map_or(rest.len(), |n| at + n);
        if !refs.contains(&&rest[at..end]) {
            refs.push(&rest[at..end]);
        }
        rest = &rest[end..];
    }
    refs
}

/// The licences an expression declares, its refs replaced by the texts `texts` (ref → text)
/// holds: the inverse of [`Licensing::declared`].
pub(crate) fn split(expression: &str, texts: &HashMap<String, String>) -> Vec<String> {
    license::split_declared(expression, texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_gets_a_text_element_and_comes_back() {
        let mut licensing = Licensing::new("urn:x#");
        let licenses = vec!["GPLv2+".to_string(), "MIT".to_string()];
        let id = licensing.declared(&licenses).unwrap();
        assert_eq!(
            licensing.declared(&licenses).unwrap(),
            id,
            "one element per expression"
        );
        assert_eq!(licensing.declared(&[]), None);
        let nodes = licensing.into_nodes();
        let (expression, entries) = match &nodes[0] {
            Node::LicenseExpression(e) => (e.expression.clone(), &e.custom_ids),
            other => panic!("{other:?}"),
        };
        assert_eq!(entries.len(), 1);
        assert!(expression.starts_with("LicenseRef-GPLv2-"), "{expression}");
        let Node::LicensingText(text) = &nodes[1] else {
            panic!("{:?}", nodes[1]);
        };
        assert_eq!(entries[0].value, text.element.spdx_id);
        assert_eq!(text.text, "GPLv2+");
        let texts = HashMap::from([(entries[0].key.clone(), text.text.clone())]);
        assert_eq!(split(&expression, &texts), licenses);
    }

    #[test]
    fn refs_are_found_once_each() {
        assert_eq!(
            license_refs("(LicenseRef-a OR MIT) AND LicenseRef-b.1 AND LicenseRef-a"),
            ["LicenseRef-a", "LicenseRef-b.1"]
        );
        assert!(license_refs("MIT").is_empty());
    }
}
