//! Normalising tar entry names into root-relative paths, and recognising whiteouts.

use sbomgen_model::Whiteout;

/// What a raw tar entry name turned into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NormalizedPath {
    /// The root directory itself (`./`, `/`): carries no file.
    Root,
    /// An ordinary root-relative path.
    Path(String),
    /// A deletion marker.
    Whiteout(Whiteout),
    /// AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`, …) that is not part of the image content.
    AufsMeta,
}

/// Normalises a tar entry name: strips leading `/` and `./`, drops `.` and empty components.
///
/// Returns `Err` with the name when a `..` component would escape the root: such entries are
/// rejected, never followed (a `..` that stays inside the root is rejected too, since no
/// legitimate image writer produces it and interpreting it is exactly the bug class of
/// tar-slip).
pub fn normalize(raw: &str) -> Result<NormalizedPath, String> {
    let mut parts: Vec<&str> = Vec::new();
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err(raw.to_string()),
            c => parts.push(c),
        }
    }
    let Some(&name) = parts.last() else {
        return Ok(NormalizedPath::Root);
    };
    if let Some(target) = name.strip_prefix(".wh.") {
        let parent = parts[..parts.len() - 1].join("/");
        if target == ".wh..opq" {
            return Ok(NormalizedPath::Whiteout(Whiteout::Opaque(parent)));
        }
        if target.starts_with(".wh.") || target.is_empty() {
            return Ok(NormalizedPath::AufsMeta);
        }
        let path = if parent.is_empty() {
            target.to_string()
        } else {
            format!("{parent}/{target}")
        };
        return Ok(NormalizedPath::Whiteout(Whiteout::File(path)));
    }
    Ok(NormalizedPath::Path(parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> NormalizedPath {
        NormalizedPath::Path(s.to_string())
    }

    #[test]
    fn normalisation_table() {
        let cases = [
            ("./etc/os-release", path("etc/os-release")),
            ("/etc/os-release", path("etc/os-release")),
            ("etc//./passwd", path("etc/passwd")),
            ("usr/lib/", path("usr/lib")),
            ("./", NormalizedPath::Root),
            ("/", NormalizedPath::Root),
            (
                "etc/.wh.hosts",
                NormalizedPath::Whiteout(Whiteout::File("etc/hosts".into())),
            ),
            (
                ".wh.secret",
                NormalizedPath::Whiteout(Whiteout::File("secret".into())),
            ),
            (
                "./var/.wh..wh..opq",
                NormalizedPath::Whiteout(Whiteout::Opaque("var".into())),
            ),
            (
                ".wh..wh..opq",
                NormalizedPath::Whiteout(Whiteout::Opaque(String::new())),
            ),
            (".wh..wh.plnk/1.2", path(".wh..wh.plnk/1.2")),
            (".wh..wh.aufs", NormalizedPath::AufsMeta),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn dot_dot_is_rejected() {
        for raw in ["../etc/passwd", "a/../../b", "./a/../b", ".."] {
            assert_eq!(normalize(raw), Err(raw.to_string()));
        }
    }
}
