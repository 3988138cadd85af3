//! Configuration files: where they are looked for, reading one, and checking every key in it
//! against the commands' options, so a typo is an error rather than a silently ignored line.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Command;
use serde_yaml_ng::{Mapping, Value};

use super::keys::{self, Key, Shape};
use super::Environment;
use crate::exit::{Coded, Reason};

/// The files looked for, in order, when neither `-c` nor `SBOMGEN_CONFIG` names one; the first
/// that exists is read (they are not merged).
pub(crate) fn candidates(env: &Environment) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::from(".sbomgen.yaml")];
    let xdg = env
        .get("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| env.get("HOME").map(|home| Path::new(home).join(".config")));
    if let Some(dir) = xdg {
        found.push(dir.join("sbomgen").join("config.yaml"));
    }
    found
}

/// The file to read: `explicit` (from `-c`, else `SBOMGEN_CONFIG`) must exist; otherwise the
/// first candidate that does, or none.
pub(crate) fn locate(explicit: Option<PathBuf>, env: &Environment) -> Option<PathBuf> {
    explicit
        .or_else(|| env.get("SBOMGEN_CONFIG").map(PathBuf::from))
        .or_else(|| candidates(env).into_iter().find(|path| path.is_file()))
}

/// A configuration file read and checked.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    /// As found, made absolute so `sbomgen config` says which file it was.
    pub path: PathBuf,
    root: Mapping,
}

fn usage(message: String) -> anyhow::Error {
    Coded::error(Reason::Usage, message)
}

impl ConfigFile {
    pub(crate) fn read(path: &Path) -> Result<ConfigFile> {
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let text = std::fs::read_to_string(path).map_err(|e| {
            usage(format!(
                "cannot read configuration file {}: {e}",
                shown.display()
            ))
        })?;
        ConfigFile::parse(shown, &text)
    }

    pub(crate) fn parse(path: PathBuf, text: &str) -> Result<ConfigFile> {
        let value: Value = serde_yaml_ng::from_str(text).map_err(|e| {
            usage(format!(
                "configuration file {} is not valid YAML: {e}",
                path.display()
            ))
        })?;
        let root = match value {
            Value::Null => Mapping::new(),
            Value::Mapping(root) => root,
            _ => {
                return Err(usage(format!(
                    "configuration file {} must map option names to values",
                    path.display()
                )))
            }
        };
        Ok(ConfigFile { path, root })
    }

    /// Every key must be an option of some configurable command (top level) or of the command
    /// its section names (`scan:`, `attest:`, `download: sbom:`).
    pub(crate) fn check(&self, root: &Command) -> Result<()> {
        let commands: Vec<(Vec<String>, Vec<Key>)> = keys::configurable_paths()
            .map(|path| {
                let keys = keys::keys(root, &path);
                (path, keys)
            })
            .collect();
        self.check_level(&self.root, &[], &commands)
    }

    fn check_level(
        &self,
        map: &Mapping,
        at: &[String],
        commands: &[(Vec<String>, Vec<Key>)],
    ) -> Result<()> {
        let leaf = commands.iter().find(|(path, _)| path.as_slice() == at);
        for (name, value) in map {
            let name = name.as_str().ok_or_else(|| {
                usage(format!(
                    "configuration file {}: key {} is not a string",
                    self.path.display(),
                    serde_yaml_ng::to_string(name).unwrap_or_default().trim()
                ))
            })?;
            let mut inner = at.to_vec();
            inner.push(name.to_string());
            let is_section = leaf.is_none()
                && commands
                    .iter()
                    .any(|(path, _)| path.starts_with(&inner) && path.len() > at.len());
            if is_section {
                match value {
                    Value::Null => {}
                    Value::Mapping(section) => self.check_level(section, &inner, commands)?,
                    _ => {
                        return Err(usage(format!(
                            "configuration file {}: {} is a section (the options of `sbomgen {}`) and needs keys under it",
                            self.path.display(),
                            inner.join("."),
                            inner.join(" ")
                        )))
                    }
                }
                continue;
            }
            let known: Vec<&Key> = match leaf {
                Some((_, keys)) => keys.iter().collect(),
                // Between sections (`download:` above `sbom:`) no option applies.
                None if !at.is_empty() => Vec::new(),
                None => commands
                    .iter()
                    .flat_map(|(_, keys)| keys)
                    .filter(|k| k.shared)
                    .collect(),
            };
            if known.iter().any(|k| k.name == name) {
                continue;
            }
            return Err(self.unknown(name, at, &known, commands));
        }
        Ok(())
    }

    fn unknown(
        &self,
        name: &str,
        at: &[String],
        known: &[&Key],
        commands: &[(Vec<String>, Vec<Key>)],
    ) -> anyhow::Error {
        let shown = at
            .iter()
            .chain([&name.to_string()])
            .cloned()
            .collect::<Vec<_>>()
            .join(".");
        let owners: Vec<String> = commands
            .iter()
            .filter(|(_, keys)| keys.iter().any(|k| k.name == name))
            .map(|(path, _)| format!("{}:", path.join(": ")))
            .collect();
        let hint = if at.is_empty() && !owners.is_empty() {
            format!(
                " (its meaning differs between commands: set it in a section, under {})",
                owners.join(" or ")
            )
        } else {
            let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
            match closest(name, &names) {
                Some(near) => format!(" (did you mean {near:?}?)"),
                None => String::new(),
            }
        };
        usage(format!(
            "unknown key {shown:?} in configuration file {}{hint}",
            self.path.display()
        ))
    }

