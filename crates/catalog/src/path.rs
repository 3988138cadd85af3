//! Pieces of root-relative paths, as every cataloguer receives them (`/`-separated, no
//! leading `/`): one definition instead of one per ecosystem.

/// The last segment: the file's own name (the whole path when it has no directory).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The directory part (`""` for a file at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_last_slash() {
        let cases = [
            (
                "usr/lib/python3/x.dist-info/METADATA",
                "usr/lib/python3/x.dist-info",
                "METADATA",
            ),
            ("package-lock.json", "", "package-lock.json"),
            ("app/", "app", ""),
        ];
        for (path, dir, name) in cases {
            assert_eq!((parent(path), file_name(path)), (dir, name), "{path}");
        }
    }
}
