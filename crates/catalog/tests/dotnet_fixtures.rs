//! The dotnet cataloguer on its fixture tree (`tests/data/dotnet/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

mod common;

use common::DataTree;
use sbomgen_catalog::dotnet::DotnetCataloguer;

const TREE: DataTree = DataTree {
    cataloguer: &DotnetCataloguer,
    dir: "dotnet",
    suffix: ".deps.json",
    purl_type: "nuget",
};

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    TREE.truncated_and_mutated_never_panic();
}

#[test]
fn packages_that_ship_assets() {
    let purls = TREE.purls();
    assert_eq!(purls.len(), 7, "{purls:?}");
    assert!(purls.contains(&"pkg:nuget/SQLitePCLRaw.lib.e_sqlite3@2.1.6".to_string()));
}
