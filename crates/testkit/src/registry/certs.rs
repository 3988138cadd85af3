//! A throw-away certificate authority and a server certificate it signed, made with the
//! `openssl` CLI: rustls rejects a CA certificate used directly as the server's certificate.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::command_output;

/// The files a TLS registry and its clients need.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    /// The CA certificate (PEM): what clients trust (`--ca-cert`).
    pub ca_cert: PathBuf,
    /// A directory holding only `ca.crt`, for `skopeo --dest-cert-dir`.
    pub cert_dir: PathBuf,
    /// The server's certificate (PEM), SAN `IP:127.0.0.1, DNS:localhost`.
    pub server_cert: PathBuf,
    /// The server's private key (PEM).
    pub server_key: PathBuf,
}

/// Writes a CA and a leaf certificate for 127.0.0.1/localhost under `dir`.
pub(crate) fn make_tls_files(dir: &Path) -> io::Result<TlsFiles> {
    fs::create_dir_all(dir)?;
    let ca_key = dir.join("ca.key");
    let ca_cert = dir.join("ca.pem");
    let server_key = dir.join("server.key");
    let server_csr = dir.join("server.csr");
    let server_cert = dir.join("server.pem");
    let ext = dir.join("server.ext");
    fs::write(
        &ext,
        "basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n\
         subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )?;
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    openssl(
        Command::new("openssl")
            .args(["req", "-x509", "-nodes", "-days", "2"])
            .args(ec)
            .arg("-keyout")
            .arg(&ca_key)
            .arg("-out")
            .arg(&ca_cert)
            .args(["-subj", "/CN=sbomgen test CA"])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
    )?;
    openssl(
        Command::new("openssl")
            .args(["req", "-nodes"])
            .args(ec)
            .arg("-keyout")
            .arg(&server_key)
            .arg("-out")
            .arg(&server_csr)
            .args(["-subj", "/CN=localhost"]),
    )?;
    openssl(
        Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-set_serial", "2"])
            .arg("-in")
            .arg(&server_csr)
            .arg("-CA")
            .arg(&ca_cert)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&server_cert),
    )?;
    let cert_dir = dir.join("skopeo-certs");
    fs::create_dir_all(&cert_dir)?;
    fs::copy(&ca_cert, cert_dir.join("ca.crt"))?;
    Ok(TlsFiles {
        ca_cert,
        cert_dir,
        server_cert,
        server_key,
    })
}

fn openssl(command: &mut Command) -> io::Result<()> {
    command_output(command).map(drop)
}
