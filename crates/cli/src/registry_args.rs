//! Registry flags of `scan`, and how they and the environment become
//! [`ClientOptions`].

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use sbomgen_registry::{default_cache_dir, ClientOptions, Login, Progress};

#[derive(Debug, Args)]
#[command(next_help_heading = "Registry")]
pub(crate) struct RegistryArgs {
    /// Registry username, with the password read from standard input (--password-stdin).
    /// Overrides SBOMGEN_REGISTRY_USERNAME/PASSWORD and Docker's config.json.
    #[arg(long, value_name = "NAME", requires = "password_stdin")]
    pub username: Option<String>,

    /// Read the registry password for --username from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,

    /// Allow plain HTTP to this registry, as HOST or HOST:PORT (repeatable). Loopback
    /// registries (localhost, 127.0.0.1, ::1) are always allowed.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    pub insecure_registries: Vec<String>,

    /// Also trust the CA certificates in this PEM file (repeatable). SSL_CERT_FILE and
    /// SSL_CERT_DIR replace the system's certificates, as for other tools.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,

    /// Blob cache directory [default: $XDG_CACHE_HOME/sbomgen/blobs or ~/.cache/sbomgen/blobs].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the blob cache, nor the layer cache (--no-layer-cache).
    #[arg(long)]
    pub no_cache: bool,
}

impl RegistryArgs {
    /// The client options: environment first (Docker config, timeout, credentials, cache),
    /// then these flags on top. Reads standard input for `--password-stdin`.
    pub(crate) fn options(&self, progress: Option<Arc<dyn Progress>>) -> Result<ClientOptions> {
        let env = |name: &str| std::env::var(name).ok();
        let mut options = ClientOptions::from_env(env)?;
        if let (Some(username), true) = (&self.username, self.password_stdin) {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            // `echo secret | sbomgen …` adds a newline that is not part of the password.
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            if password.is_empty() {
                bail!("--password-stdin: standard input held no password");
            }
            options.login = Some(Login {
                username: username.clone(),
                password,
            });
        }
        options.insecure = self.insecure_registries.clone();
        options.ca_certs = self.ca_certs.clone();
        options.cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(|| default_cache_dir(env))
        };
        options.progress = progress;
        Ok(options)
    }
}
