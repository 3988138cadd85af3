//! Options from the environment and configuration files, for CI jobs that set them once.
//!
//! Every long option of `scan`, `attest`, `attach`, `verify` and `download sbom` (see
//! [`keys::CONFIGURABLE`]) is also a key in a YAML file and a `SBOMGEN_<OPTION>` variable; the
//! keys are derived from clap's own arguments, so a new flag is configurable as it lands.
//! Precedence: flag > environment > file > default. The file is `-c FILE`, else
//! `SBOMGEN_CONFIG`, else the first of `./.sbomgen.yaml` and
//! `$XDG_CONFIG_HOME/sbomgen/config.yaml` (`~/.config/...`) that exists.
//!
//! A top-level key applies to every command with that option; a section named after a command
//! (`scan:`, `attest:`, `download: sbom:`) to that command only, and wins. Likewise
//! `SBOMGEN_ATTEST_OUTPUT` beats `SBOMGEN_OUTPUT`. Options that mean different things to
//! different commands (`--key`, `--type`, `attest -o`) are set per command only.
//!
//! Values reach clap as the arguments' defaults ([`resolve::inject`]), so clap checks them
//! like typed flags and `ArgMatches::value_source` still tells a flag from the rest.

mod file;
mod keys;
mod resolve;
mod show;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

pub(crate) use show::{run, ConfigArgs};

use file::ConfigFile;
use keys::Key;
use resolve::Setting;

/// The process environment, as far as configuration reads it.
#[derive(Debug, Default)]
pub(crate) struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// `SBOMGEN_*`, `HOME` and `XDG_CONFIG_HOME`.
    pub(crate) fn from_process() -> Environment {
        Environment::from_pairs(std::env::vars_os().filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            let wanted =
                name.starts_with("SBOMGEN_") || name == "HOME" || name == "XDG_CONFIG_HOME";
            Some((name, value.into_string().ok()?)).filter(|_| wanted)
        }))
    }

    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Environment {
        Environment {
            vars: pairs.into_iter().collect(),
        }
    }

    /// A variable's value; an empty one counts as unset (`SBOMGEN_PLATFORM=` in a CI file
    /// whose input was left blank).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The names of the `SBOMGEN_*` variables that are set.
    fn sbomgen_names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .keys()
            .map(String::as_str)
            .filter(|name| name.starts_with("SBOMGEN_"))
    }
}

/// A command line parsed with its configuration applied.
#[derive(Debug)]
pub(crate) struct Applied {
    pub matches: ArgMatches,
    /// The subcommand the command line names (`["download", "sbom"]`).
    pub path: Vec<String>,
    pub keys: Vec<Key>,
    pub settings: Vec<Setting>,
    pub file: Option<PathBuf>,
}

/// Why a command line could not be parsed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// clap's own error: printed and exited by clap (usage errors exit 2, `--help` 0).
    Clap(clap::Error),
    /// A bad configuration file or variable: an error to report (exit 2).
    Config(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Config(error)
    }
}

/// Parses `argv` against `root` with the configuration of the command it names applied.
/// `relaxed` makes every argument optional (`sbomgen config attest` names no image or key).
/// The configuration is read only for configurable commands: a broken file does not stop
/// `sbomgen version`.
pub(crate) fn apply(
    root: &Command,
    argv: &[OsString],
    env: &Environment,
    relaxed: bool,
) -> Result<Applied, Failure> {
    // A first, forgiving pass finds the subcommand, the flags given and `-c`; a required
    // option the file will supply must not stop it.
    let pre = relax(root.clone())
        .ignore_errors(true)
        .try_get_matches_from(argv)
        .ok();
    let (path, leaf) = match &pre {
        Some(matches) => subcommand_path(matches),
        None => (Vec::new(), None),
    };
    let mut applied = Applied {
        matches: ArgMatches::default(),
        keys: Vec::new(),
        settings: Vec::new(),
        file: None,
        path: path.clone(),
    };
    let mut command = root.clone();
    if let (true, Some(leaf)) = (keys::is_configurable(&path), leaf) {
        let from_line = |id: &str| leaf.value_source(id) == Some(ValueSource::CommandLine);
        let explicit_file = from_line("config")
            .then(|| leaf.get_one::<PathBuf>("config").cloned())
            .flatten();
        let file = file::locate(explicit_file, env)
            .map(|path| ConfigFile::read(&path))
            .transpose()?;
        if let Some(file) = &file {
            file.check(root)?;
        }
        let keys = keys::keys(root, &path);
        let explicit: Vec<String> = keys
            .iter()
            .filter(|k| from_line(&k.id))
            .map(|k| k.id.clone())
            .collect();
        let settings = resolve::settings(&keys, &path, &explicit, env, file.as_ref())?;
        command = resolve::inject(command, &settings);
        applied.file = file.map(|f| f.path);
        applied.keys = keys;
        applied.settings = settings;
    }
    if relaxed {
        command = resolve::at_path(command, &path, &mut |c| c.mut_args(|a| a.required(false)));
    }
    applied.matches = command
        .try_get_matches_from(argv)
        .map_err(|e| Failure::Clap(resolve::annotate(e, &applied.settings)))?;
    Ok(applied)
}

/// Every argument optional, in every subcommand.
fn relax(command: Command) -> Command {
    command
        .mut_args(|arg| arg.required(false))
        .mut_subcommands(relax)
}

/// The names of the nested subcommands `matches` holds, and the innermost's matches.
fn subcommand_path(matches: &ArgMatches) -> (Vec<String>, Option<&ArgMatches>) {
    let mut path = Vec::new();
    let mut leaf = matches;
    while let Some((name, inner)) = leaf.subcommand() {
        path.push(name.to_string());
        leaf = inner;
    }
    (path.clone(), (!path.is_empty()).then_some(leaf))
}

/// The matches of the innermost subcommand.
pub(crate) fn leaf(matches: &ArgMatches) -> &ArgMatches {
    let mut leaf = matches;
    while let Some((_, inner)) = leaf.subcommand() {
        leaf = inner;
    }
    leaf
}
