//! The TLS client configuration for `rediss://`: rustls with ring, the system's roots plus an
//! optional CA bundle (`--cache-ca-cert`), as `sbomgen-registry` configures its HTTPS client.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::CacheError;

/// `store` names the store in the (unlikely) error of a provider without TLS versions.
pub(crate) fn client_config(
    store: &str,
    ca_cert: Option<&Path>,
) -> Result<Arc<ClientConfig>, CacheError> {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system store may hold certificates rustls cannot parse; those are skipped, as
        // every TLS client does.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_cert {
        add_pem_bundle(&mut roots, path)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CacheError::Unreachable {
            store: store.to_string(),
            reason: format!("TLS setup: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Adds every certificate of a PEM file; a file with none is an error (a wrong path given
/// for the CA would otherwise only show as an untrusted server later).
fn add_pem_bundle(roots: &mut RootCertStore, path: &Path) -> Result<(), CacheError> {
    let fail = |source: io::Error| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    let invalid = |reason: String| fail(io::Error::new(io::ErrorKind::InvalidData, reason));
    let bytes = std::fs::read(path).map_err(fail)?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| invalid(format!("not a valid PEM CA certificate: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| invalid(format!("unusable CA certificate: {e}")))?;
        added += 1;
    }
    if added == 0 {
        return Err(invalid("holds no PEM certificate".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_certificates_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let message = client_config("rediss://h:1/0", Some(&path))
            .unwrap_err()
            .to_string();
        assert!(message.contains("ca.pem"), "{message}");
        assert!(message.contains("holds no PEM certificate"), "{message}");
        let missing = dir.path().join("missing.pem");
        let message = client_config("rediss://h:1/0", Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(message.contains("missing.pem"), "{message}");
    }
}
