//! Exit codes, chosen in one place.
//!
//! 0 success, 1 failure, 2 usage (clap's own code for a bad command line, and ours for a bad
//! configuration). `verify` adds cosign's codes for its three outcomes a pipeline acts on
//! differently (cosign's `cmd/cosign/errors/exit_codes.go`): 10 no attestation at all, 11 no
//! such image, 12 attestations found but none verifies.

use std::fmt;
use std::process::ExitCode;

/// Printed under `sbomgen --help`, and kept equal to the README's table by a test.
pub(crate) const HELP: &str = "\
Exit status:
  0   success
  1   failure (the message names the input and the problem)
  2   usage: an unknown command or flag, a bad value, a bad configuration file
  3   audit, scan --audit: a finding matched --fail-on
  10  verify: no attestation found for the image
  11  verify: the image does not exist
  12  verify: attestations found, but none verifies
  130 interrupted (Ctrl-C, SIGTERM)

Every option of scan, attest, attach, verify and download can also be set as SBOMGEN_<OPTION>
(SBOMGEN_PLATFORM, SBOMGEN_OUTPUT, ...) or in .sbomgen.yaml; precedence is flag > environment >
file > default, and `sbomgen config` shows the effective values and where each came from.";

/// A failure whose kind has its own exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Usage,
    /// A finding matched `--fail-on`.
    Findings,
    NoAttestation,
    ImageNotFound,
    InvalidAttestation,
}

impl Reason {
    pub(crate) fn code(self) -> u8 {
        match self {
            Reason::Usage => 2,
            Reason::Findings => 3,
            Reason::NoAttestation => 10,
            Reason::ImageNotFound => 11,
            Reason::InvalidAttestation => 12,
        }
    }
}

/// An error carrying its [`Reason`] through anyhow's chain to [`report`].
#[derive(Debug)]
pub(crate) struct Coded {
    pub reason: Reason,
    pub message: String,
}

impl Coded {
    pub(crate) fn error(reason: Reason, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Coded {
            reason,
            message: message.into(),
        })
    }
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Coded {}

/// The exit code of `error`: the first [`Coded`] reason in its chain, else 1.
pub(crate) fn code_of(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Coded>())
        .map_or(1, |coded| coded.reason.code())
}

/// Prints `error: …` and returns its exit code.
pub(crate) fn report(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", describe(error));
    ExitCode::from(code_of(error))
}

/// The error and its causes on one line. Library errors often quote their cause in their own
/// message; a cause already quoted is not repeated.
pub(crate) fn describe(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_first_coded_cause_decides() {
        let plain = anyhow::anyhow!("disk full");
        assert_eq!(code_of(&plain), 1);
        let coded = Err::<(), _>(Coded::error(Reason::NoAttestation, "none"))
            .context("cannot verify x")
            .unwrap_err();
        assert_eq!(code_of(&coded), 10);
        assert_eq!(describe(&coded), "cannot verify x: none");
    }

    #[test]
    fn help_lists_every_code() {
        for reason in [
            Reason::Usage,
            Reason::Findings,
            Reason::NoAttestation,
            Reason::ImageNotFound,
            Reason::InvalidAttestation,
        ] {
            let line = format!("\n  {:<3} ", reason.code());
            assert!(HELP.contains(&line), "{line:?} missing from HELP");
        }
    }
}
