use std::sync::Arc;

use super::*;
use crate::{Content, EntryParser};

#[test]
fn walks_sorted_keeps_matched_and_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("etc")).unwrap();
    fs::write(tmp.path().join("etc/os-release"), "ID=test\n").unwrap();
    fs::write(tmp.path().join("etc/other"), "x").unwrap();
    std::os::unix::fs::symlink("etc/os-release", tmp.path().join("link")).unwrap();
    let matcher = PathMatcher::new(["etc/os-release"]).unwrap();
    let report = read_directory(tmp.path(), &matcher, &Limits::default()).unwrap();
    let paths: Vec<&str> = report.files.entries.keys().map(String::as_str).collect();
    assert_eq!(paths, ["etc", "etc/os-release", "etc/other", "link"]);
    assert_eq!(report.files.captured["etc/os-release"], b"ID=test\n");
    assert!(!report.files.captured.contains_key("etc/other"));
    assert_eq!(
        report.files.entries["link"].link_target.as_deref(),
        Some("etc/os-release")
    );
    assert_eq!(report.digest, None);
}

#[test]
fn missing_directory_is_an_error_naming_it() {
    let err = read_directory(
        Path::new("/nonexistent/x"),
        &PathMatcher::empty(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/x"), "{err}");
}

/// Parses every file named `…-wanted` into a warning holding its content.
struct Echo;

impl EntryParser for Echo {
    fn wants(&self, path: &str) -> bool {
        path.ends_with("-wanted")
    }
    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings {
        let Content::Memory(bytes) = content else {
            return FileFindings::warning(format!("{path}: spooled"));
        };
        FileFindings::warning(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// `a/` with more children than one chunk, nested `a/sub/`, `b/`, and `a.b/` (which sorts
/// between `a` and `a/…` as a string but after `a`'s whole subtree as a directory).
fn wide_tree() -> (tempfile::TempDir, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for dir in ["a", "a/sub", "a.b", "b"] {
        fs::create_dir_all(tmp.path().join(dir)).unwrap();
        paths.push(dir.to_string());
    }
    for i in 0..(CHUNK * 2 + 7) {
        let rel = format!("a/f{i:04}-wanted");
        fs::write(tmp.path().join(&rel), &rel).unwrap();
        paths.push(rel);
    }
    for rel in ["a/sub/x-wanted", "a.b/x-wanted", "b/x-wanted", "b/keep"] {
        fs::write(tmp.path().join(rel), rel).unwrap();
        paths.push(rel.to_string());
    }
    paths.sort();
    (tmp, paths)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn every_entry_of_a_wide_tree_is_indexed_and_parsed_once() {
    let (tmp, paths) = wide_tree();
    let matcher = PathMatcher::new(["b/keep"])
        .unwrap()
        .with_parser(Arc::new(Echo));
    let report = in_pool(4, || {
        read_directory(tmp.path(), &matcher, &Limits::default()).unwrap()
    });
    let indexed: Vec<&String> = report.files.entries.keys().collect();
    assert_eq!(indexed, paths.iter().collect::<Vec<_>>());
    let parsed: Vec<&String> = report.files.parsed.keys().collect();
    let txt: Vec<&String> = paths.iter().filter(|p| p.ends_with("-wanted")).collect();
    assert_eq!(parsed, txt);
    for (path, findings) in &report.files.parsed {
        let from_bytes = std::slice::from_ref(path);
        assert_eq!(
            findings.warnings, from_bytes,
            "{path} parsed from its bytes"
        );
    }
    assert_eq!(report.files.captured.keys().collect::<Vec<_>>(), ["b/keep"]);
}

#[test]
fn the_report_does_not_depend_on_the_thread_count() {
    let (tmp, paths) = wide_tree();
    // Every wanted file is matched and over the 8-byte cap: one warning each, from many tasks.
    let limits = Limits {
        max_captured_file: 8,
        ..Limits::default()
    };
    let matcher = PathMatcher::new(["**/*-wanted", "b/keep"])
        .unwrap()
        .with_parser(Arc::new(Echo));
    let read = |threads| in_pool(threads, || read_directory(tmp.path(), &matcher, &limits));
    let one = read(1).unwrap();
    let over_cap = paths
        .iter()
        .filter(|p| p.ends_with("-wanted") && p.len() > 8);
    assert_eq!(one.warnings.len(), over_cap.count());
    for _ in 0..3 {
        assert_eq!(read(4).unwrap(), one);
    }
}

#[test]
fn warnings_come_directory_by_directory_in_walk_order() {
    let (tmp, _) = wide_tree();
    let limits = Limits {
        max_captured_file: 1,
        ..Limits::default()
    };
    let matcher = PathMatcher::new(["a/f0000-wanted", "*/x-wanted", "a/sub/x-wanted"]).unwrap();
    let report = in_pool(4, || read_directory(tmp.path(), &matcher, &limits)).unwrap();
    let named: Vec<&str> = report
        .warnings
        .iter()
        .map(|w| {
            let rel = w.strip_prefix(&*tmp.path().to_string_lossy()).unwrap();
            rel.split(' ').next().unwrap()
        })
        .collect();
    assert_eq!(
        named,
        [
            "/a/f0000-wanted",
            "/a/sub/x-wanted",
            "/a.b/x-wanted",
            "/b/x-wanted"
        ]
    );
}

#[test]
fn entry_limit_fails_past_the_last_allowed_entry() {
    let (tmp, paths) = wide_tree();
    let count = paths.len() as u64;
    let read = |max_entries| {
        let limits = Limits {
            max_entries,
            ..Limits::default()
        };
        in_pool(4, || {
            read_directory(tmp.path(), &PathMatcher::empty(), &limits)
        })
    };
    assert_eq!(read(count).unwrap().files.entries.len() as u64, count);
    let err = read(count - 1).unwrap_err();
    assert!(err.to_string().contains("entries-per-layer"), "{err}");
}

#[test]
fn captured_limit_counts_every_task_s_bytes() {
    let (tmp, paths) = wide_tree();
    let total: u64 = paths
        .iter()
        .filter(|p| p.ends_with("-wanted"))
        .map(|p| p.len() as u64)
        .sum();
    let matcher = PathMatcher::new(["**/*-wanted"]).unwrap();
    let read = |max_captured_total| {
        let limits = Limits {
            max_captured_total,
            ..Limits::default()
        };
        in_pool(4, || read_directory(tmp.path(), &matcher, &limits))
    };
    assert_eq!(read(total).unwrap().files.captured.len(), CHUNK * 2 + 10);
    let err = read(total - 1).unwrap_err();
    assert!(err.to_string().contains("captured-per-layer"), "{err}");
}

/// Says how each file reached it: in memory, or as which file of how many bytes.
struct Access;

impl EntryParser for Access {
    fn wants(&self, path: &str) -> bool {
        path.ends_with("-wanted")
    }
    fn sniffing(&self) -> bool {
        true
    }
    fn sniffs(&self, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }
    fn parse(&self, path: &str, content: Content<'_>) -> FileFindings {
        use std::io::Seek as _;
        let how = match content {
            Content::Memory(bytes) => format!("memory {}", bytes.len()),
            Content::Spooled { file, size } => {
                let mut head = [0u8; 4];
                file.read_exact(&mut head).unwrap();
                let end = file.seek(std::io::SeekFrom::End(0)).unwrap();
                let inode = file.metadata().unwrap().ino();
                let head = String::from_utf8_lossy(&head[1..]);
                format!("file {size} {end} {head} inode {inode}")
            }
        };
        FileFindings::warning(format!("{path}: {how}"))
    }
}

#[test]
fn large_files_are_parsed_in_place_not_spooled() {
    let tmp = tempfile::tempdir().unwrap();
    let mut elf = b"\x7fELF".to_vec();
    elf.resize(5000, 0);
    fs::write(tmp.path().join("big-elf"), &elf).unwrap();
    fs::write(tmp.path().join("big-wanted"), vec![b'x'; 3000]).unwrap();
    fs::write(tmp.path().join("small-wanted"), "tiny").unwrap();
    fs::write(tmp.path().join("big-other"), vec![b'y'; 3000]).unwrap();
    let limits = Limits {
        max_in_memory_file: 100,
        max_spooled_file: 4000,
        ..Limits::default()
    };
    let matcher = PathMatcher::empty().with_parser(Arc::new(Access));
    let inode = |name: &str| fs::metadata(tmp.path().join(name)).unwrap().ino();
    let report = read_directory(tmp.path(), &matcher, &limits).unwrap();
    let parsed: Vec<(&str, &str)> = report
        .files
        .parsed
        .iter()
        .map(|(path, found)| (path.as_str(), found.warnings[0].as_str()))
        .collect();
    assert_eq!(
        parsed,
        [
            // Above the spooling cap: not read, as for a tar entry.
            (
                "big-elf",
                "big-elf: 5000 bytes, above the 4000-byte cap for parsed files: not read"
            ),
            (
                "big-wanted",
                &*format!(
                    "big-wanted: file 3000 3000 xxx inode {}",
                    inode("big-wanted")
                )
            ),
            ("small-wanted", "small-wanted: memory 4"),
        ]
    );
    let limits = Limits {
        max_spooled_file: 5000,
        ..limits
    };
    let report = read_directory(tmp.path(), &matcher, &limits).unwrap();
    let elf = &report.files.parsed["big-elf"].warnings[0];
    assert_eq!(
        *elf,
        format!("big-elf: file 5000 5000 ELF inode {}", inode("big-elf")),
        "sniffed, then read from its start"
    );
}
