//! Cold and warm scans through the per-layer cache: a cold scan starts from an empty local
//! store (a fresh `XDG_CACHE_HOME` per run, so it pays for writing the entries, as a first scan
//! does); a warm one finds every layer in the local store, or in a Redis (Debian's
//! `redis-server` on a free 127.0.0.1 port, no persistence, stopped after), filled by one scan
//! before the measured ones. A binary without the layer cache gets cold scans only.

use std::path::Path;

use sbomgen_testkit::redis::{RedisServer, RedisServerOptions};

use super::run::{self, Sbomgen, Stats};

/// Medians of the scans through the cache.
pub(crate) struct CacheTimes {
    /// From an empty local store.
    pub(crate) cold: Stats,
    /// `--no-layer-cache`: what writing the entries adds to `cold`, when the cache exists.
    pub(crate) uncached: Option<Stats>,
    pub(crate) warm_local: Option<Stats>,
    /// `None` without the cache or without `redis-server`.
    pub(crate) warm_redis: Option<Stats>,
}

/// Measures `sbomgen` on `image`, with scratch cache homes under `scratch`.
pub(crate) fn measure(sbomgen: &Sbomgen, image: &str, scratch: &Path) -> CacheTimes {
    let mut fresh = 0;
    let cold = run::measure(|| {
        fresh += 1;
        sbomgen.scan(image, &[], &scratch.join(format!("cold-{fresh}")))
    });
    if !sbomgen.layer_cache {
        println!("layer cache:           not in this binary (no --cache-backend): cold scans only");
        return CacheTimes {
            cold,
            uncached: None,
            warm_local: None,
            warm_redis: None,
        };
    }
    let uncached = run::measure(|| sbomgen.scan(image, &["--no-layer-cache"], scratch));
    let warm = scratch.join("warm-local");
    sbomgen.scan(image, &[], &warm);
    let warm_local = run::measure(|| sbomgen.scan(image, &[], &warm));
    CacheTimes {
        cold,
        uncached: Some(uncached),
        warm_local: Some(warm_local),
        warm_redis: warm_redis(sbomgen, image, &scratch.join("warm-redis")),
    }
}

fn warm_redis(sbomgen: &Sbomgen, image: &str, cache_home: &Path) -> Option<Stats> {
    if !on_path("redis-server") {
        println!("warm scan (Redis):     skipped (no redis-server; apt-get install redis-server)");
        return None;
    }
    let redis = match RedisServer::start(RedisServerOptions::default()) {
        Ok(redis) => redis,
        Err(e) => {
            println!("warm scan (Redis):     skipped (redis-server did not start: {e})");
            return None;
        }
    };
    let url = redis.url();
    let args = ["--cache-backend", url.as_str()];
    sbomgen.scan(image, &args, cache_home);
    let stats = run::measure(|| sbomgen.scan(image, &args, cache_home));
    // Dropping the server stops it (by its PID) and deletes its directory.
    drop(redis);
    Some(stats)
}

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([Path::new("/usr/bin").into(), Path::new("/usr/sbin").into()])
        .any(|dir| dir.join(program).is_file())
}
