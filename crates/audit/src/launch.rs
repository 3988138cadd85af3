//! Whether the image's own command needs a shell: if it does, a shell in the final filesystem
//! is no leftover.

use crate::tools::{tool_rule, SHELL_RULE};

/// Init processes that start the real command (`tini -- app`): the program after them counts.
const WRAPPERS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "docker-init",
    "env",
];

/// What the audit knows of the image's command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShellUse<'a> {
    /// The command runs a shell or a shell script: shells are needed.
    Needed,
    /// The command runs this program, which is no shell.
    NotNeeded(&'a str),
    /// The config declares no command (or the source has no config).
    Unknown,
}

/// Judges a command line, entrypoint then cmd; `None` when the source has no config.
pub(crate) fn shell_use(argv: Option<&[String]>) -> ShellUse<'_> {
    let mut args = argv.unwrap_or_default().iter().map(String::as_str);
    let program = loop {
        let Some(arg) = args.next() else {
            return ShellUse::Unknown;
        };
        // A wrapper's options and `env`'s assignments come before the program.
        if arg.starts_with('-') || arg.contains('=') {
            continue;
        }
        if !WRAPPERS.contains(&base_name(arg)) {
            break arg;
        }
    };
    // Shells are the tool list's (Docker's shell form `CMD x y` is `/bin/sh -c "x y"`); a
    // `.sh` script needs one too.
    let name = base_name(program);
    if tool_rule(name) == Some(SHELL_RULE)
        || std::path::Path::new(name)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("sh"))
    {
        ShellUse::Needed
    } else {
        ShellUse::NotNeeded(program)
    }
}

fn base_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `needed`, `unknown` or the program that needs no shell.
    fn judge(argv: &[&str]) -> String {
        let argv: Vec<String> = argv.iter().map(|s| (*s).to_owned()).collect();
        match shell_use(Some(&argv)) {
            ShellUse::Needed => "needed".to_string(),
            ShellUse::NotNeeded(program) => program.to_string(),
            ShellUse::Unknown => "unknown".to_string(),
        }
    }

    #[test]
    fn shells_and_scripts_need_a_shell() {
        assert_eq!(judge(&["/bin/sh", "-c", "nginx -g x"]), "needed");
        assert_eq!(judge(&["bash"]), "needed");
        assert_eq!(judge(&["/docker-entrypoint.sh", "nginx"]), "needed");
        assert_eq!(judge(&["/sbin/tini", "--", "sh", "-c", "x"]), "needed");
        assert_eq!(judge(&["/usr/bin/env", "A=1", "bash", "x"]), "needed");
    }

    #[test]
    fn other_programs_do_not() {
        assert_eq!(judge(&["/app/server", "--port=80"]), "/app/server");
        assert_eq!(judge(&["tini", "--", "/app", "sh"]), "/app");
        assert_eq!(judge(&["python3", "-m", "bash"]), "python3");
    }

    #[test]
    fn no_command_is_unknown() {
        assert_eq!(shell_use(None), ShellUse::Unknown);
        assert_eq!(shell_use(Some(&[])), ShellUse::Unknown);
        assert_eq!(judge(&["tini", "--"]), "unknown");
    }
}
