//! The npm cataloguer on its fixture tree (`tests/data/npm/`): what the whole tree yields,
//! and that truncated or corrupted copies of every fixture never panic.

mod common;

use common::DataTree;
use sbomgen_catalog::npm::NpmCataloguer;

const TREE: DataTree = DataTree {
    cataloguer: &NpmCataloguer,
    dir: "npm",
    suffix: "package.json",
    purl_type: "npm",
};

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    TREE.truncated_and_mutated_never_panic();
}

/// `name@version path` of every record the tree yields, and no warnings.
fn catalogue() -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in TREE.files() {
        let found = TREE.check(&path, &bytes);
        assert_eq!(found.warnings, Vec::<String>::new());
        out.extend(
            found
                .packages
                .iter()
                .map(|r| format!("{}@{} {path}", r.name, r.version)),
        );
    }
    out
}

#[test]
fn only_package_roots_are_packages() {
    // Not the application's manifest, the firestore export-map stub, or the VS Code
    // extension; both copies of debug (npm's and Debian's) and the nested ms.
    assert_eq!(
        catalogue(),
        [
            "@babel/code-frame@7.29.17 srv/app/node_modules/@babel/code-frame/package.json",
            "debug@2.6.9 srv/app/node_modules/debug/package.json",
            "firebase@10.7.1 srv/app/node_modules/firebase/package.json",
            "ms@2.0.0 srv/app/node_modules/send/node_modules/ms/package.json",
            "utils-merge@1.0.1 srv/app/node_modules/utils-merge/package.json",
            "debug@4.3.4 usr/share/nodejs/debug/package.json",
        ]
    );
}
