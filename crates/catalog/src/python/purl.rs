//! `pkg:pypi/…` package URLs: the name PEP 503-normalised, encoded by [`crate::purl`].
//!
//! The purl spec (<https://github.com/package-url/purl-spec/blob/main/PURL-SPECIFICATION.rst>)
//! percent-encodes name, version and qualifier values; encoding everything but the unreserved
//! `A-Za-z0-9.-_~` is always valid and matches what Syft (packageurl-go) emits: a local
//! version `1.0+local` becomes `1.0%2Blocal`, a `vcs_url` value `git%2Bhttps%3A%2F%2F…`.

use super::normalize_name;

/// `pkg:pypi/<PEP 503 name>@<version>`, with `?vcs_url=…` when installed from version control.
pub(crate) fn pypi(name: &str, version: &str, vcs_url: Option<&str>) -> String {
    let qualifiers: Vec<(&str, &str)> = vcs_url.map(|v| ("vcs_url", v)).into_iter().collect();
    crate::purl::purl("pypi", None, &normalize_name(name), version, &qualifiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        for (name, version, vcs, expected) in [
            ("PyYAML", "6.0", None, "pkg:pypi/pyyaml@6.0"),
            ("zope.interface", "5.4.0", None, "pkg:pypi/zope-interface@5.4.0"),
            ("Tiny_Pkg.Demo", "1.0+local.1", None, "pkg:pypi/tiny-pkg-demo@1.0%2Blocal.1"),
            ("x", "1 é/@?#", None, "pkg:pypi/x@1%20%C3%A9%2F%40%3F%23"),
            (
                "Pygments",
                "2.6.1",
                Some("git+https://github.com/python-test/test.git@aaaa"),
                "pkg:pypi/pygments@2.6.1?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpython-test%2Ftest.git%40aaaa",
            ),
        ] {
            assert_eq!(pypi(name, version, vcs), expected);
        }
    }
}
