//! `sbomgen cache {info,clean,prune}`: the local layer cache and blob cache, which share one
//! size cap. A Redis cache is not managed here: its entries expire (`--cache-ttl`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sbomgen_cache::policy::{self, Usage};

use crate::cache_args::{configured_max_size, CacheCommand, CacheDirs};

pub(crate) fn run(command: CacheCommand) -> Result<()> {
    match command {
        CacheCommand::Info(dirs) => info(&dirs),
        CacheCommand::Clean(dirs) => clean(&dirs),
        CacheCommand::Prune(args) => {
            let max = match args.max_size {
                Some(max) => max,
                None => configured_max_size()?,
            };
            prune(&args.dirs, max)
        }
    }
}

/// The two caches with their labels; an error when neither has a location.
fn located(dirs: &CacheDirs) -> Result<Vec<(&'static str, PathBuf)>> {
    let (layers, blobs) = dirs.resolve();
    let found: Vec<_> = [("layer cache", layers), ("blob cache", blobs)]
        .into_iter()
        .filter_map(|(label, dir)| dir.map(|d| (label, d)))
        .collect();
    if found.is_empty() {
        bail!("no cache directory: set XDG_CACHE_HOME or HOME, or pass --layers-dir/--cache-dir");
    }
    Ok(found)
}

fn info(dirs: &CacheDirs) -> Result<()> {
    let mut total = Usage::default();
    for (label, dir) in located(dirs)? {
        let usage = policy::usage(&dir);
        println!("{label:<12} {}: {}", dir.display(), describe(usage));
        total.entries += usage.entries;
        total.bytes += usage.bytes;
    }
    let cap = configured_max_size()?;
    println!(
        "{:<12} {} of the {} cap",
        "total",
        describe(total),
        human(cap)
    );
    Ok(())
}

fn clean(dirs: &CacheDirs) -> Result<()> {
    for (label, dir) in located(dirs)? {
        let removed =
            policy::clean(&dir).with_context(|| format!("cannot clean {}", dir.display()))?;
        println!(
            "{label:<12} {}: removed {}",
            dir.display(),
            describe(removed)
        );
    }
    Ok(())
}

fn prune(dirs: &CacheDirs, max: u64) -> Result<()> {
    let located = located(dirs)?;
    let paths: Vec<&Path> = located.iter().map(|(_, d)| d.as_path()).collect();
    let pruned = policy::prune(&paths, max);
    println!(
        "removed {}; kept {} (cap {})",
        describe(pruned.removed),
        describe(pruned.kept),
        human(max)
    );
    Ok(())
}

fn describe(usage: Usage) -> String {
    let noun = if usage.entries == 1 {
        "entry"
    } else {
        "entries"
    };
    format!("{} {noun}, {}", usage.entries, human(usage.bytes))
}

/// Bytes in binary units, one decimal: `81.2 MiB`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_binary_units() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1023), "1023 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(5 << 30), "5.0 GiB");
    }
}
