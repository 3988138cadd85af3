//! `Requires-Dist` values (PEP 508 requirements) to the names of runtime dependencies.
//!
//! Only the name and the environment marker matter here: extras (`[socks]`), version
//! specifiers and URLs are dropped. A requirement that applies only when an extra is requested
//! (`PySocks>=1.5.6; extra == "socks"`) is *not* a runtime dependency: nothing installs it
//! unless someone asked for `requests[socks]`. Syft counts those too (its `dependency.go`
//! calls extras "partially supported"), which links packages that are often absent.
//! Other markers (`python_version < "3.9"`, `platform_system == "Windows"`) are kept: whether
//! they held on the image's interpreter is not known here.

use super::normalize_name;

/// Parentheses nest at most this deep in a marker we analyse; deeper ones (never seen in
/// real metadata) are treated as not depending on an extra, so the requirement is kept.
const MAX_MARKER_DEPTH: usize = 16;

/// The PEP 503-normalised name of a requirement that applies without extras, or `None` for
/// an extra-only requirement or a value with no name.
pub(super) fn runtime_dependency(requirement: &str) -> Option<String> {
    let requirement = requirement.trim_start();
    let name_len = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let name = normalize_name(&requirement[..name_len]);
    if name.is_empty() {
        return None;
    }
    let marker = requirement[name_len..].split_once(';').map(|(_, m)| m);
    if marker.is_some_and(needs_extra) {
        return None;
    }
    Some(name)
}

/// Whether a marker can only hold when some extra is requested: every `or` alternative has
/// an `extra` comparison among its `and` terms.
fn needs_extra(marker: &str) -> bool {
    let tokens = tokenize(marker);
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
    };
    // Anything unparsed left over means we misread the marker: keep the requirement.
    parser.or_expr(0).unwrap_or(false) && parser.at == tokens.len()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    And,
    Or,
    /// A variable, operator or quoted string: part of one comparison.
    Atom(&'a str),
}

fn tokenize(marker: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = marker;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return tokens;
        };
        let len = match c {
            '(' | ')' => c.len_utf8(),
            '\'' | '"' => rest[1..].find(c).map_or(rest.len(), |end| end + 2),
            c if is_word(c) => rest.find(|c| !is_word(c)).unwrap_or(rest.len()),
            _ => rest
                .find(|c: char| c.is_whitespace() || is_word(c) || "()'\"".contains(c))
                .unwrap_or(rest.len()),
        };
        let (text, tail) = rest.split_at(len);
        tokens.push(match text {
            "(" => Token::Open,
            ")" => Token::Close,
            "and" => Token::And,
            "or" => Token::Or,
            _ => Token::Atom(text),
        });
        rest = tail;
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Recursive descent over `or_expr := and_expr ("or" and_expr)*`,
/// `and_expr := term ("and" term)*`, `term := "(" or_expr ")" | atom+`, returning for each
/// whether it needs an extra. `None` when the marker is malformed or too deep.
struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    at: usize,
}

impl Parser<'_, '_> {
    fn or_expr(&mut self, depth: usize) -> Option<bool> {
        let mut all = self.and_expr(depth)?;
        while self.tokens.get(self.at) == Some(&Token::Or) {
            self.at += 1;
            all &= self.and_expr(depth)?;
        }
        Some(all)
    }

    fn and_expr(&mut self, depth: usize) -> Option<bool> {
        let mut any = self.term(depth)?;
        while self.tokens.get(self.at) == Some(&Token::And) {
            self.at += 1;
            any |= self.term(depth)?;
        }
        Some(any)
    }

    fn term(&mut self, depth: usize) -> Option<bool> {
        if self.tokens.get(self.at) == Some(&Token::Open) {
            if depth >= MAX_MARKER_DEPTH {
                return None;
            }
            self.at += 1;
            let inner = self.or_expr(depth + 1)?;
            if self.tokens.get(self.at) != Some(&Token::Close) {
                return None;
            }
            self.at += 1;
            return Some(inner);
        }
        let start = self.at;
        let mut extra = false;
        while let Some(Token::Atom(text)) = self.tokens.get(self.at) {
            extra |= *text == "extra";
            self.at += 1;
        }
        (self.at > start).then_some(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_dependencies() {
        for (requirement, expected) in [
            ("charset-normalizer<4,>=2", Some("charset-normalizer")),
            ("charset-normalizer <4,>=2", Some("charset-normalizer")),
            ("Werkzeug (>=2.0)", Some("werkzeug")),
            (
                "requests[socks]>=2; python_version >= \"3\"",
                Some("requests"),
            ),
            (
                "colorama ; platform_system == \"Windows\"",
                Some("colorama"),
            ),
            (
                "typing-extensions>=4.0.0; python_version < '3.9'",
                Some("typing-extensions"),
            ),
            ("jaraco.packaging (>=9)", Some("jaraco-packaging")),
            (
                "Foo_Bar @ https://example.com/foo.whl ; os_name == 'posix'",
                Some("foo-bar"),
            ),
            ("PySocks!=1.5.7,>=1.5.6; extra == \"socks\"", None),
            ("asgiref (>=3.2) ; extra == 'async'", None),
            ("ruff >= 0.16.0 ; extra == \"all\"", None),
            ("x; extra=='a'", None),
            (
                "x; (extra == 'a' or extra == 'b') and python_version < '3.8'",
                None,
            ),
            ("x; python_version < '3' and extra == 'a'", None),
            ("x; python_version < '3' or extra == 'a'", Some("x")),
            ("x; 'extra' == os_name", Some("x")),
            ("x; extra == 'a' )", Some("x")),
            (
                "x; ((((((((((((((((((extra == 'a'))))))))))))))))))",
                Some("x"),
            ),
            ("", None),
            ("  >=1.0", None),
            ("[extra]", None),
        ] {
            assert_eq!(
                runtime_dependency(requirement).as_deref(),
                expected,
                "{requirement}"
            );
        }
    }

    #[test]
    fn deep_or_unbalanced_markers_do_not_overflow() {
        let deep = format!("x; {}extra == 'a'", "(".repeat(100_000));
        assert_eq!(runtime_dependency(&deep).as_deref(), Some("x"));
        let unterminated = "x; extra == 'a";
        assert_eq!(runtime_dependency(unterminated), None);
    }
}
