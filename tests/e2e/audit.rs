//! `sbomgen audit` and `scan --audit` on testkit images: secrets added and deleted, overwritten
//! secrets, example keys in documentation, permission changes, leftover tools, SARIF, and
//! planted values that must never appear in any output.

use std::path::Path;

use sbomgen_model::Platform;
use sbomgen_testkit::{write_oci_dir, Compression, Entry, ImageSpec, LayerSpec};
use serde_json::Value;

use crate::support::sbomgen;

// Planted values, built at run time so this file holds none of them whole.
fn aws_id() -> String {
    format!("AKIA{}", "Q7ZR4M2XW9TB3KVN")
}
fn aws_secret() -> String {
    format!("wJalrXUtnFEMI/K7MDENG/{}", "bPxRfiCYzq1w2e3r4t")
}
fn key_body() -> String {
    format!(
        "MIIEpAIBAAKCAQEA{}",
        "x7Hq2Lk9Vb3Nm8Pw4Rt6Yz1Cd5Fg0Jh2Ks7Qa9We3Er6Ty8Ui"
    )
}
fn dotenv_password() -> String {
    format!("Pr0d-{}", "Db-Passw0rd-91x")
}
fn old_token() -> String {
    format!("ghp_{}", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8")
}
fn new_token() -> String {
    format!("ghp_{}", "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2")
}

fn pem(body: &str) -> String {
    format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n")
}

fn file_mode(path: &str, content: impl Into<Vec<u8>>, mode: u32) -> Entry {
    Entry::File {
        path: path.to_string(),
        content: content.into(),
        mode,
    }
}

/// Layer 0: a base with docs (an example key), a script and gcc. Layer 1: a deploy key, a
/// dotenv, AWS credentials and a token file. Layer 2: deletes the key, the dotenv and the
/// credentials, overwrites the token, chmods the script 777, makes a tool setuid.
fn image(dir: &Path) -> String {
    let doc_key = pem("MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu");
    let base = LayerSpec::new(Compression::Gzip)
        .entry(Entry::file("etc/os-release", "ID=debian\nVERSION_ID=12\n"))
        .entry(Entry::file(
            "usr/share/doc/libfoo/examples/server.key.txt",
            doc_key.clone(),
        ))
        .entry(file_mode("usr/bin/gcc", "#!/bin/true\n", 0o755))
        .entry(file_mode(
            "usr/local/bin/report",
            "#!/bin/sh\necho\n",
            0o755,
        ))
        .entry(file_mode(
            "usr/local/bin/helper",
            "#!/bin/sh\necho\n",
            0o755,
        ));
    let secrets = LayerSpec::new(Compression::Gzip)
        .entry(file_mode("root/.ssh/id_rsa", pem(&key_body()), 0o600))
        .entry(Entry::file(
            "srv/app/.env",
            format!("APP_ENV=prod\nDB_PASSWORD={}\n", dotenv_password()),
        ))
        .entry(Entry::file(
            "root/.aws/credentials",
            format!(
                "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                aws_id(),
                aws_secret()
            ),
        ))
        .entry(Entry::file(
            "srv/app/token.txt",
            format!("token: {}\n", old_token()),
        ))
        // The same documentation copied again: still one finding.
        .entry(Entry::file(
            "usr/share/doc/libfoo/examples/server.key.txt",
            doc_key,
        ));
    let cleanup = LayerSpec::new(Compression::Gzip)
        .entry(Entry::whiteout("root/.ssh/id_rsa"))
        .entry(Entry::whiteout("srv/app/.env"))
        .entry(Entry::whiteout("root/.aws"))
        .entry(Entry::file(
            "srv/app/token.txt",
            format!("token: {}\n", new_token()),
        ))
        .entry(file_mode(
            "usr/local/bin/report",
            "#!/bin/sh\necho\n",
            0o777,
        ))
        .entry(file_mode(
            "usr/local/bin/helper",
            "#!/bin/sh\necho\n",
            0o4755,
        ));
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None))
        .layer(base)
        .layer(secrets)
        .layer(cleanup);
    write_oci_dir(dir, "latest", &[spec]).unwrap();
    format!("oci-dir:{}", dir.display())
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("findings")
}

fn find<'a>(doc: &'a Value, rule: &str, path: &str) -> Vec<&'a Value> {
    findings(doc)
        .iter()
        .filter(|f| f["rule"] == rule && f["path"] == path)
        .collect()
}

