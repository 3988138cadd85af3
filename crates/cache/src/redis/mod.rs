//! The shared store for fleets: layer analyses in Redis, so CI runners that scan images built on
//! the same base reuse each other's work (as Trivy's `--cache-backend redis://` does).
//!
//! A small RESP2 client of its own ([`resp`]) rather than the `redis` crate: the cache needs
//! five commands, and this keeps one TLS stack (rustls with ring, [`tls`]) and bounded reads.
//! Entries are `SET sbomgen:layer:<key> <value> EX <ttl>`. Every connect, read and write has a
//! timeout, so a dead or stuck server costs a scan seconds, never a hang; a connection that
//! breaks is replaced once per operation before the store reports itself unreachable.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::{CacheError, Store};

mod conn;
mod resp;
mod tls;
mod url;

use conn::{Connection, Dial, Failure};
use resp::{Reply, RespError};
use url::RedisUrl;

/// Connections kept open between operations: scans look up several layers at once.
const MAX_IDLE: usize = 8;

/// How to reach and use a Redis server, besides its URL.
#[derive(Clone)]
pub struct RedisOptions {
    /// How long entries live (`EX`), rounded up to whole seconds; zero keeps them until Redis
    /// evicts them.
    pub ttl: Duration,
    /// The limit on connecting and on each read and write.
    pub timeout: Duration,
    /// A PEM bundle of CA certificates trusted for `rediss://` besides the system's.
    pub ca_cert: Option<PathBuf>,
    /// The password when the URL carries none.
    pub password: Option<String>,
}

impl RedisOptions {
    /// Entries live a week by default.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);
    /// A few seconds: long enough for a loaded server, short enough not to stall a scan.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

    /// The defaults with `ttl`, the password from `SBOMGEN_REDIS_PASSWORD` and the CA bundle
    /// from `SBOMGEN_CACHE_CA_CERT`, when set and not empty.
    pub fn from_env(ttl: Duration) -> RedisOptions {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        RedisOptions {
            ttl,
            password: var("SBOMGEN_REDIS_PASSWORD").map(|v| v.to_string_lossy().into_owned()),
            ca_cert: var("SBOMGEN_CACHE_CA_CERT").map(PathBuf::from),
            ..RedisOptions::default()
        }
    }
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            ttl: Self::DEFAULT_TTL,
            timeout: Self::DEFAULT_TIMEOUT,
            ca_cert: None,
            password: None,
        }
    }
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisOptions")
            .field("ttl", &self.ttl)
            .field("timeout", &self.timeout)
            .field("ca_cert", &self.ca_cert)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Layer analyses in a Redis server, shared by every thread of a scan.
#[derive(Debug)]
pub struct RedisStore {
    url: RedisUrl,
    dial: Dial,
    /// `EX` seconds; `None` for no expiry.
    ttl: Option<String>,
    idle: Mutex<Vec<Connection>>,
}

impl RedisStore {
    /// What every key starts with, so sbomgen's entries stay apart in a shared database.
    pub const KEY_PREFIX: &'static str = "sbomgen:layer:";

    /// Connects to `url` with [`RedisOptions::from_env`]`(ttl)`.
    pub fn connect(url: &str, ttl: Duration) -> Result<RedisStore, CacheError> {
        Self::connect_with(url, RedisOptions::from_env(ttl))
    }

    /// Parses `url`, connects and authenticates once, so that a wrong address, password or
    /// certificate is reported now (as [`CacheError::Unreachable`] or
    /// [`CacheError::Protocol`]) rather than on every layer.
    pub fn connect_with(url: &str, options: RedisOptions) -> Result<RedisStore, CacheError> {
        let url = RedisUrl::parse(url)?;
        let tls = if url.tls {
            Some(tls::client_config(
                &url.to_string(),
                options.ca_cert.as_deref(),
            )?)
        } else {
            None
        };
        let ttl = options.ttl;
        let seconds = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
        let store = RedisStore {
            dial: Dial {
                timeout: options.timeout,
                tls,
                username: url.username.clone(),
                password: url.password.clone().or(options.password),
            },
            url,
            ttl: (seconds > 0).then(|| seconds.to_string()),
            idle: Mutex::new(Vec::new()),
        };
        let first = store.open()?;
        store.idle().push(first);
        Ok(store)
    }

    fn open(&self) -> Result<Connection, CacheError> {
        Connection::open(&self.url, &self.dial).map_err(|failure| match failure {
            Failure::Unreachable(reason) => self.unreachable(reason),
            Failure::Protocol(reason) => self.protocol(reason),
        })
    }

    /// Runs one command on an idle connection or a new one. When the connection breaks
    /// (a server restart, an idle timeout), one new connection gets the command once more;
    /// a timeout is not retried: a server too slow once is not waited for twice.
    fn call(&self, args: &[&[u8]]) -> Result<Reply, CacheError> {
        let mut connection = match self.idle().pop() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let mut retried = false;
        loop {
            match connection.call(args) {
                Ok(reply) => {
                    let mut idle = self.idle();
                    if idle.len() < MAX_IDLE {
                        idle.push(connection);
                    }
                    return Ok(reply);
                }
                Err(RespError::Protocol(reason)) => return Err(self.protocol(reason)),
                Err(RespError::Io(e)) => {
                    let reason = conn::io_reason(&e, self.dial.timeout);
                    let timed_out = matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    );
                    if retried || timed_out {
                        return Err(self.unreachable(reason));
                    }
                    retried = true;
                    // Other idle connections predate the same break: drop them too.
                    self.idle().clear();
                    connection = self.open()?;
                }
            }
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        // A panic while holding the lock leaves only a list of connections behind.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn unreachable(&self, reason: String) -> CacheError {
        CacheError::Unreachable {
            store: self.describe(),
            reason,
        }
    }

    fn protocol(&self, reason: String) -> CacheError {
        CacheError::Protocol {
            store: self.describe(),
            reason,
        }
    }
}

impl Store for RedisStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let key = format!("{}{key}", Self::KEY_PREFIX);
        match self.call(&[b"GET", key.as_bytes()])? {
            Reply::Bulk(value) => Ok(Some(value)),
            Reply::Nil => Ok(None),
            other => Err(self.protocol(format!("GET answered {}", conn::describe(&other)))),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
        if value.len() as u64 > resp::MAX_BULK_LEN {
            return Err(self.protocol(format!(
                "an entry of {} bytes exceeds Redis's limit of {} bytes",
                value.len(),
                resp::MAX_BULK_LEN
            )));
        }
        let key = format!("{}{key}", Self::KEY_PREFIX);
        let mut args: Vec<&[u8]> = vec![b"SET", key.as_bytes(), value];
        if let Some(ttl) = &self.ttl {
            args.extend([b"EX".as_slice(), ttl.as_bytes()]);
        }
        match self.call(&args)? {
            Reply::Status(ok) if ok == "OK" => Ok(()),
            other => Err(self.protocol(format!("SET answered {}", conn::describe(&other)))),
        }
    }

    /// `redis://host:port/db`, without credentials.
    fn describe(&self) -> String {
        self.url.to_string()
    }
}
