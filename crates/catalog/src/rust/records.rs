//! Turns a checked package list into records: runtime crates only, with purls, typed metadata
//! and dependency names.
//!
//! - Build-time crates (`kind: "build"`: build scripts' and proc-macros' dependencies) are not
//!   in the binary and are skipped, as Syft and Trivy do. Any other kind (absent, `runtime`,
//!   or one this code does not know) is kept: over-reporting a crate beats missing one.
//! - The purl is `pkg:cargo/<name>@<version>`, except for `local` crates (the binary's own
//!   crate, workspace members, path dependencies), which get none: they are not on crates.io,
//!   and a crates.io purl would make matchers report the vulnerabilities of whatever crate
//!   there has that name. The `Cargo.lock` cataloguer does the same for crates without a
//!   source (Syft does there too; for binaries Syft and Trivy write a purl regardless).
//! - `depends_on` names the runtime crates a crate lists, sorted and deduplicated. When the
//!   graph fails [`super::graph::check`], every edge is dropped with one warning and the
//!   packages are still reported: the list is still the best evidence of what was compiled
//!   in (Syft reports it regardless), but edges from a corrupt or crafted graph are not.
//! - Several versions of one crate are separate records; the same name, version and source
//!   seen again (another slice of a universal binary) is reported once.

use std::collections::HashSet;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::Serialize;

use super::decode::{Package, VersionInfo};
use super::graph;
use super::locate::Section;
use crate::npm::json::metadata_map;
use crate::purl::purl;

/// The extra fields of a crate found in a binary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RustBinaryMetadata<'p> {
    /// `crates.io`, `git`, `local`, `registry` or another registry's name, as recorded.
    source: &'p str,
    /// The crate the binary was built from.
    root: bool,
    /// As recorded (`runtime`, or absent, meaning runtime).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'p str>,
}

/// Identity of a reported crate, to report it once per file.
pub(super) type Seen = HashSet<(String, String, String)>;

/// Adds the runtime crates of `info`, found in `section` of the binary at `path`, to `found`.
pub(super) fn add(
    path: &str,
    section: &Section,
    info: &VersionInfo,
    seen: &mut Seen,
    found: &mut FileFindings,
) {
    let packages = &info.packages;
    let edges = match graph::check(packages) {
        Ok(()) => true,
        Err(e) => {
            found.warnings.push(format!(
                "{path}: {section}: {e}: packages reported without dependencies"
            ));
            false
        }
    };
    for (index, package) in packages.iter().enumerate() {
        if !is_runtime(package) {
            continue;
        }
        let (name, version) = (package.name.trim(), package.version.trim());
        if name.is_empty() || version.is_empty() {
            found.warnings.push(format!(
                "{path}: {section}: package {index} has no name or no version"
            ));
            continue;
        }
        let key = (
            name.to_string(),
            version.to_string(),
            package.source.clone(),
        );
        if !seen.insert(key) {
            continue;
        }
        let mut record = PackageRecord::new(Ecosystem::Cargo, name, version, path);
        if package.source != "local" {
            record.purl = Some(purl("cargo", None, name, version, &[]));
        }
        if edges {
            record.depends_on = depends_on(packages, package);
        }
        record.metadata = metadata_map(&RustBinaryMetadata {
            source: &package.source,
            root: package.root,
            kind: package.kind.as_deref(),
        });
        found.packages.push(record);
    }
}

fn is_runtime(package: &Package) -> bool {
    package.kind.as_deref() != Some("build")
}

