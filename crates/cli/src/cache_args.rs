//! Layer cache flags of `scan` and `attest`, and the store they open.
//!
//! The cache is on by default, in `$XDG_CACHE_HOME/sbomgen/layers` beside the blob cache;
//! `--cache-backend redis://…` shares it between machines. Opening a store never fails a
//! scan: a server that is down is a warning and the scan reads every layer.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use clap::builder::{StringValueParser, TypedValueParser};
use clap::Args;
use sbomgen_cache::policy::{self, DEFAULT_MAX_SIZE};
use sbomgen_cache::{Backend, CacheError, LocalStore, RedisOptions, RedisStore, Store};
use sbomgen_scan::SourceSpec;

#[derive(Debug, Args)]
#[command(next_help_heading = "Layer cache")]
pub(crate) struct LayerCacheArgs {
    /// Where layer analyses are cached: `local` ($XDG_CACHE_HOME/sbomgen/layers or
    /// ~/.cache/sbomgen/layers), `local:DIR`, or `redis://[USER:PASSWORD@]HOST[:PORT][/DB]`
    /// (`rediss://` for TLS; the password may come from SBOMGEN_REDIS_PASSWORD) to share
    /// them between machines.
    #[arg(long, value_name = "BACKEND", value_parser = BackendParser, default_value = "local")]
    pub cache_backend: Backend,

    /// A PEM bundle of CA certificates trusted for a `rediss://` cache besides the system's.
    #[arg(long, value_name = "FILE")]
    pub cache_ca_cert: Option<PathBuf>,

    /// Neither read nor write the layer cache: read and analyse every layer (`--no-cache`
    /// implies it).
    #[arg(long)]
    pub no_layer_cache: bool,

    /// Cap on the local layer cache and blob cache together (K/M/G/T suffixes): past it the
    /// least recently used entries are removed after the scan.
    #[arg(long, value_name = "SIZE", value_parser = size, default_value = "5G")]
    pub cache_size: u64,

    /// How long entries live in a Redis cache (s/m/h/d suffixes; 0 keeps them until Redis
    /// evicts them).
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "7d")]
    pub cache_ttl: Duration,
}

/// The layer cache a command opened, if any, and what to tell the user about it.
#[derive(Debug, Default)]
pub(crate) struct OpenedCache {
    pub store: Option<Arc<dyn Store>>,
    /// The local store, which the size policy applies to after the scan.
    local: Option<LocalStore>,
    max_size: u64,
    pub warnings: Vec<String>,
}

impl LayerCacheArgs {
    /// The store for scanning `spec`; none with `--no-layer-cache` or `no_cache` (`--no-cache`:
    /// no cache at all). `dir:` sources are never cached (nothing verifies a directory's
    /// content), so none is opened for them. A bad backend address is an error; a store that
    /// cannot be reached is a warning.
    pub(crate) fn open(&self, spec: &SourceSpec, no_cache: bool) -> Result<OpenedCache> {
        let mut opened = OpenedCache {
            max_size: self.cache_size,
            ..OpenedCache::default()
        };
        if self.no_layer_cache || no_cache || matches!(spec, SourceSpec::Dir { .. }) {
            return Ok(opened);
        }
        match &self.cache_backend {
            Backend::Local(dir) => {
                let Some(dir) = dir.clone().or_else(default_layer_dir) else {
                    return Ok(opened);
                };
                let store = LocalStore::new(dir);
                opened.store = Some(Arc::new(store.clone()));
                opened.local = Some(store);
            }
            Backend::Redis(url) => match RedisStore::connect_with(url, self.redis_options()) {
                Ok(store) => opened.store = Some(Arc::new(store)),
                Err(error @ CacheError::BadUrl { .. }) => return Err(error.into()),
                Err(error) => opened.warnings.push(format!(
                    "layer cache unavailable ({error}); reading every layer"
                )),
            },
        }
        Ok(opened)
    }

    /// The environment's options (`SBOMGEN_REDIS_PASSWORD`, `SBOMGEN_CACHE_CA_CERT`) with
    /// the flags' TTL and CA bundle; the configuration reads `SBOMGEN_CACHE_CA_CERT` into
    /// `--cache-ca-cert` too, so the flag wins only when given.
    fn redis_options(&self) -> RedisOptions {
        let from_env = RedisOptions::from_env(self.cache_ttl);
        RedisOptions {
            ca_cert: self.cache_ca_cert.clone().or(from_env.ca_cert.clone()),
            ..from_env
        }
    }
}

impl OpenedCache {
    /// Keeps the local caches under the size cap once a scan may have added to them: when
    /// the layer store wrote an entry, or `blobs` (the registry blob cache) was in use.
    pub(crate) fn enforce_size(&self, blobs: Option<&Path>) {
        let layers = self
            .local
            .as_ref()
            .filter(|store| store.writes() > 0)
            .map(LocalStore::dir);
        if layers.is_none() && blobs.is_none() {
            return;
        }
        let local_dir = self.local.as_ref().map(LocalStore::dir);
        let dirs: Vec<&Path> = local_dir.into_iter().chain(blobs).collect();
        let pruned = policy::prune(&dirs, self.max_size);
        tracing::debug!(
            removed = pruned.removed.entries,
            freed = pruned.removed.bytes,
            kept = pruned.kept.bytes,
            "cache size policy applied"
        );
    }
}

