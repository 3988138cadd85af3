//! Configuration from files and SBOMGEN_* variables: the precedence flag > environment > file >
//! default, as `sbomgen config` reports it and as a real scan obeys it; unknown keys; the
//! variables' names.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::cli_run::Shell;
use crate::support::demo_image;

/// `sbomgen config ARGS` as key → (value, origin).
fn effective(
    shell: &Shell,
    args: &[&str],
    env: &[(&str, &str)],
) -> BTreeMap<String, (String, String)> {
    let mut all = vec!["config"];
    all.extend(args);
    let run = shell.run(&all, env);
    let text = &run.ok().stdout;
    text.lines()
        .filter(|line| line.starts_with("  ") && !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let (setting, origin) = line.trim().split_once("  # ")?;
            let (key, value) = setting.split_once(": ")?;
            Some((
                key.to_string(),
                (value.trim().to_string(), origin.to_string()),
            ))
        })
        .collect()
}

fn value_of(map: &BTreeMap<String, (String, String)>, key: &str) -> (String, String) {
    map.get(key)
        .cloned()
        .unwrap_or_else(|| panic!("{key} in {map:?}"))
}

/// `jobs` in the file, in SBOMGEN_JOBS and as `--jobs`, then the value and origin expected.
type Case<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
);

#[test]
fn precedence_flag_env_file_default() {
    let shell = Shell::new();
    let file = shell.work().join(".sbomgen.yaml");
    let file_origin = format!("file {}", file.display());
    // (file, env, flag) → (value, origin), for an option with a value and for a flag.
    let cases: [Case; 4] = [
        (None, None, None, "null", "default"),
        (Some("1"), None, None, "1", &file_origin),
        (Some("1"), Some("2"), None, "2", "env SBOMGEN_JOBS"),
        (Some("1"), Some("2"), Some("3"), "3", "flag"),
    ];
    for (from_file, from_env, from_flag, value, origin) in cases {
        match from_file {
            Some(jobs) => {
                std::fs::write(&file, format!("jobs: {jobs}\nscope: squashed\n")).unwrap();
            }
            None => std::fs::write(&file, "").unwrap(),
        }
        let env: Vec<(&str, &str)> = from_env.map(|v| ("SBOMGEN_JOBS", v)).into_iter().collect();
        let mut args = vec!["scan"];
        if let Some(flag) = from_flag {
            args.extend(["--jobs", flag]);
        }
        let map = effective(&shell, &args, &env);
        assert_eq!(
            value_of(&map, "jobs"),
            (value.to_string(), origin.to_string()),
            "file {from_file:?}, env {from_env:?}, flag {from_flag:?}"
        );
    }
    // The same order for a flag option and a list.
    std::fs::write(&file, "quiet: true\noutput: [json, table=t.txt]\n").unwrap();
    let map = effective(&shell, &[], &[]);
    assert_eq!(
        value_of(&map, "quiet"),
        ("true".into(), file_origin.clone())
    );
    assert_eq!(
        value_of(&map, "output"),
        ("[json, table=t.txt]".into(), file_origin.clone())
    );
    let env = [
        ("SBOMGEN_QUIET", "false"),
        ("SBOMGEN_OUTPUT", "spdx-json,json=a.json"),
    ];
    let map = effective(&shell, &[], &env);
    assert_eq!(
        value_of(&map, "quiet"),
        ("false".into(), "env SBOMGEN_QUIET".into())
    );
    assert_eq!(
        value_of(&map, "output"),
        (
            "[spdx-json, json=a.json]".into(),
            "env SBOMGEN_OUTPUT".into()
        )
    );
    let map = effective(&shell, &["scan", "-q", "-o", "table"], &env);
    assert_eq!(value_of(&map, "quiet"), ("true".into(), "flag".into()));
    assert_eq!(value_of(&map, "output"), ("[table]".into(), "flag".into()));
    assert_eq!(
        value_of(&map, "scope"),
        ("all-layers".into(), "default".into())
    );
}

#[test]
fn sections_and_command_variables_are_more_specific() {
    let shell = Shell::new();
    shell.write(
        Path::new(".sbomgen.yaml"),
        "jobs: 1\nscan:\n  jobs: 5\nattest:\n  output: cyclonedx-json\n",
    );
    let map = effective(&shell, &[], &[]);
    assert_eq!(value_of(&map, "jobs").0, "5");
    let map = effective(
        &shell,
        &[],
        &[("SBOMGEN_JOBS", "2"), ("SBOMGEN_SCAN_JOBS", "6")],
    );
    assert_eq!(
        value_of(&map, "jobs"),
        ("6".into(), "env SBOMGEN_SCAN_JOBS".into())
    );
    // `attest -o` is a format, not scan's FORMAT[=FILE]: SBOMGEN_OUTPUT leaves it alone.
    let map = effective(&shell, &["attest"], &[("SBOMGEN_OUTPUT", "table")]);
    assert_eq!(value_of(&map, "output").0, "cyclonedx-json");
    let map = effective(
        &shell,
        &["attest"],
        &[("SBOMGEN_ATTEST_OUTPUT", "spdx-json")],
    );
    assert_eq!(
        value_of(&map, "output"),
        ("spdx-json".into(), "env SBOMGEN_ATTEST_OUTPUT".into())
    );
}

