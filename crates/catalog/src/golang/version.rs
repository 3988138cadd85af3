//! Versions out of build info: the toolchain's (for the `stdlib` package) and, when the main
//! module says only `(devel)`, the best guess at its own.
//!
//! Main module, following Syft (`findMainModuleVersion`), and only for `(devel)`: a semver set
//! with `-ldflags -X` on `main` or a package of the main module, else a pseudo-version from the
//! VCS stamp. Any other recorded version is kept verbatim, including Go 1.24+ VCS pseudo-versions
//! and `+dirty`; Trivy also overrides pseudo-versions from ldflags, which would replace what
//! the go command knew for a guess.

use std::sync::LazyLock;

use regex::Regex;

/// The main module's version before Go 1.24 stamped VCS versions (golang/go #29228).
pub(super) const DEVEL: &str = "(devel)";

/// A toolchain version string taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GoVersion {
    /// `go1.22.3`: no experiments, no vendor suffix.
    pub release: String,
    /// `GOEXPERIMENT`s from ` X:a,b` (Go ≤ 1.25) or `-X:a,b` (Go ≥ 1.26).
    pub experiments: Vec<String>,
}

/// Splits `go1.22.3 X:a,b`, `go1.26.0-X:a`, `go1.26.5 (Red Hat 1.26.5-1.el10)`. A toolchain
/// built from source says `devel go1.24-5a9dabc Wed …`: its second word is the release.
pub(super) fn go_version(raw: &str) -> GoVersion {
    let mut words = raw.split_whitespace();
    let mut release = words.next().unwrap_or("");
    if release == "devel" {
        release = words.next().unwrap_or(release);
    }
    let mut experiments = Vec::new();
    let mut add = |list: &str| {
        let names = list.split(',').filter(|e| !e.is_empty()).map(String::from);
        experiments.extend(names);
    };
    if let Some((head, list)) = release.split_once("-X:") {
        release = head;
        add(list);
    }
    for word in raw.split_whitespace() {
        if let Some(list) = word.strip_prefix("X:") {
            add(list);
        }
    }
    GoVersion {
        release: release.to_string(),
        experiments,
    }
}

/// Syft's `knownBuildFlagPatterns`, after a `main` or `<main module>/…` package prefix.
/// Go's `\d`, `\w` and `\s` are ASCII; spelled out so the Unicode classes do not widen them.
const LDFLAGS_PATTERNS: [&str; 2] = [
    r"\.[a-zA-Z0-9]*([rR]elease)?([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*(?P<version>v?[0-9]+.[0-9]+.[0-9]+[-0-9A-Za-z_]*)",
    r"\.[a-zA-Z0-9]*([tT]ag)=(\S+/)*(?P<version>v?[0-9]+.[0-9]+.[0-9]+[-0-9A-Za-z_]*)",
];

/// Each pattern, anchored, as it must match right after `main`: compiled once per process.
static AFTER_MAIN: LazyLock<Vec<Regex>> = LazyLock::new(|| anchored(""));
/// Each pattern, anchored, as it must match right after the main module's path.
static AFTER_MODULE: LazyLock<Vec<Regex>> = LazyLock::new(|| anchored(r"/\S*"));

fn anchored(prefix: &str) -> Vec<Regex> {
    LDFLAGS_PATTERNS
        .iter()
        .map(|p| Regex::new(&format!("^{prefix}(?:{p})")).expect("the patterns are constant"))
        .collect()
}

/// A version set with `-X` in `-ldflags`, `v`-prefixed (Syft PRs #1832, #1855, #3062).
///
/// Syft compiles `(main|<module>/\S*)<pattern>` for every binary and takes its leftmost match.
/// The same match comes from two regexes compiled once, tried at the places where such a
/// match can start: after each `main`, and after the first `<module>/` of each stretch that
/// `\S*` could cross (a match after a later one there is also a match after that first one).
pub(super) fn from_ldflags(ldflags: &str, main_module: &str) -> Option<String> {
    // Every pattern needs `=`; checking first spares the search for `-s -w`.
    if !ldflags.contains('=') {
        return None;
    }
    let starts = match_starts(ldflags, main_module);
    (0..LDFLAGS_PATTERNS.len()).find_map(|i| {
        let version = starts.iter().find_map(|&(at, after_module)| {
            let regex = if after_module {
                &AFTER_MODULE[i]
            } else {
                &AFTER_MAIN[i]
            };
            Some(regex.captures(&ldflags[at..])?.name("version")?.as_str())
        })?;
        Some(if version.starts_with('v') {
            version.to_string()
        } else {
            format!("v{version}")
        })
    })
}

