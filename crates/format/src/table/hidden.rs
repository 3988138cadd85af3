//! The hidden-files part of the table: secret-looking paths first, files that went with a
//! removed package folded into one line per package, the rest capped.

use std::collections::HashMap;
use std::io::Write;

use sbomgen_model::{HiddenFile, RemovedPackageFiles};

use super::human_size;
use super::layout::{column, fit_line, write_table, Cut};
use super::secrets::secret_kind;

/// Rows of ordinary hidden files shown; the rest are counted.
const SHOWN: usize = 20;
/// Rows of secret-looking files shown: all of them in any real image, but a hostile one
/// with a hundred thousand `.key` files must not print them all.
const SHOWN_SECRETS: usize = 100;
/// Removed packages listed by name; the rest are counted.
const SHOWN_PACKAGES: usize = 20;

/// The hidden files sorted into what the table shows.
#[derive(Debug, Default)]
pub(super) struct HiddenView<'a> {
    /// Files whose name looks like a secret, with why. A file a removed package listed is not
    /// among them: it came from a distribution package, not from the build.
    pub secrets: Vec<(&'a HiddenFile, &'static str)>,
    /// Files that went with a removed package, one group per package.
    pub groups: Vec<Group<'a>>,
    /// Everything else.
    pub others: Vec<&'a HiddenFile>,
}

/// A removed package and how much of the hidden files it accounts for.
#[derive(Debug)]
pub(super) struct Group<'a> {
    pub package: &'a RemovedPackageFiles,
    pub files: usize,
    pub bytes: u64,
}

impl<'a> HiddenView<'a> {
    pub(super) fn new(hidden: &'a [HiddenFile], removed: &'a [RemovedPackageFiles]) -> Self {
        let mut owner: HashMap<(&str, usize), usize> = HashMap::new();
        for (i, package) in removed.iter().enumerate() {
            for path in &package.paths {
                owner.entry((path, package.removed_in)).or_insert(i);
            }
        }
        let mut groups: Vec<Group<'a>> = removed
            .iter()
            .map(|package| Group {
                package,
                files: 0,
                bytes: 0,
            })
            .collect();
        let mut view = HiddenView::default();
        for file in hidden {
            if let Some(&i) = owner.get(&(file.path.as_str(), file.removed_in)) {
                groups[i].files += 1;
                groups[i].bytes += file.size;
            } else if let Some(kind) = secret_kind(&file.path) {
                view.secrets.push((file, kind));
            } else {
                view.others.push(file);
            }
        }
        groups.retain(|g| g.files > 0);
        groups.sort_by(|a, b| {
            (a.package.removed_in, &a.package.name, &a.package.version).cmp(&(
                b.package.removed_in,
                &b.package.name,
                &b.package.version,
            ))
        });
        view.groups = groups;
        view
    }

    pub(super) fn grouped_files(&self) -> usize {
        self.groups.iter().map(|g| g.files).sum()
    }

    /// Writes the section (the caller writes nothing when there are no hidden files).
    pub(super) fn write(&self, out: &mut dyn Write, width: Option<usize>) -> std::io::Result<()> {
        let total = self.secrets.len() + self.grouped_files() + self.others.len();
        writeln!(
            out,
            "{}",
            fit_line(
                &format!(
                    "Hidden files: {total} (in the image's layers, deleted from its final filesystem)"
                ),
                width
            )
        )?;
        let secrets = &self.secrets[..self.secrets.len().min(SHOWN_SECRETS)];
        let others = &self.others[..self.others.len().min(SHOWN)];
        if !secrets.is_empty() || !others.is_empty() {
            let mut columns = vec![
                column("PATH", Cut::Middle),
                column("SIZE", Cut::Fixed),
                column("ADDED IN", Cut::Fixed),
                column("REMOVED IN", Cut::Fixed),
            ];
            if !secrets.is_empty() {
                columns.push(column("LOOKS LIKE", Cut::End));
            }
            let row = |file: &HiddenFile, note: Option<&str>| {
                let mut row = vec![
                    file.path.clone(),
                    human_size(file.size),
                    file.added_in.to_string(),
                    file.removed_in.to_string(),
                ];
                if let Some(note) = note {
                    row.push(note.to_string());
                }
                row
            };
            let rows: Vec<Vec<String>> = secrets
                .iter()
                .map(|(file, kind)| row(file, Some(kind)))
                .chain(others.iter().map(|file| row(file, None)))
                .collect();
            write_table(out, width, &columns, &rows)?;
        }
        let unshown = self.secrets.len() - secrets.len() + self.others.len() - others.len();
        if unshown > 0 {
            let files = if unshown == 1 { "file" } else { "files" };
            writeln!(
                out,
                "{}",
                fit_line(
                    &format!("… {unshown} more hidden {files} not shown; -o json lists every one."),
                    width
                )
            )?;
        }
        if !self.groups.is_empty() {
            writeln!(out, "{}", fit_line("Removed with their packages:", width))?;
            let shown = &self.groups[..self.groups.len().min(SHOWN_PACKAGES)];
            for group in shown {
                let package = group.package;
                let verb = if package.replaced {
                    "replaced"
                } else {
                    "removed"
                };
                let line = format!(
                    "  {} {} ({verb} in layer {}): {}, {}",
                    package.name,
                    package.version,
                    package.removed_in,
                    count(group.files),
                    human_size(group.bytes)
                );
                writeln!(out, "{}", fit_line(&line, width))?;
            }
            let rest = &self.groups[shown.len()..];
            if !rest.is_empty() {
                let files: usize = rest.iter().map(|g| g.files).sum();
                let line = format!("  … {} more packages: {}", rest.len(), count(files));
                writeln!(out, "{}", fit_line(&line, width))?;
            }
        }
        Ok(())
    }
}

