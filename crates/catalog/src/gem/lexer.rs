//! Tokens of the little Ruby that gemspecs are written in.
//!
//! RubyGems writes installed specifications with `Gem::Specification#to_ruby`: assignments of
//! string literals (`"json".freeze`), arrays of them, `Gem::Version.new("…")`-style calls and
//! `%q<…>` literals, one statement a line. This lexer knows just enough Ruby to find those
//! values in any gemspec without executing it: string literals and their escapes (`\uXXXX`,
//! `\u{…}`, `\xHH`), `%q`/`%Q`/`%w` literals with nesting delimiters, comments, identifiers
//! and punctuation. Anything else becomes a [`Token::Other`] and is never an error: the parser
//! only looks for the patterns it knows.

/// One token. Identifiers borrow the source; strings are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token<'s> {
    /// An identifier or constant, with a trailing `?` or `!` (`respond_to?`).
    Ident(&'s str),
    /// A string literal's text; `#{…}` interpolations are kept verbatim (see `interpolated`).
    Str { text: String, interpolated: bool },
    /// A `%w[…]` word list.
    Words(Vec<String>),
    /// A run of operator characters: `=`, `==`, `=>`, `||=`, `|`.
    Op(&'s str),
    /// `.`, `,`, `(`, `)`, `[`, `]`, `{`, `}`, `::` and other single punctuation.
    Punct(&'s str),
    /// End of a statement: a newline or `;`.
    End,
    /// A number, a symbol, or a character the lexer does not model.
    Other,
}

/// Tokenizes `src`. Linear in its length; unterminated literals end at the end of input.
pub(super) fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer { src, pos: 0 };
    let mut tokens = Vec::new();
    while let Some(c) = lexer.peek() {
        let start = lexer.pos;
        lexer.bump();
        let token = match c {
            '\n' | ';' => Token::End,
            '#' => {
                lexer.skip_while(|c| c != '\n');
                continue;
            }
            '\\' if lexer.peek() == Some('\n') => {
                lexer.bump(); // a line continuation
                continue;
            }
            c if c.is_whitespace() => continue,
            '"' | '`' => lexer.string(c, None, true),
            '\'' => lexer.string('\'', None, false),
            '%' => lexer.percent_literal().unwrap_or(Token::Op("%")),
            ':' if lexer.peek() == Some(':') => {
                lexer.bump();
                Token::Punct("::")
            }
            ':' if lexer.peek().is_some_and(|c| c == '"' || is_ident_start(c)) => {
                lexer.symbol();
                Token::Other
            }
            c if is_ident_start(c) => {
                lexer.skip_while(is_ident_char);
                if matches!(lexer.peek(), Some('?' | '!')) && lexer.peek_second() != Some('=') {
                    lexer.bump();
                }
                Token::Ident(&src[start..lexer.pos])
            }
            c if c.is_ascii_digit() => {
                lexer.skip_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                Token::Other
            }
            c if is_op_char(c) => {
                lexer.skip_while(is_op_char);
                Token::Op(&src[start..lexer.pos])
            }
            _ => Token::Punct(&src[start..lexer.pos]),
        };
        tokens.push(token);
    }
    tokens
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '@' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_op_char(c: char) -> bool {
    matches!(
        c,
        '=' | '!' | '<' | '>' | '~' | '+' | '-' | '*' | '/' | '&' | '|' | '^' | '?'
    )
}

/// The closing delimiter of a `%` literal opened by `open`.
fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        other => other,
    }
}

