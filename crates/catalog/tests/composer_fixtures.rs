//! The composer cataloguer on its fixture tree (`tests/data/composer/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

mod common;

use common::DataTree;
use sbomgen_catalog::composer::ComposerCataloguer;

const TREE: DataTree = DataTree {
    cataloguer: &ComposerCataloguer,
    dir: "composer",
    suffix: "installed.json",
    purl_type: "composer",
};

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    TREE.truncated_and_mutated_never_panic();
}

#[test]
fn both_installed_json_shapes() {
    assert_eq!(
        TREE.purls(),
        [
            "pkg:composer/guzzlehttp/guzzle@6.5.5",
            "pkg:composer/guzzlehttp/promises@1.4.1",
            "pkg:composer/monolog/monolog@3.5.0",
            "pkg:composer/psr/log@3.0.0",
            "pkg:composer/symfony/polyfill-mbstring@v1.28.0",
            "pkg:composer/myclabs/deep-copy@1.11.1",
        ]
    );
}