/// Where a match can continue, in the order Syft's regex would try them: the offset just after
/// `main` or after the module path (then `true`), by the position of the prefix, `main` first.
///
/// Module paths hold no whitespace (Go forbids it), so the module prefixes found do not
/// overlap in a way that matters; one that does is only tried where it does not.
fn match_starts(ldflags: &str, module: &str) -> Vec<(usize, bool)> {
    // (where the prefix starts, whether it is the module's, where the pattern must match)
    let mut starts: Vec<(usize, bool, usize)> = ldflags
        .match_indices("main")
        .map(|(at, _)| (at, false, at + "main".len()))
        .collect();
    let needle = format!("{module}/");
    // Where the `\S*` after the previous module prefix starts: each stretch between two is
    // searched for whitespace once.
    let mut previous: Option<usize> = None;
    for (at, _) in ldflags.match_indices(&needle) {
        let body = at + needle.len();
        let same_stretch =
            previous.is_some_and(|from| !ldflags[from..body].contains(char::is_whitespace));
        if !same_stretch {
            starts.push((at, true, at + module.len()));
        }
        previous = Some(body);
    }
    starts.sort_unstable();
    starts
        .into_iter()
        .map(|(_, after_module, at)| (at, after_module))
        .collect()
}

/// `v0.0.0-<vcs.time as yyyymmddhhmmss UTC>-<vcs.revision[:12]>` (Go's `module.PseudoVersion`
/// with no base version). A time that does not parse counts as Go's zero time, as in Syft.
pub(super) fn pseudo_version(time: &str, revision: &str) -> String {
    let stamp = rfc3339_utc(time).unwrap_or_else(|| "00010101000000".to_string());
    let revision = revision.get(..12).unwrap_or(revision);
    format!("v0.0.0-{stamp}-{revision}")
}