    /// The file's value for `key` of the command at `path`: its section first, then the top
    /// level when the key is shared. Returns the value with where it stood (`scan.jobs`).
    pub(crate) fn lookup(&self, path: &[String], key: &Key) -> Option<(&Value, String)> {
        let mut section = Some(&self.root);
        for word in path {
            section = section
                .and_then(|map| map.get(word.as_str()))
                .and_then(Value::as_mapping);
        }
        if let Some(value) = section.and_then(|map| map.get(key.name.as_str())) {
            return Some((value, format!("{}.{}", path.join("."), key.name)));
        }
        if key.shared {
            if let Some(value) = self.root.get(key.name.as_str()) {
                return Some((value, key.name.clone()));
            }
        }
        None
    }
}

/// A file value as the command-line values it stands for; `None` for `null` (unset).
pub(crate) fn values(
    value: &Value,
    key: &Key,
    label: &str,
    file: &Path,
) -> Result<Option<Vec<String>>> {
    let wrong = |expected: &str| {
        usage(format!(
            "configuration file {}: {label} must be {expected}",
            file.display()
        ))
    };
    let scalar = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    };
    Ok(match (key.shape, value) {
        (_, Value::Null) => None,
        (Shape::Flag, Value::Bool(flag)) => Some(vec![flag.to_string()]),
        (Shape::Flag, _) => return Err(wrong("true or false")),
        (Shape::Count, Value::Number(n)) if n.is_u64() => Some(vec![n.to_string()]),
        (Shape::Count, _) => return Err(wrong("a number")),
        (Shape::One, value) => Some(vec![scalar(value).ok_or_else(|| wrong("one value"))?]),
        (Shape::Many, Value::Sequence(items)) if items.is_empty() => None,
        (Shape::Many, Value::Sequence(items)) => Some(
            items
                .iter()
                .map(|item| scalar(item).ok_or_else(|| wrong("a list of values")))
                .collect::<Result<_>>()?,
        ),
        (Shape::Many, value) => Some(vec![
            scalar(value).ok_or_else(|| wrong("a value or a list"))?
        ]),
    })
}

/// The known name nearest to `name`, when it is a likely typo (at most two edits away).
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let underscores = name.replace('_', "-");
    known
        .iter()
        .map(|k| (edit_distance(&underscores, k), *k))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(PathBuf::from("/cfg/.sbomgen.yaml"), text).unwrap()
    }

    fn check(text: &str) -> Result<(), String> {
        file(text)
            .check(&crate::args::Cli::command())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn known_keys_pass() {
        check("platform: linux/arm64\noutput: [json]\nquiet: true\ncache-dir: /tmp/c\n").unwrap();
        check("scan:\n  jobs: 2\nattest:\n  output: cyclonedx-json\n  key: k.key\n").unwrap();
        check("download:\n  sbom:\n    key: k.pub\n").unwrap();
        check("").unwrap();
    }

    #[test]
    fn unknown_keys_name_the_file_and_key() {
        let err = check("platfrom: linux/arm64\n").unwrap_err();
        assert!(
            err.contains("\"platfrom\"") && err.contains("/cfg/.sbomgen.yaml"),
            "{err}"
        );
        assert!(err.contains("did you mean \"platform\""), "{err}");
        let err = check("scan:\n  cache_dir: /x\n").unwrap_err();
        assert!(
            err.contains("\"scan.cache_dir\"") && err.contains("\"cache-dir\""),
            "{err}"
        );
        let err = check("key: cosign.key\n").unwrap_err();
        assert!(err.contains("attest:") && err.contains("verify:"), "{err}");
        assert!(check("scan: 3\n").unwrap_err().contains("section"));
        assert!(check("convert:\n  output: json\n").is_err());
    }

    #[test]
    fn sections_beat_the_top_level() {
        let f = file("jobs: 1\nscan:\n  jobs: 2\nquiet: true\n");
        let root = crate::args::Cli::command();
        let scan = vec!["scan".to_string()];
        let keys = keys::keys(&root, &scan);
        let jobs = keys.iter().find(|k| k.name == "jobs").unwrap();
        let (value, label) = f.lookup(&scan, jobs).unwrap();
        assert_eq!((value.as_u64(), label.as_str()), (Some(2), "scan.jobs"));
        let quiet = keys.iter().find(|k| k.name == "quiet").unwrap();
        assert_eq!(f.lookup(&scan, quiet).unwrap().1, "quiet");
    }

    #[test]
    fn values_follow_the_shape() {
        let root = crate::args::Cli::command();
        let keys = keys::keys(&root, &["scan".to_string()]);
        let key = |name: &str| keys.iter().find(|k| k.name == name).unwrap().clone();
        let read = |name: &str, yaml: &str| {
            let value: Value = serde_yaml_ng::from_str(yaml).unwrap();
            values(&value, &key(name), name, Path::new("f.yaml")).map_err(|e| e.to_string())
        };
        assert_eq!(
            read("output", "[json, table]").unwrap().unwrap(),
            ["json", "table"]
        );
        assert_eq!(read("output", "json").unwrap().unwrap(), ["json"]);
        assert_eq!(read("jobs", "4").unwrap().unwrap(), ["4"]);
        assert_eq!(read("platform", "~").unwrap(), None);
        assert!(read("platform", "[a, b]")
            .unwrap_err()
            .contains("one value"));
        assert!(read("quiet", "yes please")
            .unwrap_err()
            .contains("true or false"));
    }

    #[test]
    fn typos_are_near() {
        assert_eq!(
            closest("platfrom", &["platform", "scope"]),
            Some("platform")
        );
        assert_eq!(closest("colour", &["platform", "scope"]), None);
    }
}
