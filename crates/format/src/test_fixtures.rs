//! Building blocks the format tests share: digests spelt with one repeated character, an image
//! layer and an installed Debian package. Each encoding's tests build their own sample image
//! from these and override only what that encoding must prove.

use sbomgen_model::{Digest, LayerSummary, Location, Package};

/// `sha256:` followed by 64 copies of `c`: distinct, valid and easy to tell apart in a diff.
pub(crate) fn digest(c: char) -> Option<Digest> {
    format!("sha256:{}", c.to_string().repeat(64)).parse().ok()
}

/// Layer `index` with the given digest and diff_id characters and a plain `RUN` command.
pub(crate) fn layer(index: usize, digest_char: char, diff_char: char) -> LayerSummary {
    LayerSummary {
        index,
        digest: digest(digest_char),
        diff_id: digest(diff_char),
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        size: Some(100 + index as u64),
        created_by: Some(format!("RUN step {index}")),
        added: 3,
        modified: 1,
        deleted: index as u64,
    }
}

/// A Debian package recorded in `var/lib/dpkg/status` by layer `introduced` (and gone in
/// `removed`), with its purl, a CPE and four files, none left once removed. No metadata.
pub(crate) fn deb(name: &str, version: &str, introduced: usize, removed: Option<usize>) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        kind: "deb".into(),
        purl: Some(format!(
            "pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12"
        )),
        cpes: vec![format!("cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*")],
        arch: Some("amd64".into()),
        introduced_in: Some(introduced),
        removed_in: removed,
        locations: vec![Location {
            path: "var/lib/dpkg/status".into(),
            layer_index: introduced,
        }],
        files: 4,
        files_present: if removed.is_some() { 0 } else { 4 },
        ..Package::default()
    }
}
