//! How build info becomes records: main module stand-ins and versions, replacements, stdlib.

use super::*;

fn build(modinfo: &str) -> Build {
    Build {
        version: "go1.22.3".into(),
        modinfo: modinfo.into(),
        machine: "x86_64".into(),
    }
}

/// `name@version` per record, then the purl.
fn names(modinfo: &str) -> Vec<String> {
    let (records, problems) = records("bin/app", &[build(modinfo)]);
    assert_eq!(problems, Vec::<String>::new());
    records
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

#[test]
fn main_module_versions() {
    let vcs = "build\tvcs.revision=abcdef0123456789\nbuild\tvcs.time=2024-05-01T10:20:30Z\n";
    let cases: Vec<(String, &str)> = vec![
        // Recorded versions are kept verbatim, Go 1.24 VCS stamps included.
        ("mod\tm/x\tv1.2.3+dirty\t\n".into(), "m/x@v1.2.3+dirty pkg:golang/m/x@v1.2.3%2Bdirty"),
        (
            "mod\tm/x\tv0.0.0-20240501102030-abcdef012345\t\n".into(),
            "m/x@v0.0.0-20240501102030-abcdef012345 pkg:golang/m/x@v0.0.0-20240501102030-abcdef012345",
        ),
        // (devel): ldflags first, then the VCS pseudo-version, else no version.
        (
            format!("mod\tm/x\t(devel)\t\nbuild\t-ldflags=\"-X main.version=2.0.1\"\n{vcs}"),
            "m/x@v2.0.1 pkg:golang/m/x@v2.0.1",
        ),
        (
            format!("mod\tm/x\t(devel)\t\n{vcs}"),
            "m/x@v0.0.0-20240501102030-abcdef012345 pkg:golang/m/x@v0.0.0-20240501102030-abcdef012345",
        ),
        ("mod\tm/x\t(devel)\t\nbuild\tvcs.time=2024-05-01T10:20:30Z\n".into(), "m/x@ pkg:golang/m/x"),
    ];
    for (modinfo, want) in cases {
        assert_eq!(
            names(&modinfo),
            [want, "stdlib@go1.22.3 pkg:golang/stdlib@1.22.3"],
            "{modinfo}"
        );
    }
}

#[test]
fn main_module_stand_ins() {
    // GOPATH build (Go ≥ 1.18 still records `path` and settings): `path` at (devel).
    let gopath = names("path\thello\nbuild\tGOOS=linux\n");
    assert_eq!(
        gopath,
        [
            "hello@ pkg:golang/hello",
            "stdlib@go1.22.3 pkg:golang/stdlib@1.22.3"
        ]
    );
    // `go build file.go`: the only (devel) dep is the main module.
    let partial = names(
        "path\tcommand-line-arguments\ndep\tex.com/main\t(devel)\t\ndep\tex.com/lib\tv1.0.0\th1:x\n",
    );
    assert_eq!(
        partial[..2],
        [
            "ex.com/lib@v1.0.0 pkg:golang/ex.com/lib@v1.0.0",
            "ex.com/main@ pkg:golang/ex.com/main"
        ]
    );
    // ... unless there are several: then the path stands in, and they stay deps.
    let several = names("path\tcommand-line-arguments\ndep\ta/b\t(devel)\t\ndep\tc/d\t(devel)\t\n");
    assert_eq!(
        several[..3],
        [
            "a/b@ pkg:golang/a/b",
            "c/d@ pkg:golang/c/d",
            "command-line-arguments@ pkg:golang/command-line-arguments"
        ]
    );
    // Go ≤ 1.17 GOPATH builds have no module info at all: nothing, not even stdlib.
    assert_eq!(names(""), Vec::<String>::new());
}

#[test]
fn replacements() {
    let modinfo = "mod\tex.com/app\tv1.0.0\t\n\
        dep\tex.com/app\tv1.0.0\t\n\
        dep\tex.com/up\tv1.2.3\n=>\tex.com/Fork\tv1.0.1\th1:fork\n\
        dep\tex.com/local\tv0.0.1\n=>\t../local\t(devel)\t\n\
        dep\tex.com/abs\tv0.0.2\n=>\t/src/abs\tv9.9.9\th1:abs\n\
        dep\tex.com/dev\t(devel)\t\n";
    let (records, _) = records("bin/app", &[build(modinfo)]);
    let got: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.version.as_str(),
                r.metadata
                    .get("h1Digest")
                    .and_then(|v| v.as_str())
                    .unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("ex.com/Fork", "v1.0.1", "h1:fork"),
            ("ex.com/local", "v0.0.1", ""),
            ("ex.com/abs", "v9.9.9", "h1:abs"),
            ("ex.com/dev", "", ""),
            ("ex.com/app", "v1.0.0", ""),
            ("stdlib", "go1.22.3", ""),
        ]
    );
    assert_eq!(
        records[1].metadata["replacedBy"],
        serde_json::json!({"path": "../local", "version": "(devel)"})
    );
    assert_eq!(
        records[0].metadata["replaces"],
        serde_json::json!({"path": "ex.com/up", "version": "v1.2.3"})
    );
    assert_eq!(
        records[4].depends_on,
        [
            "ex.com/Fork",
            "ex.com/abs",
            "ex.com/dev",
            "ex.com/local",
            "stdlib"
        ]
    );
    assert_eq!(records[5].depends_on, Vec::<String>::new());
}

#[test]
fn stdlib_versions() {
    let cases = [
        ("go1.22.3", "go1.22.3", "pkg:golang/stdlib@1.22.3"),
        (
            "go1.25.1 X:nocoverageredesign",
            "go1.25.1",
            "pkg:golang/stdlib@1.25.1",
        ),
        ("go1.26.0-X:jsonv2", "go1.26.0", "pkg:golang/stdlib@1.26.0"),
        (
            "go1.26.5 (Red Hat 1.26.5-1.el10_2.alma.1)",
            "go1.26.5",
            "pkg:golang/stdlib@1.26.5",
        ),
    ];
    for (raw, version, purl) in cases {
        let mut b = build("mod\tm\tv1\t\n");
        b.version = raw.into();
        let (records, _) = records("bin/app", &[b]);
        let stdlib = records.last().unwrap();
        assert_eq!(
            (stdlib.name.as_str(), stdlib.version.as_str()),
            ("stdlib", version)
        );
        assert_eq!(stdlib.purl.as_deref(), Some(purl));
        assert_eq!(stdlib.metadata["goCompiledVersion"], raw);
    }
}

#[test]
fn module_purls_keep_case_and_split_at_the_last_slash() {
    let cases = [
        (
            "github.com/cli/cli/v2",
            "v2.63.0",
            "pkg:golang/github.com/cli/cli/v2@v2.63.0",
        ),
        (
            "github.com/Azure/azure-sdk-for-go",
            "v68.0.0+incompatible",
            "pkg:golang/github.com/Azure/azure-sdk-for-go@v68.0.0%2Bincompatible",
        ),
        (
            "gopkg.in/yaml.v3",
            "v3.0.1",
            "pkg:golang/gopkg.in/yaml.v3@v3.0.1",
        ),
        ("hello", "", "pkg:golang/hello"),
        ("/abs", "v1", "pkg:golang/%2Fabs@v1"),
        ("trailing/", "v1", "pkg:golang/trailing%2F@v1"),
    ];
    for (module, version, want) in cases {
        assert_eq!(module_purl(module, version), want);
    }
}
