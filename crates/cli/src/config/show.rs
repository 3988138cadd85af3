//! `sbomgen config [COMMAND [ARGS...]]`: the effective configuration of a command, each value
//! with where it came from. The output is itself a valid configuration file (one section).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{Args, CommandFactory};

use super::keys::{self, Shape};
use super::resolve::Origin;
use super::{file, Applied, Environment, Failure};
use crate::args::Cli;

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// The command and flags to show the configuration of, as you would run it
    /// [default: scan]: `sbomgen config attest --platform linux/arm64`.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND [ARGS]"
    )]
    pub command: Vec<OsString>,
}

/// `file` is `-c FILE` as given before the command's own arguments (`sbomgen config -c F`).
pub(crate) fn run(args: ConfigArgs, file: Option<&std::path::Path>) -> Result<()> {
    let env = Environment::from_process();
    let mut argv = vec![OsString::from("sbomgen")];
    if let Some(file) = file {
        argv.extend(["--config".into(), file.as_os_str().to_owned()]);
    }
    let root = Cli::command();
    let names_command = args
        .command
        .first()
        .and_then(|first| first.to_str())
        .is_some_and(|first| {
            root.get_subcommands()
                .any(|c| c.get_name() == first || c.get_all_aliases().any(|a| a == first))
        });
    if !names_command {
        argv.push("scan".into());
    }
    argv.extend(args.command);
    let applied = match super::apply(&root, &argv, &env, true) {
        Ok(applied) => applied,
        Err(Failure::Clap(error)) => error.exit(),
        Err(Failure::Config(error)) => return Err(error),
    };
    if !keys::is_configurable(&applied.path) {
        return Err(crate::exit::Coded::error(
            crate::exit::Reason::Usage,
            format!(
                "`sbomgen {}` reads no configuration; these do: {}",
                applied.path.join(" "),
                keys::configurable_paths()
                    .map(|p| p.join(" "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let text = render(&applied, &env);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

fn render(applied: &Applied, env: &Environment) -> String {
    let mut out = String::new();
    let command = applied.path.join(" ");
    let _ = writeln!(
        out,
        "# Effective configuration of `sbomgen {command}`: flag > environment > file > default."
    );
    match &applied.file {
        Some(path) => {
            let _ = writeln!(out, "# Configuration file: {}", path.display());
        }
        None => {
            let looked: Vec<String> = file::candidates(env)
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let _ = writeln!(
                out,
                "# Configuration file: none (looked for {})",
                looked.join(", ")
            );
        }
    }
    for name in unknown_variables(env) {
        let _ = writeln!(out, "# Not an option (a typo?): {name}");
    }
    let leaf = super::leaf(&applied.matches);
    let mut lines = Vec::new();
    for key in &applied.keys {
        let values: Vec<String> = leaf
            .try_get_raw(&key.id)
            .ok()
            .flatten()
            .map(|raw| raw.map(|v| shown(&v.to_string_lossy())).collect())
            .unwrap_or_default();
        let origin = if leaf.value_source(&key.id) == Some(ValueSource::CommandLine) {
            Origin::Flag
        } else {
            applied
                .settings
                .iter()
                .find(|s| s.key.id == key.id)
                .map_or(Origin::Default, |s| s.origin.clone())
        };
        lines.push((
            format!("{}: {}", key.name, yaml(key.shape, &values)),
            origin,
        ));
    }
    let indent = "  ".repeat(applied.path.len());
    for (depth, word) in applied.path.iter().enumerate() {
        let _ = writeln!(out, "{}{word}:", "  ".repeat(depth));
    }
    let width = lines.iter().map(|(line, _)| line.len()).max().unwrap_or(0);
    for (line, origin) in lines {
        let _ = writeln!(out, "{indent}{line:<width$}  # {origin}");
    }
    out
}

/// A value as `config` prints it: a URL's password (`--cache-backend redis://ci:pw@host`)
/// becomes `***`, since the output lands in CI logs and bug reports.
fn shown(value: &str) -> String {
    if value.contains("://") {
        sbomgen_cache::redact_url(value)
    } else {
        value.to_string()
    }
}

/// `SBOMGEN_*` variables that set nothing: a misspelt option is otherwise silently ignored.
fn unknown_variables(env: &Environment) -> Vec<String> {
    /// Read elsewhere: the key password, registry credentials and timeout, the shared cache's
    /// password, the log filter, benchmark and build inputs.
    const OTHERS: [&str; 7] = [
        "SBOMGEN_CONFIG",
        "SBOMGEN_PASSWORD",
        "SBOMGEN_REGISTRY_",
        "SBOMGEN_REDIS_PASSWORD",
        "SBOMGEN_LOG",
        "SBOMGEN_BENCH_",
        "SBOMGEN_BUILD_",
    ];
    let root = Cli::command();
    let known: Vec<String> = keys::configurable_paths()
        .flat_map(|path| {
            keys::keys(&root, &path)
                .into_iter()
                .flat_map(move |key| key.env_names(&path))
        })
        .collect();
    env.sbomgen_names()
        .filter(|name| !known.iter().any(|k| k == name))
        .filter(|name| {
            !OTHERS
                .iter()
                .any(|o| *name == *o || (o.ends_with('_') && name.starts_with(o)))
        })
        .map(str::to_string)
        .collect()
}

/// Values as YAML: flags and counts bare, lists in flow style, text quoted when YAML would
/// read it otherwise.
fn yaml(shape: Shape, values: &[String]) -> String {
    match (shape, values) {
        (Shape::Many, values) => format!(
            "[{}]",
            values
                .iter()
                .map(|v| scalar(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (_, []) => "null".to_string(),
        (Shape::Flag | Shape::Count, [value, ..]) => value.clone(),
        (Shape::One, [value, ..]) => scalar(value),
    }
}

fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_'))
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '=' | '@' | '+' | ':')
        })
        && !text.ends_with(':')
        && !matches!(
            text,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if plain {
        text.to_string()
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_reads_back() {
        for text in [
            "linux/arm64",
            "json=out dir/a.json",
            "a,b",
            "#x",
            "yes",
            "",
            "k: v",
            "64M",
        ] {
            let line = format!("v: {}", scalar(text));
            let back: serde_yaml_ng::Value = serde_yaml_ng::from_str(&line).unwrap();
            let back = match &back["v"] {
                serde_yaml_ng::Value::String(s) => s.clone(),
                other => serde_yaml_ng::to_string(other).unwrap().trim().to_string(),
            };
            assert_eq!(back, text, "{line}");
        }
        assert_eq!(
            yaml(Shape::Many, &["json".into(), "a b".into()]),
            "[json, \"a b\"]"
        );
        assert_eq!(yaml(Shape::One, &[]), "null");
        assert_eq!(yaml(Shape::Flag, &["true".into()]), "true");
    }

    #[test]
    fn url_passwords_are_not_shown() {
        let argv = ["sbomgen", "scan", "x.tar", "--cache-backend"].map(OsString::from);
        let argv: Vec<OsString> = argv
            .into_iter()
            .chain([OsString::from("redis://ci:hunter2@cache:6380/1")])
            .collect();
        let env = Environment::from_pairs([(
            "SBOMGEN_CACHE_CA_CERT".to_string(),
            "/etc/ca.pem".to_string(),
        )]);
        let applied = super::super::apply(&Cli::command(), &argv, &env, true).unwrap();
        let text = render(&applied, &env);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains(r#"cache-backend: "redis://ci:***@cache:6380/1""#),
            "{text}"
        );
        assert!(text.contains("cache-ca-cert: /etc/ca.pem"), "{text}");
        assert!(text.contains("# env SBOMGEN_CACHE_CA_CERT"), "{text}");
        assert!(!text.contains("Not an option"), "{text}");
        assert_eq!(shown("local:/var/a@b"), "local:/var/a@b");
    }

    #[test]
    fn misspelt_variables_are_named() {
        let env = Environment::from_pairs(
            [
                ("SBOMGEN_PLATFROM", "x"),
                ("SBOMGEN_PLATFORM", "x"),
                ("SBOMGEN_ATTEST_KEY", "k"),
                ("SBOMGEN_REGISTRY_TIMEOUT", "3"),
                ("SBOMGEN_PASSWORD", "p"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        assert_eq!(unknown_variables(&env), ["SBOMGEN_PLATFROM"]);
    }
}