/// `2024-05-01T10:20:30Z` or with `±hh:mm` and fractional seconds → `20240501102030` in UTC.
fn rfc3339_utc(time: &str) -> Option<String> {
    let b = time.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = time.get(range)?;
        digits
            .bytes()
            .all(|d| d.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day);
    if !valid || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &time[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = i64::from(h1.checked_sub(b'0')?) * 10 + i64::from(h2.checked_sub(b'0')?);
            let m = i64::from(m1.checked_sub(b'0')?) * 10 + i64::from(m2.checked_sub(b'0')?);
            (h * 60 + m) * if *sign == b'+' { 60 } else { -60 }
        }
        _ => return None,
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_versions() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("go1.22.3", "go1.22.3", &[]),
            (
                "go1.25.1 X:nocoverageredesign",
                "go1.25.1",
                &["nocoverageredesign"],
            ),
            (
                "go1.22.5 X:boringcrypto,arenas",
                "go1.22.5",
                &["boringcrypto", "arenas"],
            ),
            ("go1.26.0-X:jsonv2", "go1.26.0", &["jsonv2"]),
            ("go1.26.5 (Red Hat 1.26.5-1.el10_2.alma.1)", "go1.26.5", &[]),
            (
                "go1.21.13 (Red Hat 1.21.13-3.el9) X:strictfipsruntime",
                "go1.21.13",
                &["strictfipsruntime"],
            ),
            ("devel go1.24-5a9dabc Wed Nov 6 2024", "go1.24-5a9dabc", &[]),
            ("go1.20rc1", "go1.20rc1", &[]),
            ("", "", &[]),
        ];
        for (raw, release, experiments) in cases {
            let got = go_version(raw);
            assert_eq!(
                (got.release.as_str(), &got.experiments[..]),
                (
                    *release,
                    &experiments
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()[..]
                ),
                "{raw}"
            );
        }
    }

    #[test]
    fn ldflags_versions() {
        let module = "github.com/acme/tool";
        let cases: &[(&str, Option<&str>)] = &[
            ("-X main.version=1.2.3", Some("v1.2.3")),
            ("-s -w -X main.Version=v2.0.0-rc.1", Some("v2.0.0-rc")),
            (
                "-X github.com/acme/tool/internal/version.gitVersion=v0.9.1",
                Some("v0.9.1"),
            ),
            (
                "-X github.com/acme/tool/cmd.releaseVersion=1.0.0",
                Some("v1.0.0"),
            ),
            ("-X main.buildTag=3.4.5-beta", Some("v3.4.5-beta")),
            ("-X main.version=refs/tags/v1.5.0", Some("v1.5.0")),
            // Another module's package, or no semver: no guess.
            ("-X github.com/other/lib.Version=1.2.3", None),
            ("-X main.version=dev", None),
            ("-X main.commit=abcdef", None),
            ("", None),
        ];
        for (ldflags, want) in cases {
            assert_eq!(from_ldflags(ldflags, module).as_deref(), *want, "{ldflags}");
        }
        // Regex metacharacters in the module path are taken literally.
        assert_eq!(
            from_ldflags("-X a+b/v.version=1.0.0", "a+b").as_deref(),
            Some("v1.0.0")
        );
        assert_eq!(from_ldflags("-X aab/v.version=1.0.0", "a+b"), None);
    }

    /// Syft's way, one regex per binary: the oracle for the regexes compiled once.
    fn syft_ldflags(ldflags: &str, main_module: &str) -> Option<String> {
        let prefix = format!(r"(?m)(main|{}/\S*)", regex::escape(main_module));
        LDFLAGS_PATTERNS.iter().find_map(|pattern| {
            let regex = Regex::new(&format!("{prefix}{pattern}")).unwrap();
            let version = regex.captures(ldflags)?.name("version")?.as_str();
            Some(if version.starts_with('v') {
                version.to_string()
            } else {
                format!("v{version}")
            })
        })
    }

    #[test]
    fn ldflags_versions_match_syfts_regex() {
        // Whole flags, prefixes and pattern fragments, so that matches, near misses and
        // several candidates in one string all occur.
        let pieces: Vec<&str> =
            "main.version=1.2.3|acme/tool/cmd.Version=v2.0.0-rc.1|main.buildTag=\
            |.gitVersion=|.Tag=4.5.6|main|main.|acme/tool|acme/tool/|/|.|version|=|1.2.3|\
            v2.0.0-rc.1|refs/tags/|x| |-X |\n|é|-beta|amain|mainacme/tool/|mainx/a.ver=7.8.9"
                .split('|')
                .collect();
        let modules = ["acme/tool", "main", "mainx", "a", ""];
        let mut state = 0x853c_49e6_748f_ea9b_u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state >> 40).unwrap() % below
        };
        let mut found = 0;
        for _ in 0..2_000 {
            let module = modules[next(modules.len())];
            let ldflags: String = (0..=next(14)).map(|_| pieces[next(pieces.len())]).collect();
            let want = syft_ldflags(&ldflags, module);
            found += usize::from(want.is_some());
            assert_eq!(
                from_ldflags(&ldflags, module),
                want,
                "{ldflags:?} in {module:?}"
            );
        }
        // The generator reaches the matching cases, not only the failing ones.
        assert!(found > 500, "{found} matches");
    }

    #[test]
    fn pseudo_versions() {
        let rev = "42c59f660859dc680e2bb508c0c64a3ee049dd66";
        let cases: &[(&str, &str, &str)] = &[
            (
                "2024-05-01T10:20:30Z",
                rev,
                "v0.0.0-20240501102030-42c59f660859",
            ),
            (
                "2024-05-01T01:20:30.123+02:00",
                rev,
                "v0.0.0-20240430232030-42c59f660859",
            ),
            (
                "2023-12-31T23:30:00-01:00",
                "abc",
                "v0.0.0-20240101003000-abc",
            ),
            (
                "2024-02-29T00:00:00Z",
                rev,
                "v0.0.0-20240229000000-42c59f660859",
            ),
            ("yesterday", rev, "v0.0.0-00010101000000-42c59f660859"),
            (
                "2024-13-01T00:00:00Z",
                rev,
                "v0.0.0-00010101000000-42c59f660859",
            ),
        ];
        for (time, revision, want) in cases {
            assert_eq!(pseudo_version(time, revision), *want, "{time}");
        }
    }
}
