//! `sbomgen completion SHELL` and `sbomgen man`: shell completions and man pages, generated from
//! the clap command itself so they never drift from `--help`.
//! `scripts/release-artifacts.sh` writes both into a release directory.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::args::Cli;

#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct CompletionArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write one page per command (sbomgen.1, sbomgen-scan.1, ...) into DIR instead of printing
    /// sbomgen.1 to standard output.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Completions on stdout, e.g. `sbomgen completion bash > /etc/bash_completion.d/sbomgen`.
pub(crate) fn completion(args: CompletionArgs) -> Result<()> {
    // Rendered in memory first: clap_complete panics on a write error (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sbomgen", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

/// `sbomgen man | man -l -`, or every page into `--dir`.
pub(crate) fn man(args: ManArgs) -> Result<()> {
    // As `generate_to` renders them: `help` is no page of its own.
    let command = Cli::command().disable_help_subcommand(true);
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("cannot write man pages to {}", dir.display()))
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .context("cannot render the man page")?;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&page)
                .and_then(|()| stdout.flush())
                .context("cannot write to stdout")
        }
    }
}
