//! Which options are configurable, derived from clap's own arguments: a flag added to a
//! configurable command is a config key and an environment variable without further code.

use clap::{ArgAction, Command};

/// Commands whose options configuration sets, as paths of subcommand names. The others
/// (convert, generate-key-pair, version, ...) act on what the command line names and nothing
/// else; a CI job has no reason to configure them.
pub(crate) const CONFIGURABLE: [&[&str]; 5] = [
    &["scan"],
    &["attest"],
    &["attach"],
    &["verify"],
    &["download", "sbom"],
];

/// Options whose meaning differs between commands, set per command only (an `attest:` section,
/// `SBOMGEN_ATTEST_OUTPUT`): `attest -o` is a format and `download sbom -o` a file where
/// `scan -o` is FORMAT[=FILE]; `--key` is a private key to `attest` and a public one to
/// `verify`; `--type` means three different things.
const PER_COMMAND: [(&str, &str); 4] = [
    ("attest", "output"),
    ("download sbom", "output"),
    ("*", "key"),
    ("*", "type"),
];

/// Never configured: the configuration file itself, and credentials, which come from
/// SBOMGEN_REGISTRY_USERNAME/PASSWORD, Docker's config.json or --password-stdin.
const NEVER: [&str; 3] = ["config", "username", "password-stdin"];

/// How an option takes its values, which decides how a file or variable value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `true` or `false`.
    Flag,
    /// A number of occurrences (`-vv` is 2).
    Count,
    /// One value.
    One,
    /// A list: repeatable, or comma-separated.
    Many,
}

/// One configurable option of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    /// clap's argument id.
    pub id: String,
    /// The long flag without dashes: the key in files, and `SBOMGEN_<NAME>` in the environment.
    pub name: String,
    pub shape: Shape,
    /// Whether a top-level file key and `SBOMGEN_<NAME>` apply, or only the command's own.
    pub shared: bool,
    /// The command that defines the argument: the command itself, or an ancestor for a
    /// global argument.
    pub owner: Vec<String>,
}

impl Key {
    /// The variables that set this key for the command at `path`, most specific first:
    /// `SBOMGEN_ATTEST_OUTPUT` before `SBOMGEN_OUTPUT`.
    pub(crate) fn env_names(&self, path: &[String]) -> Vec<String> {
        let own = format!(
            "SBOMGEN_{}_{}",
            env_word(&path.join("_")),
            env_word(&self.name)
        );
        let mut names = vec![own];
        if self.shared {
            names.push(format!("SBOMGEN_{}", env_word(&self.name)));
        }
        names
    }
}

fn env_word(text: &str) -> String {
    text.to_ascii_uppercase().replace(['-', ' '], "_")
}

/// Whether `path` names a configurable command.
pub(crate) fn is_configurable(path: &[String]) -> bool {
    CONFIGURABLE.iter().any(|c| c.iter().eq(path.iter()))
}

/// The subcommand at `path` below `root`.
pub(crate) fn find<'a>(root: &'a Command, path: &[String]) -> Option<&'a Command> {
    path.iter()
        .try_fold(root, |command, name| command.find_subcommand(name))
}

/// The configurable options of the command at `path`, in `--help` order: its own, then the
/// global options of its ancestors.
pub(crate) fn keys(root: &Command, path: &[String]) -> Vec<Key> {
    let mut keys = Vec::new();
    let Some(command) = find(root, path) else {
        return keys;
    };
    let scope = path.join(" ");
    let mut add = |owner: &[String], arg: &clap::Arg| {
        let Some(name) = arg.get_long() else {
            return;
        };
        let shape = match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => Shape::Flag,
            ArgAction::Count => Shape::Count,
            ArgAction::Append => Shape::Many,
            ArgAction::Set if arg.get_value_delimiter().is_some() => Shape::Many,
            ArgAction::Set => Shape::One,
            _ => return,
        };
        if NEVER.contains(&name) || keys.iter().any(|k: &Key| k.name == name) {
            return;
        }
        let shared = !PER_COMMAND
            .iter()
            .any(|(command, key)| *key == name && (*command == "*" || *command == scope));
        keys.push(Key {
            id: arg.get_id().to_string(),
            name: name.to_string(),
            shape,
            shared,
            owner: owner.to_vec(),
        });
    };
    for arg in command.get_arguments().filter(|a| !a.is_positional()) {
        add(path, arg);
    }
    for depth in (0..path.len()).rev() {
        let owner = &path[..depth];
        if let Some(ancestor) = find(root, owner) {
            for arg in ancestor.get_arguments().filter(|a| a.is_global_set()) {
                add(owner, arg);
            }
        }
    }
    keys
}

/// Every configurable command's path, owned.
pub(crate) fn configurable_paths() -> impl Iterator<Item = Vec<String>> {
    CONFIGURABLE
        .iter()
        .map(|path| path.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn path(words: &[&str]) -> Vec<String> {
        words.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_configurable_command_exists_and_has_keys() {
        let root = crate::args::Cli::command();
        for path in configurable_paths() {
            assert!(find(&root, &path).is_some(), "{path:?}");
            assert!(!keys(&root, &path).is_empty(), "{path:?}");
        }
    }

    #[test]
    fn scan_keys_follow_its_flags() {
        let root = crate::args::Cli::command();
        let keys = keys(&root, &path(&["scan"]));
        let find = |name: &str| keys.iter().find(|k| k.name == name).cloned();
        assert_eq!(find("platform").unwrap().shape, Shape::One);
        assert_eq!(find("output").unwrap().shape, Shape::Many);
        assert_eq!(find("catalogers").unwrap().shape, Shape::Many);
        assert_eq!(find("quiet").unwrap().shape, Shape::Flag);
        assert!(find("output").unwrap().shared);
        assert!(find("username").is_none() && find("config").is_none());
        assert!(find("help").is_none(), "help is no option to configure");
        assert_eq!(
            find("platform").unwrap().env_names(&path(&["scan"])),
            ["SBOMGEN_SCAN_PLATFORM", "SBOMGEN_PLATFORM"]
        );
    }

    #[test]
    fn options_that_differ_are_per_command() {
        let root = crate::args::Cli::command();
        let attest = keys(&root, &path(&["attest"]));
        let output = attest.iter().find(|k| k.name == "output").unwrap();
        assert!(!output.shared);
        assert_eq!(output.id, "format", "the key is the flag, not the field");
        assert_eq!(
            output.env_names(&path(&["attest"])),
            ["SBOMGEN_ATTEST_OUTPUT"]
        );
        let download = path(&["download", "sbom"]);
        let key = keys(&root, &download);
        let key = key.iter().find(|k| k.name == "key").unwrap();
        assert_eq!(key.env_names(&download), ["SBOMGEN_DOWNLOAD_SBOM_KEY"]);
    }
}
