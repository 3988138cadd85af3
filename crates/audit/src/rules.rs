//! The rule tables, as data: secret rules matched on content, name rules matched on paths, and
//! the fixed rules of the other finding kinds (for SARIF's rule list and the docs).
//!
//! Secret patterns are byte regexes run only on files whose text holds one of the rule's
//! keywords (see `detect.rs`); capture group 1 is the secret value, which is fingerprinted
//! and dropped, never kept. Keywords are matched ignoring ASCII case unless the rule says
//! `exact`. A `files` list limits a rule to files of those names (see [`name_matches`]):
//! generic `password=` assignments are credentials in a dotenv file but examples in a manual.

use crate::finding::{Kind, Severity};

/// A credential recognised by its content.
#[derive(Debug, PartialEq, Eq)]
pub struct SecretRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub keywords: &'static [&'static str],
    /// Keywords match with their case (`AKIA`, not `akia`): most tokens have a fixed prefix.
    pub exact: bool,
    pub pattern: &'static str,
    /// Only files whose path matches one of these name patterns; empty: every file.
    pub files: &'static [&'static str],
    /// Values such as `${DB_PASSWORD}`, `<token>` or `changeme` are placeholders, not secrets.
    pub generic: bool,
}

/// Files where `KEY=value` lines are configuration, so a password there is a real one.
const ASSIGNMENT_FILES: &[&str] = &[
    ".env",
    ".env.*",
    "*.env",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    "config.json",
    ".dockercfg",
    ".bash_history",
    ".zsh_history",
    ".ash_history",
    ".sh_history",
    ".python_history",
    ".mysql_history",
    ".psql_history",
];

