//! Which of a package's license declarations to report.
//!
//! Core metadata has three places for a license, of unequal precision:
//! 1. `License-Expression` (PEP 639, metadata 2.4): an SPDX expression. Always wins.
//! 2. `Classifier: License :: …` trove classifiers. Some name exactly one SPDX license
//!    (`MIT License`, `… v3 or later (GPLv3+)`); others name a family (`BSD License`,
//!    `Apache Software License`).
//! 3. `License:` free text: an SPDX id (`BSD-3-Clause`), a name (`Apache 2.0`), or the whole
//!    license text pasted in.
//!
//! Trivy prefers classifiers to `License:` (the spec says `License:` is for text "where the
//! license is not a selection from the classifiers"), so Flask 2.0 becomes `BSD License`
//! though its `License:` says `BSD-3-Clause`; Syft ignores classifiers. We take the most
//! precise: classifiers when every one maps to an SPDX id, else a short `License:`, else the
//! classifier names as written. `License:` holding a license *text* (more than one line or
//! over 200 bytes) is skipped, not truncated: its first line is usually a title or a
//! copyright notice, neither a license name. `UNKNOWN` (what old setuptools wrote for "not
//! set") is no declaration.

use super::headers::Headers;

/// A `License:` longer than this is a license text, not a name.
const MAX_LICENSE_NAME_BYTES: usize = 200;

/// The licenses to report, one entry per declaration.
pub(super) fn declared(headers: &Headers) -> Vec<String> {
    if let Some(expression) = headers.license_expression.as_deref().filter(|v| is_set(v)) {
        return vec![expression.to_string()];
    }
    let classifiers: Vec<(&str, Option<&str>)> = headers
        .classifiers
        .iter()
        .filter_map(|c| classifier_license(c))
        .map(|name| (name, classifier_spdx(name)))
        .collect();
    if !classifiers.is_empty() && classifiers.iter().all(|(_, spdx)| spdx.is_some()) {
        return dedup(classifiers.iter().filter_map(|(_, spdx)| *spdx));
    }
    if let Some(license) = headers.license.as_deref().filter(|v| is_license_name(v)) {
        return vec![license.to_string()];
    }
    dedup(classifiers.iter().map(|(name, spdx)| spdx.unwrap_or(name)))
}

/// The license a `License :: …` classifier names: its last segment, except for the bare
/// grouping classifier `License :: OSI Approved`.
fn classifier_license(classifier: &str) -> Option<&str> {
    let rest = classifier.strip_prefix("License ::")?;
    let last = rest.rsplit("::").next()?.trim();
    (last != "OSI Approved" && !last.is_empty()).then_some(last)
}

fn is_set(value: &str) -> bool {
    !value.is_empty() && value != "UNKNOWN"
}

fn is_license_name(value: &str) -> bool {
    is_set(value) && !value.contains('\n') && value.len() <= MAX_LICENSE_NAME_BYTES
}

fn dedup<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        if !out.iter().any(|seen| seen == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// The SPDX id of a trove license classifier (last segment) that names exactly one license.
/// The vocabulary is closed (PyPI rejects unknown classifiers), so exact matching is enough.
/// Family names with no version (`BSD License`, `Apache Software License`, `GNU General Public
/// License (GPL)`, `Artistic License`, `Python Software Foundation License`) have no entry.
fn classifier_spdx(name: &str) -> Option<&'static str> {
    CLASSIFIER_SPDX
        .iter()
        .find(|(classifier, _)| *classifier == name)
        .map(|(_, spdx)| *spdx)
}

