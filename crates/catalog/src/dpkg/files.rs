//! The files a dpkg package owns, from `info/<package>.list` or, where images drop those
//! (distroless), from an `md5sums` file.

use crate::FileView;

const INFO: &str = "var/lib/dpkg/info";
const STATUS_D: &str = "var/lib/dpkg/status.d";

/// The root-relative paths `package` owns, sorted and deduplicated, with warnings about
/// unreadable lines. Empty when no list is visible.
///
/// `.list` files are dpkg's own record (directories included) and win; `md5sums` files only
/// name regular files but are all distroless images keep. Multi-Arch `same` packages have
/// `<package>:<arch>.list`, others `<package>.list`.
pub(crate) fn owned_files(
    view: &FileView<'_>,
    package: &str,
    arch: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let qualified = arch.map(|a| format!("{package}:{a}"));
    let names = || qualified.iter().map(String::as_str).chain([package]);
    let lists = names().map(|n| (format!("{INFO}/{n}.list"), Kind::List));
    let md5sums = std::iter::once(format!("{STATUS_D}/{package}.md5sums"))
        .chain(names().map(|n| format!("{INFO}/{n}.md5sums")))
        .map(|p| (p, Kind::Md5sums));
    let Some((path, kind, bytes)) = lists
        .chain(md5sums)
        .find_map(|(path, kind)| view.get(&path).map(|bytes| (path, kind, bytes)))
    else {
        return (Vec::new(), Vec::new());
    };
    let text = super::text(bytes);
    let (mut paths, unreadable) = match kind {
        Kind::List => (parse_list(&text), 0),
        Kind::Md5sums => parse_md5sums(&text),
    };
    paths.sort_unstable();
    paths.dedup();
    let warnings = (unreadable > 0)
        .then(|| format!("{path}: {unreadable} unreadable line(s) skipped"))
        .into_iter()
        .collect();
    (paths, warnings)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    List,
    Md5sums,
}

/// A `.list` file: one absolute path per line, the first being `/.` (the root itself).
fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.trim_end_matches('\r').trim_start_matches('/'))
        .filter(|path| !path.is_empty() && *path != ".")
        .map(str::to_string)
        .collect()
}

/// An `md5sums` file: `<md5>  <path>` lines as md5sum(1) writes them (`*` marks binary mode),
/// paths relative to the root. Returns the paths and the number of lines that were not of
/// that shape.
fn parse_md5sums(text: &str) -> (Vec<String>, usize) {
    let mut paths = Vec::new();
    let mut unreadable = 0;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.trim().is_empty() {
            continue;
        }
        let path = line.split_once(' ').and_then(|(hash, rest)| {
            let hex = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit());
            let path = rest
                .strip_prefix([' ', '*'])
                .unwrap_or(rest)
                .trim_start_matches('/');
            (hex && !path.is_empty()).then_some(path)
        });
        match path {
            Some(path) => paths.push(path.to_string()),
            None => unreadable += 1,
        }
    }
    (paths, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_paths_become_root_relative_without_the_root_line() {
        assert_eq!(
            parse_list("/.\n/usr\n/usr/bin/foo\r\n\n/usr/share/doc/foo bar\n"),
            ["usr", "usr/bin/foo", "usr/share/doc/foo bar"]
        );
    }

    #[test]
    fn md5sums_lines_give_paths_and_count_the_rest() {
        let text = "e11d70c96979a1328ae4e7e50542782b  usr/lib/libsqlite3.so.0\n\
                    9d8facc2fa9d2df52f1c7cb4e5fa4741 *usr/share/doc/a b\n\
                    not a line\n\
                    abc  /etc/x\n\n";
        assert_eq!(
            parse_md5sums(text),
            (
                vec![
                    "usr/lib/libsqlite3.so.0".to_string(),
                    "usr/share/doc/a b".to_string(),
                    "etc/x".to_string()
                ],
                1
            )
        );
    }

    #[test]
    fn list_wins_over_md5sums_and_multi_arch_names_are_found() {
        let view = FileView::new([
            (
                "var/lib/dpkg/info/libc6:amd64.list",
                &b"/.\n/lib/b\n/lib/a\n/lib/a\n"[..],
            ),
            ("var/lib/dpkg/info/libc6.md5sums", &b"00  lib/z\n"[..]),
        ]);
        let (paths, warnings) = owned_files(&view, "libc6", Some("amd64"));
        assert_eq!(paths, ["lib/a", "lib/b"]);
        assert!(warnings.is_empty());
        let (paths, _) = owned_files(&view, "libc6", Some("i386"));
        assert_eq!(paths, ["lib/z"]);
    }

    #[test]
    fn status_d_md5sums_are_found_and_bad_lines_warned() {
        let view = FileView::new([(
            "var/lib/dpkg/status.d/dash.md5sums",
            &b"00  bin/dash\n?\n"[..],
        )]);
        let (paths, warnings) = owned_files(&view, "dash", None);
        assert_eq!(paths, ["bin/dash"]);
        assert_eq!(
            warnings,
            ["var/lib/dpkg/status.d/dash.md5sums: 1 unreadable line(s) skipped"]
        );
        assert_eq!(owned_files(&view, "sh", None), (Vec::new(), Vec::new()));
    }
}
