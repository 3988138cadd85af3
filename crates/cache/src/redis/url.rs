//! `redis://[user:password@]host[:port][/db]` and `rediss://…` (TLS), as redis-cli and
//! Trivy's `--cache-backend` spell them. The password never appears in [`RedisUrl`]'s
//! `Display` or `Debug`: they end up in warnings and logs.

use std::fmt;

use crate::CacheError;

/// Redis's port when the URL gives none, with or without TLS.
const DEFAULT_PORT: u16 = 6379;

/// A parsed store address.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RedisUrl {
    pub(crate) tls: bool,
    /// A name or an IP address (IPv6 without its brackets).
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The database `SELECT`ed after connecting.
    pub(crate) db: u32,
    /// An ACL user (Redis 6+); `None` for the default user.
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl RedisUrl {
    pub(crate) fn parse(url: &str) -> Result<RedisUrl, CacheError> {
        let bad = |reason: &str| CacheError::BadUrl {
            url: crate::backend::redact_url(url),
            reason: reason.to_string(),
        };
        let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "rediss://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "redis://") {
            (false, rest)
        } else {
            return Err(bad(
                "expected redis://host:port/db or rediss://host:port/db",
            ));
        };
        if rest.contains(['?', '#']) {
            return Err(bad("query parameters and fragments are not supported"));
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(userinfo) => {
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                let user = percent_decode(user).ok_or_else(|| bad("bad %-escape in the user"))?;
                let password = password
                    .map(|p| percent_decode(p).ok_or_else(|| bad("bad %-escape in the password")))
                    .transpose()?;
                ((!user.is_empty()).then_some(user), password)
            }
        };
        let (host, port) = split_host_port(host_port).ok_or_else(|| bad("bad host or port"))?;
        let db = match path {
            "" => 0,
            db => db
                .parse()
                .map_err(|_| bad("the path must be a database number such as /0"))?,
        };
        Ok(RedisUrl {
            tls,
            host,
            port,
            db,
            username,
            password,
        })
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// `redis://host:port/db`: no credentials.
impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "rediss" } else { "redis" };
        write!(f, "{scheme}://{}/{}", self.authority(), self.db)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn split_host_port(s: &str) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after {
            "" => (host, None),
            after => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => port.parse().ok().filter(|p| *p != 0)?,
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> RedisUrl {
        RedisUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn addresses_parse() {
        /// URL, then what it parses to: tls, host, port, db, user, password.
        type Case<'a> = (
            &'a str,
            bool,
            &'a str,
            u16,
            u32,
            Option<&'a str>,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            ("redis://cache:6380/2", false, "cache", 6380, 2, None, None),
            ("redis://cache", false, "cache", 6379, 0, None, None),
            ("redis://cache/", false, "cache", 6379, 0, None, None),
            ("REDISS://cache:1/0", true, "cache", 1, 0, None, None),
            (
                "redis://:s3cret@h:1/0",
                false,
                "h",
                1,
                0,
                None,
                Some("s3cret"),
            ),
            (
                "redis://ci:p%40ss%3Aw@h:1",
                false,
                "h",
                1,
                0,
                Some("ci"),
                Some("p@ss:w"),
            ),
            ("redis://ci@h", false, "h", 6379, 0, Some("ci"), None),
            ("rediss://[::1]:7000/3", true, "::1", 7000, 3, None, None),
            ("redis://[::1]", false, "::1", 6379, 0, None, None),
        ];
        for &(url, tls, host, port, db, user, password) in cases {
            let parsed = parse(url);
            assert_eq!(
                (
                    parsed.tls,
                    parsed.host.as_str(),
                    parsed.port,
                    parsed.db,
                    parsed.username.as_deref(),
                    parsed.password.as_deref()
                ),
                (tls, host, port, db, user, password),
                "{url}"
            );
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        let cases = [
            ("http://cache:6379", "expected redis://"),
            ("redis://", "bad host"),
            ("redis://:6379/0", "bad host"),
            ("redis://cache:0/0", "bad host or port"),
            ("redis://cache:99999", "bad host or port"),
            ("redis://cache:x", "bad host or port"),
            ("redis://[::1", "bad host"),
            ("redis://cache/zero", "database number"),
            ("redis://cache/0/1", "database number"),
            ("redis://cache/0?timeout=1", "query"),
            ("redis://:%zz@cache", "%-escape"),
        ];
        for (url, expected) in cases {
            let message = RedisUrl::parse(url).unwrap_err().to_string();
            assert!(message.contains(expected), "{url}: {message}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let url = parse("redis://ci:hunter2@cache:1/4");
        assert_eq!(url.to_string(), "redis://cache:1/4");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(parse("rediss://[::1]:2").to_string(), "rediss://[::1]:2/0");
        let message = RedisUrl::parse("redis://ci:hunter2@cache:1/x")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("ci:***@cache:1/x"), "{message}");
    }
}
