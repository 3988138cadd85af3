//! Go: modules served from a local `file://` proxy, five builds, and `go version -m`.
//!
//! The Go module proxy is not needed (nor, on the machines these tests run on, reachable):
//! the dependencies are small modules this file writes, zipped into a directory laid out as
//! the proxy protocol says and named by `GOPROXY=file://…`. `go` downloads from it like from any
//! proxy, so it computes the `h1:` sums and records them in `go.sum` and in the binaries.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::build::Build;
use super::super::tools::run;
use super::super::{cache_root, Unavailable};
use super::toolchain::Toolchain;
use super::{GoBinary, GoModule, BIN};

#[derive(Debug)]
pub(crate) struct Go {
    go: PathBuf,
    /// The build's Go home: `proxy/`, `src/`, `gopath/`, caches.
    home: PathBuf,
}

/// (module path, version, the `module` line its go.mod declares, files).
type ProxyModule = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PROXY: &[ProxyModule] = &[
    (
        "example.com/greet",
        "v1.3.0",
        "example.com/greet",
        &[(
            "greet.go",
            "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello from greet v1.3.0\" }\n",
        )],
    ),
    (
        "example.com/greet",
        "v1.4.0",
        "example.com/greet",
        &[(
            "greet.go",
            "package greet\n\n// Hello greets, louder.\nfunc Hello() string { return \"HELLO from greet v1.4.0\" }\n",
        )],
    ),
    // A fork: required as example.com/color, replaced by this module path (a fork's go.mod keeps
    // the original module line, or `go` refuses it).
    (
        "example.com/colorfork",
        "v0.3.0",
        "example.com/color",
        &[(
            "color.go",
            "package color\n\n// Red wraps s in ANSI red.\nfunc Red(s string) string { return \"\\x1b[31m\" + s + \"\\x1b[0m\" }\n",
        )],
    ),
];

const HELLO_MOD: &str = "module example.com/hello

go 1.18

require (
\texample.com/color v0.2.1
\texample.com/greet v1.4.0
)

replace example.com/color v0.2.1 => example.com/colorfork v0.3.0
";

const HELLO_MAIN: &str = "package main

import (
\t\"fmt\"

\t\"example.com/color\"
\t\"example.com/greet\"
)

var version = \"dev\"

func main() { fmt.Println(color.Red(greet.Hello()), version) }
";

const VENDORED_MOD: &str = "module example.com/vendored

go 1.18

require (
\texample.com/greet v1.3.0
\texample.com/localdep v0.1.0
)

replace example.com/localdep => ../localdep
";

const VENDORED_MAIN: &str = "package main

import (
\t\"fmt\"

\t\"example.com/greet\"
\t\"example.com/localdep\"
)

func main() { fmt.Println(greet.Hello(), localdep.Answer) }
";

const LOCALDEP_MOD: &str = "module example.com/localdep\n\ngo 1.18\n";
const LOCALDEP_GO: &str = "package localdep\n\n// Answer is local.\nconst Answer = 42\n";

/// `trimmed` and `retired`: one dependency each.
fn simple_mod(module: &str, greet: &str) -> String {
    format!("module {module}\n\ngo 1.18\n\nrequire example.com/greet {greet}\n")
}

const SIMPLE_MAIN: &str = "package main

import (
\t\"fmt\"

\t\"example.com/greet\"
)

func main() { fmt.Println(greet.Hello()) }
";

const LEGACY_MAIN: &str = "package main

import \"fmt\"