fn one<'a>(doc: &'a Value, rule: &str, path: &str) -> &'a Value {
    let found = find(doc, rule, path);
    assert_eq!(found.len(), 1, "{rule} {path}: {found:#?}\n{doc:#}");
    found[0]
}

#[test]
fn deleted_and_overwritten_secrets_permissions_and_tools() {
    let dir = tempfile::tempdir().unwrap();
    let source = image(&dir.path().join("img"));
    let out = sbomgen(&["audit", &source, "-o", "json", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Added in layer 1, deleted in layer 2, exact layers, not in the final filesystem.
    for (rule, path) in [
        ("private-key", "root/.ssh/id_rsa"),
        ("password-assignment", "srv/app/.env"),
        ("aws-access-key-id", "root/.aws/credentials"),
        ("aws-secret-access-key", "root/.aws/credentials"),
    ] {
        let f = one(&doc, rule, path);
        assert_eq!(f["kind"], "secret");
        assert_eq!(
            (f["layer"].as_u64(), f["fateLayer"].as_u64()),
            (Some(1), Some(2)),
            "{f}"
        );
        assert_eq!(
            (f["fate"].as_str(), f["inFinal"].as_bool()),
            (Some("deleted"), Some(false)),
            "{f}"
        );
        assert!(f["fingerprint"].is_string() && f["line"].is_u64(), "{f}");
    }
    assert_eq!(one(&doc, "password-assignment", "srv/app/.env")["line"], 2);

    // The overwritten token: the old value from layer 1, changed in 2; the new one in final.
    let tokens = find(&doc, "github-token", "srv/app/token.txt");
    assert_eq!(tokens.len(), 2, "{tokens:#?}");
    let old = tokens.iter().find(|f| f["layer"] == 1).expect("old token");
    assert_eq!(
        (
            old["fate"].as_str(),
            old["fateLayer"].as_u64(),
            old["inFinal"].as_bool()
        ),
        (Some("changed"), Some(2), Some(false))
    );
    let new = tokens.iter().find(|f| f["layer"] == 2).expect("new token");
    assert_eq!(new["inFinal"], true);
    assert_ne!(old["fingerprint"], new["fingerprint"]);

    // The documentation's example key: once, low, from its first layer.
    let doc_key = one(
        &doc,
        "private-key",
        "usr/share/doc/libfoo/examples/server.key.txt",
    );
    assert_eq!(
        (doc_key["severity"].as_str(), doc_key["layer"].as_u64()),
        (Some("low"), Some(0))
    );

    let f = one(&doc, "world-writable-gained", "usr/local/bin/report");
    assert_eq!(
        (f["layer"].as_u64(), f["inFinal"].as_bool()),
        (Some(2), Some(true))
    );
    assert!(f["message"].as_str().unwrap().contains("was 0755"), "{f}");
    let f = one(&doc, "setuid-gained", "usr/local/bin/helper");
    assert_eq!(
        (f["layer"].as_u64(), f["severity"].as_str()),
        (Some(2), Some("high"))
    );
    assert_eq!(
        one(&doc, "leftover-compiler", "usr/bin/gcc")["severity"],
        "info"
    );
    assert!(find(&doc, "world-writable-gained", "usr/bin/gcc").is_empty());
}

#[test]
fn values_never_appear_and_fail_on_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let source = image(&dir.path().join("img"));
    let sarif = dir.path().join("audit.sarif");
    let json = dir.path().join("audit.json");
    let native = dir.path().join("scan.json");
    let spdx = dir.path().join("scan.spdx.json");
    let sarif_arg = format!("sarif={}", sarif.display());
    let json_arg = format!("json={}", json.display());
    let audit = sbomgen(&[
        "audit",
        &source,
        "-o",
        "table",
        "-o",
        &sarif_arg,
        "-o",
        &json_arg,
        "--fail-on",
        "secret",
    ]);
    assert_eq!(
        audit.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert!(
        stderr.contains("--fail-on") && stderr.contains("secret"),
        "{stderr}"
    );
    let table = String::from_utf8_lossy(&audit.stdout).into_owned();
    assert!(table.starts_with("CRITICAL"), "{table}");
    assert!(table.contains("1 (deleted in 2)"), "{table}");

    let native_arg = format!("json={}", native.display());
    let spdx_arg = format!("spdx-json={}", spdx.display());
    let scan = sbomgen(&[
        "scan",
        &source,
        "--audit",
        "-o",
        &native_arg,
        "-o",
        &spdx_arg,
        "-q",
    ]);
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let native_doc: Value = serde_json::from_slice(&std::fs::read(&native).unwrap()).unwrap();
    assert!(!findings(&native_doc).is_empty());
    assert!(native_doc["packages"].is_array(), "the document is whole");
    let spdx_text = std::fs::read_to_string(&spdx).unwrap();
    assert!(!spdx_text.contains("findings") && !spdx_text.contains("aws-access-key-id"));
    // Without --fail-on a finding is not a failure; with a kind not found, neither.
    let clean = sbomgen(&[
        "audit",
        &source,
        "-o",
        "json",
        "--fail-on",
        "readable",
        "-q",
    ]);
    assert_eq!(clean.status.code(), Some(0));

    let outputs = [
        table,
        String::from_utf8_lossy(&audit.stderr).into_owned(),
        std::fs::read_to_string(&sarif).unwrap(),
        std::fs::read_to_string(&json).unwrap(),
        std::fs::read_to_string(&native).unwrap(),
        spdx_text,
    ];
    for value in [
        aws_id(),
        aws_secret(),
        key_body(),
        dotenv_password(),
        old_token(),
        new_token(),
    ] {
        for (i, output) in outputs.iter().enumerate() {
            assert!(
                !output.contains(&value),
                "output {i} reveals a planted value"
            );
            assert!(
                !output.contains(&value[..value.len() / 2]),
                "output {i} reveals half a planted value"
            );
        }
    }

    let sarif_doc: Value = serde_json::from_str(&outputs[2]).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../schemas/sarif/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif_doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif_doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        findings(&serde_json::from_str::<Value>(&outputs[3]).unwrap()).len()
    );
}

#[test]
fn allow_list_accepts_by_rule_path_and_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let source = image(&dir.path().join("img"));
    let first = sbomgen(&["audit", &source, "-o", "json", "-q"]);
    let doc: Value = serde_json::from_slice(&first.stdout).unwrap();
    let token = find(&doc, "github-token", "srv/app/token.txt")
        .into_iter()
        .find(|f| f["layer"] == 2)
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let allow = dir.path().join("allow.yaml");
    std::fs::write(
        &allow,
        format!("rules: [leftover-compiler]\npaths: ['root/**']\nfingerprints: ['{token}']\n"),
    )
    .unwrap();
    let out = sbomgen(&[
        "audit",
        &source,
        "-o",
        "json",
        "-q",
        "--allow-list",
        allow.to_str().unwrap(),
    ]);
    let allowed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(find(&allowed, "leftover-compiler", "usr/bin/gcc").is_empty());
    assert!(findings(&allowed)
        .iter()
        .all(|f| !f["path"].as_str().unwrap().starts_with("root/")));
    assert_eq!(find(&allowed, "github-token", "srv/app/token.txt").len(), 1);
    let removed = findings(&doc).len() - findings(&allowed).len();
    assert_eq!(allowed["allowed"].as_u64(), Some(removed as u64));
    assert!(removed >= 5, "{removed}");

    std::fs::write(&allow, "rulez: [x]\n").unwrap();
    let bad = sbomgen(&["audit", &source, "--allow-list", allow.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("allow.yaml"));
}

/// A base with two shells and gcc, run as `spec` says (entrypoint, cmd or neither).
fn shell_image(dir: &Path, spec: impl FnOnce(ImageSpec) -> ImageSpec) -> String {
    let base = LayerSpec::new(Compression::Gzip)
        .entry(file_mode("bin/sh", "#!/bin/true\n", 0o755))
        .entry(file_mode("usr/bin/bash", "#!/bin/true\n", 0o755))
        .entry(file_mode("usr/bin/gcc", "#!/bin/true\n", 0o755))
        .entry(file_mode("app/server", "#!/bin/true\n", 0o755));
    let image = spec(ImageSpec::new(Platform::new("linux", "amd64", None)).layer(base));
    write_oci_dir(dir, "latest", &[image]).unwrap();
    format!("oci-dir:{}", dir.display())
}

fn audit_json(source: &str, extra: &[&str]) -> Value {
    let mut args = vec!["audit", source, "-o", "json", "-q"];
    args.extend_from_slice(extra);
    let out = sbomgen(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn shells_are_leftovers_only_when_the_command_needs_none() {
    let dir = tempfile::tempdir().unwrap();
    let shells = |doc: &Value| -> Vec<String> {
        find_rule(doc, "leftover-shell")
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    // Docker's shell form and a tini-wrapped shell need a shell: none reported, gcc still is.
    for (name, entrypoint, cmd) in [
        (
            "shell-form",
            None,
            Some(&["/bin/sh", "-c", "exec /app/server"][..]),
        ),
        (
            "tini-bash",
            Some(&["/sbin/tini", "--"][..]),
            Some(&["bash", "-c", "x"][..]),
        ),
        ("script", Some(&["/docker-entrypoint.sh"][..]), None),
    ] {
        let source = shell_image(&dir.path().join(name), |mut s| {
            if let Some(e) = entrypoint {
                s = s.entrypoint(e);
            }
            if let Some(c) = cmd {
                s = s.cmd(c);
            }
            s
        });
        let doc = audit_json(&source, &[]);
        assert!(shells(&doc).is_empty(), "{name}: {doc:#}");
        one(&doc, "leftover-compiler", "usr/bin/gcc");
    }
    // An exec-form entrypoint that is no shell: both shells are leftovers, saying why.
    let source = shell_image(&dir.path().join("exec"), |s| {
        s.entrypoint(&["/app/server"]).cmd(&["--port", "80"])
    });
    let doc = audit_json(&source, &[]);
    assert_eq!(shells(&doc), ["bin/sh", "usr/bin/bash"], "{doc:#}");
    let message = one(&doc, "leftover-shell", "bin/sh")["message"].clone();
    assert!(
        message.as_str().unwrap().contains("runs /app/server"),
        "{message}"
    );
    // No command at all: nothing shows a shell is needed, so they are reported.
    let source = shell_image(&dir.path().join("none"), |s| s);
    let doc = audit_json(&source, &[]);
    assert_eq!(shells(&doc), ["bin/sh", "usr/bin/bash"], "{doc:#}");
}

fn find_rule<'a>(doc: &'a Value, rule: &'a str) -> impl Iterator<Item = &'a Value> {
    findings(doc).iter().filter(move |f| f["rule"] == rule)
}

#[test]
fn excluded_paths_give_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let source = image(&dir.path().join("img"));
    let scan = |extra: &[&str]| {
        let native = dir.path().join("native.json");
        let native_arg = format!("json={}", native.display());
        let mut args = vec!["scan", source.as_str(), "--audit", "-o", &native_arg, "-q"];
        args.extend_from_slice(extra);
        let out = sbomgen(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&std::fs::read(&native).unwrap()).unwrap()
    };
    let under = |doc: &Value, prefix: &str| {
        findings(doc)
            .iter()
            .filter(|f| f["path"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    let all = scan(&[]);
    assert!(under(&all, "srv/app/") >= 3, "{all:#}");
    assert!(under(&all, "root/") >= 3, "{all:#}");
    let some = scan(&["--exclude", "./srv/app", "--exclude", "root/.aws/**"]);
    assert_eq!(under(&some, "srv/app/"), 0, "{some:#}");
    assert_eq!(under(&some, "root/.aws/"), 0, "{some:#}");
    one(&some, "private-key", "root/.ssh/id_rsa");
    one(&some, "leftover-compiler", "usr/bin/gcc");
}

#[test]
fn text_files_above_the_cap_are_counted_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = format!("token: {}\n", new_token()).into_bytes();
    big.resize(
        usize::try_from(sbomgen_audit::DEFAULT_MAX_FILE + 1).unwrap(),
        b'x',
    );
    let layer = LayerSpec::new(Compression::Gzip)
        .entry(Entry::file("srv/app/big.log", big))
        .entry(Entry::file(
            "srv/app/small.txt",
            format!("token: {}\n", old_token()),
        ));
    let spec = ImageSpec::new(Platform::new("linux", "amd64", None)).layer(layer);
    write_oci_dir(&dir.path().join("img"), "latest", &[spec]).unwrap();
    let source = format!("oci-dir:{}", dir.path().join("img").display());
    let doc = audit_json(&source, &[]);
    assert_eq!(doc["skipped"]["tooLarge"], 1, "{doc:#}");
    assert!(find(&doc, "github-token", "srv/app/big.log").is_empty());
    one(&doc, "github-token", "srv/app/small.txt");
}
