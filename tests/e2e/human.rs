//! What people at a terminal see: the progress display (under a pseudo-terminal, never in a
//! pipe), log lines (`-v`, `SBOMGEN_LOG`, `--log-file`), and the table fitted to a width with
//! hidden files grouped.

use std::path::Path;
use std::process::Command;

use sbomgen_model::Platform;
use sbomgen_testkit::{write_oci_dir, Compression, Entry, ImageSpec, LayerSpec};

use crate::support::{demo_image, sbomgen};

const OS_RELEASE: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

fn stanza(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\
         Description: {name}\n\n"
    )
}

/// The files of a package as its `info/<name>.list` names them (directories included, as dpkg
/// writes them), and the regular files among them.
fn package_files(name: &str, count: usize) -> (String, Vec<String>) {
    let files: Vec<String> = (0..count)
        .map(|i| match i {
            0 => format!("usr/bin/{name}"),
            1 => format!("usr/share/doc/{name}/copyright"),
            _ => format!("usr/share/locale/l{i}/LC_MESSAGES/{name}.mo"),
        })
        .collect();
    let mut list = String::from("/.\n/usr\n/usr/bin\n");
    for file in &files {
        list.push_str(&format!("/{file}\n"));
    }
    (list, files)
}

/// Debian with nano (131 files) and vim-tiny (24 files); an app layer that copies in a dotenv
/// file and AWS credentials; a last layer that purges both packages and deletes the secrets.
fn purged_secrets_image() -> ImageSpec {
    let (nano_list, nano_files) = package_files("nano", 131);
    let (vim_list, vim_files) = package_files("vim-tiny", 24);
    let base = stanza("base-files", "12.4+deb12u5");
    let mut system = LayerSpec::new(Compression::Gzip)
        .created_by("ADD rootfs.tar /")
        .entry(Entry::file("usr/lib/os-release", OS_RELEASE))
        .entry(Entry::symlink("etc/os-release", "../usr/lib/os-release"))
        .entry(Entry::file(
            "var/lib/dpkg/status",
            [
                base.clone(),
                stanza("nano", "7.2-1"),
                stanza("vim-tiny", "2:9.0.1378-2"),
            ]
            .concat(),
        ))
        .entry(Entry::file("var/lib/dpkg/info/nano.list", nano_list))
        .entry(Entry::file("var/lib/dpkg/info/vim-tiny.list", vim_list));
    for file in nano_files.iter().chain(&vim_files) {
        system = system.entry(Entry::file(file, format!("{file}\n")));
    }
    let app = LayerSpec::new(Compression::Zstd)
        .created_by("COPY . /")
        .entry(Entry::file("app/server.py", "print('hello')\n"))
        .entry(Entry::file(
            "app/.env",
            "DATABASE_URL=postgres://app:s3cr3t@db/app\n",
        ))
        .entry(Entry::file(
            "root/.aws/credentials",
            "[default]\naws_access_key_id = AKIAEXAMPLE\n",
        ))
        .entry(Entry::file("app/build/cache.bin", vec![0u8; 64]));
    let mut cleanup = LayerSpec::new(Compression::None)
        .created_by("RUN apt-get purge -y nano vim-tiny && rm -rf /app/.env /root/.aws /app/build")
        .entry(Entry::file("var/lib/dpkg/status", base))
        .entry(Entry::whiteout("var/lib/dpkg/info/nano.list"))
        .entry(Entry::whiteout("var/lib/dpkg/info/vim-tiny.list"))
        .entry(Entry::whiteout("app/.env"))
        .entry(Entry::whiteout("root/.aws"))
        .entry(Entry::whiteout("app/build"));
    for file in nano_files.iter().chain(&vim_files) {
        cleanup = cleanup.entry(Entry::whiteout(file));
    }
    ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(system)
        .layer(app)
        .layer(cleanup)
}

