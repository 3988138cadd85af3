//! Debian license short names (DEP-5 `License:` synopses, `/usr/share/common-licenses` file
//! names) to SPDX license expressions.
//!
//! Cataloguers keep licenses as their packages declare them; whoever builds SPDX or CycloneDX
//! documents uses this to offer an SPDX id beside the raw name. Short names follow
//! <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-short-name>:
//! case-insensitive, a trailing `+` meaning "or any later version", `or`/`and` combining them.

/// The SPDX expression for a Debian license name, or `None` when there is no faithful one
/// (`public-domain`, an unversioned `GPL`, an exception clause, an unknown name).
///
/// ```
/// use sbomgen_catalog::license::debian_to_spdx;
/// assert_eq!(debian_to_spdx("GPL-2+").as_deref(), Some("GPL-2.0-or-later"));
/// assert_eq!(debian_to_spdx("LGPL-2.1+ or GPL-2+").as_deref(), Some("LGPL-2.1-or-later OR GPL-2.0-or-later"));
/// assert_eq!(debian_to_spdx("public-domain"), None);
/// ```
pub fn debian_to_spdx(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // `a or b and c`: DEP-5 gives `and` the higher precedence, as SPDX does, so mapping the
    // operands one by one and joining them keeps the meaning.
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut expression = String::new();
    let mut operand: Vec<&str> = Vec::new();
    for word in words.iter().copied().chain([""]) {
        let operator = match word.to_ascii_lowercase().as_str() {
            "or" => Some(" OR "),
            "and" => Some(" AND "),
            "" => Some(""),
            _ => None,
        };
        match operator {
            Some(operator) => {
                // A multi-word operand is an exception clause or prose: no faithful id.
                let [single] = operand.as_slice() else {
                    return None;
                };
                expression.push_str(&single_to_spdx(single)?);
                expression.push_str(operator);
                operand.clear();
            }
            None => operand.push(word),
        }
    }
    Some(expression)
}

/// One short name, without operators.
fn single_to_spdx(name: &str) -> Option<String> {
    let lower = name.trim_end_matches(',').to_ascii_lowercase();
    if let Some((_, spdx)) = EXACT.iter().find(|(debian, _)| *debian == lower) {
        return spdx.map(str::to_string);
    }
    let (base, or_later) = match lower.strip_suffix('+') {
        Some(base) => (base, true),
        None => (lower.as_str(), false),
    };
    // SPDX ids spelled as such (`GPL-2.0-only`, `GPL-2.0-or-later`) pass through.
    for (suffix, or_later) in [("-only", false), ("-or-later", true)] {
        if let Some(base) = base.strip_suffix(suffix) {
            return gnu(base, or_later);
        }
    }
    if let Some(id) = gnu(base, or_later) {
        return Some(id);
    }
    // Other versioned families: the version is part of the SPDX id, and `+` has no id.
    if or_later {
        return None;
    }
    VERSIONED
        .iter()
        .find_map(|(family, spdx)| {
            let version = base.strip_prefix(family)?.strip_prefix('-')?;
            let version = normalise_version(version)?;
            Some(format!("{spdx}-{version}"))
        })
        .filter(|id| KNOWN_VERSIONED.contains(&id.as_str()))
}

/// GNU licenses: SPDX spells the version `X.Y` and says `-only` or `-or-later`.
fn gnu(base: &str, or_later: bool) -> Option<String> {
    let (family, spdx, variant) = GNU
        .iter()
        .find(|(family, _, _)| base.starts_with(family) && base[family.len()..].starts_with('-'))?;
    let version = normalise_version(&base[family.len() + 1..])?;
    let id = format!("{spdx}-{version}");
    if !KNOWN_GNU.contains(&id.as_str()) {
        return None;
    }
    let range = if or_later { "or-later" } else { "only" };
    Some(format!("{id}{variant}-{range}"))
}

/// `2` → `2.0`, `2.1` → `2.1`; anything but digits and one dot is no version.
fn normalise_version(version: &str) -> Option<String> {
    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| format!("{major}.{minor}"))
}

/// Lower-cased Debian name → SPDX id, for names that are not `family-version`.
const EXACT: &[(&str, Option<&str>)] = &[
    ("public-domain", None),
    ("expat", Some("MIT")),
    ("mit", Some("MIT")),
    ("x11", Some("X11")),
    ("isc", Some("ISC")),
    ("zlib", Some("Zlib")),
    ("bsd-2-clause", Some("BSD-2-Clause")),
    ("bsd-3-clause", Some("BSD-3-Clause")),
    ("bsd-4-clause", Some("BSD-4-Clause")),
    // common-licenses/Artistic is Perl's Artistic License, which SPDX keeps apart from 1.0.
    ("artistic", Some("Artistic-1.0-Perl")),
    ("artistic-1.0", Some("Artistic-1.0")),
    ("artistic-2.0", Some("Artistic-2.0")),
    // DEP-5: `Perl` is "GPL-1+ or Artistic", the terms Perl itself is under.
    ("perl", Some("GPL-1.0-or-later OR Artistic-1.0-Perl")),
    ("apache", None),
    ("cc0", Some("CC0-1.0")),
    ("cc0-1.0", Some("CC0-1.0")),
    ("openssl", Some("OpenSSL")),
    ("w3c", Some("W3C")),
    ("curl", Some("curl")),
    ("wtfpl", Some("WTFPL")),
    ("fsfap", Some("FSFAP")),
    ("fsful", Some("FSFUL")),
    ("fsfullr", Some("FSFULLR")),
    ("bsl-1.0", Some("BSL-1.0")),
    ("boost-1.0", Some("BSL-1.0")),
    ("lppl-1.3c", Some("LPPL-1.3c")),
    ("unicode-dfs-2016", Some("Unicode-DFS-2016")),
];

