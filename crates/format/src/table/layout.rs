//! Aligned columns fitted to a width: cells are cut with `…`, rows never wrap.

use std::io::Write;

/// Spaces between two columns.
const GAP: usize = 2;

/// How a column gives up characters when the table is too wide for the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// Never narrower than its widest cell (numbers, sizes, layer indexes).
    Fixed,
    /// Cut at the end: names, versions, commands.
    End,
    /// Cut in the middle, so a path keeps its top directory and its file name.
    Middle,
}

/// One column: its header and how it shrinks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    pub header: &'static str,
    pub cut: Cut,
}

pub(super) const fn column(header: &'static str, cut: Cut) -> Column {
    Column { header, cut }
}

/// Writes `rows` under `columns`, fitted to `width` when given. Shrinkable columns give up
/// characters widest first, down to their header's width; if even that is too wide, each line
/// is cut at the width.
pub(super) fn write_table(
    out: &mut dyn Write,
    width: Option<usize>,
    columns: &[Column],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let widths = fit(columns, rows, width);
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(columns.iter().zip(&widths))
            .map(|(cell, (column, w))| format!("{:<w$}", cut(cell, *w, column.cut)))
            .collect();
        let text = padded.join(&" ".repeat(GAP));
        fit_line(text.trim_end(), width)
    };
    writeln!(out, "{}", line(&mut columns.iter().map(|c| c.header)))?;
    for row in rows {
        writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}

/// Column widths: each column's widest cell, then shrunk until the row fits `width`.
fn fit(columns: &[Column], rows: &[Vec<String>], width: Option<usize>) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(|c| chars(c.header)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(chars(cell));
        }
    }
    let Some(width) = width else {
        return widths;
    };
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
    let mut excess = total(&widths).saturating_sub(width);
    while excess > 0 {
        // The widest column that can still shrink gives one character.
        let widest = columns
            .iter()
            .zip(&widths)
            .enumerate()
            .filter(|(_, (c, w))| c.cut != Cut::Fixed && **w > chars(c.header).max(MIN_CUT))
            .max_by_key(|(i, (_, w))| (**w, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let Some(i) = widest else { break };
        widths[i] -= 1;
        excess -= 1;
    }
    widths
}

/// The narrowest a cut cell gets: a few characters and the ellipsis still say something.
const MIN_CUT: usize = 6;

/// `text` in at most `width` characters, ending in `…` when cut.
pub(super) fn fit_line(text: &str, width: Option<usize>) -> String {
    match width {
        Some(width) => cut(text, width, Cut::End),
        None => text.to_string(),
    }
}

/// `text` in at most `width` characters.
pub(super) fn cut(text: &str, width: usize, how: Cut) -> String {
    let count = chars(text);
    if count <= width || how == Cut::Fixed {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let keep = width - 1;
    match how {
        Cut::Middle => {
            let head = keep / 2;
            let tail = keep - head;
            let start: String = text.chars().take(head).collect();
            let end: String = text.chars().skip(count - tail).collect();
            format!("{start}…{end}")
        }
        _ => {
            let start: String = text.chars().take(keep).collect();
            format!("{start}…")
        }
    }
}

/// Prose folded at word boundaries to `width` (one line when there is no width).
pub(super) fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![text.to_string()];
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && chars(&line) + 1 + chars(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| fit_line(&l, Some(width)))
        .collect()
}

/// Characters, the unit of width here (paths and package names are nearly always ASCII).
pub(super) fn chars(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(width: Option<usize>, rows: &[[&str; 3]]) -> Vec<String> {
        let columns = [
            column("PATH", Cut::Middle),
            column("SIZE", Cut::Fixed),
            column("NAME", Cut::End),
        ];
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect();
        let mut out = Vec::new();
        write_table(&mut out, width, &columns, &rows).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn columns_shrink_widest_first_and_never_wrap() {
        let rows = [[
            "usr/share/doc/package/changelog.Debian.gz",
            "4.1 kB",
            "a-rather-long-name",
        ]];
        let wide = render(None, &rows);
        assert_eq!(
            wide[1],
            "usr/share/doc/package/changelog.Debian.gz  4.1 kB  a-rather-long-name"
        );
        let narrow = render(Some(40), &rows);
        assert!(narrow.iter().all(|l| chars(l) <= 40), "{narrow:#?}");
        // The path gave up the most and kept both of its ends; the size is whole.
        assert!(
            narrow[1].starts_with("usr/sha") && narrow[1].contains("…"),
            "{narrow:#?}"
        );
        assert!(narrow[1].contains(".gz  4.1 kB  a-rather"), "{narrow:#?}");
        // Too narrow even for the headers: lines are cut, not wrapped.
        let tiny = render(Some(12), &rows);
        assert_eq!(tiny.len(), 2);
        assert!(tiny.iter().all(|l| chars(l) <= 12), "{tiny:#?}");
    }

    #[test]
    fn cuts_and_wraps() {
        assert_eq!(cut("abcdef", 4, Cut::End), "abc…");
        assert_eq!(cut("abcdefgh", 5, Cut::Middle), "ab…gh");
        assert_eq!(cut("abcdef", 3, Cut::Fixed), "abcdef");
        assert_eq!(cut("abc", 3, Cut::End), "abc");
        assert_eq!(
            wrap("one two three four", Some(9)),
            ["one two", "three", "four"]
        );
        assert_eq!(wrap("one two", None), ["one two"]);
    }
}
