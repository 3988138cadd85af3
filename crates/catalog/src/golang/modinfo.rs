//! The module info text: Go's `runtime/debug.ParseBuildInfo`, one tab-separated record a line
//! (`path`, `mod`, `dep`, `=>`, `build`).
//!
//! Go rejects the whole text at the first bad line; here a bad line is skipped and reported,
//! so one odd `build` setting does not hide every module of the binary.

use super::quote::{unquote, unquote_prefix};

/// Problems kept verbatim: a hostile 4 MiB text could otherwise hold two million of them.
const MAX_PROBLEMS: usize = 10;

/// A `mod` or `dep` line, with the `=>` line that replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Module {
    pub path: String,
    pub version: String,
    /// `h1:…`; on a replaced module, Go writes the sum on the `=>` line instead.
    pub sum: String,
    pub replace: Option<Box<Module>>,
}

/// What the module info records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct BuildInfo {
    /// The main package's import path (`path` line).
    pub path: String,
    /// The main module (`mod` line); `None` for GOPATH and `go build file.go` builds.
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    /// `build` lines in order, quoting undone.
    pub settings: Vec<(String, String)>,
    /// The first lines that did not parse, as `line N: why` (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<String>,
    /// How many lines did not parse.
    pub skipped: usize,
}

impl BuildInfo {
    /// The value of a `build` setting (the last one, should a key repeat).
    pub(super) fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Which module a `=>` line replaces.
#[derive(Clone, Copy)]
enum Last {
    Nothing,
    Main,
    Dep(usize),
}

/// Parses module info text (sentinels already stripped).
pub(super) fn parse(text: &str) -> BuildInfo {
    let mut info = BuildInfo::default();
    let mut last = Last::Nothing;
    // As in Go, a final line without its newline is ignored.
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    for (index, line) in complete
        .split('\n')
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
    {
        let result = if let Some(rest) = line.strip_prefix("path\t") {
            info.path = rest.to_string();
            Ok(())
        } else if let Some(rest) = line.strip_prefix("mod\t") {
            module(rest).map(|m| {
                info.main = Some(m);
                last = Last::Main;
            })
        } else if let Some(rest) = line.strip_prefix("dep\t") {
            module(rest).map(|m| {
                info.deps.push(m);
                last = Last::Dep(info.deps.len() - 1);
            })
        } else if let Some(rest) = line.strip_prefix("=>\t") {
            let target = match last {
                Last::Main => info.main.as_mut(),
                Last::Dep(i) => info.deps.get_mut(i),
                Last::Nothing => None,
            };
            last = Last::Nothing;
            replacement(rest, target)
        } else if let Some(rest) = line.strip_prefix("build\t") {
            setting(rest).map(|kv| info.settings.push(kv))
        } else {
            // Unknown record kinds are future Go's business, as in `ParseBuildInfo`.
            Ok(())
        };
        if let Err(why) = result {
            info.skipped += 1;
            if info.problems.len() < MAX_PROBLEMS {
                info.problems.push(format!("line {}: {why}", index + 1));
            }
        }
    }
    info
}

fn module(rest: &str) -> Result<Module, String> {
    let columns: Vec<&str> = rest.split('\t').collect();
    match columns[..] {
        [path, version] | [path, version, _] => Ok(Module {
            path: path.to_string(),
            version: version.to_string(),
            sum: columns.get(2).unwrap_or(&"").to_string(),
            replace: None,
        }),
        _ => Err(format!("expected 2 or 3 columns, got {}", columns.len())),
    }
}

fn replacement(rest: &str, target: Option<&mut Module>) -> Result<(), String> {
    let columns: Vec<&str> = rest.split('\t').collect();
    let [path, version, sum] = columns[..] else {
        return Err(format!(
            "expected 3 columns for a replacement, got {}",
            columns.len()
        ));
    };
    let target = target.ok_or("replacement with no module on the previous line")?;
    target.replace = Some(Box::new(Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.to_string(),
        replace: None,
    }));
    Ok(())
}

