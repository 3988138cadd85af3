//! The lexer's specification: literals, escapes and statement tokens.

use super::*;

fn strings(src: &str) -> Vec<String> {
    tokenize(src)
        .into_iter()
        .filter_map(|t| match t {
            Token::Str { text, .. } => Some(text),
            Token::Words(words) => Some(words.join("|")),
            _ => None,
        })
        .collect()
}

#[test]
fn string_literals() {
    let cases: &[(&str, &[&str])] = &[
        (r#""json".freeze"#, &["json"]),
        (r"'it''s' 'a\'b\n'", &["it", "s", "a'b\\n"]),
        (r#""tab\tnl\n\"q\" \\""#, &["tab\tnl\n\"q\" \\"]),
        (r#""\u00e9\u{1F6E0 41}\xC3\xA9""#, &["é🛠Aé"]),
        (r#""\ud83d\udee0 \ud83d \u12""#, &["🛠 \u{FFFD} \u{12}"]),
        (r#""\xff\u{110000}\u{zz}""#, &["\u{FFFD}\u{FFFD}\u{FFFD}"]),
        (
            r"%q<rack>.freeze %q{a{b}c} %Q(x(#{y})) %(p) %q|z|",
            &["rack", "a{b}c", "x(#{y})", "p", "z"],
        ),
        (r"%w[MIT  BSD] %W(a b)", &["MIT|BSD", "a|b"]),
        ("\"unterminated", &["unterminated"]),
        ("'", &[""]),
        ("%q(", &[""]),
        ("\"\\", &[""]),
        ("\"\\u{12", &["\u{FFFD}12"]),
        ("# \"comment\"\n\"code\" # \"more\"", &["code"]),
        (r"a % b %i[x]", &[]),
    ];
    for (src, want) in cases {
        assert_eq!(strings(src), *want, "{src}");
    }
}

#[test]
fn interpolation_is_marked() {
    let tokens = tokenize(r##""#{s.name}" '#{x}'"##);
    assert!(matches!(
        &tokens[0],
        Token::Str {
            interpolated: true,
            ..
        }
    ));
    assert!(matches!(
        &tokens[1],
        Token::Str {
            interpolated: false,
            ..
        }
    ));
}

#[test]
fn statements() {
    use Token::*;
    let tokens = tokenize(
        "s.required_rubygems_version = Gem::Requirement.new(\">= 0\") if s.respond_to? :x=\n",
    );
    assert_eq!(
        tokens,
        [
            Ident("s"),
            Punct("."),
            Ident("required_rubygems_version"),
            Op("="),
            Ident("Gem"),
            Punct("::"),
            Ident("Requirement"),
            Punct("."),
            Ident("new"),
            Punct("("),
            Str {
                text: ">= 0".into(),
                interpolated: false
            },
            Punct(")"),
            Ident("if"),
            Ident("s"),
            Punct("."),
            Ident("respond_to?"),
            Other,
            End,
        ]
    );
    assert_eq!(
        tokenize("a ||= b; c != 1"),
        [
            Ident("a"),
            Op("||="),
            Ident("b"),
            End,
            Ident("c"),
            Op("!="),
            Other
        ]
    );
    assert_eq!(tokenize("x\\\ny"), [Ident("x"), Ident("y")]);
}

#[test]
fn any_bytes_tokenize() {
    let garbage: String = (0u32..2000)
        .filter_map(|i| char::from_u32(i * 37 % 0x2FF))
        .collect();
    tokenize(&garbage);
    for cut in 0..garbage.len() {
        if let Some(prefix) = garbage.get(..cut) {
            tokenize(prefix);
        }
    }
}
