//! Output files as a pipeline's next step finds them: the mode a new file gets under the
//! process umask, an existing file's mode kept, and no two outputs racing for one file.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{demo_image as demo, failure};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Runs the real binary under `umask` through the shell, as a CI step would.
fn scan_under_umask(umask: &str, outputs: &[String]) {
    let mut command = format!("umask {umask} && exec \"$0\" \"$1\" -q");
    for (n, _) in outputs.iter().enumerate() {
        command.push_str(&format!(" -o \"${}\"", n + 2));
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .arg(env!("CARGO_BIN_EXE_sbomgen"))
        .arg(demo())
        .args(outputs)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn new_outputs_follow_the_umask_and_replaced_ones_keep_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    let spdx = dir.path().join("sbom.spdx.json");
    let cdx = dir.path().join("sbom.cdx.json");
    let outputs = |umask| {
        scan_under_umask(
            umask,
            &[
                format!("spdx-json={}", spdx.display()),
                format!("cyclonedx-json={}", cdx.display()),
            ],
        );
    };
    outputs("022");
    assert_eq!(
        mode(&spdx),
        0o644,
        "readable by a later step running as another user"
    );
    assert_eq!(mode(&cdx), 0o644);
    std::fs::remove_file(&cdx).unwrap();
    // A stricter umask narrows new files only: the existing 0644 SBOM stays 0644.
    outputs("077");
    assert_eq!(mode(&spdx), 0o644);
    assert_eq!(mode(&cdx), 0o600);
}

#[test]
fn two_outputs_to_one_file_fail_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sbom.json");
    let first = format!("json={}", file.display());
    let second = format!("spdx-json={}", file.display());
    let stderr = failure(&[&demo(), "-o", &first, "-o", &second]);
    assert!(
        stderr.contains("two outputs name the same file"),
        "{stderr}"
    );
    assert!(!file.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

/// SIGINT while outputs are being published: exit 130, the staged temporary file removed, no
/// output file. The first output is a FIFO nobody reads yet, so the run is held exactly where
/// the second output's temporary file exists.
#[test]
fn an_interrupt_while_publishing_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let file = out_dir.join("sbom.spdx.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbomgen"))
        .args([&demo(), "-q", "-o"])
        .arg(format!("json={}", fifo.display()))
        .arg("-o")
        .arg(format!("spdx-json={}", file.display()))
        .spawn()
        .unwrap();
    let staged = || {
        std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(".sbomgen-"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !staged() {
        assert!(
            std::time::Instant::now() < deadline,
            "no staged file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The FIFO open blocks until a reader comes; the handler runs on its own thread.
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
