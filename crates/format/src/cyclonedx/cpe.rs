//! Whether a CPE fits the `cpe` field: the XML schema restricts it to the CPE 2.2 URI and 2.3
//! formatted-string grammars (`bom:cpe` in `bom-1.6.xsd`). A CPE that does not fit (say, with a
//! non-ASCII product name) is carried as a property instead, in JSON too, so both encodings
//! say the same thing.

/// Whether `cpe` matches the schema's CPE pattern.
pub(crate) fn is_valid(cpe: &str) -> bool {
    if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
        is_valid_23(rest)
    } else {
        is_valid_22(cpe)
    }
}

/// `[c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9\._\-~%]*){0,6}`
fn is_valid_22(cpe: &str) -> bool {
    let Some(rest) = cpe
        .strip_prefix('c')
        .filter(|r| r.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("pe")))
        .map(|r| &r[2..])
        .and_then(|r| r.strip_prefix(":/"))
    else {
        return false;
    };
    let rest = rest
        .strip_prefix(|c: char| "AHOaho".contains(c))
        .unwrap_or(rest);
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let parts: Vec<&str> = rest.split(':').collect();
    parts.len() <= 6
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-~%".contains(c))
        })
}

/// The 11 components after `cpe:2.3:`: part, vendor, product, version, update, edition,
/// language, sw_edition, target_sw, target_hw, other.
fn is_valid_23(rest: &str) -> bool {
    let Some(components) = split_unescaped(rest) else {
        return false;
    };
    if components.len() != 11 {
        return false;
    }
    let part = matches!(components[0].as_slice(), [Atom::Plain(c)] if "aho*-".contains(*c));
    part && components[1..6].iter().all(|c| is_value(c))
        && is_language(&components[6])
        && components[7..].iter().all(|c| is_value(c))
}

/// One character of a component, escaped (`\x`) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    Plain(char),
    Escaped(char),
}

/// Splits at unescaped colons; `None` for a dangling backslash.
fn split_unescaped(text: &str) -> Option<Vec<Vec<Atom>>> {
    let mut components = vec![Vec::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                components.last_mut()?.push(Atom::Escaped(escaped));
            }
            ':' => components.push(Vec::new()),
            c => components.last_mut()?.push(Atom::Plain(c)),
        }
    }
    Some(components)
}

/// `((\?*|\*?)(([a-zA-Z0-9\-\._]|(\\[punct]))+)(\?*|\*?))|[\*\-]`
fn is_value(atoms: &[Atom]) -> bool {
    if matches!(atoms, [Atom::Plain('*' | '-')]) {
        return true;
    }
    let mut body = atoms;
    // Leading wildcards: one `*`, or any number of `?`.
    if let [Atom::Plain('*'), tail @ ..] = body {
        body = tail;
    } else {
        while let [Atom::Plain('?'), tail @ ..] = body {
            body = tail;
        }
    }
    if let [head @ .., Atom::Plain('*')] = body {
        body = head;
    } else {
        while let [head @ .., Atom::Plain('?')] = body {
            body = head;
        }
    }
    !body.is_empty()
        && body.iter().all(|atom| match *atom {
            Atom::Plain(c) => c.is_ascii_alphanumeric() || "-._".contains(c),
            Atom::Escaped(c) => "\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~".contains(c),
        })
}

/// `[a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?` or `*` or `-`.
fn is_language(atoms: &[Atom]) -> bool {
    let mut text = String::new();
    for atom in atoms {
        match atom {
            Atom::Plain(c) => text.push(*c),
            Atom::Escaped(_) => return false,
        }
    }
    if text == "*" || text == "-" {
        return true;
    }
    let (language, region) = match text.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (text.as_str(), None),
    };
    let language_ok =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
            || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()))
    });
    language_ok && region_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_scanner_writes() {
        for cpe in [
            "cpe:2.3:a:curl:curl:7.88.1-10\\+deb12u4:*:*:*:*:*:*:*",
            "cpe:2.3:a:libssl3:libssl3:3.0.11-1\\~deb12u1:*:*:*:*:*:*:*",
            "cpe:2.3:a:acme:component_framework:-:*:*:*:*:*:*:*",
            "cpe:2.3:o:alpinelinux:alpine_linux:3.19:*:*:en-us:*:*:*:*",
            "cpe:2.3:a:python:python\\:3:1\\:2:*:*:*:*:*:*:*",
            "cpe:2.3:a:*vendor:product?:1.0:*:*:*:*:*:*:*",
            "cpe:/a:apache:tomcat:7.0.0",
            "cpe:/o",
        ] {
            assert!(is_valid(cpe), "{cpe}");
        }
    }

    #[test]
    fn rejects_what_the_xml_schema_rejects() {
        for cpe in [
            "cpe:2.3:a:caf\u{e9}:caf\u{e9}:1:*:*:*:*:*:*:*",
            "cpe:2.3:a:x:y:1:*:*:*:*:*:*",
            "cpe:2.3:a:x:y:1 0:*:*:*:*:*:*:*",
            "cpe:2.3:a:x:y:\\-1:*:*:*:*:*:*:*",
            "cpe:2.3:q:x:y:1:*:*:*:*:*:*:*",
            "cpe:2.3:a:x:y:1:*:*:english:*:*:*:*",
            "cpe:2.3:a:x:y:**:*:*:*:*:*:*:*",
            "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\\",
            "cpe:/a:x:y:1:2:3:4:5",
            "pkg:deb/debian/curl",
        ] {
            assert!(!is_valid(cpe), "{cpe}");
        }
    }
}
