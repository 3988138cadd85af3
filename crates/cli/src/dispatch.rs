//! From `argv` to a parsed [`Cli`]: `scan` as the default subcommand for what is clearly a
//! source, cosign's spellings, then the configuration of the command named.

use std::ffi::OsString;
use std::path::Path;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::args::Cli;
use crate::config::{self, Environment, Failure};

/// The parsed command line, or a configuration error to report (exit 2). clap's own errors
/// and `--help` are printed and exit here, as `Cli::parse` would.
pub(crate) fn parse(argv: impl IntoIterator<Item = OsString>) -> anyhow::Result<Cli> {
    let root = Cli::command();
    let argv = normalise(argv.into_iter().collect(), &root);
    let env = Environment::from_process();
    let applied = match config::apply(&root, &argv, &env, false) {
        Ok(applied) => applied,
        Err(Failure::Clap(error)) => with_scan_tip(error).exit(),
        Err(Failure::Config(error)) => return Err(error),
    };
    match Cli::from_arg_matches(&applied.matches) {
        Ok(cli) => Ok(cli),
        Err(error) => error.format(&mut Cli::command()).exit(),
    }
}

/// Inserts `scan` when the first word is clearly a source, and reads cosign's `attach sbom`
/// as `attach`. Any other unknown word is left for clap, which names it and suggests the
/// nearest subcommand (`scna` → `scan`), rather than being scanned as a path that does not
/// exist.
pub(crate) fn normalise(mut args: Vec<OsString>, root: &clap::Command) -> Vec<OsString> {
    // Global options (`-c FILE`, `-v`) may come before the subcommand.
    let mut at = 1;
    while let Some(width) = args
        .get(at)
        .and_then(|a| a.to_str())
        .and_then(|word| global_option_width(word, root))
    {
        at += width;
    }
    let Some(first) = args.get(at) else {
        return args;
    };
    let word = first.to_string_lossy().into_owned();
    let is_subcommand = root
        .get_subcommands()
        .any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
        || word == "help";
    if is_subcommand {
        if word == "attach" && args.get(at + 1).is_some_and(|a| a == "sbom") {
            args.remove(at + 1);
        }
        return args;
    }
    let top_level_flag = matches!(word.as_str(), "-h" | "--help" | "-V" | "--version");
    let scan_flag = word.starts_with('-') && word != "-" && !top_level_flag;
    if scan_flag || is_clearly_source(&word) {
        args.insert(at, OsString::from("scan"));
    }
    args
}

/// How many words a global option of `root` spans here (`-c FILE` two, `-c=FILE`, `-vv` and
/// `--log-file=F` one), or `None` when `word` is no global option.
fn global_option_width(word: &str, root: &clap::Command) -> Option<usize> {
    let globals: Vec<&clap::Arg> = root.get_arguments().filter(|a| a.is_global_set()).collect();
    let takes_value = |arg: &&clap::Arg| arg.get_action().takes_values();
    if let Some(long) = word.strip_prefix("--") {
        let (name, value) = match long.split_once('=') {
            Some((name, _)) => (name, true),
            None => (long, false),
        };
        let arg = globals.iter().find(|a| a.get_long() == Some(name))?;
        return Some(if takes_value(arg) && !value { 2 } else { 1 });
    }
    let shorts = word.strip_prefix('-').filter(|s| !s.is_empty())?;
    for (index, c) in shorts.char_indices() {
        let arg = globals.iter().find(|a| a.get_short() == Some(c))?;
        if takes_value(arg) {
            // `-cFILE` or `-c=FILE` carry their value; `-c` takes the next word.
            let attached = index + c.len_utf8() < shorts.len();
            return Some(if attached { 1 } else { 2 });
        }
    }
    Some(1)
}

/// A path that exists, `-` (standard input), or anything shaped like a path or an image
/// reference: a scheme (`oci-dir:`, `registry:`), a tag or digest (`name:tag`,
/// `name@sha256:…`), a slash (`host/name`, `./x`), an archive extension. A bare word is not:
/// it is more likely a mistyped subcommand, and `sbomgen scan WORD` still scans it.
fn is_clearly_source(word: &str) -> bool {
    const EXTENSIONS: [&str; 6] = [".tar", ".tgz", ".gz", ".zst", ".zstd", ".oci"];
    word == "-"
        || (!word.is_empty() && Path::new(word).exists())
        || word.contains([':', '/', '@', '\\'])
        || word.starts_with(['.', '~'])
        || EXTENSIONS.iter().any(|ext| word.ends_with(ext))
}

/// For an unknown word with no similar subcommand, says how to scan a source of that name.
fn with_scan_tip(mut error: clap::Error) -> clap::Error {
    if error.kind() != ErrorKind::InvalidSubcommand
        || error.get(ContextKind::SuggestedSubcommand).is_some()
    {
        return error;
    }
    if let Some(ContextValue::String(word)) = error.get(ContextKind::InvalidSubcommand) {
        let tip = format!(
            "to scan a path or image named '{word}', write 'sbomgen scan {word}' (an image in a \
             registry: '{word}:latest' or 'registry:{word}')"
        );
        error.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![tip.into()]),
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<String> {
        normalise(args.iter().map(OsString::from).collect(), &Cli::command())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn scan_is_inserted_for_sources_only() {
        let manifest = env!("CARGO_MANIFEST_DIR");
        for source in [
            "./a.tar",
            "app.tar",
            "alpine:3.20",
            "ghcr.io/org/app",
            "app@sha256:abc",
            "oci-dir:x",
            "registry:alpine",
            "-",
            manifest,
        ] {
            assert_eq!(argv(&["sbomgen", source]), ["sbomgen", "scan", source]);
        }
        assert_eq!(
            argv(&["sbomgen", "-o", "json", "x"]),
            ["sbomgen", "scan", "-o", "json", "x"]
        );
        assert_eq!(
            argv(&["sbomgen", "-c", "f.yaml", "x.tar"]),
            ["sbomgen", "-c", "f.yaml", "scan", "x.tar"]
        );
        assert_eq!(
            argv(&["sbomgen", "-vv", "--config=f", "-q", "x.tar"]),
            ["sbomgen", "-vv", "--config=f", "scan", "-q", "x.tar"]
        );
    }

    #[test]
    fn words_are_left_to_clap() {
        for args in [
            &["sbomgen", "scan", "x"][..],
            &["sbomgen", "scna", "img.tar"],
            &["sbomgen", "version"],
            &["sbomgen", "verify-attestation", "x"],
            &["sbomgen", "-c", "f.yaml", "config"],
            &["sbomgen", "-v", "--config", "f.yaml", "-cg.yaml", "version"],
            &["sbomgen", "--help"],
            &["sbomgen"],
        ] {
            assert_eq!(argv(args), args);
        }
    }

    #[test]
    fn cosign_attach_sbom() {
        assert_eq!(
            argv(&["sbomgen", "attach", "sbom", "--sbom", "f", "img"]),
            ["sbomgen", "attach", "--sbom", "f", "img"]
        );
        assert_eq!(
            argv(&["sbomgen", "attach", "--sbom", "f", "sbom"]),
            ["sbomgen", "attach", "--sbom", "f", "sbom"]
        );
    }
}
