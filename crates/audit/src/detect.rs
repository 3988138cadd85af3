//! The content scan: an Aho–Corasick pass over a file's bytes finds which rules' keywords occur
//! (most files: none, and they cost that one pass), then only those rules' regexes run.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;

use crate::fingerprint::fingerprint;
use crate::rules::{name_matches, SecretRule, SECRET_RULES};

/// Bytes looked at for a NUL to call a file binary (as git and grep do).
const BINARY_PROBE: usize = 8 << 10;

/// Most hits kept per file: a file of ten thousand tokens is one problem, not ten thousand.
const MAX_HITS_PER_FILE: usize = 20;

/// A secret found in one file. Holds no part of the value but its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentHit {
    pub rule: &'static SecretRule,
    /// 1-based line of the value's first byte.
    pub line: u32,
    pub fingerprint: String,
    /// The value reads like documentation's example (`AKIAIOSFODNN7EXAMPLE`).
    pub example_value: bool,
}

/// What scanning one file's content gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    Hits(Vec<ContentHit>),
    Binary,
    TooLarge,
}

/// The compiled rule table; build once per scan and share.
#[derive(Debug)]
pub struct Detector {
    /// The keywords of rules that apply to every file, matched with their case (inexact ones
    /// as written, lower- and upper-cased): the pass nearly every file gets, kept to
    /// distinctive literals so it runs at memory speed.
    everywhere: Prefilter,
    /// Every rule's keywords, ignoring ASCII case: for the few files path-scoped rules apply
    /// to (`.env`, `.npmrc`, shell history), where `password` or `token` are worth a look.
    scoped: Prefilter,
    regexes: Vec<Regex>,
    /// Largest file whose content is scanned.
    pub max_file: u64,
}

/// One Aho–Corasick automaton over rule keywords, and the rules each keyword stands for.
#[derive(Debug)]
struct Prefilter {
    ac: AhoCorasick,
    /// Per keyword: the rules it stands for (bit i is `SECRET_RULES[i]`), and the bytes that
    /// must match exactly (`None`: any case).
    entries: Vec<(u64, Option<String>)>,
}

impl Prefilter {
    /// `fold`: match every keyword ignoring ASCII case; else exact keywords as written and
    /// inexact ones in three spellings.
    fn new(rules: impl Fn(&SecretRule) -> bool, fold: bool) -> Self {
        let mut keywords: Vec<(u64, String, bool)> = Vec::new();
        let mut add = |index: usize, keyword: String, exact: bool| match keywords.iter_mut().find(
            |(_, k, e)| {
                *e == exact
                    && if exact {
                        *k == keyword
                    } else {
                        k.eq_ignore_ascii_case(&keyword)
                    }
            },
        ) {
            Some((mask, _, _)) => *mask |= 1 << index,
            None => keywords.push((1 << index, keyword, exact)),
        };
        for (index, rule) in SECRET_RULES.iter().enumerate().filter(|(_, r)| rules(r)) {
            for &keyword in rule.keywords {
                if fold || rule.exact {
                    add(index, keyword.to_string(), rule.exact || !fold);
                } else {
                    for spelling in [
                        keyword.to_string(),
                        keyword.to_ascii_lowercase(),
                        keyword.to_ascii_uppercase(),
                    ] {
                        add(index, spelling, true);
                    }
                }
            }
        }
        // Leftmost-first search reports non-overlapping matches: a keyword inside a longer one
        // that matched (`token` in `_authtoken`) would be passed over, so a keyword's mask also
        // holds the rules of every keyword it contains.
        let masks: Vec<u64> = keywords
            .iter()
            .map(|(_, outer, _)| {
                let outer = outer.to_ascii_lowercase();
                keywords
                    .iter()
                    .filter(|(_, inner, _)| outer.contains(&inner.to_ascii_lowercase()))
                    .fold(0, |mask, (m, _, _)| mask | m)
            })
            .collect();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(fold)
            .match_kind(MatchKind::LeftmostFirst)
            .build(keywords.iter().map(|(_, k, _)| k))
            .expect("keywords compile");
        let entries = keywords
            .into_iter()
            .zip(masks)
            .map(|((_, keyword, exact), mask)| (mask, (exact && fold).then_some(keyword)))
            .collect();
        Prefilter { ac, entries }
    }

