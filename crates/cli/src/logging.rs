//! Structured log lines (`tracing`): `-v` info, `-vv` debug, `-vvv` trace, or any `EnvFilter`
//! in `SBOMGEN_LOG` (`sbomgen=debug`, `sbomgen_scan=trace,info`); on stderr, or in the file
//! `--log-file` names instead.
//!
//! Without any of these no subscriber is installed: the libraries' events cost nothing and
//! stderr carries exactly what it always did (`warning: …` lines, errors). Log lines on a
//! terminal are printed above the progress display, never through it; colour only on a
//! terminal.

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

/// The variable holding a filter that replaces `-v`'s.
pub(crate) const LOG_VARIABLE: &str = "SBOMGEN_LOG";

/// Installs the subscriber for the process, if `verbose`, `SBOMGEN_LOG` or `file` asks for one.
pub(crate) fn init(verbose: u8, file: Option<&Path>) -> Result<()> {
    let from_env = std::env::var(LOG_VARIABLE)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let Some(directives) = directives(verbose, from_env.as_deref(), file.is_some()) else {
        return Ok(());
    };
    let filter = EnvFilter::builder().parse(&directives).map_err(|e| {
        let what = match &from_env {
            Some(value) => format!("{LOG_VARIABLE}={value:?} is not a log filter"),
            None => format!("invalid log filter {directives:?}"),
        };
        // A bad value, as a bad flag would be: a usage error.
        crate::exit::Coded::error(crate::exit::Reason::Usage, format!("{what}: {e}"))
    })?;
    let (writer, ansi) = match file {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot write the log file {}", path.display()))?;
            (BoxMakeWriter::new(std::sync::Mutex::new(file)), false)
        }
        None => (
            BoxMakeWriter::new(|| StderrAboveProgress),
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}

/// The filter to use: `SBOMGEN_LOG` wins, then `-v`'s level for sbomgen's own crates (others
/// only say warnings, except at trace); a log file alone means info.
fn directives(verbose: u8, from_env: Option<&str>, to_file: bool) -> Option<String> {
    if let Some(value) = from_env {
        return Some(value.to_string());
    }
    // `sbomgen` matches every crate of the workspace: filter targets are prefixes.
    let directives = match verbose {
        0 if to_file => "warn,sbomgen=info",
        0 => return None,
        1 => "warn,sbomgen=info",
        2 => "warn,sbomgen=debug",
        _ => "info,sbomgen=trace",
    };
    Some(directives.to_string())
}

/// Stderr, written with the progress display lifted (see [`crate::progress::suspend`]).
struct StderrAboveProgress;

impl Write for StderrAboveProgress {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        crate::progress::suspend(|| std::io::stderr().write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        crate::progress::suspend(|| std::io::stderr().write_all(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_levels_and_the_variable() {
        assert_eq!(directives(0, None, false), None);
        assert_eq!(directives(0, None, true).unwrap(), "warn,sbomgen=info");
        assert_eq!(directives(1, None, false).unwrap(), "warn,sbomgen=info");
        assert_eq!(directives(2, None, false).unwrap(), "warn,sbomgen=debug");
        assert_eq!(directives(5, None, false).unwrap(), "info,sbomgen=trace");
        assert_eq!(
            directives(2, Some("sbomgen_scan=trace"), false).unwrap(),
            "sbomgen_scan=trace"
        );
        for valid in ["warn,sbomgen=info", "info,sbomgen=trace"] {
            assert!(EnvFilter::builder().parse(valid).is_ok(), "{valid}");
        }
    }
}
