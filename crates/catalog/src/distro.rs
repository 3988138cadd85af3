//! Distro detection from `os-release`, with the older release files as fallbacks.

use sbomgen_model::Distro;

/// In order of preference: os-release(5) says `/etc/os-release` wins over `/usr/lib/os-release`.
const OS_RELEASE: &[&str] = &["etc/os-release", "usr/lib/os-release"];

/// The release files whose bytes [`detect`] reads.
pub const PATTERNS: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/system-release",
];

/// Detects the distro, given a reader of final-filesystem files (symlinks already followed).
pub fn detect<'a>(read: impl Fn(&str) -> Option<&'a [u8]>) -> Option<Distro> {
    for path in OS_RELEASE {
        if let Some(distro) = read(path).and_then(|b| parse_os_release(&String::from_utf8_lossy(b)))
        {
            return Some(distro);
        }
    }
    let text = |path: &str| read(path).map(|b| String::from_utf8_lossy(b).trim().to_string());
    if let Some(version) = text("etc/alpine-release").filter(|v| !v.is_empty()) {
        return Some(Distro {
            id: "alpine".into(),
            pretty_name: Some(format!("Alpine Linux v{version}")),
            version_id: Some(version),
        });
    }
    for path in [
        "etc/redhat-release",
        "etc/centos-release",
        "etc/system-release",
    ] {
        if let Some(distro) = text(path).and_then(|t| parse_redhat_release(&t)) {
            return Some(distro);
        }
    }
    if let Some(version) = text("etc/debian_version").filter(|v| !v.is_empty()) {
        // `bookworm/sid` on testing has no numeric version.
        let numeric = version.chars().next().is_some_and(|c| c.is_ascii_digit());
        return Some(Distro {
            id: "debian".into(),
            pretty_name: Some(format!("Debian GNU/Linux {version}")),
            version_id: numeric.then(|| version.split('.').next().unwrap_or_default().to_string()),
        });
    }
    None
}

/// Parses os-release(5): `KEY=value` lines, values optionally quoted with shell escapes.
/// Returns `None` when there is no `ID`.
pub fn parse_os_release(text: &str) -> Option<Distro> {
    let mut distro = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        match key.trim() {
            "ID" => distro.id = value.to_ascii_lowercase(),
            "VERSION_ID" if !value.is_empty() => distro.version_id = Some(value),
            "PRETTY_NAME" if !value.is_empty() => distro.pretty_name = Some(value),
            _ => {}
        }
    }
    (!distro.id.is_empty()).then_some(distro)
}

fn unquote(raw: &str) -> String {
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if !quoted {
        return raw.to_string();
    }
    let inner = &raw[1..raw.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `Red Hat Enterprise Linux release 8.4 (Ootpa)`, `CentOS Linux release 7.9.2009 (Core)`,
/// `Fedora release 35 (Thirty Five)`.
fn parse_redhat_release(text: &str) -> Option<Distro> {
    let line = text.lines().next()?.trim();
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_string();
    let lower = name.to_ascii_lowercase();
    let id = if lower.contains("red hat") {
        "rhel"
    } else if lower.contains("centos") {
        "centos"
    } else if lower.contains("fedora") {
        "fedora"
    } else if lower.contains("rocky") {
        "rocky"
    } else if lower.contains("alma") {
        "almalinux"
    } else if lower.contains("amazon") {
        "amzn"
    } else if lower.contains("oracle") {
        "ol"
    } else {
        return None;
    };
    Some(Distro {
        id: id.into(),
        version_id: Some(version),
        pretty_name: Some(line.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only<'a>(path: &'static str, content: &'a str) -> impl Fn(&str) -> Option<&'a [u8]> {
        move |p| (p == path).then_some(content.as_bytes())
    }

    #[test]
    fn os_release_quoting() {
        let d = parse_os_release(
            "# c\nID=\"alpine\"\nVERSION_ID='3.20.1'\nPRETTY_NAME=\"Alpine \\\"Linux\\\" v3.20\"\n",
        )
        .unwrap();
        assert_eq!(d.id, "alpine");
        assert_eq!(d.version_id.as_deref(), Some("3.20.1"));
        assert_eq!(d.pretty_name.as_deref(), Some("Alpine \"Linux\" v3.20"));
        assert!(parse_os_release("NAME=foo\n").is_none());
    }

    #[test]
    fn sid_has_no_version() {
        let d =
            parse_os_release("PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n").unwrap();
        assert_eq!(d.version_id, None);
    }

    #[test]
    fn fallbacks() {
        let d = detect(only("etc/alpine-release", "3.10.4\n")).unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("alpine", Some("3.10.4"))
        );
        let d = detect(only("etc/debian_version", "12.5\n")).unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("debian", Some("12"))
        );
        let d = detect(only("etc/debian_version", "trixie/sid\n")).unwrap();
        assert_eq!(d.version_id, None);
        let d = detect(only(
            "etc/redhat-release",
            "Red Hat Enterprise Linux release 8.4 (Ootpa)\n",
        ))
        .unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("rhel", Some("8.4"))
        );
        assert!(detect(|_| None).is_none());
    }

    #[test]
    fn etc_wins_over_usr_lib() {
        let d = detect(|p| match p {
            "etc/os-release" => Some(&b"ID=ubuntu\n"[..]),
            "usr/lib/os-release" => Some(&b"ID=debian\n"[..]),
            _ => None,
        })
        .unwrap();
        assert_eq!(d.id, "ubuntu");
    }
}