/// Names of the runtime crates `package` depends on. Indices were checked by the caller.
fn depends_on(packages: &[Package], package: &Package) -> Vec<String> {
    let mut names: Vec<String> = package
        .dependencies
        .iter()
        .filter_map(|&i| packages.get(i))
        .filter(|d| is_runtime(d))
        .map(|d| d.name.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: &str) -> FileFindings {
        let info: VersionInfo = serde_json::from_str(json).expect("test JSON");
        let section = Section {
            name: ".dep-v0",
            slice: None,
            offset: 0,
            size: 1,
            container_end: 1,
        };
        let mut found = FileFindings::default();
        add("usr/bin/app", &section, &info, &mut Seen::new(), &mut found);
        found
    }

    fn summary(found: &FileFindings) -> Vec<String> {
        found
            .packages
            .iter()
            .map(|p| format!("{}@{} -> {}", p.name, p.version, p.depends_on.join(",")))
            .collect()
    }

    #[test]
    fn runtime_crates_with_edges_and_metadata() {
        let found = run(r#"{"format":1,"packages":[
            {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
            {"name":"libc","version":"0.2.150","source":"crates.io","dependencies":[0]},
            {"name":"itoa","version":"0.4.8","source":"crates.io"},
            {"name":"itoa","version":"1.0.9","source":"crates.io","kind":"runtime"},
            {"name":"demo","version":"0.1.0","source":"local","dependencies":[1,2,3,0,3],"root":true}
        ]}"#);
        assert_eq!(found.warnings, Vec::<String>::new());
        assert_eq!(
            summary(&found),
            [
                "libc@0.2.150 -> ",
                "itoa@0.4.8 -> ",
                "itoa@1.0.9 -> ",
                "demo@0.1.0 -> itoa,libc",
            ]
        );
        let demo = &found.packages[3];
        assert_eq!(demo.ecosystem, Ecosystem::Cargo);
        assert_eq!(demo.purl, None, "a local crate is not the crates.io one");
        assert_eq!(
            found.packages[0].purl.as_deref(),
            Some("pkg:cargo/libc@0.2.150")
        );
        assert_eq!(demo.database, "usr/bin/app");
        assert_eq!(demo.metadata["source"], "local");
        assert_eq!(demo.metadata["root"], true);
        assert!(!demo.metadata.contains_key("kind"));
        assert_eq!(found.packages[2].metadata["kind"], "runtime");
        assert_eq!(found.packages[0].metadata["root"], false);
    }

    #[test]
    fn invalid_graphs_keep_packages_and_drop_edges() {
        let cases = [
            (
                r#"[{"name":"a","version":"1","source":"crates.io","dependencies":[5]},{"name":"b","version":"1","source":"local","dependencies":[0],"root":true}]"#,
                "package 0 depends on package 5, but there are 2",
            ),
            (
                r#"[{"name":"a","version":"1","source":"crates.io","root":true},{"name":"b","version":"1","source":"local","dependencies":[0],"root":true}]"#,
                "2 root packages",
            ),
            (
                r#"[{"name":"a","version":"1","source":"crates.io","dependencies":[1]},{"name":"b","version":"1","source":"local","dependencies":[0],"root":true}]"#,
                "cycle",
            ),
        ];
        for (packages, problem) in cases {
            let found = run(&format!(r#"{{"packages":{packages}}}"#));
            assert_eq!(summary(&found), ["a@1 -> ", "b@1 -> "], "{problem}");
            let [warning] = &found.warnings[..] else {
                panic!("{:?}", found.warnings)
            };
            assert!(
                warning.starts_with("usr/bin/app: cargo-auditable section .dep-v0: "),
                "{warning}"
            );
            assert!(warning.contains(problem), "{warning}");
        }
    }

    #[test]
    fn nameless_packages_and_repeats() {
        let found = run(r#"{"packages":[
            {"name":" ","version":"1","source":"crates.io"},
            {"name":"a","version":"1","source":"crates.io"},
            {"name":"a","version":"1","source":"crates.io"},
            {"name":"a","version":"1","source":"git"},
            {"name":"r","version":"1","source":"local","dependencies":[0,1],"root":true}
        ]}"#);
        assert_eq!(summary(&found), ["a@1 -> ", "a@1 -> ", "r@1 -> a"]);
        assert_eq!(found.packages[1].metadata["source"], "git");
        assert_eq!(
            found.warnings,
            ["usr/bin/app: cargo-auditable section .dep-v0: package 0 has no name or no version"]
        );
    }
}