/// Lower-cased Debian family → SPDX family and the variant SPDX writes after the version.
const GNU: &[(&str, &str, &str)] = &[
    ("agpl", "AGPL", ""),
    ("lgpl", "LGPL", ""),
    ("gpl", "GPL", ""),
    // DEP-5's GFDL-NIV: no invariant sections.
    ("gfdl-niv", "GFDL", "-no-invariants"),
    ("gfdl", "GFDL", ""),
];

/// The GNU license versions SPDX has ids for.
const KNOWN_GNU: &[&str] = &[
    "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-1.0", "AGPL-3.0",
    "GFDL-1.1", "GFDL-1.2", "GFDL-1.3",
];

/// Lower-cased Debian family → SPDX family, for other licenses whose ids carry a version.
const VERSIONED: &[(&str, &str)] = &[
    ("apache", "Apache"),
    ("mpl", "MPL"),
    ("epl", "EPL"),
    ("cddl", "CDDL"),
    ("cpl", "CPL"),
    ("ofl", "OFL"),
    ("zope", "ZPL"),
    ("python", "Python"),
    ("psf", "PSF"),
    ("cc-by-sa", "CC-BY-SA"),
    ("cc-by-nc-sa", "CC-BY-NC-SA"),
    ("cc-by-nc-nd", "CC-BY-NC-ND"),
    ("cc-by-nc", "CC-BY-NC"),
    ("cc-by-nd", "CC-BY-ND"),
    ("cc-by", "CC-BY"),
];

/// The ids [`VERSIONED`] may produce that the SPDX license list has.
const KNOWN_VERSIONED: &[&str] = &[
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CPL-1.0",
    "OFL-1.0",
    "OFL-1.1",
    "ZPL-1.1",
    "ZPL-2.0",
    "ZPL-2.1",
    "Python-2.0",
    "PSF-2.0",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-1.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC-BY-ND-3.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-3.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-3.0",
    "CC-BY-NC-ND-4.0",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_names_map_to_spdx() {
        let cases: &[(&str, Option<&str>)] = &[
            ("GPL-2", Some("GPL-2.0-only")),
            ("GPL-2+", Some("GPL-2.0-or-later")),
            ("GPL-2.0+", Some("GPL-2.0-or-later")),
            ("GPL-3", Some("GPL-3.0-only")),
            ("gpl-3+", Some("GPL-3.0-or-later")),
            ("GPL-1+", Some("GPL-1.0-or-later")),
            ("GPL-2.0-only", Some("GPL-2.0-only")),
            ("GPL-2.0-or-later", Some("GPL-2.0-or-later")),
            ("LGPL-2", Some("LGPL-2.0-only")),
            ("LGPL-2.1", Some("LGPL-2.1-only")),
            ("LGPL-2.1+", Some("LGPL-2.1-or-later")),
            ("LGPL-3+", Some("LGPL-3.0-or-later")),
            ("AGPL-3+", Some("AGPL-3.0-or-later")),
            ("GFDL-1.2+", Some("GFDL-1.2-or-later")),
            ("GFDL-NIV-1.3", Some("GFDL-1.3-no-invariants-only")),
            ("BSD-2-clause", Some("BSD-2-Clause")),
            ("BSD-3-clause", Some("BSD-3-Clause")),
            ("BSD-4-clause", Some("BSD-4-Clause")),
            ("Expat", Some("MIT")),
            ("MIT", Some("MIT")),
            ("ISC", Some("ISC")),
            ("Zlib", Some("Zlib")),
            ("Apache-2.0", Some("Apache-2.0")),
            ("Apache-2", Some("Apache-2.0")),
            ("MPL-1.1", Some("MPL-1.1")),
            ("MPL-2.0", Some("MPL-2.0")),
            ("Artistic", Some("Artistic-1.0-Perl")),
            ("Artistic-2.0", Some("Artistic-2.0")),
            ("Perl", Some("GPL-1.0-or-later OR Artistic-1.0-Perl")),
            ("CC0-1.0", Some("CC0-1.0")),
            ("CC-BY-SA-4.0", Some("CC-BY-SA-4.0")),
            ("OpenSSL", Some("OpenSSL")),
            (
                "LGPL-2.1+ or GPL-2+",
                Some("LGPL-2.1-or-later OR GPL-2.0-or-later"),
            ),
            (
                "GPL-2+ and BSD-3-clause",
                Some("GPL-2.0-or-later AND BSD-3-Clause"),
            ),
            ("public-domain", None),
            ("GPL", None),
            ("Apache", None),
            ("GPL-4", None),
            ("GPL-2+ with OpenSSL exception", None),
            ("MPL-2.0+", None),
            ("GPL-2 or", None),
            ("or", None),
            ("", None),
            ("   ", None),
            ("made-up-license", None),
            ("GPL-x", None),
            ("GPL-", None),
            ("+", None),
        ];
        for (debian, spdx) in cases {
            assert_eq!(debian_to_spdx(debian).as_deref(), *spdx, "{debian}");
        }
    }
}