func main() { fmt.Println(\"built in GOPATH mode\") }
";

impl Go {
    /// Lays out the Go home and fills the file proxy.
    pub(super) fn new(tc: &Toolchain, home: &Path) -> Result<Go, Unavailable> {
        fs::create_dir_all(home)?;
        let go = Go {
            go: tc.go.clone(),
            home: home.canonicalize()?,
        };
        for (module, version, declared, files) in PROXY {
            let src = go
                .home
                .join("proxy-src")
                .join(format!("{module}@{version}"));
            write(
                &src.join("go.mod"),
                &format!("module {declared}\n\ngo 1.18\n"),
            )?;
            for (name, content) in *files {
                write(&src.join(name), content)?;
            }
            run(
                tc.ziptool()
                    .arg("gomod")
                    .arg(go.home.join("proxy"))
                    .args([module, version])
                    .arg(&src),
                "ziptool gomod",
            )?;
        }
        Ok(go)
    }

    /// `go …` in `dir`, offline: only the file proxy, no checksum database, no VCS stamping
    /// (the work directory may sit inside a git checkout), no toolchain switching, no cgo.
    fn command(&self, dir: &Path) -> Command {
        let mut c = Command::new(&self.go);
        let proxy = format!("file://{}", self.home.join("proxy").display());
        c.current_dir(dir)
            .env("GOPATH", self.home.join("gopath"))
            .env("GOMODCACHE", self.home.join("modcache"))
            // Go's build cache is safe to share, and saves recompiling the runtime each build.
            .env("GOCACHE", cache_root().join("tools/go-build"))
            .env("GOPROXY", proxy)
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-modcacherw -buildvcs=false")
            .env("GO111MODULE", "on")
            .env("GOWORK", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOTELEMETRY", "off")
            .env("GOENV", "off")
            .env("CGO_ENABLED", "0")
            .env_remove("GOOS")
            .env_remove("GOARCH")
            .stdin(Stdio::null());
        c
    }

    /// A module's sources under `src/<name>`.
    fn module(&self, name: &str, files: &[(&str, &str)]) -> Result<PathBuf, Unavailable> {
        let dir = self.home.join("src").join(name);
        for (file, content) in files {
            write(&dir.join(file), content)?;
        }
        Ok(dir)
    }

    /// Builds the fixture's five binaries into `usr/local/bin`; returns (path, how built).
    pub(super) fn fixture_binaries(&self, b: &Build) -> Result<Vec<(String, String)>, Unavailable> {
        let bin = b.path(BIN);
        fs::create_dir_all(&bin)?;
        let mut built = Vec::new();
        let mut build = |dir: &Path, name: &str, flags: &[&str], how: &str| {
            run(
                self.command(dir).args(["mod", "tidy"]),
                &format!("go mod tidy ({name})"),
            )?;
            let out = bin.join(name);
            run(
                self.command(dir)
                    .arg("build")
                    .args(flags)
                    .arg("-o")
                    .arg(&out)
                    .arg("."),
                &format!("go build ({name})"),
            )?;
            built.push((format!("{BIN}/{name}"), how.to_string()));
            Ok::<(), Unavailable>(())
        };

        let hello = self.module("hello", &[("go.mod", HELLO_MOD), ("main.go", HELLO_MAIN)])?;
        build(
            &hello,
            "hello",
            &["-ldflags", "-X main.version=1.2.3"],
            "go build -ldflags \"-X main.version=1.2.3\" (module cache, file GOPROXY; replace example.com/color => example.com/colorfork v0.3.0)",
        )?;

        self.module(
            "localdep",
            &[("go.mod", LOCALDEP_MOD), ("localdep.go", LOCALDEP_GO)],
        )?;
        let vendored = self.module(
            "vendored",
            &[("go.mod", VENDORED_MOD), ("main.go", VENDORED_MAIN)],
        )?;
        run(
            self.command(&vendored).args(["mod", "tidy"]),
            "go mod tidy (vendored)",
        )?;
        run(
            self.command(&vendored).args(["mod", "vendor"]),
            "go mod vendor",
        )?;
        build(
            &vendored,
            "vendored",
            &["-mod=vendor"],
            "go mod vendor && go build -mod=vendor (replace example.com/localdep => ../localdep); chmod 0644",
        )?;

        let trimmed = self.module(
            "trimmed",
            &[
                ("go.mod", &simple_mod("example.com/trimmed", "v1.4.0")),
                ("main.go", SIMPLE_MAIN),
            ],
        )?;
        build(&trimmed, "trimmed", &["-trimpath"], "go build -trimpath")?;

        let retired = self.module(
            "retired",
            &[
                ("go.mod", &simple_mod("example.com/retired", "v1.3.0")),
                ("main.go", SIMPLE_MAIN),
            ],
        )?;
        build(&retired, "retired", &[], "go build")?;

        // GOPATH mode: the package under $GOPATH/src, no go.mod, no module information.
        let gopath = self.home.join("legacy-gopath");
        let legacy = gopath.join("src/example.org/legacy");
        write(&legacy.join("main.go"), LEGACY_MAIN)?;
        run(
            self.command(&legacy)
                .env("GO111MODULE", "off")
                .env("GOPATH", &gopath)
                .env("GOFLAGS", "-buildvcs=false")
                .args(["build", "-o"])
                .arg(bin.join("legacy"))
                .arg("."),
            "go build (GOPATH mode)",
        )?;
        built.push((
            format!("{BIN}/legacy"),
            "GO111MODULE=off go build (GOPATH mode)".to_string(),
        ));

        // Not executable, on purpose: a scanner must find Go binaries by content.
        set_mode(&bin.join("vendored"), 0o644)?;
        Ok(built)
    }
}

pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<(), Unavailable> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    Ok(())
}

fn write(path: &Path, content: &str) -> Result<(), Unavailable> {
    fs::create_dir_all(path.parent().expect("files have a parent"))?;
    fs::write(path, content)?;
    Ok(())
}

/// `go version -m` of the binary at `path` (copied to an executable scratch file first: `go
/// version` ignores files without an x bit). `None` when `go` says it is no Go binary.
pub(crate) fn version_m(
    tc: &Toolchain,
    path: &Path,
    rel: &str,
) -> Result<Option<GoBinary>, Unavailable> {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir()?;
    let exe = scratch.path().join("binary");
    fs::copy(path, &exe)?;
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755))?;
    let out = run(
        Command::new(&tc.go)
            .args(["version", "-m"])
            .arg(&exe)
            .env("GOTOOLCHAIN", "local")
            .stdin(Stdio::null()),
        "go version -m",
    )?;
    let mode = fs::metadata(path)?.permissions().mode() & 0o7777;
    Ok(parse_version_m(&String::from_utf8_lossy(&out), rel, mode))
}