const CLASSIFIER_SPDX: &[(&str, &str)] = &[
    ("Blue Oak Model License (BlueOak-1.0.0)", "BlueOak-1.0.0"),
    ("Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"),
    (
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
    ),
    (
        "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)",
        "CECILL-2.1",
    ),
    (
        "CeCILL-B Free Software License Agreement (CECILL-B)",
        "CECILL-B",
    ),
    (
        "CeCILL-C Free Software License Agreement (CECILL-C)",
        "CECILL-C",
    ),
    ("CMU License (MIT-CMU)", "MIT-CMU"),
    (
        "Common Development and Distribution License 1.0 (CDDL-1.0)",
        "CDDL-1.0",
    ),
    ("Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0"),
    ("Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"),
    (
        "Educational Community License, Version 2.0 (ECL-2.0)",
        "ECL-2.0",
    ),
    ("European Union Public Licence 1.0 (EUPL 1.0)", "EUPL-1.0"),
    ("European Union Public Licence 1.1 (EUPL 1.1)", "EUPL-1.1"),
    ("European Union Public Licence 1.2 (EUPL 1.2)", "EUPL-1.2"),
    ("GNU Affero General Public License v3", "AGPL-3.0-only"),
    (
        "GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
    ),
    ("GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
    (
        "GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    ("GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
    (
        "GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
    ),
    (
        "GNU Lesser General Public License v2 (LGPLv2)",
        "LGPL-2.0-only",
    ),
    (
        "GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
    ),
    (
        "GNU Lesser General Public License v3 (LGPLv3)",
        "LGPL-3.0-only",
    ),
    (
        "GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    ("Historical Permission Notice and Disclaimer (HPND)", "HPND"),
    ("ISC License (ISCL)", "ISC"),
    ("MIT License", "MIT"),
    ("MIT No Attribution License (MIT-0)", "MIT-0"),
    ("MirOS License (MirOS)", "MirOS"),
    ("Mozilla Public License 1.0 (MPL)", "MPL-1.0"),
    ("Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    (
        "Mulan Permissive Software License v2 (MulanPSL-2.0)",
        "MulanPSL-2.0",
    ),
    ("NASA Open Source Agreement v1.3 (NASA-1.3)", "NASA-1.3"),
    ("Open Software License 3.0 (OSL-3.0)", "OSL-3.0"),
    ("PostgreSQL License", "PostgreSQL"),
    ("Python License (CNRI Python License)", "CNRI-Python"),
    ("SIL Open Font License 1.1 (OFL-1.1)", "OFL-1.1"),
    ("Sleepycat License", "Sleepycat"),
    ("The Unlicense (Unlicense)", "Unlicense"),
    ("Universal Permissive License (UPL)", "UPL-1.0"),
    ("University of Illinois/NCSA Open Source License", "NCSA"),
    ("Vovida Software License 1.0", "VSL-1.0"),
    ("W3C License", "W3C"),
    ("Zero-Clause BSD (0BSD)", "0BSD"),
    ("zlib/libpng License", "Zlib"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(expression: Option<&str>, classifiers: &[&str], license: Option<&str>) -> Headers {
        Headers {
            license_expression: expression.map(str::to_string),
            classifiers: classifiers.iter().map(ToString::to_string).collect(),
            license: license.map(str::to_string),
            ..Headers::default()
        }
    }

    const MIT: &str = "License :: OSI Approved :: MIT License";
    const BSD: &str = "License :: OSI Approved :: BSD License";
    const APACHE: &str = "License :: OSI Approved :: Apache Software License";
    const GPL3_PLUS: &str =
        "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)";

    #[test]
    fn precedence() {
        let text = "Copyright (c) 2005, NumPy Developers.\nAll rights reserved.";
        let long = "x".repeat(201);
        for (expression, classifiers, license, expected) in [
            (
                Some("MIT OR Apache-2.0"),
                &[BSD][..],
                Some("BSD"),
                &["MIT OR Apache-2.0"][..],
            ),
            (Some("UNKNOWN"), &[MIT], None, &["MIT"]),
            (None, &[MIT], Some("Expat"), &["MIT"]),
            (
                None,
                &[MIT, GPL3_PLUS, MIT],
                None,
                &["MIT", "GPL-3.0-or-later"],
            ),
            (None, &[BSD], Some("BSD-3-Clause"), &["BSD-3-Clause"]),
            (None, &[APACHE], Some("Apache-2.0"), &["Apache-2.0"]),
            (None, &[MIT, BSD], Some("MIT or BSD"), &["MIT or BSD"]),
            (None, &[BSD], Some(text), &["BSD License"]),
            (
                None,
                &[APACHE, MIT],
                Some(&long),
                &["Apache Software License", "MIT"],
            ),
            (None, &[BSD], Some("UNKNOWN"), &["BSD License"]),
            (None, &["License :: OSI Approved"], Some("PSF"), &["PSF"]),
            (
                None,
                &["License :: Public Domain"],
                None,
                &["Public Domain"],
            ),
            (
                None,
                &["Topic :: Utilities"],
                Some("Python license"),
                &["Python license"],
            ),
            (None, &[], Some("UNKNOWN"), &[]),
            (None, &[], Some(text), &[]),
            (None, &[], None, &[]),
        ] {
            assert_eq!(
                declared(&headers(expression, classifiers, license)),
                expected,
                "{expression:?} {classifiers:?} {license:?}"
            );
        }
    }

    #[test]
    fn every_mapped_classifier_is_a_distinct_entry() {
        for (i, (name, spdx)) in CLASSIFIER_SPDX.iter().enumerate() {
            assert!(!spdx.is_empty() && !spdx.contains(' '), "{name}");
            assert!(
                CLASSIFIER_SPDX[i + 1..].iter().all(|(n, _)| n != name),
                "{name}"
            );
        }
    }
}
