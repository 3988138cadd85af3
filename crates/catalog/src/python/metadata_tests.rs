//! Metadata files as real installers write them, and as they break.

use serde_json::json;

use super::*;

fn one(path: &str, text: &[u8]) -> PackageRecord {
    let found = parse(path, text);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert!(found.support.is_none());
    let [record] = <[PackageRecord; 1]>::try_from(found.packages).expect("one package");
    record
}

/// PyYAML 6.0's metadata in the setuptools `egg-info` form Debian ships for packages built the
/// `setup.py` way (bookworm's `python3-six`; its `python3-yaml` has a `dist-info`, see
/// `tests/data/python/debian-bookworm`).
const DEBIAN_PYYAML: &str = "\
Metadata-Version: 2.1
Name: PyYAML
Version: 6.0
Summary: YAML parser and emitter for Python
Home-page: https://pyyaml.org/
Author: Kirill Simonov
Author-email: xi@resolvent.net
License: MIT
Download-URL: https://pypi.org/project/PyYAML/
Project-URL: Bug Tracker, https://github.com/yaml/pyyaml/issues
Project-URL: Source Code, https://github.com/yaml/pyyaml
Platform: Any
Classifier: Development Status :: 5 - Production/Stable
Classifier: Intended Audience :: Developers
Classifier: License :: OSI Approved :: MIT License
Classifier: Operating System :: OS Independent
Classifier: Programming Language :: Cython
Requires-Python: >=3.6
License-File: LICENSE

YAML is a data serialization format designed for human readability
and interaction with scripting languages.
Name: not-a-header
";

#[test]
fn debian_style_pyyaml_egg_info() {
    let path = "usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO";
    let r = one(path, DEBIAN_PYYAML.as_bytes());
    assert_eq!((r.name.as_str(), r.version.as_str()), ("PyYAML", "6.0"));
    assert_eq!(r.ecosystem, Ecosystem::Python);
    assert_eq!(r.database, path);
    assert_eq!(r.purl.as_deref(), Some("pkg:pypi/pyyaml@6.0"));
    assert_eq!(r.licenses, ["MIT"]);
    assert!(r.depends_on.is_empty() && r.files.is_empty());
    assert_eq!(
        serde_json::to_value(&r.metadata).unwrap(),
        json!({
            "summary": "YAML parser and emitter for Python",
            "author": "Kirill Simonov",
            "authorEmail": "xi@resolvent.net",
            "homePage": "https://pyyaml.org/",
            "requiresPython": ">=3.6",
            "platform": "Any",
            "sitePackagesRootPath": "usr/lib/python3/dist-packages",
        })
    );
}

/// `pip install requests==2.32.3` (wheel built by setuptools, metadata 2.1).
const PIP_REQUESTS: &str = "\
Metadata-Version: 2.1
Name: requests
Version: 2.32.3
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
Author-email: me@kennethreitz.org
License: Apache-2.0
Project-URL: Documentation, https://requests.readthedocs.io
Project-URL: Source, https://github.com/psf/requests
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: Apache Software License
Classifier: Programming Language :: Python :: 3 :: Only
Requires-Python: >=3.8
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: charset-normalizer<4,>=2
Requires-Dist: idna <4,>=2.5
Requires-Dist: urllib3 <3,>=1.21.1
Requires-Dist: certifi >=2017.4.17
Provides-Extra: socks
Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == \"socks\"
Provides-Extra: use_chardet_on_py3
Requires-Dist: chardet <6,>=3.0.2 ; extra == 'use_chardet_on_py3'

# Requests
";

#[test]
fn pip_requests_dist_info() {
    let path = "usr/local/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA";
    let r = one(path, PIP_REQUESTS.replace('\n', "\r\n").as_bytes());
    assert_eq!(r.purl.as_deref(), Some("pkg:pypi/requests@2.32.3"));
    // The classifier names only the Apache family; `License:` is precise.
    assert_eq!(r.licenses, ["Apache-2.0"]);
    assert_eq!(
        r.depends_on,
        ["charset-normalizer", "idna", "urllib3", "certifi"]
    );
    assert_eq!(
        r.metadata["sitePackagesRootPath"],
        "usr/local/lib/python3.12/site-packages"
    );
    assert_eq!(r.metadata["homePage"], "https://requests.readthedocs.io");
}

/// Metadata 2.4 (PEP 639), as hatchling and recent setuptools write it.
const METADATA_2_4: &str = "\
Metadata-Version: 2.4
Name: Jinja2_Extras.Plus
Version: 1.0.0+local.7
Summary: UNKNOWN
Project-URL: Home-Page, https://example.org/jinja2-extras
Author-email: A <a@example.org>, B <b@example.org>
License-Expression: BSD-3-Clause AND (MIT OR Apache-2.0)
License-File: LICENSE.txt
Classifier: License :: OSI Approved :: BSD License
Requires-Python: >=3.9
Requires-Dist: MarkupSafe>=2.0
Requires-Dist: markupsafe
Requires-Dist: importlib-metadata>=3.6; python_version < \"3.10\"
Requires-Dist: Babel>=2.7; extra == \"i18n\"
";

