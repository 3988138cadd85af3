//! `--cache-backend`: which store a scan uses.

use std::path::PathBuf;
use std::str::FromStr;

use crate::CacheError;

/// Where layer analyses are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            url: text.to_string(),
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
}