    /// The rules whose keywords occur in `bytes`, as a bit mask; stops once `wanted` are all
    /// found.
    fn candidates(&self, bytes: &[u8], wanted: u64) -> u64 {
        let mut found = 0;
        for m in self.ac.find_iter(bytes) {
            let (mask, exact) = &self.entries[m.pattern().as_usize()];
            if exact
                .as_ref()
                .is_some_and(|k| &bytes[m.range()] != k.as_bytes())
            {
                continue;
            }
            found |= mask;
            if found & wanted == wanted {
                break;
            }
        }
        found & wanted
    }
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new(DEFAULT_MAX_FILE)
    }
}

/// Files above 10 MiB are not scanned: credentials live in small configuration files, and
/// the large text files of images are logs, data and bundles.
pub const DEFAULT_MAX_FILE: u64 = 10 << 20;

impl Detector {
    /// Compiles the rule table. Panics only if a pattern in [`SECRET_RULES`] does not compile,
    /// which the rule table's tests rule out.
    pub fn new(max_file: u64) -> Self {
        assert!(SECRET_RULES.len() <= 64, "rule masks are 64 bits");
        let regexes = SECRET_RULES
            .iter()
            .map(|rule| {
                // ASCII classes and word boundaries: faster, and secrets are ASCII.
                Regex::new(&format!("(?-u){}", rule.pattern))
                    .unwrap_or_else(|e| panic!("rule {}: {e}", rule.id))
            })
            .collect();
        Detector {
            everywhere: Prefilter::new(|rule| rule.files.is_empty(), false),
            scoped: Prefilter::new(|_| true, true),
            regexes,
            max_file,
        }
    }

    /// Whether `size` bytes are within the cap.
    pub fn fits(&self, size: u64) -> bool {
        size <= self.max_file
    }

    /// Scans one file's whole content; `path` decides which path-scoped rules apply.
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Scanned {
        if !self.fits(bytes.len() as u64) {
            return Scanned::TooLarge;
        }
        if memchr_nul(&bytes[..bytes.len().min(BINARY_PROBE)]) {
            return Scanned::Binary;
        }
        let scope = in_scope(path);
        let prefilter = if scope == *EVERYWHERE.get_or_init(|| in_scope_all(|r| r.files.is_empty()))
        {
            &self.everywhere
        } else {
            &self.scoped
        };
        let candidates = prefilter.candidates(bytes, scope);
        if candidates == 0 {
            return Scanned::Hits(Vec::new());
        }
        let mut hits = Vec::new();
        for (index, rule) in SECRET_RULES.iter().enumerate() {
            if candidates & (1 << index) == 0 {
                continue;
            }
            for captures in self.regexes[index].captures_iter(bytes) {
                let Some(value) = captures.get(1) else {
                    continue;
                };
                let value_bytes = strip_whitespace(value.as_bytes());
                if rule.generic && placeholder(&value_bytes) {
                    continue;
                }
                hits.push(ContentHit {
                    rule,
                    line: line_of(bytes, value.start()),
                    fingerprint: fingerprint(&value_bytes),
                    example_value: example_value(&value_bytes),
                });
                if hits.len() >= MAX_HITS_PER_FILE {
                    return Scanned::Hits(hits);
                }
            }
        }
        Scanned::Hits(hits)
    }
}

/// The rules that apply to a file at `path`, as a bit mask.
fn in_scope(path: &str) -> u64 {
    in_scope_all(|rule| rule.files.is_empty() || rule.files.iter().any(|p| name_matches(p, path)))
}

