//! The gem cataloguer on its fixture tree (`tests/data/gem/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

mod common;

use common::DataTree;
use sbomgen_catalog::gem::GemCataloguer;

const TREE: DataTree = DataTree {
    cataloguer: &GemCataloguer,
    dir: "gem",
    suffix: ".gemspec",
    purl_type: "gem",
};

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    TREE.truncated_and_mutated_never_panic();
}

#[test]
fn every_specification_is_a_gem() {
    assert_eq!(
        TREE.purls(),
        [
            "pkg:gem/json@2.6.1",
            "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux",
            "pkg:gem/rack@2.2.6.4",
        ]
    );
}
