//! The command line a newcomer meets: subcommands named explicitly with suggestions for
//! near-misses, `scan` implied only for what is clearly a source, `version`, completions, man
//! pages, and exit codes as `--help` and the README document them.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::cli_run::Shell;
use crate::support::demo_image;

#[test]
fn near_misses_are_suggested_not_scanned() {
    let shell = Shell::new();
    for (typed, meant) in [("scna", "scan"), ("verfiy", "verify"), ("attets", "attest")] {
        let run = shell.run(&[typed, "img.tar"], &[]);
        let err = run.fails(2);
        assert!(
            err.contains(&format!("unrecognized subcommand '{typed}'"))
                && err.contains(&format!("'{meant}'")),
            "{err}"
        );
        assert!(!err.contains("does not exist"), "not scanned: {err}");
        assert!(run.stdout.is_empty());
    }
    // A bare word like no subcommand: how to scan it, since it may be an image name.
    let err = shell.run(&["alpine"], &[]).fails(2).to_string();
    assert!(err.contains("sbomgen scan alpine"), "{err}");
    // `version` and `completion` are commands now, not sources that do not exist.
    shell.run(&["version"], &[]).ok();
    shell.run(&["completion", "bash"], &[]).ok();
}

#[test]
fn scan_stays_the_default_for_sources() {
    let shell = Shell::new();
    let demo = demo_image();
    let out = shell.run(&[&demo, "-o", "json", "-q"], &[]);
    let doc: Value = serde_json::from_str(&out.ok().stdout).unwrap();
    assert!(!doc["packages"].as_array().unwrap().is_empty());
    // Leading scan flags, and a path-shaped source that does not exist: scanned, exit 1.
    shell.run(&["-q", "-o", "json", &demo], &[]).ok();
    for source in [
        "./missing.tar",
        "missing.tar",
        "oci-dir:nowhere",
        "ftp://x/y",
    ] {
        let err = shell.run(&[source], &[]).fails(1).to_string();
        assert!(err.contains("cannot scan"), "{source}: {err}");
    }
    // A directory of that name is a source, even as a bare word.
    std::fs::create_dir_all(shell.work().join("rootfs/etc")).unwrap();
    shell.run(&["rootfs", "-q"], &[]).ok();
}