/// Every secret rule. Ids are stable: allow-lists and SARIF consumers name them.
pub const SECRET_RULES: &[SecretRule] = &[
    SecretRule {
        id: "private-key",
        title: "Private key (PEM or OpenSSH)",
        severity: Severity::Critical,
        keywords: &["PRIVATE KEY"],
        exact: true,
        pattern: r"-----BEGIN[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----[ \t]*\r?\n(?:[A-Za-z-]+:[^\n]*\n)*\r?\n?([A-Za-z0-9+/=\r\n]{32,})",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "aws-access-key-id",
        title: "AWS access key id",
        severity: Severity::High,
        keywords: &["AKIA", "ASIA"],
        exact: true,
        pattern: r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "aws-secret-access-key",
        title: "AWS secret access key",
        severity: Severity::Critical,
        keywords: &["secret_access_key", "secretaccesskey", "secret-access-key"],
        exact: false,
        pattern: r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b"#,
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "gcp-service-account",
        title: "GCP service-account key",
        severity: Severity::Critical,
        keywords: &["\"service_account\""],
        exact: true,
        pattern: r#""private_key_id"\s*:\s*"([0-9a-f]{40})""#,
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "azure-storage-key",
        title: "Azure storage connection string",
        severity: Severity::High,
        keywords: &["AccountKey="],
        exact: true,
        pattern: r"AccountKey=([A-Za-z0-9+/]{40,}={0,2})",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "github-token",
        title: "GitHub token",
        severity: Severity::High,
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        exact: true,
        pattern: r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "gitlab-token",
        title: "GitLab personal access token",
        severity: Severity::High,
        keywords: &["glpat-"],
        exact: true,
        pattern: r"\b(glpat-[A-Za-z0-9_-]{20})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "slack-token",
        title: "Slack token",
        severity: Severity::High,
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"],
        exact: true,
        pattern: r"\b(xox[abprs]-[0-9A-Za-z-]{10,72})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "slack-webhook",
        title: "Slack incoming webhook",
        severity: Severity::Medium,
        keywords: &["hooks.slack.com/services/"],
        exact: true,
        pattern: r"hooks\.slack\.com/services/(T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "npm-token",
        title: "npm access token",
        severity: Severity::High,
        keywords: &["npm_"],
        exact: true,
        pattern: r"\b(npm_[A-Za-z0-9]{36})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "npmrc-auth",
        title: "npm registry credential in .npmrc",
        severity: Severity::High,
        keywords: &["_auth"],
        exact: true,
        pattern: r#"_auth(?:Token)?\s*=\s*["']?([^\s"']{8,})"#,
        files: &[".npmrc"],
        generic: true,
    },
    SecretRule {
        id: "pypi-token",
        title: "PyPI upload token",
        severity: Severity::High,
        keywords: &["pypi-AgE"],
        exact: true,
        pattern: r"\b(pypi-AgE[A-Za-z0-9_-]{50,})",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "docker-config-auth",
        title: "Registry credential in a Docker config (auths)",
        severity: Severity::High,
        keywords: &["\"auth\""],
        exact: true,
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/=]{8,})""#,
        files: &["config.json", ".dockercfg"],
        generic: false,
    },
    SecretRule {
        id: "stripe-secret-key",
        title: "Stripe live secret key",
        severity: Severity::High,
        keywords: &["sk_live_", "rk_live_"],
        exact: true,
        pattern: r"\b((?:sk|rk)_live_[0-9A-Za-z]{24,})\b",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "jwt",
        title: "JSON Web Token",
        severity: Severity::Medium,
        keywords: &["eyJ"],
        exact: true,
        pattern: r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        files: &[],
        generic: false,
    },
    SecretRule {
        id: "password-assignment",
        title: "Password, secret or token assigned in a configuration file or shell history",
        severity: Severity::High,
        keywords: &["password", "passwd", "secret", "token", "api_key", "apikey"],
        exact: false,
        pattern: r#"(?im)^[ \t]*(?:export[ \t]+)?["']?[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api_?key)[A-Za-z0-9_.-]*["']?[ \t]*[=:][ \t]*["']?([^\s"'#,]{4,})"#,
        files: ASSIGNMENT_FILES,
        generic: true,
    },
    SecretRule {
        id: "netrc-password",
        title: "Password in a .netrc",
        severity: Severity::High,
        keywords: &["password"],
        exact: false,
        pattern: r"\bpassword[ \t]+(\S+)",
        files: &[".netrc", "_netrc"],
        generic: true,
    },
    SecretRule {
        id: "url-password",
        title: "Password embedded in a URL",
        severity: Severity::High,
        keywords: &["://"],
        exact: true,
        pattern: r#"[a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s@"']+:([^@/\s"']{3,})@"#,
        files: ASSIGNMENT_FILES,
        generic: true,
    },
];

/// A file that holds credentials by its name alone.
#[derive(Debug, PartialEq, Eq)]
pub struct NameRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Name patterns (see [`name_matches`]).
    pub names: &'static [&'static str],
    /// Reported only when the content was not read (binary or too large): a `*.pem` whose text
    /// was scanned and holds no private key is a certificate.
    pub only_unread: bool,
}

pub const NAME_RULES: &[NameRule] = &[
    NameRule {
        id: "dotenv-file",
        title: "Dotenv file (environment secrets)",
        severity: Severity::Medium,
        names: &[".env", ".env.*"],
        only_unread: false,
    },
    NameRule {
        id: "ssh-private-key-file",
        title: "SSH private key file",
        severity: Severity::High,
        names: &["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"],
        only_unread: false,
    },
    NameRule {
        id: "key-file",
        title: "Key or PEM file that could not be read as text",
        severity: Severity::Medium,
        names: &["*.pem", "*.key", "*.p12", "*.pfx"],
        only_unread: true,
    },
    NameRule {
        id: "credentials-file",
        title: "Credentials file",
        severity: Severity::High,
        names: &[
            "credentials",
            ".aws/",
            ".docker/config.json",
            ".kube/config",
            ".npmrc",
            ".pypirc",
            ".netrc",
            ".git-credentials",
        ],
        only_unread: false,
    },
    NameRule {
        id: "ssh-directory-file",
        title: "File in an .ssh directory",
        severity: Severity::Medium,
        names: &[".ssh/"],
        only_unread: false,
    },
];

