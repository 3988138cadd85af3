//! `--cache-backend`: which store a scan uses.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::CacheError;

/// Where layer analyses are kept. Its `Debug` hides a Redis password.
#[derive(Clone, PartialEq, Eq)]
pub enum Backend {
    /// A directory on this machine: the default one (`None`) or the one given.
    Local(Option<PathBuf>),
    /// A Redis server, `redis://[user:password@]host[:port][/db]` or `rediss://` for TLS.
    Redis(String),
}

impl FromStr for Backend {
    type Err = CacheError;

    fn from_str(text: &str) -> Result<Self, CacheError> {
        let bad = |reason: &str| CacheError::BadUrl {
            url: redact_url(text),
            reason: reason.to_string(),
        };
        if text == "local" || text == "fs" {
            return Ok(Backend::Local(None));
        }
        if let Some(dir) = text.strip_prefix("local:") {
            if dir.is_empty() {
                return Err(bad("local: needs a directory, as local:DIR"));
            }
            return Ok(Backend::Local(Some(PathBuf::from(dir))));
        }
        if text.starts_with("redis://") || text.starts_with("rediss://") {
            return Ok(Backend::Redis(text.to_string()));
        }
        Err(bad(
            "expected local, local:DIR, redis://HOST[:PORT][/DB] or rediss://HOST[:PORT][/DB]",
        ))
    }
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Local(dir) => f.debug_tuple("Local").field(dir).finish(),
            Backend::Redis(url) => f.debug_tuple("Redis").field(&redact_url(url)).finish(),
        }
    }
}

/// `text` fit for a message: everything between the scheme and the last `@` is userinfo, whose
/// password becomes `***` (`redis://ci:***@cache`), or all of it when no `:` marks a user
/// (`redis://***@cache`: a lone userinfo may be a password). Forgiving on purpose: a mistyped
/// `redis:/ci:pw@cache` or a password with an unescaped `/` or `@` is hidden too.
pub fn redact_url(text: &str) -> String {
    let Some(at) = text.rfind('@') else {
        return text.to_string();
    };
    let (head, host) = text.split_at(at);
    let (scheme, userinfo) = head.split_at(userinfo_start(head));
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}{user}:***{host}"),
        None => format!("{scheme}***{host}"),
    }
}

/// Where the userinfo of `head` (the text before its last `@`) starts: after `scheme:` and
/// any slashes, else at the start.
fn userinfo_start(head: &str) -> usize {
    let Some((scheme, rest)) = head.split_once(':') else {
        return 0;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return 0;
    }
    head.len() - rest.trim_start_matches('/').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_parse() {
        assert_eq!("local".parse::<Backend>().unwrap(), Backend::Local(None));
        assert_eq!(
            "local:/var/cache/x".parse::<Backend>().unwrap(),
            Backend::Local(Some("/var/cache/x".into()))
        );
        assert_eq!(
            "redis://127.0.0.1:6379/2".parse::<Backend>().unwrap(),
            Backend::Redis("redis://127.0.0.1:6379/2".into())
        );
        for bad in ["", "local:", "memcached://x", "/tmp/x"] {
            let err = bad.parse::<Backend>().unwrap_err();
            assert!(matches!(err, CacheError::BadUrl { .. }), "{bad:?}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        let cases = [
            ("redis://ci:hunter2@cache:1/0", "redis://ci:***@cache:1/0"),
            ("rediss://:hunter2@cache", "rediss://:***@cache"),
            ("redis://hunter2@cache", "redis://***@cache"),
            ("redis:/ci:hunter2@cache", "redis:/ci:***@cache"),
            ("redis:ci:hunter2@cache", "redis:ci:***@cache"),
            ("ci:hunter2@cache", "ci:***@cache"),
            ("hunter2@cache", "***@cache"),
            ("redis://ci:hun/ter@2@cache/1", "redis://ci:***@cache/1"),
            ("redis://cache:1/0", "redis://cache:1/0"),
            ("local:/var/cache", "local:/var/cache"),
        ];
        for (text, shown) in cases {
            assert_eq!(redact_url(text), shown, "{text}");
        }
    }

    #[test]
    fn a_mistyped_backend_keeps_its_password_out_of_the_error() {
        for text in ["redis:/ci:hunter2@cache", "memcached://ci:hunter2@cache:1"] {
            let message = text.parse::<Backend>().unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains("ci:***@cache"), "{message}");
        }
        let backend: Backend = "redis://ci:hunter2@cache".parse().unwrap();
        let debug = format!("{backend:?}");
        assert!(
            !debug.contains("hunter2") && debug.contains("ci:***@cache"),
            "{debug}"
        );
    }
}
