//! `sbomgen generate-key-pair`, and reading key files and their passwords for the other
//! attestation commands.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sbomgen_attest::keys::{pem_is_encrypted, PublicKey, SigningKey};

use crate::args::GenerateKeyPairArgs;
use crate::output;

/// Password variables, in the order they are read. cosign's name is honoured so pipelines
/// that already set it work unchanged; an empty value is a valid (empty) password.
const PASSWORD_VARS: [&str; 2] = ["SBOMGEN_PASSWORD", "COSIGN_PASSWORD"];

pub(crate) fn generate(args: &GenerateKeyPairArgs) -> Result<()> {
    let private = PathBuf::from(format!("{}.key", args.output_key_prefix));
    let public = PathBuf::from(format!("{}.pub", args.output_key_prefix));
    if !args.force {
        for path in [&private, &public] {
            if path.exists() {
                bail!(
                    "{} already exists; use --force to replace it",
                    path.display()
                );
            }
        }
    }
    let password = password("the new private key", true)?;
    let key = SigningKey::generate();
    let pem = key
        .to_encrypted_pem(password.as_bytes())
        .context("cannot encrypt the private key")?;
    // Both files are staged first so a failure leaves neither behind.
    let staged_private = output::stage_bytes(&private, pem.as_bytes(), Some(0o600))?;
    let staged_public =
        output::stage_bytes(&public, key.public_key().to_pem().as_bytes(), Some(0o644))?;
    staged_private
        .persist(&private)
        .with_context(|| format!("cannot write {}", private.display()))?;
    if let Err(e) = staged_public.persist(&public) {
        let _ = std::fs::remove_file(&private);
        return Err(e).with_context(|| format!("cannot write {}", public.display()));
    }
    eprintln!("Private key written to {}", private.display());
    eprintln!("Public key written to {}", public.display());
    Ok(())
}

/// Reads a private key, asking for its password only when the file is encrypted.
pub(crate) fn signing_key(path: &Path) -> Result<SigningKey> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read key {}", path.display()))?;
    let password = if pem_is_encrypted(&pem) {
        password(&format!("the private key {}", path.display()), false)?
    } else {
        String::new()
    };
    SigningKey::from_pem(&pem, password.as_bytes())
        .with_context(|| format!("cannot read key {}", path.display()))
}

pub(crate) fn public_key(path: &Path) -> Result<PublicKey> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read key {}", path.display()))?;
    PublicKey::from_pem(&pem).with_context(|| format!("cannot read public key {}", path.display()))
}

/// The password from the environment, else from a prompt on the terminal (twice when
/// `confirm`). Never from a pipe: standard input may be carrying other data.
fn password(what: &str, confirm: bool) -> Result<String> {
    for var in PASSWORD_VARS {
        if let Ok(value) = std::env::var(var) {
            return Ok(value);
        }
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no password for {what}: set SBOMGEN_PASSWORD or COSIGN_PASSWORD (empty is allowed), \
             or run on a terminal to be asked"
        );
    }
    let first = rpassword::prompt_password(format!("Enter password for {what}: "))
        .context("cannot read the password")?;
    if confirm {
        let again = rpassword::prompt_password("Enter password again: ")
            .context("cannot read the password")?;
        if again != first {
            bail!("the passwords do not match");
        }
    }
    Ok(first)
}
