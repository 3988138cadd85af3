//! The demo image shipped in `fixtures/`: it is what the README's first command scans, so it must
//! stay what the generator writes, and scan to the story it tells.

use crate::support::{demo_image, hidden_paths, scan_json};

#[test]
fn committed_demo_matches_the_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("demo.tar");
    sbomgen_testkit::write_oci_archive(
        &fresh,
        sbomgen_testkit::DEMO_TAG,
        &[sbomgen_testkit::demo_image()],
    )
    .unwrap();
    assert!(
        std::fs::read(demo_image()).unwrap() == std::fs::read(&fresh).unwrap(),
        "fixtures/{} is stale: run `cargo run -p sbomgen-testkit --bin make-fixtures`",
        sbomgen_testkit::DEMO_FILE
    );
}

#[test]
fn demo_scan_tells_the_hidden_story() {
    let doc = scan_json(&[&demo_image()]);
    assert_eq!(doc["source"]["type"], "oci-archive");
    assert_eq!(doc["source"]["reference"], sbomgen_testkit::DEMO_TAG);
    assert_eq!(
        doc["distro"]["prettyName"],
        "Debian GNU/Linux 12 (bookworm)"
    );
    assert_eq!(
        hidden_paths(&doc),
        [
            ("srv/app/.env".to_string(), 1, 2),
            ("srv/app/deploy_key".to_string(), 1, 2),
            ("var/cache/apt/pkgcache.bin".to_string(), 0, 2),
        ]
    );
    let packages: Vec<(&str, &str, &serde_json::Value, &serde_json::Value)> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap(),
                &p["introducedIn"],
                &p["removedIn"],
            )
        })
        .collect();
    let (zero, two, none) = (0.into(), 2.into(), serde_json::Value::Null);
    assert_eq!(
        packages,
        [
            ("base-files", "12.5", &zero, &none),
            ("curl", "7.88.1-10+deb12u4", &zero, &two),
            ("libssl3", "3.0.11-1~deb12u1", &zero, &two),
            ("libssl3", "3.0.11-1~deb12u2", &two, &none),
        ]
    );
    assert_eq!(doc["packages"][2]["replacedBy"], "3.0.11-1~deb12u2");
}