struct Lexer<'s> {
    src: &'s str,
    /// Always on a char boundary: it only moves by whole chars.
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.src[self.pos..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
    }

    fn symbol(&mut self) {
        if self.peek() == Some('"') {
            self.bump();
            self.string('"', None, true);
        } else {
            self.skip_while(is_ident_char);
            if matches!(self.peek(), Some('?' | '!' | '=')) {
                self.bump();
            }
        }
    }

    /// `%q(…)`, `%Q[…]`, `%(…)`, `%w[…]` (just after the `%`), or `None` for the operator.
    fn percent_literal(&mut self) -> Option<Token<'static>> {
        let mut chars = self.src[self.pos..].chars();
        let (kind, open) = match chars.next()? {
            kind @ ('q' | 'Q' | 'w' | 'W') => (Some(kind), chars.next()?),
            open => (None, open),
        };
        if !matches!(open, '(' | '[' | '{' | '<' | '|' | '!' | '/') {
            return None;
        }
        if kind.is_some() {
            self.bump();
        }
        self.bump();
        let close = closing(open);
        let nested = (close != open).then_some(open);
        let escapes = matches!(kind, None | Some('Q' | 'W'));
        match self.string(close, nested, escapes) {
            Token::Str { text, .. } if matches!(kind, Some('w' | 'W')) => Some(Token::Words(
                text.split_whitespace().map(str::to_string).collect(),
            )),
            token => Some(token),
        }
    }

    /// The rest of a string literal ending at `close` (nesting on `open`), decoding escapes
    /// as Ruby does for double-quoted (`escapes`) or single-quoted strings.
    fn string(&mut self, close: char, open: Option<char>, escapes: bool) -> Token<'static> {
        let mut bytes = Vec::new();
        let mut depth = 0usize;
        let mut interpolated = false;
        while let Some(c) = self.bump() {
            match c {
                c if c == close && depth == 0 => break,
                c if c == close => depth -= 1,
                c if Some(c) == open => depth += 1,
                '\\' if escapes => {
                    self.escape(&mut bytes);
                    continue;
                }
                '\\' => match self.peek() {
                    Some(next) if next == '\\' || next == close || Some(next) == open => {
                        self.bump();
                        push_char(&mut bytes, next);
                        continue;
                    }
                    _ => {}
                },
                '#' if escapes && self.peek() == Some('{') => interpolated = true,
                _ => {}
            }
            push_char(&mut bytes, c);
        }
        Token::Str {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            interpolated,
        }
    }

    /// Decodes one escape of a double-quoted string, just after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(c) = self.bump() else { return };
        let simple = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            's' => ' ',
            'e' => '\u{1b}',
            '0' => '\0',
            '\n' => return, // a continued line
            'u' if self.peek() == Some('{') => {
                self.bump();
                // Bounded: an unclosed `\u{` must not rescan the rest of the file.
                let close = self.src[self.pos..]
                    .bytes()
                    .take(64)
                    .position(|b| b == b'}');
                let Some(end) = close.map(|i| self.pos + i) else {
                    return push_code(out, None);
                };
                for hex in self.src[self.pos..end].split_whitespace() {
                    push_code(out, u32::from_str_radix(hex, 16).ok());
                }
                self.pos = end + 1;
                return;
            }
            'u' => {
                let code = self.hex(4);
                // Ruby rejects surrogates; JSON-minded writers still pair them.
                if let Some(high @ 0xD800..=0xDBFF) = code {
                    if self.src[self.pos..].starts_with("\\u") {
                        let save = self.pos;
                        self.pos += 2;
                        if let Some(low @ 0xDC00..=0xDFFF) = self.hex(4) {
                            let pair = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                            return push_code(out, Some(pair));
                        }
                        self.pos = save;
                    }
                }
                return push_code(out, code);
            }
            'x' => {
                let byte = self.hex(2).and_then(|b| u8::try_from(b).ok());
                out.extend(byte);
                return;
            }
            other => other,
        };
        push_char(out, simple);
    }

    /// Up to `max` hex digits as a number (`None` when there are none).
    fn hex(&mut self, max: usize) -> Option<u32> {
        let digits = self.src[self.pos..]
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let value = u32::from_str_radix(&self.src[self.pos..self.pos + digits], 16).ok();
        self.pos += digits;
        value
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// A code point, or U+FFFD for a missing, surrogate or out-of-range one.
fn push_code(out: &mut Vec<u8>, code: Option<u32>) {
    push_char(out, code.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
}

#[cfg(test)]
#[path = "lexer_tests.rs"]
mod tests;