#[test]
fn metadata_2_4_license_expression() {
    let r = one(
        "venv/lib/python3.13/site-packages/jinja2_extras_plus-1.0.0+local.7.dist-info/METADATA",
        METADATA_2_4.as_bytes(),
    );
    assert_eq!(r.name, "Jinja2_Extras.Plus");
    assert_eq!(
        r.purl.as_deref(),
        Some("pkg:pypi/jinja2-extras-plus@1.0.0%2Blocal.7")
    );
    assert_eq!(r.licenses, ["BSD-3-Clause AND (MIT OR Apache-2.0)"]);
    assert_eq!(r.depends_on, ["markupsafe", "importlib-metadata"]);
    assert_eq!(r.metadata["homePage"], "https://example.org/jinja2-extras");
    assert_eq!(
        r.metadata["authorEmail"],
        "A <a@example.org>, B <b@example.org>"
    );
    assert!(!r.metadata.contains_key("summary"), "UNKNOWN is no summary");
    assert!(!r.metadata.contains_key("author"));
}

#[test]
fn single_file_egg_info_and_root_paths() {
    let r = one(
        "usr/lib/python2.7/dist-packages/argparse.egg-info",
        b"Metadata-Version: 1.0\nName: argparse\nVersion: 1.2.1\n",
    );
    assert_eq!(
        r.metadata["sitePackagesRootPath"],
        "usr/lib/python2.7/dist-packages"
    );
    // Leading empty lines are tolerated, like Syft.
    let r = one("x.dist-info/METADATA", b"\r\n\nName: x\nVersion: 1\n");
    assert!(
        !r.metadata.contains_key("sitePackagesRootPath"),
        "the root is no path"
    );
    let r = one(
        "opt/eggs/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO",
        b"Name: foo\nVersion: 1.0\n",
    );
    assert_eq!(
        r.metadata["sitePackagesRootPath"],
        "opt/eggs/foo-1.0-py3.8.egg"
    );
}

#[test]
fn the_interpreters_own_egg_info_is_skipped() {
    let found = parse(
        "usr/lib/python2.7/lib-dynload/Python-2.7.egg-info",
        b"Metadata-Version: 1.0\nName: Python\nVersion: 2.7.18\nSummary: UNKNOWN\n",
    );
    assert_eq!(found, FileFindings::default());
}

#[test]
fn missing_name_or_version_is_a_warning() {
    for (text, extra_warnings) in [
        (&b"Name: x\n"[..], 0),
        (b"Version: 1\n", 0),
        (b"Name:\nVersion: 1\n", 0),
        (b"", 0),
        (b"Metadata-Version: 2.1\n\nName: x\nVersion: 1\n", 0),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", 1),
        (b"Name: x\nVer", 1),
    ] {
        let found = parse("a/x.dist-info/METADATA", text);
        assert!(found.packages.is_empty(), "{text:?}");
        assert_eq!(
            found.warnings.len(),
            1 + extra_warnings,
            "{text:?}: {:?}",
            found.warnings
        );
        assert_eq!(
            found.warnings.last().map(String::as_str),
            Some("a/x.dist-info/METADATA: no Name and Version headers; not a package")
        );
    }
}

#[test]
fn truncated_files_keep_what_was_read() {
    let whole = PIP_REQUESTS.as_bytes();
    for cut in 0..whole.len() {
        let found = parse("s/requests-2.32.3.dist-info/METADATA", &whole[..cut]);
        if let [record] = found.packages.as_slice() {
            assert_eq!(record.name, "requests");
            assert!("2.32.3".starts_with(&record.version));
        }
    }
}

#[test]
fn a_10_mb_line_is_linear_and_dropped() {
    let mut text = b"Name: big\nVersion: 1\nSummary: ".to_vec();
    text.resize(text.len() + 10 * 1024 * 1024, b's');
    text.extend(b"\nLicense: MIT\n");
    let started = std::time::Instant::now();
    let found = parse("a/big-1.dist-info/METADATA", &text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(found.packages[0].licenses, ["MIT"]);
    assert!(!found.packages[0].metadata.contains_key("summary"));
    assert_eq!(
        found.warnings,
        [format!(
            "a/big-1.dist-info/METADATA: Summary longer than {} bytes; ignored",
            headers::MAX_VALUE_BYTES
        )]
    );

    let mut junk = vec![b'x'; 10 * 1024 * 1024];
    junk.extend(b"\nName: after-junk\nVersion: 2\n");
    let found = parse("a/j.dist-info/METADATA", &junk);
    assert_eq!(found.packages[0].name, "after-junk");
}

#[test]
fn binary_junk_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for len in [1, 7, 64, 1000, 65_536] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Bias towards the bytes the parser looks at.
                match seed % 8 {
                    0 => b'\n',
                    1 => b':',
                    2 => b' ',
                    _ => (seed >> 8).to_le_bytes()[0],
                }
            })
            .collect();
        let _ = parse("a/x.dist-info/METADATA", &bytes);
        let _ = parse("a/x.egg-info", &bytes);
    }
}
