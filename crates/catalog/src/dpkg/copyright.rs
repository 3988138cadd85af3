//! License names from a package's `/usr/share/doc/<package>/copyright`.
//!
//! Debian records licenses nowhere else on an installed system. Machine-readable files (DEP-5,
//! <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>) name them in
//! `License:` fields; free-form files usually point at `/usr/share/common-licenses/<NAME>`, the
//! same clue Syft reads. Names are returned raw (`GPL-2+`, `BSD-3-clause`); mapping them to SPDX
//! is [`crate::license::debian_to_spdx`]'s job.

use super::control;

/// The license names `text` declares, deduplicated in first-seen order.
pub(crate) fn licenses(text: &str) -> Vec<String> {
    let parsed = control::parse(text);
    let mut names = Vec::new();
    if parsed.stanzas.first().is_some_and(is_dep5_header) {
        // Problems are ignored: license texts pasted without the ` .` convention are common and
        // cost nothing here, since only the `License:` synopsis lines matter.
        for stanza in &parsed.stanzas {
            let synopsis = stanza
                .get("License")
                .and_then(|v| v.lines().next())
                .map(str::trim);
            if let Some(name) = synopsis.filter(|n| !n.is_empty()) {
                push_unique(&mut names, name);
            }
        }
    } else {
        for name in common_license_references(text) {
            push_unique(&mut names, name);
        }
    }
    names
}

/// The header of a DEP-5 file names its format; drafts before 1.0 used `Format-Specification`
/// and URLs under `dep5`, which Debian still ships in older packages.
fn is_dep5_header(stanza: &control::Stanza) -> bool {
    let format = stanza
        .get("Format")
        .or_else(|| stanza.get("Format-Specification"));
    format.is_some_and(|f| {
        let f = f.to_ascii_lowercase();
        f.contains("copyright-format") || f.contains("dep5") || f.contains("dep-5")
    })
}

const COMMON_LICENSES: &str = "/usr/share/common-licenses/";

/// `NAME` of every `/usr/share/common-licenses/NAME` in free text.
fn common_license_references(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices(COMMON_LICENSES).filter_map(|(at, _)| {
        let rest = &text[at + COMMON_LICENSES.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(rest.len());
        // A reference often ends a sentence: `.../GPL-2.` names GPL-2.
        let name = rest[..end].trim_end_matches('.');
        (!name.is_empty()).then_some(name)
    })
}

fn push_unique(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEP5: &str = "\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: util-linux
Source: https://www.kernel.org/pub/linux/utils/util-linux/

Files: *
Copyright: 2008-2012 Karel Zak <kzak@redhat.com>
License: GPL-2+

Files: lib/*
Copyright: 2010 Davidlohr Bueso
License: LGPL-2.1+ or GPL-2+

Files: libuuid/*
Copyright: 1996-1999 Theodore Ts'o
License: BSD-3-clause

Files: disk-utils/*
Copyright: 1992 A. V. Le Blanc
License: GPL-2+

License: GPL-2+
 This program is free software; you can redistribute it and/or modify
 it under the terms of the GNU General Public License as published by
 the Free Software Foundation; either version 2 of the License, or
 (at your option) any later version.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in `/usr/share/common-licenses/GPL-2'.

License: BSD-3-clause
 Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions
";

    #[test]
    fn dep5_lists_every_license_synopsis_once_in_first_seen_order() {
        assert_eq!(
            licenses(DEP5),
            ["GPL-2+", "LGPL-2.1+ or GPL-2+", "BSD-3-clause"]
        );
    }

    #[test]
    fn dep5_draft_headers_are_recognised() {
        let text = "Format-Specification: http://svn.debian.org/wsvn/dep/web/deps/dep5.mdwn?op=file&rev=135\n\nFiles: *\nLicense: Expat\n";
        assert_eq!(licenses(text), ["Expat"]);
    }

    #[test]
    fn free_form_copyright_gives_common_license_references() {
        let text = "\
This is the Debian GNU/Linux prepackaged version of bash.

Copyright (C) 1987-2018 Free Software Foundation, Inc.

On Debian systems, the complete text of the GNU General Public License can
be found in /usr/share/common-licenses/GPL-3.  The GNU Library license
is in `/usr/share/common-licenses/LGPL-2'; Apache's in /usr/share/common-licenses/Apache-2.0.
See also /usr/share/common-licenses/GPL-3 again.
";
        assert_eq!(licenses(text), ["GPL-3", "LGPL-2", "Apache-2.0"]);
    }

    #[test]
    fn free_form_license_lines_are_not_dep5() {
        // Without the Format header, `License:` lines are prose, not fields to trust.
        let text = "Upstream Author: someone\nLicense: see below\n\nPublic domain.\n";
        assert!(licenses(text).is_empty());
    }

    #[test]
    fn nothing_to_read_gives_nothing() {
        assert!(licenses("").is_empty());
        assert!(licenses("/usr/share/common-licenses/").is_empty());
        assert!(licenses("Format: copyright-format/1.0\n\nFiles: *\nLicense:\n").is_empty());
    }
}
