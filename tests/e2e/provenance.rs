//! Helpers the language-package and binaries end-to-end tests share: scanning a `langfix`
//! fixture once, reading packages and their locations from the native JSON, and comparing a
//! package's life with the fixture's expected provenance.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use sbomgen_testkit::langfix::{ExpectedPackage, LangFixture};
use serde_json::Value;

use crate::support::scan_json;

/// A fixture and its all-layers scan.
pub(crate) type Scanned = Option<(LangFixture, Value)>;

/// The fixture `make` builds and its all-layers scan, made once in `cell` for every test that
/// shares it.
pub(crate) fn scanned_once(
    cell: &'static OnceLock<Scanned>,
    make: fn() -> Option<LangFixture>,
) -> Option<&'static (LangFixture, Value)> {
    cell.get_or_init(|| {
        let fixture = make()?;
        let doc = scan_json(&[fixture.oci_path()]);
        Some((fixture, doc))
    })
    .as_ref()
}

pub(crate) fn packages<'a>(doc: &'a Value, kind: &str) -> impl Iterator<Item = &'a Value> + 'a {
    let kind = kind.to_string();
    doc["packages"]
        .as_array()
        .expect("packages is an array")
        .iter()
        .filter(move |p| p["type"] == kind.as_str())
}

pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub(crate) fn location_paths(package: &Value) -> BTreeSet<&str> {
    package["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["path"].as_str())
        .collect()
}

/// Finds every package `expected` lists with `find` and checks its life (introducedIn,
/// removedIn, replacedBy), then whatever else `check` pushes; returns the problems and the
/// scanned packages found.
pub(crate) fn check_expected<'a>(
    expected: &[ExpectedPackage],
    find: impl Fn(&ExpectedPackage) -> Result<&'a Value, String>,
    mut check: impl FnMut(&Value, &ExpectedPackage, &mut Vec<String>),
) -> (Vec<String>, BTreeSet<*const Value>) {
    let mut problems = Vec::new();
    let mut matched = BTreeSet::new();
    for want in expected {
        match find(want) {
            Ok(p) => {
                matched.insert(std::ptr::from_ref(p));
                problems.extend(life_problem(p, want));
                check(p, want, &mut problems);
            }
            Err(e) => problems.push(e),
        }
    }
    (problems, matched)
}

/// What is wrong with the life (introducedIn, removedIn, replacedBy) of the scanned package `p`
/// found for `want`, if anything.
fn life_problem(p: &Value, want: &ExpectedPackage) -> Option<String> {
    let got = (&p["introducedIn"], &p["removedIn"], &p["replacedBy"]);
    let expected = (
        Value::from(want.introduced_in),
        want.removed_in.map_or(Value::Null, Value::from),
        want.replaced_by.as_deref().map_or(Value::Null, Value::from),
    );
    (got != (&expected.0, &expected.1, &expected.2)).then(|| {
        format!(
            "{} {} {} at {}: introducedIn/removedIn/replacedBy {got:?}, want {expected:?}",
            want.kind, want.name, want.version, want.path
        )
    })
}