fn count(files: usize) -> String {
    if files == 1 {
        "1 file".to_string()
    } else {
        format!("{files} files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, removed_in: usize) -> HiddenFile {
        HiddenFile {
            path: path.into(),
            size: 100,
            added_in: 0,
            removed_in,
        }
    }

    fn rendered(view: &HiddenView<'_>, width: Option<usize>) -> String {
        let mut out = Vec::new();
        view.write(&mut out, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn secrets_first_package_files_folded_the_rest_capped() {
        let mut hidden: Vec<HiddenFile> = (0..30)
            .map(|i| file(&format!("var/cache/apt/archives/{i:02}.deb"), 2))
            .collect();
        hidden.extend((0..131).map(|i| file(&format!("usr/share/locale/{i}/nano.mo"), 2)));
        hidden.push(file("app/.env", 2));
        hidden.push(file("root/.aws/credentials", 2));
        // A package's own key file is the distribution's, not a leaked secret.
        hidden.push(file("etc/nano/demo.key", 2));
        hidden.sort();
        let nano = RemovedPackageFiles {
            name: "nano".into(),
            version: "7.2-1".into(),
            kind: "deb".into(),
            removed_in: 2,
            replaced: false,
            paths: (0..131)
                .map(|i| format!("usr/share/locale/{i}/nano.mo"))
                .chain(["etc/nano/demo.key".to_string()])
                .collect(),
        };
        let removed = [nano];
        let view = HiddenView::new(&hidden, &removed);
        assert_eq!(view.grouped_files(), 132);
        let text = rendered(&view, None);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("Hidden files: 164 (in the image"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("PATH") && lines[1].ends_with("LOOKS LIKE"),
            "{text}"
        );
        assert!(lines[2].starts_with("app/.env "), "{text}");
        assert!(lines[2].ends_with("  dotenv file"), "{text}");
        assert!(lines[3].starts_with("root/.aws/credentials "), "{text}");
        assert!(
            lines[4].starts_with("var/cache/apt/archives/00.deb"),
            "{text}"
        );
        assert!(
            !text.contains("nano.mo") && !text.contains("demo.key"),
            "{text}"
        );
        assert!(
            text.contains("… 10 more hidden files not shown; -o json lists every one."),
            "{text}"
        );
        assert!(
            text.contains("  nano 7.2-1 (removed in layer 2): 132 files, 13.2 kB"),
            "{text}"
        );
        assert!(rendered(&view, Some(50))
            .lines()
            .all(|l| l.chars().count() <= 50));
    }

    #[test]
    fn without_package_lists_nothing_is_folded() {
        let hidden = [file("usr/bin/nano", 1), file("srv/app/deploy_key", 1)];
        let view = HiddenView::new(&hidden, &[]);
        let text = rendered(&view, None);
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("srv/app/deploy_key"),
            "{text}"
        );
        assert!(
            !text.contains("Removed with") && !text.contains("more hidden"),
            "{text}"
        );
    }
}