#[test]
fn files_are_found_in_order() {
    let shell = Shell::new();
    let xdg = shell.xdg().join("sbomgen/config.yaml");
    std::fs::create_dir_all(xdg.parent().unwrap()).unwrap();
    std::fs::write(&xdg, "jobs: 7\n").unwrap();
    let map = effective(&shell, &[], &[]);
    assert_eq!(
        value_of(&map, "jobs"),
        ("7".into(), format!("file {}", xdg.display()))
    );
    let local = shell.write(Path::new(".sbomgen.yaml"), "jobs: 8\n");
    let map = effective(&shell, &[], &[]);
    assert_eq!(
        value_of(&map, "jobs"),
        ("8".into(), format!("file {}", local.display()))
    );
    let named = shell.write(Path::new("ci/sbomgen.yaml"), "jobs: 9\n");
    for (args, env) in [
        (&["-c", "ci/sbomgen.yaml"][..], &[][..]),
        (&["scan", "--config", "ci/sbomgen.yaml"], &[]),
        (&[], &[("SBOMGEN_CONFIG", "ci/sbomgen.yaml")]),
    ] {
        let map = effective(&shell, args, env);
        assert_eq!(
            value_of(&map, "jobs"),
            ("9".into(), format!("file {}", named.display()))
        );
    }
    let run = shell.run(&["config"], &[]);
    assert!(run
        .ok()
        .stdout
        .contains(&format!("# Configuration file: {}", local.display())));
}

#[test]
fn precedence_reaches_a_real_scan() {
    let shell = Shell::new();
    let demo = demo_image();
    let packages = |run: &crate::cli_run::Run| -> usize {
        let doc: Value = serde_json::from_str(&run.ok().stdout).expect("JSON on stdout");
        doc["packages"].as_array().unwrap().len()
    };
    let all_layers = packages(&shell.run(&[&demo, "-o", "json", "-q"], &[]));
    shell.write(
        Path::new(".sbomgen.yaml"),
        "output: json\nquiet: true\nscope: squashed\n",
    );
    // The file alone: JSON, squashed (the demo image removes packages in a later layer).
    let squashed = packages(&shell.run(&[&demo], &[]));
    assert!(
        squashed < all_layers,
        "squashed {squashed} < all layers {all_layers}"
    );
    // The environment beats the file.
    let run = shell.run(&[&demo], &[("SBOMGEN_SCOPE", "all-layers")]);
    assert_eq!(packages(&run), all_layers);
    let run = shell.run(&[&demo], &[("SBOMGEN_OUTPUT", "table")]);
    assert!(run.ok().stdout.starts_with("Source:"), "{}", run.stdout);
    // The flag beats both.
    let run = shell.run(
        &[&demo, "--scope", "all-layers"],
        &[("SBOMGEN_SCOPE", "squashed")],
    );
    assert_eq!(packages(&run), all_layers);
    let run = shell.run(&[&demo, "-o", "json"], &[("SBOMGEN_OUTPUT", "table")]);
    assert_eq!(packages(&run), squashed);
    // A file output named in the configuration lands beside it, in the working directory.
    shell.write(
        Path::new(".sbomgen.yaml"),
        "output: [spdx-json=out/sbom.spdx.json]\nquiet: true\n",
    );
    std::fs::create_dir(shell.work().join("out")).unwrap();
    let run = shell.run(&[&demo], &[]);
    assert!(run.ok().stdout.is_empty());
    let spdx: Value =
        serde_json::from_slice(&std::fs::read(shell.work().join("out/sbom.spdx.json")).unwrap())
            .unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
}

#[test]
fn a_required_option_can_come_from_the_file() {
    let shell = Shell::new();
    shell.write(
        Path::new(".sbomgen.yaml"),
        "attest:\n  key: keys/missing.key\n",
    );
    // Without the file `--key` is missing (exit 2); with it, the key file itself is read.
    let err = shell
        .run(&["-c", "/dev/null", "attest", "127.0.0.1:1/x:1"], &[])
        .fails(2)
        .to_string();
    assert!(err.contains("--key"), "{err}");
    let err = shell
        .run(&["attest", "127.0.0.1:1/x:1"], &[])
        .fails(1)
        .to_string();
    assert!(err.contains("keys/missing.key"), "{err}");
}