/// `$XDG_CACHE_HOME/sbomgen/layers` (else `~/.cache/sbomgen/layers`): beside the blob cache.
pub(crate) fn default_layer_dir() -> Option<PathBuf> {
    sbomgen_registry::default_cache_dir(|name| std::env::var(name).ok())
        .map(|blobs| blobs.with_file_name("layers"))
}

/// The cap `sbomgen cache prune` applies without `--max-size`: `SBOMGEN_CACHE_SIZE`, else
/// the default.
pub(crate) fn configured_max_size() -> Result<u64> {
    match std::env::var(policy::ENV_CACHE_SIZE) {
        Ok(text) if !text.is_empty() => {
            size(&text).map_err(|e| anyhow::anyhow!("{}: {e}", policy::ENV_CACHE_SIZE))
        }
        _ => Ok(DEFAULT_MAX_SIZE),
    }
}

/// Parses `--cache-backend` like a plain value parser, but clap's error shows the value with
/// its password redacted: clap would echo it verbatim ("invalid value '…'").
#[derive(Debug, Clone, Copy)]
struct BackendParser;

impl TypedValueParser for BackendParser {
    type Value = Backend;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Backend, clap::Error> {
        let text = StringValueParser::new().parse_ref(cmd, arg, value)?;
        let reason = match text.parse::<Backend>() {
            Ok(backend) => return Ok(backend),
            Err(CacheError::BadUrl { reason, .. }) => reason,
            Err(other) => other.to_string(),
        };
        let shown = sbomgen_cache::redact_url(&text);
        // A parser that always fails with the reason, given the redacted text, yields
        // clap's usual error (and so the config's "the value comes from" note).
        let fail = move |_: &str| Err::<Backend, String>(reason.clone());
        fail.parse_ref(cmd, arg, OsStr::new(&shown))
    }
}

pub(crate) fn size(text: &str) -> Result<u64, String> {
    policy::parse_size(text)
}

/// `90s`, `30m`, `12h`, `7d`, or plain seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (s, m, h, d)")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is not a duration (e.g. 7d, 12h, 3600)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_args(args: &[&str]) -> Result<LayerCacheArgs, clap::Error> {
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            cache: LayerCacheArgs,
        }
        let argv = std::iter::once("sbomgen").chain(args.iter().copied());
        <Cli as clap::Parser>::try_parse_from(argv).map(|cli| cli.cache)
    }

    #[test]
    fn a_bad_backend_error_hides_the_password() {
        for value in ["redis:/ci:hunter2@cache", "memcached://:hunter2@cache"] {
            let message = scan_args(&["--cache-backend", value])
                .unwrap_err()
                .to_string();
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains(":***@cache"), "{message}");
            assert!(message.contains("--cache-backend"), "{message}");
            assert!(message.contains("expected local"), "{message}");
        }
        let args = scan_args(&["--cache-backend", "redis://ci:hunter2@cache"]).unwrap();
        assert_eq!(
            args.cache_backend,
            Backend::Redis("redis://ci:hunter2@cache".into())
        );
    }

    #[test]
    fn the_ca_flag_reaches_the_redis_options() {
        let args = scan_args(&["--cache-ca-cert", "/etc/fleet/ca.pem"]).unwrap();
        assert_eq!(
            args.redis_options().ca_cert.as_deref(),
            Some(Path::new("/etc/fleet/ca.pem"))
        );
        let args = scan_args(&["--cache-ttl", "1h"]).unwrap();
        assert_eq!(args.redis_options().ttl, Duration::from_secs(3600));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert_eq!(duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("0"), Ok(Duration::ZERO));
        assert!(duration("3w").is_err());
        assert!(duration("h").is_err());
    }
}

/// `sbomgen cache …`: the local caches.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CacheCommand {
    /// Entries, bytes and location of the layer cache and the blob cache.
    Info(CacheDirs),
    /// Remove every entry of both caches.
    Clean(CacheDirs),
    /// Remove the least recently used entries until both caches together fit the cap.
    Prune(PruneArgs),
}

/// Which directories the cache commands act on.
#[derive(Debug, Args)]
pub(crate) struct CacheDirs {
    /// The layer cache [default: $XDG_CACHE_HOME/sbomgen/layers or ~/.cache/sbomgen/layers].
    #[arg(long, value_name = "DIR")]
    pub layers_dir: Option<PathBuf>,

    /// The registry blob cache [default: $XDG_CACHE_HOME/sbomgen/blobs or
    /// ~/.cache/sbomgen/blobs].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    #[command(flatten)]
    pub dirs: CacheDirs,

    /// The cap (K/M/G/T suffixes) [default: SBOMGEN_CACHE_SIZE, else 5G].
    #[arg(long, value_name = "SIZE", value_parser = size)]
    pub max_size: Option<u64>,
}

impl CacheDirs {
    /// The layer and blob directories, default or given; `None` where neither a flag nor
    /// `$XDG_CACHE_HOME`/`$HOME` names one.
    pub(crate) fn resolve(&self) -> (Option<PathBuf>, Option<PathBuf>) {
        let blobs = (self.cache_dir.clone())
            .or_else(|| sbomgen_registry::default_cache_dir(|n| std::env::var(n).ok()));
        (self.layers_dir.clone().or_else(default_layer_dir), blobs)
    }
}