/// Files of an `.ssh` directory that hold nothing secret.
const SSH_PUBLIC: &[&str] = &[
    "*.pub",
    "known_hosts",
    "known_hosts.old",
    "authorized_keys",
    "config",
];

/// A rule of the other kinds: ids, titles and default severities, for SARIF and the docs.
#[derive(Debug)]
pub struct FixedRule {
    pub id: &'static str,
    pub kind: Kind,
    pub title: &'static str,
    pub severity: Severity,
}

pub const FIXED_RULES: &[FixedRule] = &[
    FixedRule {
        id: "world-writable-gained",
        kind: Kind::WorldWritable,
        title: "File or directory became writable by anyone",
        severity: Severity::High,
    },
    FixedRule {
        id: "world-writable-dir-no-sticky",
        kind: Kind::WorldWritable,
        title: "World-writable directory without the sticky bit in the final filesystem",
        severity: Severity::Medium,
    },
    FixedRule {
        id: "setuid-gained",
        kind: Kind::Setuid,
        title: "Existing file gained the setuid or setgid bit",
        severity: Severity::High,
    },
    FixedRule {
        id: "setuid-file",
        kind: Kind::Setuid,
        title: "New setuid or setgid file",
        severity: Severity::Medium,
    },
    FixedRule {
        id: "sensitive-readable",
        kind: Kind::Readable,
        title: "Sensitive file readable by anyone",
        severity: Severity::High,
    },
    FixedRule {
        id: "leftover-compiler",
        kind: Kind::Tool,
        title: "Compiler or build tool in the final filesystem",
        severity: Severity::Info,
    },
    FixedRule {
        id: "leftover-package-manager",
        kind: Kind::Tool,
        title: "Package manager in the final filesystem",
        severity: Severity::Info,
    },
    FixedRule {
        id: "leftover-debugger",
        kind: Kind::Tool,
        title: "Debugger or tracer in the final filesystem",
        severity: Severity::Info,
    },
    FixedRule {
        id: "leftover-network-tool",
        kind: Kind::Tool,
        title: "Network tool in the final filesystem",
        severity: Severity::Info,
    },
    FixedRule {
        id: "leftover-shell",
        kind: Kind::Tool,
        title: "Shell in the final filesystem",
        severity: Severity::Info,
    },
    FixedRule {
        id: "package-removed",
        kind: Kind::RemovedPackage,
        title: "Package removed by a later layer (its files still ship)",
        severity: Severity::Low,
    },
    FixedRule {
        id: "package-replaced",
        kind: Kind::RemovedPackage,
        title: "Package version replaced by a later layer (the old files still ship)",
        severity: Severity::Info,
    },
    FixedRule {
        id: "hidden-files",
        kind: Kind::HiddenFiles,
        title: "Files deleted by a later layer (still shipped in the lower layer)",
        severity: Severity::Low,
    },
];

/// Leftover tools by category: `(rule id, file names)`. A name also matches with a version
/// suffix (`gcc-12`, `python3.11` is not listed), and only in a `bin` or `sbin` directory.
pub const TOOLS: &[(&str, &[&str])] = &[
    (
        "leftover-compiler",
        &[
            "gcc", "g++", "cc", "c++", "cpp", "clang", "clang++", "go", "rustc", "cargo", "javac",
            "make", "cmake", "ninja", "as", "ld",
        ],
    ),
    (
        "leftover-package-manager",
        &[
            "apt", "apt-get", "dpkg", "dnf", "yum", "microdnf", "rpm", "apk", "pip", "pip3", "npm",
            "yarn", "gem", "composer",
        ],
    ),
    (
        "leftover-debugger",
        &["gdb", "lldb", "strace", "ltrace", "perf", "valgrind"],
    ),
    (
        "leftover-network-tool",
        &[
            "curl", "wget", "nc", "ncat", "netcat", "ssh", "scp", "sftp", "telnet", "socat", "ftp",
        ],
    ),
    (
        "leftover-shell",
        &["sh", "bash", "dash", "zsh", "ash", "ksh", "busybox"],
    ),
];

