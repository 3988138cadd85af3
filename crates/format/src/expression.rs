//! Joining a package's licences into one SPDX expression and splitting it back, the same way in
//! SPDX (`licenseDeclared`) and CycloneDX (`expression`), so each format's reader recovers the
//! native licence list exactly.

/// `AND`-joins `terms`, parenthesising compound ones; a lone term is parenthesised only when
/// splitting would otherwise cut it (it has a top-level `AND`, or starts with a parenthesis).
pub(crate) fn join_and<S: AsRef<str>>(terms: &[S]) -> String {
    match terms {
        [only] => {
            let only = only.as_ref();
            if only.contains(" AND ") || only.starts_with('(') {
                format!("({only})")
            } else {
                only.to_string()
            }
        }
        many => many
            .iter()
            .map(|t| {
                let t = t.as_ref();
                if t.contains(' ') || t.starts_with('(') {
                    format!("({t})")
                } else {
                    t.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    }
}

/// The operands of the top-level `AND`s of `expression` (any case, as some tools write `and`),
/// each without a pair of parentheses enclosing it whole; empty operands are dropped. The
/// inverse of [`join_and`].
pub(crate) fn split_and(expression: &str) -> Vec<&str> {
    let expression = expression.trim();
    let bytes = expression.as_bytes();
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b' ' if depth == 0
                && bytes.len() > i + 4
                && bytes[i + 1..i + 4].eq_ignore_ascii_case(b"AND")
                && bytes[i + 4] == b' ' =>
            {
                terms.push(&expression[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    terms.push(&expression[start..]);
    terms
        .into_iter()
        .map(|t| strip_enclosing_parens(t.trim()).trim())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `(A OR B)` → `A OR B`; `(A) OR (B)` stays: only a pair enclosing the whole term goes.
fn strip_enclosing_parens(term: &str) -> &str {
    let Some(inner) = term.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return term;
    };
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return term,
            ')' => depth -= 1,
            _ => {}
        }
    }
    if depth == 0 {
        inner
    } else {
        term
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_and_split_are_inverse() {
        for terms in [
            vec!["MIT"],
            vec!["MIT", "Apache-2.0"],
            vec!["MIT OR Apache-2.0", "BSD-3-Clause"],
            vec!["GPL-2.0-only AND MIT"],
            vec!["(A) OR (B)", "C"],
        ] {
            assert_eq!(split_and(&join_and(&terms)), terms, "{terms:?}");
        }
        assert_eq!(
            split_and("MIT and (BSD-2-Clause OR ISC)"),
            ["MIT", "BSD-2-Clause OR ISC"]
        );
        assert_eq!(split_and("  "), Vec::<&str>::new());
        assert_eq!(split_and("(unbalanced"), ["(unbalanced"]);
    }
}
