//! How wide the human table on stdout may be.
//!
//! On a terminal: its real width, asked of the terminal (`$COLUMNS` is a shell variable most
//! shells do not export). Elsewhere (a pipe, a file, `less`): `$COLUMNS` when set, so a script
//! or test can ask for a width; otherwise none, and rows keep every character (a pipe into
//! `grep` should not lose the end of a path).

use std::io::IsTerminal;

/// Narrower than this, fitting does more harm than good; such a value is ignored.
const MIN_WIDTH: usize = 20;

/// The width to fit the table on stdout to, if any.
pub(crate) fn stdout_width() -> Option<usize> {
    let stdout = std::io::stdout();
    let terminal = stdout
        .is_terminal()
        .then(|| console::Term::stdout().size_checked())
        .flatten()
        .map(|(_rows, columns)| usize::from(columns));
    terminal
        .or_else(|| columns(std::env::var("COLUMNS").ok().as_deref()))
        .filter(|w| *w >= MIN_WIDTH)
}

fn columns(value: Option<&str>) -> Option<usize> {
    value?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_variable() {
        assert_eq!(columns(Some("120")), Some(120));
        assert_eq!(columns(Some(" 80\n")), Some(80));
        assert_eq!(columns(Some("wide")), None);
        assert_eq!(columns(None), None);
    }
}
