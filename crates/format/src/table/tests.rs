use super::*;
use sbomgen_model::{HiddenFile, LayerSummary, Package};

#[test]
fn sizes_and_shortening() {
    assert_eq!(human_size(999), "999 B");
    assert_eq!(human_size(61_000_000), "61.0 MB");
    assert_eq!(shorten("RUN  apt-get\n install", 60), "RUN apt-get install");
    assert_eq!(shorten("abcdef", 4), "abc…");
}

fn package(name: &str, kind: &str, removed_in: Option<usize>) -> Package {
    Package {
        name: name.into(),
        version: "1".into(),
        kind: kind.into(),
        introduced_in: Some(0),
        removed_in,
        ..Default::default()
    }
}

fn rendered(sbom: &Sbom, width: Option<usize>) -> String {
    let mut out = Vec::new();
    let options = TableOptions {
        width,
        ..TableOptions::default()
    };
    write_with(sbom, &options, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn with_packages(packages: Vec<Package>) -> Sbom {
    Sbom {
        packages,
        ..Sbom::default()
    }
}

#[test]
fn removed_packages_come_with_where_they_went() {
    let sbom = with_packages(vec![
        package("kept", "deb", None),
        package("gone", "deb", Some(1)),
    ]);
    let table = rendered(&sbom, None);
    assert!(
        table.contains("1 package installed by a layer and removed"),
        "{table}"
    );
    assert!(table.contains("CycloneDX formulation"), "{table}");
    let table = rendered(&with_packages(vec![package("kept", "deb", None)]), None);
    assert!(!table.contains("removed by a later one"), "{table}");
}

#[test]
fn summary_counts_packages_by_type_removed_and_hidden() {
    let mut sbom = with_packages(vec![
        package("bash", "deb", None),
        package("nano", "deb", Some(2)),
        package("requests", "pypi", None),
    ]);
    sbom.hidden_files = ["app/.env", "var/cache/x"]
        .iter()
        .map(|p| HiddenFile {
            path: p.to_string(),
            size: 1,
            added_in: 1,
            removed_in: 2,
        })
        .collect();
    let table = rendered(&sbom, None);
    let summary = table.lines().find(|l| l.starts_with("Summary:")).unwrap();
    assert_eq!(
        summary,
        "Summary:  3 packages (2 deb, 1 pypi), 1 removed by a later layer; \
         2 hidden files (1 secret-looking)"
    );
    let empty = rendered(&Sbom::default(), None);
    assert!(
        empty.contains("Summary:  no packages; 0 hidden files\n"),
        "{empty}"
    );
}

/// A layer with a long history command and a long package name: at 60 columns every line
/// fits and cells end in `…`; at 200 nothing is cut; without a width nothing but the history
/// command is.
#[test]
fn fitted_to_the_width() {
    let mut sbom = with_packages(vec![Package {
        version: "1.2.3-1+deb12u1".into(),
        ..package(&"libreally-long-package-name".repeat(2), "deb", None)
    }]);
    let command = format!("RUN {}", "apt-get install -y something && ".repeat(4));
    sbom.layers = vec![LayerSummary {
        created_by: Some(command.clone()),
        size: Some(12_345),
        ..LayerSummary::default()
    }];
    sbom.source.kind = "oci-archive".into();
    sbom.source.path = Some(format!("/tmp/{}/image.tar", "deep/".repeat(20)));

    let narrow = rendered(&sbom, Some(60));
    assert!(narrow.lines().all(|l| l.chars().count() <= 60), "{narrow}");
    assert!(
        narrow.contains("\nlibreally-long-…  1.2.3-1+deb12u1  deb"),
        "{narrow}"
    );
    assert!(narrow
        .lines()
        .any(|l| l.starts_with("Source:") && l.ends_with('…')));
    let wide = rendered(&sbom, Some(200));
    assert!(wide.lines().all(|l| l.chars().count() <= 200), "{wide}");
    assert!(wide.contains(command.trim_end()), "{wide}");
    assert!(!wide.contains('…'), "{wide}");
    let unfitted = rendered(&sbom, None);
    assert!(
        unfitted.contains(&shorten(&command, CREATED_BY_UNFITTED)),
        "{unfitted}"
    );
    assert!(unfitted.contains(&"libreally-long-package-name".repeat(2)));
}