fn in_scope_all(applies: impl Fn(&SecretRule) -> bool) -> u64 {
    SECRET_RULES
        .iter()
        .enumerate()
        .filter(|(_, rule)| applies(rule))
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// The rules that apply to every file.
static EVERYWHERE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// The value without line breaks (a PEM body spans lines; its fingerprint should not depend
/// on the line ending).
fn strip_whitespace(value: &[u8]) -> Vec<u8> {
    value
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect()
}

fn line_of(bytes: &[u8], offset: usize) -> u32 {
    let newlines = bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// `${VAR}`, `$VAR`, `<password>`, `{{ token }}`, `%(pw)s`, `changeme`, `xxxx`, `****`, `null`:
/// names of values, not values.
fn placeholder(value: &[u8]) -> bool {
    const WORDS: &[&str] = &[
        "changeme",
        "password",
        "passwd",
        "secret",
        "token",
        "example",
        "none",
        "null",
        "true",
        "false",
        "undefined",
        "redacted",
        "your_password",
        "yourpassword",
        "dummy",
        "test",
    ];
    let Some(&first) = value.first() else {
        return true;
    };
    if matches!(first, b'$' | b'<' | b'{' | b'%' | b'[' | b'(') {
        return true;
    }
    if value.iter().all(|&b| b == first) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    WORDS.iter().any(|w| lower == w.as_bytes())
}

/// Values documentation uses: AWS's `…EXAMPLE` keys and the like.
fn example_value(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    [b"example".as_slice(), b"sample", b"dummy", b"fake"]
        .iter()
        .any(|w| lower.windows(w.len()).any(|win| win == *w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_hit(path: &str, text: &str) -> Vec<&'static str> {
        match Detector::default().scan(path, text.as_bytes()) {
            Scanned::Hits(hits) => hits.iter().map(|h| h.rule.id).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn finds_tokens_by_rule() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "app/config.yml",
                "key: AKIAZ7Q3W9RTY2UPLMNB\n",
                &["aws-access-key-id"],
            ),
            (
                "app/x",
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq1w2e3r4t\n",
                &["aws-secret-access-key"],
            ),
            (
                "app/.env",
                "DB_PASSWORD=s3cr3t-Value\n",
                &["password-assignment"],
            ),
            ("usr/share/doc/x/README", "DB_PASSWORD=s3cr3t-Value\n", &[]),
            ("app/.env", "DB_PASSWORD=${DB_PASSWORD}\n", &[]),
            (
                "root/.git-credentials",
                "https://bob:hunter2hunter2@github.com\n",
                &["url-password"],
            ),
            (
                "root/.npmrc",
                "//registry.npmjs.org/:_authToken=abcdef0123456789\n",
                &["npmrc-auth"],
            ),
            (
                "root/.netrc",
                "machine x login bob password hunter22\n",
                &["netrc-password"],
            ),
            (
                "a/b.txt",
                "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 here",
                &["github-token"],
            ),
            (
                "a/b.txt",
                "nothing to see here, just text about passwords",
                &[],
            ),
        ];
        for (path, text, expected) in cases {
            assert_eq!(rules_hit(path, text), *expected, "{path}: {text}");
        }
    }

    #[test]
    fn private_key_hit_is_on_the_body_line() {
        let pem = "# key\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAt6hKj0vYzJ5QpX9wR2mN8sLk3aT7uVbC4dE1fG\nZx==\n-----END RSA PRIVATE KEY-----\n";
        let Scanned::Hits(hits) = Detector::default().scan("k", pem.as_bytes()) else {
            panic!()
        };
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].rule.id, hits[0].line), ("private-key", 3));
        assert!(hits[0].fingerprint.starts_with("MIIE/"));
    }

    #[test]
    fn binary_and_large_files_are_skipped() {
        let d = Detector::new(16);
        assert_eq!(d.scan("a", b"AKIA\0"), Scanned::Binary);
        assert_eq!(d.scan("a", &[b'a'; 17]), Scanned::TooLarge);
    }

    #[test]
    fn a_contained_keyword_is_not_lost() {
        // `_authToken` matches first; `token` (password-assignment) must still be a candidate.
        let d = Detector::default();
        let mask = d.scoped.candidates(b"_authToken", u64::MAX);
        let index = SECRET_RULES
            .iter()
            .position(|r| r.id == "password-assignment")
            .unwrap();
        assert_ne!(mask & (1 << index), 0);
    }
}