/// `key=value`, either side possibly quoted (Go quotes a key holding `=`, so the first `=`
/// after an unquoted key is the separator).
fn setting(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'"' | b'`') => {
            let (key, used) = unquote_prefix(kv).ok_or("invalid quoted key")?;
            let rest = kv[used..]
                .strip_prefix('=')
                .ok_or("no '=' after quoted key")?;
            (key, rest)
        }
        Some(_) => {
            let (key, rest) = kv.split_once('=').ok_or("build line missing '='")?;
            (key.to_string(), rest)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => unquote(raw_value).ok_or("invalid quoted value")?,
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(path: &str, version: &str, sum: &str) -> Module {
        Module {
            path: path.into(),
            version: version.into(),
            sum: sum.into(),
            replace: None,
        }
    }

    #[test]
    fn records_of_every_kind() {
        let text = "path\texample.com/app/cmd/app\n\
            mod\texample.com/app\t(devel)\t\n\
            dep\texample.com/dep\tv1.2.3\n\
            =>\texample.com/Fork\tv1.0.1\th1:fork=\n\
            dep\texample.com/local\tv0.0.1\n\
            =>\t../localdep\t(devel)\t\n\
            dep\texample.com/other\tv0.3.7\th1:other=\n\
            build\t-ldflags=\"-X main.version=1.2.3 -s -w\"\n\
            build\t\"we=ird\"=`v`\n\
            build\tCGO_CFLAGS=\n\
            build\tvcs.modified=false\n";
        let info = parse(text);
        assert_eq!(info.path, "example.com/app/cmd/app");
        assert_eq!(info.main, Some(m("example.com/app", "(devel)", "")));
        let mut dep = m("example.com/dep", "v1.2.3", "");
        dep.replace = Some(Box::new(m("example.com/Fork", "v1.0.1", "h1:fork=")));
        let mut local = m("example.com/local", "v0.0.1", "");
        local.replace = Some(Box::new(m("../localdep", "(devel)", "")));
        assert_eq!(
            info.deps,
            [dep, local, m("example.com/other", "v0.3.7", "h1:other=")]
        );
        assert_eq!(
            info.setting("-ldflags"),
            Some("-X main.version=1.2.3 -s -w")
        );
        assert_eq!(info.setting("we=ird"), Some("v"));
        assert_eq!(info.setting("CGO_CFLAGS"), Some(""));
        assert_eq!(info.setting("GOOS"), None);
        assert_eq!(info.problems, Vec::<String>::new());
    }

    #[test]
    fn bad_lines_are_skipped_and_reported() {
        let text = "=>\torphan\tv1\th1:x\n\
            dep\tonly-path\n\
            dep\ta\tv1\th1:a\textra\n\
            dep\tgood\tv1\n\
            =>\ttwo\tcolumns\n\
            build\tnoequals\n\
            build\t=v\n\
            build\t\"open=v\n\
            build\tk=\"open\n\
            future\trecord\n\
            dep\tlast\tv9";
        let info = parse(text);
        // The unterminated final line is ignored, as Go does.
        assert_eq!(info.deps, [m("good", "v1", "")]);
        assert_eq!(info.settings, Vec::<(String, String)>::new());
        let lines: Vec<&str> = info.problems.iter().map(|p| &p[..7]).collect();
        assert_eq!(
            lines,
            [
                "line 1:", "line 2:", "line 3:", "line 5:", "line 6:", "line 7:", "line 8:",
                "line 9:"
            ]
        );
        assert_eq!(info.skipped, 8);
        let many = parse(&"dep\tx\n".repeat(1000));
        assert_eq!((many.problems.len(), many.skipped), (MAX_PROBLEMS, 1000));
    }

    #[test]
    fn replacing_the_main_module() {
        let info = parse("mod\tm\tv1\n=>\t./m\t\t\n=>\tagain\tv2\th1:x\n");
        let replace = info.main.and_then(|m| m.replace).map(|r| r.path);
        assert_eq!(replace.as_deref(), Some("./m"));
        // A second `=>` has nothing left to replace.
        assert_eq!(info.problems.len(), 1);
    }
}