/// Whether root-relative `path` matches a name pattern: `dir/` any path with that directory
/// component, `a/b` the path or any path ending in `/a/b`, `*.ext` a file-name suffix,
/// `name.*` a file-name prefix, else the exact file name.
pub fn name_matches(pattern: &str, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(dir) = pattern.strip_suffix('/') {
        let mut components = path.split('/');
        components.next_back();
        components.any(|c| c == dir)
    } else if pattern.contains('/') {
        path == pattern
            || path
                .strip_suffix(pattern)
                .is_some_and(|head| head.ends_with('/'))
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        name.len() > suffix.len() && name.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        name.len() > prefix.len() && name.starts_with(prefix)
    } else {
        name == pattern
    }
}

/// The name rule `path` falls under, if any.
pub fn name_rule(path: &str) -> Option<&'static NameRule> {
    let rule = NAME_RULES
        .iter()
        .find(|rule| rule.names.iter().any(|p| name_matches(p, path)))?;
    if rule.id == "ssh-directory-file" && SSH_PUBLIC.iter().any(|p| name_matches(p, path)) {
        return None;
    }
    Some(rule)
}

/// The title and kind of any rule id.
pub fn describe(id: &str) -> Option<(Kind, &'static str)> {
    SECRET_RULES
        .iter()
        .find(|r| r.id == id)
        .map(|r| (Kind::Secret, r.title))
        .or_else(|| {
            NAME_RULES
                .iter()
                .find(|r| r.id == id)
                .map(|r| (Kind::Secret, r.title))
        })
        .or_else(|| {
            FIXED_RULES
                .iter()
                .find(|r| r.id == id)
                .map(|r| (r.kind, r.title))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = SECRET_RULES.iter().map(|r| r.id).collect();
        ids.extend(NAME_RULES.iter().map(|r| r.id));
        ids.extend(FIXED_RULES.iter().map(|r| r.id));
        for (rule, _) in TOOLS {
            assert!(
                FIXED_RULES.iter().any(|r| r.id == *rule),
                "{rule} undescribed"
            );
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "duplicate rule id");
        assert!(ids
            .iter()
            .all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
    }

    #[test]
    fn every_secret_rule_has_keywords_and_one_capture() {
        for rule in SECRET_RULES {
            assert!(!rule.keywords.is_empty(), "{}", rule.id);
            let re = regex::bytes::Regex::new(&format!("(?-u){}", rule.pattern)).unwrap();
            assert_eq!(
                re.captures_len(),
                2,
                "{}: exactly one capture group",
                rule.id
            );
        }
    }

    #[test]
    fn name_patterns() {
        let cases = [
            (".env", "app/.env", true),
            (".env.*", "app/.env.production", true),
            (".env.*", "app/.env", false),
            ("*.pem", "etc/ssl/private/server.pem", true),
            ("*.pem", ".pem", false),
            (".aws/", "root/.aws/credentials", true),
            (".aws/", "root/.aws", false),
            (".docker/config.json", "root/.docker/config.json", true),
            (".docker/config.json", "root/x.docker/config.json", false),
            ("credentials", "root/.aws/credentials", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(name_matches(pattern, path), expected, "{pattern} {path}");
        }
        assert_eq!(
            name_rule("root/.ssh/id_rsa").unwrap().id,
            "ssh-private-key-file"
        );
        assert!(name_rule("root/.ssh/id_rsa.pub").is_none());
        assert!(name_rule("root/.ssh/known_hosts").is_none());
        assert_eq!(
            name_rule("root/.ssh/backup").unwrap().id,
            "ssh-directory-file"
        );
    }
}
