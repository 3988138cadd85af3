//! Which paths' contents to keep: every consumer's glob patterns compiled into one set.

use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::parse::{EntryParser, SharedParser};

/// A compiled set of path globs, matched against normalised layer paths (no leading `/`).
///
/// One `GlobSet` answers "does any consumer want this tar entry?" in a single pass, whatever the
/// number of patterns (ripgrep's approach). `*` does not cross `/`; `**` does.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    set: GlobSet,
    parser: Option<SharedParser>,
}

impl PathMatcher {
    /// Compiles the patterns; an invalid or absolute pattern is an error naming it.
    pub fn new<I, S>(patterns: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            if pattern.starts_with('/') {
                return Err(format!("pattern {pattern:?} must be relative to the root"));
            }
            builder.add(compile(pattern)?);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(PathMatcher { set, parser: None })
    }

    /// A matcher that keeps nothing.
    pub fn empty() -> Self {
        PathMatcher {
            set: GlobSet::empty(),
            parser: None,
        }
    }

    /// Also hands the regular files `parser` wants to it as they stream, keeping only what it
    /// parsed (see [`EntryParser`]).
    #[must_use]
    pub fn with_parser(mut self, parser: Arc<dyn EntryParser>) -> Self {
        self.parser = Some(SharedParser(parser));
        self
    }

    /// The parser files are handed to, if any.
    pub fn parser(&self) -> Option<&dyn EntryParser> {
        self.parser.as_ref().map(|p| p.0.as_ref())
    }

    pub fn is_match(&self, path: &str) -> bool {
        !self.set.is_empty() && self.set.is_match(path)
    }
}

fn compile(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("pattern {pattern:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_literal_and_globs() {
        let m =
            PathMatcher::new(["etc/os-release", "var/lib/dpkg/status.d/*", "**/*.jar"]).unwrap();
        assert!(m.is_match("etc/os-release"));
        assert!(m.is_match("var/lib/dpkg/status.d/base"));
        assert!(!m.is_match("var/lib/dpkg/status.d/x/y"));
        assert!(m.is_match("opt/app/lib/a.jar"));
        assert!(!m.is_match("usr/etc/os-release"));
    }

    #[test]
    fn rejects_absolute_and_invalid() {
        assert!(PathMatcher::new(["/etc/passwd"]).is_err());
        assert!(PathMatcher::new(["a[b"]).is_err());
        assert!(!PathMatcher::empty().is_match("anything"));
    }
}
