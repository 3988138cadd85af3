//! Choosing each option's value, flag > environment > file > default, and handing the
//! environment's and the file's values to clap as defaults, so clap still checks them and the
//! commands read one parsed result.

use std::fmt;
use std::path::PathBuf;

use anyhow::Result;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

use super::file::{self, ConfigFile};
use super::keys::{Key, Shape};
use super::Environment;
use crate::exit::{Coded, Reason};

/// Where an option's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Flag,
    Env(String),
    File(PathBuf),
    Default,
}

impl Origin {
    /// Flag beats environment beats file beats default.
    fn rank(&self) -> u8 {
        match self {
            Origin::Flag => 3,
            Origin::Env(_) => 2,
            Origin::File(_) => 1,
            Origin::Default => 0,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value the environment or a file gives an option the command line left out.
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub key: Key,
    pub values: Vec<String>,
    pub origin: Origin,
    /// Where exactly, for error messages: `SBOMGEN_JOBS`, or `scan.jobs in FILE`.
    pub label: String,
}

/// The settings for the command at `path`: for each key whose argument id is not in
/// `explicit`, the most specific environment variable, else the file. Values a flag overrides
/// are still checked: a broken file is broken whatever the command line says.
pub(crate) fn settings(
    keys: &[Key],
    path: &[String],
    explicit: &[String],
    env: &Environment,
    file: Option<&ConfigFile>,
) -> Result<Vec<Setting>> {
    let mut found = Vec::new();
    for key in keys {
        let from_env = key
            .env_names(path)
            .into_iter()
            .find_map(|name| env.get(&name).map(|text| (name, text.to_string())));
        if let Some((name, text)) = from_env {
            found.push(Setting {
                values: env_values(&text, key, &name)?,
                key: key.clone(),
                origin: Origin::Env(name.clone()),
                label: name,
            });
        } else if let Some(file) = file {
            if let Some((value, label)) = file.lookup(path, key) {
                if let Some(values) = file::values(value, key, &label, &file.path)? {
                    found.push(Setting {
                        key: key.clone(),
                        values,
                        origin: Origin::File(file.path.clone()),
                        label: format!("{label} in {}", file.path.display()),
                    });
                }
            }
        }
    }
    found.retain(|s| !explicit.contains(&s.key.id));
    // `--declared` / `--no-declared` override each other on the command line; set from two
    // places, the higher-ranked source decides, as it would for a single option.
    let rank = |name: &str| {
        let on_line = keys
            .iter()
            .any(|k| k.name == name && explicit.contains(&k.id));
        if on_line {
            Origin::Flag.rank()
        } else {
            found
                .iter()
                .find(|s| s.key.name == name)
                .map_or(0, |s| s.origin.rank())
        }
    };
    let beaten: Vec<String> = found
        .iter()
        .filter(|s| {
            let partner = match s.key.name.strip_prefix("no-") {
                Some(positive) => positive.to_string(),
                None => format!("no-{}", s.key.name),
            };
            rank(&partner) > s.origin.rank()
        })
        .map(|s| s.key.name.clone())
        .collect();
    found.retain(|s| !beaten.contains(&s.key.name));
    Ok(found)
}

/// A variable's text as command-line values: booleans in the spellings CI systems use, lists
/// comma-separated.
fn env_values(text: &str, key: &Key, name: &str) -> Result<Vec<String>> {
    Ok(match key.shape {
        Shape::Flag => {
            let flag = match text.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => "true",
                "0" | "false" | "no" | "off" => "false",
                _ => {
                    return Err(Coded::error(
                        Reason::Usage,
                        format!("{name}={text:?}: expected true or false (or 1/0, yes/no, on/off)"),
                    ))
                }
            };
            vec![flag.to_string()]
        }
        Shape::Count | Shape::One => vec![text.to_string()],
        Shape::Many => text
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// `root` with each setting as its argument's default (and no longer required: a required
/// `--key` set in the file is given).
pub(crate) fn inject(mut root: Command, settings: &[Setting]) -> Command {
    for setting in settings {
        let values = setting.values.clone();
        let id = setting.key.id.clone();
        root = at_path(root, &setting.key.owner, &mut |command| {
            command.mut_arg(&id, |arg| {
                arg.default_values(values.clone()).required(false)
            })
        });
    }
    root
}

/// Applies `f` to the subcommand at `path`.
pub(crate) fn at_path(
    command: Command,
    path: &[String],
    f: &mut dyn FnMut(Command) -> Command,
) -> Command {
    match path.split_first() {
        None => f(command),
        Some((head, rest)) => command.mut_subcommand(head, |sub| at_path(sub, rest, f)),
    }
}

/// A clap error about a value that came from the environment or a file says so.
pub(crate) fn annotate(mut error: clap::Error, settings: &[Setting]) -> clap::Error {
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return error;
    }
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return error;
    };
    let flag = arg.split([' ', '=']).next().unwrap_or_default().to_string();
    if let Some(setting) = settings
        .iter()
        .find(|s| format!("--{}", s.key.name) == flag)
    {
        let tip = format!("the value comes from {}", setting.label);
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
    use clap::CommandFactory;

    fn scan_keys() -> Vec<Key> {
        super::super::keys::keys(&crate::args::Cli::command(), &["scan".to_string()])
    }

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(PathBuf::from("/c.yaml"), text).unwrap()
    }

    fn pick(settings: &[Setting], name: &str) -> Option<(Vec<String>, String)> {
        settings
            .iter()
            .find(|s| s.key.name == name)
            .map(|s| (s.values.clone(), s.origin.to_string()))
    }

    #[test]
    fn precedence_flag_env_file() {
        let keys = scan_keys();
        let scan = ["scan".to_string()];
        let f = file("jobs: 1\nscope: squashed\nplatform: linux/s390x\n");
        let e = env(&[("SBOMGEN_JOBS", "2"), ("SBOMGEN_SCAN_SCOPE", "all-layers")]);
        let s = settings(&keys, &scan, &["platform".into()], &e, Some(&f)).unwrap();
        assert_eq!(
            pick(&s, "jobs").unwrap(),
            (vec!["2".into()], "env SBOMGEN_JOBS".into())
        );
        assert_eq!(pick(&s, "scope").unwrap().1, "env SBOMGEN_SCAN_SCOPE");
        assert_eq!(pick(&s, "platform"), None, "the flag is left alone");
        let s = settings(&keys, &scan, &[], &env(&[]), Some(&f)).unwrap();
        assert_eq!(pick(&s, "jobs").unwrap().1, "file /c.yaml");
    }

    #[test]
    fn environment_spellings() {
        let keys = scan_keys();
        let scan = ["scan".to_string()];
        let e = env(&[
            ("SBOMGEN_QUIET", "yes"),
            ("SBOMGEN_OUTPUT", "json, table=t.txt"),
        ]);
        let s = settings(&keys, &scan, &[], &e, None).unwrap();
        assert_eq!(pick(&s, "quiet").unwrap().0, ["true"]);
        assert_eq!(pick(&s, "output").unwrap().0, ["json", "table=t.txt"]);
        let e = env(&[("SBOMGEN_QUIET", "maybe")]);
        let err = settings(&keys, &scan, &[], &e, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SBOMGEN_QUIET"), "{err}");
    }

    #[test]
    fn negations_follow_the_higher_source() {
        let keys = scan_keys();
        let scan = ["scan".to_string()];
        let f = file("declared: true\n");
        let e = env(&[("SBOMGEN_NO_DECLARED", "1")]);
        let s = settings(&keys, &scan, &[], &e, Some(&f)).unwrap();
        assert_eq!(pick(&s, "declared"), None);
        assert!(pick(&s, "no-declared").is_some());
        let s = settings(&keys, &scan, &["no_declared".into()], &env(&[]), Some(&f)).unwrap();
        assert_eq!(pick(&s, "declared"), None, "the flag beats the file");
    }
}
