//! Every scan the end-to-end tests run also writes every standard document, and each one is
//! checked against the official schemas here: validity is proven on every image the suite
//! scans, not on one sample.
//!
//! With `SBOMGEN_VALIDATION_DIR` set, the documents are also kept there, so that CI can run the
//! independent PyPI validators (`pyspdxtools`, `cyclonedx-python-lib`) over all of them.

use std::path::Path;

use sbomgen_testkit::schema::{self, Schema};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The standard formats with the file each is written to. SPDX 3 is validated in its own
/// tests only: its SHACL validation costs 20–35 s of CPU per document.
pub(crate) const DOCUMENTS: [(&str, &str); 7] = [
    ("spdx-json", "sbom.spdx.json"),
    ("spdx-tag-value", "sbom.spdx"),
    ("cyclonedx-json", "sbom.cdx.json"),
    ("cyclonedx-json@1.5", "sbom.cdx15.json"),
    ("cyclonedx-json@1.7", "sbom.cdx17.json"),
    ("cyclonedx-xml", "sbom.cdx.xml"),
    ("syft-json", "sbom.syft.json"),
];

/// `-o FORMAT=FILE` arguments writing every standard document into `dir`.
pub(crate) fn output_args(dir: &Path) -> Vec<String> {
    DOCUMENTS
        .iter()
        .flat_map(|(format, file)| {
            [
                "-o".to_string(),
                format!("{format}={}", dir.join(file).display()),
            ]
        })
        .collect()
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Validates the documents [`output_args`] wrote into `dir` for a scan of `args`, and checks
/// that each lists as many packages as the native document.
pub(crate) fn check(dir: &Path, args: &[&str], native: &Value) {
    let packages = native["packages"].as_array().map_or(0, Vec::len);
    let spdx = read_json(&dir.join("sbom.spdx.json"));
    if let Err(e) = schema::validate_json(Schema::Spdx23, &spdx) {
        panic!("SPDX JSON for {args:?} is invalid: {e}");
    }
    let cdx = read_json(&dir.join("sbom.cdx.json"));
    if let Err(e) = schema::validate_json(Schema::CycloneDx16, &cdx) {
        panic!("CycloneDX 1.6 JSON for {args:?} is invalid: {e}");
    }
    let cdx15 = read_json(&dir.join("sbom.cdx15.json"));
    if let Err(e) = schema::validate_json(Schema::CycloneDx15, &cdx15) {
        panic!("CycloneDX 1.5 JSON for {args:?} is invalid: {e}");
    }
    let tag_value = std::fs::read_to_string(dir.join("sbom.spdx")).unwrap();
    assert!(
        tag_value.starts_with("SPDXVersion: SPDX-2.3\n"),
        "tag-value for {args:?}"
    );
    let xml = std::fs::read(dir.join("sbom.cdx.xml")).unwrap();
    match schema::validate_cyclonedx_xml(&xml) {
        Ok(true) => {}
        Ok(false) if std::env::var_os("CI").is_some() => {
            panic!("xmllint is missing in CI: scripts/test.sh installs libxml2-utils")
        }
        Ok(false) => eprintln!("skipped XML schema check: xmllint is not installed"),
        Err(e) => panic!("CycloneDX XML for {args:?} is invalid: {e}"),
    }
    // Every native package is in every document: the package list a consumer sees is whole.
    let spdx_packages = spdx["packages"]
        .as_array()
        .map_or(0, |list| list.iter().filter(|p| is_package(p)).count());
    // SPDX: installed packages are package elements, removed ones annotations of the image.
    let spdx_removed = spdx["packages"][0]["annotations"]
        .as_array()
        .map_or(0, |list| {
            list.iter()
                .filter_map(|a| a["comment"].as_str())
                .filter(|c| c.starts_with("sbomgen:removedPackage="))
                .count()
        });
    let installed = native["packages"].as_array().map_or(0, |list| {
        list.iter().filter(|p| p["removedIn"].is_null()).count()
    });
    assert_eq!(
        (spdx_packages, spdx_removed),
        (installed, packages - installed),
        "SPDX installed and removed package counts for {args:?}"
    );
    // CycloneDX: installed packages are components, removed ones are in `formulation`.
    let removed = native["packages"].as_array().map_or(0, |list| {
        list.iter().filter(|p| !p["removedIn"].is_null()).count()
    });
    let cdx_components = cdx["components"].as_array().map_or(0, |list| {
        list.iter()
            .filter(|c| c["type"] != "operating-system")
            .count()
    });
    let cdx_removed = cdx["formulation"][0]["components"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        (cdx_components, cdx_removed),
        (packages - removed, removed),
        "CycloneDX installed and removed component counts for {args:?}"
    );
    // syft-json: installed packages are artifacts; removed ones ride in the descriptor.
    let syft = read_json(&dir.join("sbom.syft.json"));
    let artifacts = syft["artifacts"].as_array().map_or(0, Vec::len);
    let syft_removed = syft["descriptor"]["configuration"]["sbomgen"]["removedPackages"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        (artifacts, syft_removed),
        (packages - removed, removed),
        "syft-json artifacts and removed packages for {args:?}"
    );
    keep(dir, args);
}

/// SPDX packages that stand for software found in the image (not the image or its distro).
fn is_package(package: &Value) -> bool {
    !matches!(
        package["primaryPackagePurpose"].as_str(),
        Some("CONTAINER" | "OPERATING_SYSTEM")
    )
}

/// Copies the documents to `$SBOMGEN_VALIDATION_DIR/<hash of args>/` for CI's validators.
fn keep(dir: &Path, args: &[&str]) {
    let Some(target) = std::env::var_os("SBOMGEN_VALIDATION_DIR") else {
        return;
    };
    let name = short_hash(args.join("\0").as_bytes());
    let target = Path::new(&target).join(name);
    std::fs::create_dir_all(&target).unwrap();
    for (_, file) in DOCUMENTS {
        std::fs::copy(dir.join(file), target.join(file)).unwrap();
    }
    std::fs::write(target.join("args.txt"), args.join(" ")).unwrap();
}

/// The first 8 bytes of the sha256 of `bytes`, as 16 hex digits.
fn short_hash(bytes: &[u8]) -> String {
    let head: [u8; 8] = Sha256::digest(bytes)[..8].try_into().unwrap();
    format!("{:016x}", u64::from_be_bytes(head))
}
