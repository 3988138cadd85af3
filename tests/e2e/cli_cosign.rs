//! cosign's habits against a real registry: `verify-attestation`, `attach sbom`, `--predicate -`
//! from standard input, several images in one `verify`, and cosign's exit codes for "nothing
//! attested" (10), "no such image" (11) and "attested, but nothing verifies" (12).

use std::path::Path;

use sbomgen_testkit::registry::{registry_tests_can_run, Registry, RegistryOptions};
use serde_json::Value;

use crate::cli_run::Shell;
use crate::support::demo_image;

const PASSWORD: &str = "correct horse";

fn key_pair(shell: &Shell, prefix: &str) -> (String, String) {
    let out = shell.work().join(prefix);
    shell
        .run(
            &[
                "generate-key-pair",
                "--output-key-prefix",
                out.to_str().unwrap(),
            ],
            &[("COSIGN_PASSWORD", PASSWORD)],
        )
        .ok();
    let path = |ext: &str| format!("{}.{ext}", out.display());
    (path("key"), path("pub"))
}

#[test]
fn cosign_spellings_and_exit_codes() {
    if !registry_tests_can_run() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).expect("the test registry starts");
    let shell = Shell::new();
    let (private, public) = key_pair(&shell, "cosign");
    let (_, other_public) = key_pair(&shell, "other");
    let demo = demo_image();
    registry.push_oci_archive(Path::new(&demo), "a:1").unwrap();
    registry.push_oci_archive(Path::new(&demo), "b:1").unwrap();
    let (a, b) = (registry.reference("a:1"), registry.reference("b:1"));
    let env = [
        ("COSIGN_PASSWORD", PASSWORD),
        ("SBOMGEN_REGISTRY_TIMEOUT", "30"),
    ];

    // Nothing attested yet: 10, under either name of the command.
    for command in ["verify", "verify-attestation"] {
        let err = shell
            .run(&[command, "--key", &public, &a], &env)
            .fails(10)
            .to_string();
        assert!(err.contains("no attestation found"), "{err}");
    }
    // No such image: 11.
    let absent = registry.reference("absent:1");
    let err = shell
        .run(&["verify", "--key", &public, &absent], &env)
        .fails(11)
        .to_string();
    assert!(err.contains("absent"), "{err}");

    // Attest A with a predicate read from standard input.
    let sbom = shell
        .run(&[&demo, "-o", "spdx-json", "-q"], &env)
        .ok()
        .stdout
        .clone();
    shell
        .run_with_input(
            &["attest", "--key", &private, "--predicate", "-", &a],
            &env,
            Some(sbom.as_bytes()),
        )
        .ok();
    let verified = shell.run(&["verify-attestation", "--key", &public, &a], &env);
    let statement: Value =
        serde_json::from_str(verified.ok().stdout.lines().next().unwrap()).unwrap();
    let given: Value = serde_json::from_str(&sbom).unwrap();
    assert_eq!(
        statement["predicate"], given,
        "the document from stdin was signed"
    );

    // Found, but not by this key: 12.
    let err = shell
        .run(&["verify", "--key", &other_public, &a], &env)
        .fails(12)
        .to_string();
    assert!(err.contains("no valid attestation"), "{err}");

    // Several images: A verifies and is printed, B has nothing, so the call fails with 10.
    let both = shell.run(&["verify", "--key", &public, &a, &b], &env);
    let err = both.fails(10);
    assert!(
        err.contains("1 of 2 images not verified") && err.contains(&b),
        "{err}"
    );
    assert_eq!(
        both.stdout.lines().count(),
        1,
        "A's statement: {}",
        both.stdout
    );
    assert!(both.stderr.contains("Verified"), "{}", both.stderr);

    // `attach sbom`, cosign's spelling, with the SBOM from standard input.
    shell
        .run_with_input(
            &["attach", "sbom", "--sbom", "-", &b],
            &env,
            Some(sbom.as_bytes()),
        )
        .ok();
    let downloaded = shell.run(&["download", "sbom", &b], &env);
    let doc: Value = serde_json::from_str(downloaded.ok().stdout.trim()).unwrap();
    assert_eq!(doc, given);

    // Standard input serves one purpose per run.
    let err = shell
        .run_with_input(
            &[
                "attest",
                "--key",
                &private,
                "--predicate",
                "-",
                "--username",
                "u",
                "--password-stdin",
                &a,
            ],
            &env,
            Some(b"x"),
        )
        .fails(2)
        .to_string();
    assert!(err.contains("--password-stdin"), "{err}");
}