fn table(layout: &Path, columns: Option<&str>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sbomgen"));
    // No cache: the user's is not the tests' business.
    command.args([
        layout.to_str().unwrap(),
        "-o",
        "table",
        "-q",
        "--no-layer-cache",
    ]);
    command.env_remove("COLUMNS");
    if let Some(columns) = columns {
        command.env("COLUMNS", columns);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn hidden_files_are_grouped_under_removed_packages_with_secrets_first() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("debian.oci");
    write_oci_dir(&layout, "latest", &[purged_secrets_image()]).unwrap();
    let text = table(&layout, None);
    let lines: Vec<&str> = text.lines().collect();
    let heading = lines
        .iter()
        .position(|l| l.starts_with("Hidden files"))
        .unwrap_or_else(|| panic!("{text}"));
    // 131 + 24 package files, their two lists, two secrets and a build cache.
    assert!(lines[heading].starts_with("Hidden files: 160 ("), "{text}");
    assert!(lines[heading + 1].starts_with("PATH"), "{text}");
    assert!(lines[heading + 2].starts_with("app/.env "), "{text}");
    assert!(lines[heading + 2].ends_with("dotenv file"), "{text}");
    assert!(
        lines[heading + 3].starts_with("root/.aws/credentials "),
        "{text}"
    );
    assert!(lines[heading + 3].ends_with("AWS credentials"), "{text}");
    assert!(
        lines[heading + 4].starts_with("app/build/cache.bin "),
        "{text}"
    );
    assert!(
        text.contains("\n  nano 7.2-1 (removed in layer 2): 132 files, "),
        "{text}"
    );
    assert!(
        text.contains("\n  vim-tiny 2:9.0.1378-2 (removed in layer 2): 25 files, "),
        "{text}"
    );
    assert!(
        !text.contains("nano.mo") && !text.contains("usr/bin/nano"),
        "{text}"
    );
    let summary = lines.iter().find(|l| l.starts_with("Summary:")).unwrap();
    assert_eq!(
        *summary,
        "Summary:  3 packages (3 deb), 2 removed by a later layer; 160 hidden files \
         (2 secret-looking, 157 with 2 removed packages)"
    );
}

#[test]
fn the_table_fits_the_width_it_is_given() {
    let demo = demo_image();
    let unfitted = table(Path::new(&demo), None);
    // No width outside a terminal: cells are whole, only the history command is shortened.
    assert!(
        unfitted.contains(
            "Manifest: sha256:e8bf06274c0b01a11bd9a73290237de67b9f6953c702f1874336fca7fac4f40c"
        ),
        "{unfitted}"
    );
    assert!(unfitted.contains("rm -rf /var/…"), "{unfitted}");

    let narrow = table(Path::new(&demo), Some("60"));
    for line in narrow.lines() {
        assert!(
            line.chars().count() <= 60,
            "{line:?} is wider than 60:\n{narrow}"
        );
    }
    // The digest keeps both ends.
    assert!(
        narrow.contains("Manifest: sha256:e8bf06274c0b01a11…3c702f1874336fca7fac4f40c\n"),
        "{narrow}"
    );
    assert!(narrow.contains('…'), "{narrow}");
    assert!(narrow.contains("\nsrv/app/.env "), "{narrow}");
    // The summary folds instead of losing its end.
    assert!(narrow.contains("(2 secret-looking)"), "{narrow}");

    let wide = table(Path::new(&demo), Some("200"));
    assert!(wide.lines().all(|l| l.chars().count() <= 200), "{wide}");
    assert!(
        wide.contains(
            "apt-get purge -y curl && apt-get install -y libssl3 && echo app > /etc/hostname"
        ),
        "the whole history command fits in 200 columns:\n{wide}"
    );
}

#[test]
fn log_lines_follow_verbosity_and_the_variable() {
    let demo = demo_image();
    let run = |args: &[&str], env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sbomgen"));
        // No cache: every run reads its layers, so the per-layer events are logged.
        command
            .arg(&demo)
            .args(["-o", "json=/dev/null", "--no-layer-cache"])
            .args(args);
        command.env_remove("SBOMGEN_LOG");
        if let Some(filter) = env {
            command.env("SBOMGEN_LOG", filter);
        }
        command.output().unwrap()
    };
    let quiet = run(&[], None);
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(
        !stderr.contains("INFO") && !stderr.contains("source opened"),
        "{stderr}"
    );

    let info = run(&["-v"], None);
    let stderr = String::from_utf8_lossy(&info.stderr);
    assert!(info.status.success(), "{stderr}");
    assert!(
        stderr.contains("INFO") && stderr.contains("source opened"),
        "{stderr}"
    );
    assert!(
        stderr.contains("document written") && stderr.contains("format=\"json\""),
        "{stderr}"
    );
    assert!(
        !stderr.contains("layer read"),
        "debug events need -vv: {stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no colour outside a terminal: {stderr:?}"
    );

    let debug = run(&["-vv"], None);
    let stderr = String::from_utf8_lossy(&debug.stderr);
    let layer = stderr
        .lines()
        .find(|l| l.contains("layer read") && l.contains("layer=1"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        layer.contains("DEBUG") && layer.contains("entries=6"),
        "{layer}"
    );
    assert!(layer.contains("elapsed_ms="), "{layer}");

    let scan_only = run(&[], Some("sbomgen_scan=debug"));
    let stderr = String::from_utf8_lossy(&scan_only.stderr);
    assert!(stderr.contains("layer read"), "{stderr}");
    assert!(!stderr.contains("document written"), "{stderr}");

    let bad = run(&[], Some("sbomgen=loud"));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: SBOMGEN_LOG=\"sbomgen=loud\""),
        "{stderr}"
    );
}