#[test]
fn version_names_the_build() {
    let shell = Shell::new();
    let json: Value = serde_json::from_str(&shell.run(&["version", "-o", "json"], &[]).ok().stdout)
        .expect("version -o json is JSON");
    assert_eq!(json["application"], "sbomgen");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    let commit = json["gitCommit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    let date = json["buildDate"].as_str().unwrap();
    assert!(
        date == "unknown" || (date.len() == 20 && date.ends_with('Z') && &date[10..11] == "T"),
        "{date}"
    );
    assert!(json["rustcVersion"]
        .as_str()
        .unwrap()
        .starts_with("rustc 1."));
    let target = json["target"].as_str().unwrap();
    assert!(target.contains('-'), "{target}");

    let text = shell.run(&["version"], &[]).ok().stdout.clone();
    assert!(text.starts_with(&format!("sbomgen {}\n", env!("CARGO_PKG_VERSION"))));
    for fact in [commit, date, target] {
        assert!(text.contains(fact), "{fact} in {text}");
    }
    let short = shell.run(&["--version"], &[]).ok().stdout.clone();
    assert_eq!(
        short.trim(),
        format!("sbomgen {}", env!("CARGO_PKG_VERSION"))
    );
}

/// Whether `tool` runs here (a shell a test checks a script with).
fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completions_generate_and_parse() {
    let shell = Shell::new();
    for (name, checker) in [
        ("bash", Some(("bash", "-n"))),
        ("zsh", Some(("zsh", "-n"))),
        ("fish", Some(("fish", "--no-execute"))),
        ("powershell", None),
        ("elvish", None),
    ] {
        let script = shell.run(&["completion", name], &[]).ok().stdout.clone();
        for word in ["scan", "verify", "attest", "platform", "catalogers"] {
            assert!(script.contains(word), "{name} completion lacks {word}");
        }
        let Some((tool, flag)) = checker else {
            continue;
        };
        if !have(tool) {
            eprintln!("skipping the {tool} syntax check: {tool} is absent");
            continue;
        }
        let file = shell.write(Path::new(&format!("completion.{name}")), &script);
        let out = Command::new(tool).arg(flag).arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {flag} rejects the completion script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let err = shell.run(&["completion", "tcsh"], &[]).fails(2).to_string();
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

/// A man page as a reader sees it: groff's UTF-8 rendering (through preconv, as man(1) runs
/// it) with hyphens made plain. Any groff warning fails the test.
fn render(page: &Path) -> Option<String> {
    let out = Command::new("groff")
        .args(["-k", "-ww", "-man", "-Tutf8", "-P", "-cbou"])
        .arg(page)
        .output()
        .ok()?;
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "groff on {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).replace(['\u{2010}', '\u{2212}'], "-"))
}

#[test]
fn man_pages_render_one_per_command() {
    let shell = Shell::new();
    shell.run(&["man", "--dir", "pages"], &[]).ok();
    let pages = shell.work().join("pages");
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for expected in [
        "sbomgen.1",
        "sbomgen-scan.1",
        "sbomgen-attest.1",
        "sbomgen-verify.1",
        "sbomgen-download-sbom.1",
        "sbomgen-config.1",
        "sbomgen-version.1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let stdout_page = shell.run(&["man"], &[]).ok().stdout.clone();
    assert_eq!(
        stdout_page,
        std::fs::read_to_string(pages.join("sbomgen.1")).unwrap(),
        "`sbomgen man` prints sbomgen.1"
    );
    let Some(scan) = render(&pages.join("sbomgen-scan.1")) else {
        eprintln!("skipping rendering: groff is absent");
        return;
    };
    for name in &names {
        render(&pages.join(name));
    }
    for text in [
        "NAME",
        "sbomgen-scan",
        "SYNOPSIS",
        "--platform",
        "--catalogers",
    ] {
        assert!(scan.contains(text), "{text} in:\n{scan}");
    }
    let top = render(&pages.join("sbomgen.1")).unwrap();
    assert!(
        top.contains("Exit status") && top.contains("verify"),
        "{top}"
    );
}

#[test]
fn exit_codes_are_documented_in_help_and_readme() {
    let shell = Shell::new();
    let help = shell.run(&["--help"], &[]).ok().stdout.clone();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    for code in ["0", "1", "2", "10", "11", "12", "130"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit code {code} in --help:\n{help}"
        );
        assert!(
            readme.contains(&format!("| {code} |")),
            "exit code {code} in the README's table"
        );
    }
    let verify = shell.run(&["verify", "--help"], &[]).ok().stdout.clone();
    assert!(verify.contains("10 no attestation found"), "{verify}");
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with("verify ") && l.contains("verify-attestation")),
        "the alias is shown: {help}"
    );
}

#[test]
fn usage_mistakes_exit_2_before_reading_the_image() {
    let shell = Shell::new();
    // A source that does not exist: the usage error must come first.
    for (args, names) in [
        (&["./nothing.tar", "--platform", "x"][..], "--platform"),
        (&["./nothing.tar", "--catalogers", "dpkg,npn"], "npn"),
        (
            &["./nothing.tar", "--limit", "entries=1"],
            "unknown limit \"entries\"",
        ),
        (&["./nothing.tar", "-o", "yaml"], "unknown output format"),
        (&["./nothing.tar", "--scope", "everything"], "--scope"),
        (&["./nothing.tar", "--jobs", "many"], "--jobs"),
        (&["./nothing.tar", "--colour"], "--colour"),
        (&["attest", "--platform", "a/b/c/d", "x:1"], "--platform"),
    ] {
        let run = shell.run(args, &[]);
        let err = run.fails(2);
        assert!(err.contains(names), "{args:?}: {err}");
        assert!(!err.contains("does not exist"), "{args:?}: {err}");
        assert!(run.stdout.is_empty());
    }
    // Known names still pass, comma-separated and with spaces.
    let demo = demo_image();
    shell
        .run(
            &[&demo, "--catalogers", "dpkg, npm", "-q", "-o", "json"],
            &[],
        )
        .ok();
}

#[test]
fn cosign_spellings_parse() {
    let shell = Shell::new();
    let alias = shell
        .run(&["verify-attestation", "--help"], &[])
        .ok()
        .stdout
        .clone();
    let verify = shell.run(&["verify", "--help"], &[]).ok().stdout.clone();
    assert_eq!(alias, verify);
    let attach_sbom = shell
        .run(&["attach", "sbom", "--help"], &[])
        .ok()
        .stdout
        .clone();
    assert!(attach_sbom.contains("--sbom <FILE>"), "{attach_sbom}");
    // Several images in one verify call: each is named when none can be reached.
    let key = shell.write(Path::new("k.pub"), "not a key");
    let err = shell
        .run(
            &["verify", "--key", key.to_str().unwrap(), "a:1", "b:1"],
            &[],
        )
        .fails(1)
        .to_string();
    assert!(err.contains("k.pub"), "{err}");
}
