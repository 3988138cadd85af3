//! Versions out of build info: the toolchain's (for the `stdlib` package) and, when the main
//! module says only `(devel)`, the best guess at its own.
//!
//! Main module, following Syft (`findMainModuleVersion`), and only for `(devel)`: a semver set
//! with `-ldflags -X` on `main` or a package of the main module, else a pseudo-version from the
//! VCS stamp. Any other recorded version is kept verbatim, including Go 1.24+ VCS pseudo-versions
//! and `+dirty`; Trivy also overrides pseudo-versions from ldflags, which would replace what
//! the go command knew for a guess.

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

/// A version set with `-X` in `-ldflags`, `v`-prefixed (Syft PRs #1832, #1855, #3062).
pub(super) fn from_ldflags(ldflags: &str, main_module: &str) -> Option<String> {
    // Every pattern needs `=`; checking first spares compiling a regex for `-s -w`.
    if !ldflags.contains('=') {
        return None;
    }
    let prefix = format!(r"(?m)(main|{}/\S*)", regex::escape(main_module));
    LDFLAGS_PATTERNS.iter().find_map(|pattern| {
        // Only the escaped module path varies, so the pattern always compiles; a failure
        // would only lose this guess.
        let regex = Regex::new(&format!("{prefix}{pattern}")).ok()?;
        let version = regex.captures(ldflags)?.name("version")?.as_str();
        Some(match version.starts_with('v') {
            true => version.to_string(),
            false => format!("v{version}"),
        })
    })
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
                        .map(|e| e.to_string())
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