#[test]
fn log_file_takes_the_lines_stderr_keeps_the_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("scan.log");
    let out = sbomgen(&[
        &demo_image(),
        "-o",
        "json=/dev/null",
        "--log-file",
        log.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("source opened"), "{stderr}");
    let lines = std::fs::read_to_string(&log).unwrap();
    assert!(
        lines.contains("source opened") && lines.contains("document written"),
        "{lines}"
    );

    let missing = tmp.path().join("no/such/dir/scan.log");
    let out = sbomgen(&[&demo_image(), "--log-file", missing.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write the log file") && stderr.contains("scan.log"),
        "{stderr}"
    );
}

/// A layer of incompressible bytes, so reading it takes long enough for bars to be drawn.
fn slow_image() -> ImageSpec {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..12 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(
            LayerSpec::new(Compression::Gzip)
                .created_by("ADD rootfs.tar /")
                .entry(Entry::file("usr/lib/os-release", OS_RELEASE))
                .entry(Entry::file("opt/blob.bin", noise)),
        )
        .layer(LayerSpec::new(Compression::Gzip).entry(Entry::file("app/x", "x\n")))
}

/// `script` runs the command on a pseudo-terminal; its stdout is the terminal's transcript.
fn under_a_terminal(command: &str) -> Option<String> {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_is_drawn_on_a_terminal_cleared_after_and_never_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("slow.oci");
    write_oci_dir(&layout, "latest", &[slow_image()]).unwrap();
    let bin = env!("CARGO_BIN_EXE_sbomgen");
    let scan = format!("{bin} {} -o json=/dev/null", layout.display());
    let Some(transcript) = under_a_terminal(&format!("stty rows 30 cols 70; {scan}")) else {
        eprintln!("skipping: `script` is not available");
        return;
    };
    assert!(transcript.contains("layers"), "{transcript:?}");
    assert!(transcript.contains("reading "), "{transcript:?}");
    assert!(transcript.contains("\x1b["), "{transcript:?}");
    // Cleared when done: after the last drawing, only erasing.
    let last = transcript.rfind("layers").unwrap();
    assert!(transcript[last..].contains("\x1b[2K"), "{transcript:?}");
    // Fitted to the terminal's 70 columns (no `COLUMNS` involved): indicatif pads each line
    // to the width it asked the terminal for, so every redraw is whole lines of 70.
    for frame in transcript.split('\r') {
        let visible = strip_escapes(frame);
        assert_eq!(
            visible.chars().count() % 70,
            0,
            "{visible:?} in {transcript:?}"
        );
    }
    assert!(
        transcript.lines().count() <= 1,
        "no line feeds: {transcript:?}"
    );

    let quiet = under_a_terminal(&format!("{scan} -q")).unwrap();
    assert!(
        !quiet.contains("layers") && !quiet.contains("\x1b["),
        "{quiet:?}"
    );

    let piped = sbomgen(&[layout.to_str().unwrap(), "-o", "json=/dev/null"]);
    assert!(piped.status.success());
    assert!(
        piped.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&piped.stderr)
    );
}

/// A registry pull shows on the same display: what is pulled, then the layers' bytes.
#[test]
fn registry_pulls_show_on_the_same_display() {
    use sbomgen_testkit::registry::{registry_tests_can_run, Registry, RegistryOptions};
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).expect("the test registry starts");
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("slow.oci");
    write_oci_dir(&layout, "1", &[slow_image()]).unwrap();
    registry.push_oci_dir(&layout, "1", "slow:1").unwrap();
    let scan = format!(
        "HOME={home} XDG_CACHE_HOME={home} DOCKER_CONFIG={home} {bin} registry:{reference} \
         --no-cache -o json=/dev/null",
        home = tmp.path().display(),
        bin = env!("CARGO_BIN_EXE_sbomgen"),
        reference = registry.reference("slow:1"),
    );
    let Some(transcript) = under_a_terminal(&format!("stty rows 30 cols 90; {scan}")) else {
        eprintln!("skipping: `script` is not available");
        return;
    };
    let visible = strip_escapes(&transcript);
    assert!(
        visible.contains(&format!("pulling {}", registry.reference("slow:1"))),
        "{visible:?}"
    );
    assert!(visible.contains("/12.00 MiB"), "{visible:?}");
    for frame in transcript.split('\r') {
        assert_eq!(
            strip_escapes(frame).chars().count() % 90,
            0,
            "{transcript:?}"
        );
    }
}

/// `text` without ANSI escape sequences (CSI `ESC [ … letter`).
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
