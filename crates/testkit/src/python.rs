//! `scripts/verify_dsse.py`, the independent (Python securesystemslib) check of the DSSE
//! envelopes and Sigstore bundles sbomgen signs, for tests in any crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Python that can import `securesystemslib[crypto]`, and the script to run with it.
#[derive(Debug, Clone)]
pub struct DsseVerifier {
    python: PathBuf,
    script: PathBuf,
}

impl DsseVerifier {
    /// The interpreter `scripts/test.sh` sets up (`target/pyvenv`), else `python3`, when it can
    /// import securesystemslib. Otherwise prints why and returns `None`, or panics when the
    /// `CI` environment variable is set (CI must run the check), as
    /// [`registry_tests_can_run`](crate::registry::registry_tests_can_run) does.
    pub fn find() -> Option<DsseVerifier> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let venv = root.join("target/pyvenv/bin/python");
        let python = if venv.is_file() {
            venv
        } else {
            PathBuf::from("python3")
        };
        let probe = Command::new(&python)
            .args([
                "-c",
                "import cryptography, securesystemslib.dsse, securesystemslib.signer",
            ])
            .output();
        let why = match probe {
            Ok(output) if output.status.success() => {
                return Some(DsseVerifier {
                    python,
                    script: root.join("scripts/verify_dsse.py"),
                })
            }
            Ok(output) => format!(
                "{} cannot import securesystemslib[crypto]: {}",
                python.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            Err(error) => format!("cannot run {}: {error}", python.display()),
        };
        let why =
            format!("{why} (scripts/test.sh installs securesystemslib[crypto] into target/pyvenv)");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Python DSSE cross-check: {why}"
        );
        eprintln!("skipping: {why}");
        None
    }

    /// Runs the script on `document` (a DSSE envelope, or a Sigstore bundle when `bundle`)
    /// with the PEM public key at `public_key`. Exit 0 prints the predicateType; exit 1 the
    /// reason on stderr.
    pub fn run(&self, public_key: &Path, document: &[u8], bundle: bool) -> Output {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("document.json");
        std::fs::write(&path, document).expect("the document is written");
        let mut command = Command::new(&self.python);
        command.arg(&self.script).arg(public_key).arg(&path);
        if bundle {
            command.arg("--bundle");
        }
        command.output().expect("the verifier runs")
    }
}
