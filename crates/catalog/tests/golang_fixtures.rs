//! The go-binary cataloguer on the real Go binaries of the shared corpus (`fixtures/go/`,
//! described in its README): a Go 1.15 ELF and a Go 1.17 Mach-O, both in the older pointer
//! format, read from the file as a spooled binary would be. Skipped when the corpus is absent.

mod common;

use std::fs::File;

use sbomgen_catalog::golang::GoBinaryCataloguer;
use sbomgen_catalog::{FileCataloguer, FileFindings, PackageRecord};

fn scan(relative: &str) -> Option<FileFindings> {
    let path = common::corpus()?.join("go").join(relative);
    let mut file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let size = file.metadata().unwrap().len();
    let mut head = [0u8; 64];
    std::io::Read::read_exact(&mut file, &mut head).unwrap();
    assert!(GoBinaryCataloguer.sniff(&head), "{relative} is not sniffed");
    std::io::Seek::rewind(&mut file).unwrap();
    let found = GoBinaryCataloguer.parse_content(relative, &mut file, size);
    assert_eq!(found.warnings, Vec::<String>::new());
    Some(found)
}

/// `name@version purl` per record, in output order.
fn summary(found: &FileFindings) -> Vec<String> {
    found
        .packages
        .iter()
        .map(|r| {
            format!(
                "{}@{} {}",
                r.name,
                r.version,
                r.purl.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn record<'a>(found: &'a FileFindings, name: &str) -> &'a PackageRecord {
    found.packages.iter().find(|r| r.name == name).unwrap()
}

#[test]
fn golang_1_15_elf_in_the_pointer_format() {
    let Some(found) = scan("trivy-gobinary/executable_gobinary") else {
        return;
    };
    assert_eq!(
        summary(&found),
        [
            "github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46 \
             pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
            "github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492 \
             pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492",
            "golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1 \
             pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1",
            // (devel) and no VCS stamp (Go 1.15): no version, the raw one kept in metadata.
            "github.com/aquasecurity/test@ pkg:golang/github.com/aquasecurity/test",
            "stdlib@go1.15.2 pkg:golang/stdlib@1.15.2",
        ]
    );
    let main = record(&found, "github.com/aquasecurity/test");
    assert_eq!(main.metadata["mainModuleVersionRaw"], "(devel)");
    assert_eq!(main.metadata["goCompiledVersion"], "go1.15.2");
    // Go 1.15 records no GOARCH: the ELF machine, named as Syft names it.
    assert_eq!(main.metadata["architecture"], "x86_64");
    assert_eq!(
        main.depends_on,
        [
            "github.com/aquasecurity/go-pep440-version",
            "github.com/aquasecurity/go-version",
            "golang.org/x/xerrors",
            "stdlib",
        ]
    );
    let xerrors = record(&found, "golang.org/x/xerrors");
    assert_eq!(
        xerrors.metadata["h1Digest"],
        "h1:go1bK/D/BFZV2I8cIQd1NKEZ+0owSTG1fDTci4IqFcE="
    );
    assert_eq!(
        xerrors.metadata["mainModule"],
        "github.com/aquasecurity/test"
    );
    assert_eq!(xerrors.depends_on, ["stdlib"]);
    assert!(found
        .packages
        .iter()
        .all(|r| r.database == "trivy-gobinary/executable_gobinary"));
}

#[test]
fn golang_1_17_macho_with_a_replaced_dependency() {
    let Some(found) = scan("syft-go-bin-arch/test") else {
        return;
    };
    assert_eq!(
        summary(&found),
        [
            "golang.org/x/net@v0.0.0-20211006190231-62292e806868 \
             pkg:golang/golang.org/x/net@v0.0.0-20211006190231-62292e806868",
            "golang.org/x/sys@v0.0.0-20211006194710-c8a6f5223071 \
             pkg:golang/golang.org/x/sys@v0.0.0-20211006194710-c8a6f5223071",
            // `dep golang.org/x/term v0.0.0-20210927222741-03fcf44c2211` `=>` the same path at
            // the version below: the replacement names the module and carries the sum.
            "golang.org/x/term@v0.0.0-20210916214954-140adaaadfaf \
             pkg:golang/golang.org/x/term@v0.0.0-20210916214954-140adaaadfaf",
            "github.com/anchore/test@ pkg:golang/github.com/anchore/test",
            "stdlib@go1.17 pkg:golang/stdlib@1.17",
        ]
    );
    let term = record(&found, "golang.org/x/term");
    assert_eq!(
        term.metadata["h1Digest"],
        "h1:Ihq/mm/suC88gF8WFcVwk+OV6Tq+wyA1O0E5UEvDglI="
    );
    assert_eq!(
        term.metadata["replaces"],
        serde_json::json!({"path": "golang.org/x/term", "version": "v0.0.0-20210927222741-03fcf44c2211"})
    );
    let main = record(&found, "github.com/anchore/test");
    assert_eq!(main.metadata["architecture"], "amd64");
    assert_eq!(main.metadata["mainModuleVersionRaw"], "(devel)");
}