/// Parses `go version -m` output: `<file>: go1.19.8`, then tab-indented records.
pub(crate) fn parse_version_m(text: &str, rel: &str, mode: u32) -> Option<GoBinary> {
    let mut lines = text.lines();
    let go_version = lines.next()?.rsplit_once(": ")?.1.trim().to_string();
    let mut binary = GoBinary {
        path: rel.to_string(),
        introduced_in: 0,
        removed_in: None,
        mode,
        built_with: String::new(),
        go_version,
        main_package: String::new(),
        main: None,
        deps: Vec::new(),
        settings: Vec::new(),
    };
    let module = |fields: &[&str]| GoModule {
        path: fields.get(1).copied().unwrap_or_default().to_string(),
        version: fields.get(2).copied().unwrap_or_default().to_string(),
        sum: fields
            .get(3)
            .filter(|s| !s.is_empty())
            .map(ToString::to_string),
        replace: None,
    };
    for line in lines {
        let fields: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        match fields[0] {
            "path" => binary.main_package = fields.get(1).copied().unwrap_or_default().into(),
            "mod" => binary.main = Some(module(&fields)),
            "dep" => binary.deps.push(module(&fields)),
            "=>" => {
                let target = match binary.deps.last_mut() {
                    Some(dep) => Some(dep),
                    None => binary.main.as_mut(),
                };
                if let Some(replaced) = target {
                    replaced.replace = Some(Box::new(module(&fields)));
                }
            }
            "build" => binary
                .settings
                .push(fields.get(1).copied().unwrap_or_default().to_string()),
            _ => {}
        }
    }
    Some(binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_version_m() {
        let text = "/tmp/x/binary: go1.19.8\n\tpath\texample.com/hello\n\tmod\texample.com/hello\t(devel)\t\n\
            \tdep\texample.com/color\tv0.2.1\n\t=>\texample.com/colorfork\tv0.3.0\th1:BQg=\n\t\n\
            \tdep\texample.com/greet\tv1.4.0\th1:UAQ=\n\tdep\texample.com/localdep\tv0.1.0\n\t=>\t../localdep\t(devel)\t\n\t\n\
            \tbuild\t-ldflags=\"-X main.version=1.2.3\"\n\tbuild\tCGO_ENABLED=0\n";
        let b = parse_version_m(text, "usr/local/bin/hello", 0o755).unwrap();
        assert_eq!(b.go_version, "go1.19.8");
        assert_eq!(b.main_package, "example.com/hello");
        assert_eq!(b.main.as_ref().unwrap().version, "(devel)");
        assert_eq!(b.main_version().as_deref(), Some("v1.2.3"));
        let effective: Vec<(&str, &str)> = b.deps.iter().map(GoModule::effective).collect();
        assert_eq!(
            effective,
            [
                ("example.com/colorfork", "v0.3.0"),
                ("example.com/greet", "v1.4.0"),
                ("example.com/localdep", "(devel)")
            ]
        );
        assert_eq!(
            b.deps[0].replace.as_ref().unwrap().sum.as_deref(),
            Some("h1:BQg=")
        );
        assert_eq!(b.deps[1].sum.as_deref(), Some("h1:UAQ="));
        assert_eq!(b.settings.len(), 2);
        let gopath = parse_version_m("x: go1.19.8\n\tpath\texample.org/legacy\n", "x", 0o755);
        assert!(gopath.unwrap().main.is_none());
    }
}
