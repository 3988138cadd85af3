//! Package URL strings for every language cataloguer (installed and declared).
//!
//! Each component is percent-encoded as the purl spec asks
//! (<https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst>): only
//! `A-Za-z0-9.-_~` stay literal, so an npm scope `@babel` becomes `%40babel` (as Syft writes
//! it) and a `+build` version suffix becomes `%2Bbuild`. Case is kept: npm names are
//! case-sensitive on old packages, and lowercasing (as Trivy does) would name another package.

/// `pkg:<ty>/<namespace>/<name>@<version>?<qualifiers>`. The namespace may hold several
/// `/`-separated segments, each encoded; empty segments and qualifiers are left out.
/// Qualifiers must be given sorted by key, as the canonical form requires.
pub(crate) fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{ty}/");
    for segment in namespace.into_iter().flat_map(|n| n.split('/')) {
        if !segment.is_empty() {
            encode_into(segment, &mut out);
            out.push('/');
        }
    }
    encode_into(name, &mut out);
    if !version.is_empty() {
        out.push('@');
        encode_into(version, &mut out);
    }
    let mut separator = '?';
    for (key, value) in qualifiers.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(separator);
        separator = '&';
        out.push_str(key);
        out.push('=');
        encode_into(value, &mut out);
    }
    out
}

fn encode_into(component: &str, out: &mut String) {
    for byte in component.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::purl;

    #[test]
    fn encodes_components() {
        let cases: &[(Option<&str>, &str, &str, &str)] = &[
            (None, "debug", "2.6.9", "pkg:npm/debug@2.6.9"),
            (
                Some("@babel"),
                "code-frame",
                "7.29.0",
                "pkg:npm/%40babel/code-frame@7.29.0",
            ),
            (
                None,
                "JSONStream",
                "1.0.0+b.1",
                "pkg:npm/JSONStream@1.0.0%2Bb.1",
            ),
            (Some("a//b"), "n", "", "pkg:npm/a/b/n"),
            (None, "é ü", "1", "pkg:npm/%C3%A9%20%C3%BC@1"),
        ];
        for (namespace, name, version, want) in cases {
            assert_eq!(purl("npm", *namespace, name, version, &[]), *want);
        }
    }

    #[test]
    fn appends_non_empty_qualifiers() {
        assert_eq!(
            purl(
                "gem",
                None,
                "nokogiri",
                "1.15.4",
                &[("platform", "x86_64-linux")]
            ),
            "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux"
        );
        assert_eq!(
            purl("gem", None, "n", "1", &[("platform", "")]),
            "pkg:gem/n@1"
        );
    }
}