#[test]
fn unknown_keys_and_bad_files_are_usage_errors() {
    let shell = Shell::new();
    let demo = demo_image();
    let cases = [
        (
            "platfrom: linux/arm64\n",
            "unknown key \"platfrom\"",
            "did you mean \"platform\"",
        ),
        ("scan:\n  colour: true\n", "unknown key \"scan.colour\"", ""),
        (
            "download:\n  quiet: true\n",
            "unknown key \"download.quiet\"",
            "",
        ),
        ("key: cosign.key\n", "unknown key \"key\"", "attest:"),
        ("jobs: [1, 2]\n", "jobs must be one value", ""),
        ("quiet: sometimes\n", "quiet must be true or false", ""),
        ("scan: [1]\n", "scan is a section", ""),
        ("jobs: 1\n  bad: indent\n", "not valid YAML", ""),
        ("- a list\n", "must map option names", ""),
    ];
    for (text, message, hint) in cases {
        let file = shell.write(Path::new(".sbomgen.yaml"), text);
        for args in [&["config"][..], &[&demo, "-q"]] {
            let err = shell.run(args, &[]).fails(2).to_string();
            assert!(
                err.contains(message) && err.contains(hint),
                "{text:?}: {err}"
            );
            assert!(
                err.contains(&file.display().to_string()),
                "names the file: {err}"
            );
        }
    }
    // Commands that read no configuration are not stopped by a broken file.
    shell.run(&["version"], &[]).ok();
    // A file named with -c must exist.
    std::fs::remove_file(shell.work().join(".sbomgen.yaml")).unwrap();
    let err = shell
        .run(&["-c", "nope.yaml", &demo], &[])
        .fails(2)
        .to_string();
    assert!(err.contains("nope.yaml"), "{err}");
}

#[test]
fn variable_names_and_bad_values() {
    let shell = Shell::new();
    for (name, value, key, shown) in [
        ("SBOMGEN_OUTPUT", "json", "output", "[json]"),
        ("SBOMGEN_PLATFORM", "linux/arm64", "platform", "linux/arm64"),
        (
            "SBOMGEN_CATALOGERS",
            "dpkg,npm",
            "catalogers",
            "[dpkg, npm]",
        ),
        ("SBOMGEN_SCOPE", "squashed", "scope", "squashed"),
        ("SBOMGEN_JOBS", "2", "jobs", "2"),
        (
            "SBOMGEN_LIMIT",
            "captured-file=1M,entries-per-layer=9",
            "limit",
            "[captured-file=1M, entries-per-layer=9]",
        ),
        ("SBOMGEN_QUIET", "1", "quiet", "true"),
        ("SBOMGEN_DECLARED", "on", "declared", "true"),
        ("SBOMGEN_CACHE_DIR", "/tmp/c", "cache-dir", "/tmp/c"),
        (
            "SBOMGEN_INSECURE_REGISTRY",
            "reg.local:5000",
            "insecure-registry",
            "[reg.local:5000]",
        ),
    ] {
        let map = effective(&shell, &[], &[(name, value)]);
        assert_eq!(
            value_of(&map, key),
            (shown.to_string(), format!("env {name}")),
            "{name}"
        );
    }
    // Blank counts as unset; a misspelt name is pointed out; other variables are not options.
    let map = effective(&shell, &[], &[("SBOMGEN_PLATFORM", "")]);
    assert_eq!(value_of(&map, "platform").1, "default");
    let run = shell.run(
        &["config"],
        &[
            ("SBOMGEN_PLATFROM", "x"),
            ("SBOMGEN_REGISTRY_TIMEOUT", "5"),
            ("SBOMGEN_PASSWORD", "p"),
        ],
    );
    let text = &run.ok().stdout;
    assert!(
        text.contains("# Not an option (a typo?): SBOMGEN_PLATFROM"),
        "{text}"
    );
    assert!(
        !text.contains("SBOMGEN_REGISTRY_TIMEOUT") && !text.contains("SBOMGEN_PASSWORD"),
        "{text}"
    );
    // A bad value is a usage error that says where it came from.
    let demo = demo_image();
    for (name, value, flag) in [
        ("SBOMGEN_JOBS", "many", "--jobs"),
        ("SBOMGEN_CATALOGERS", "dpkg,npn", "--catalogers"),
        ("SBOMGEN_PLATFORM", "x", "--platform"),
        ("SBOMGEN_QUIET", "maybe", "SBOMGEN_QUIET"),
    ] {
        let err = shell.run(&[&demo], &[(name, value)]).fails(2).to_string();
        assert!(err.contains(flag) && err.contains(name), "{name}: {err}");
    }
}
