//! Paths that look like secrets by their name: dotenv files, credentials, private keys, tokens.
//!
//! A guess from the name only (the file's bytes are not in the document), so the table says
//! "secret-looking". Certificate stores are left out: their `.pem` files are public.

/// Why `path` looks like a secret, or `None`.
pub(super) fn secret_kind(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ends = |suffix: &str| path == suffix || path.ends_with(&format!("/{suffix}"));
    if ends(".aws/credentials") {
        return Some("AWS credentials");
    }
    if ends(".docker/config.json") {
        return Some("Docker registry credentials");
    }
    if ends(".kube/config") {
        return Some("kubeconfig");
    }
    let by_name = match lower.as_str() {
        ".env" => Some("dotenv file"),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            Some("SSH private key")
        }
        ".npmrc" => Some("npm credentials"),
        ".pypirc" => Some("PyPI credentials"),
        ".netrc" | "_netrc" => Some("netrc credentials"),
        ".git-credentials" => Some("git credentials"),
        ".pgpass" => Some("PostgreSQL passwords"),
        ".htpasswd" => Some("password file"),
        ".vault-token" | "token" => Some("token"),
        "credentials.json" => Some("credentials"),
        "deploy_key" => Some("private key"),
        _ => None,
    };
    if by_name.is_some() {
        return by_name;
    }
    if lower.starts_with(".env.") {
        let example = [".example", ".sample", ".template", ".dist", ".defaults"];
        return (!example.iter().any(|e| lower.ends_with(e))).then_some("dotenv file");
    }
    let extension = lower.rsplit_once('.').map(|(_, e)| e);
    match extension {
        Some("env") => Some("dotenv file"),
        Some("key") => Some("private key"),
        Some("pem") if !in_certificate_store(path) => Some("PEM key or certificate"),
        Some("p12" | "pfx") => Some("PKCS#12 key store"),
        Some("ppk") => Some("PuTTY private key"),
        Some("token") => Some("token"),
        _ if lower.contains("private_key") || lower.contains("private-key") => Some("private key"),
        _ => None,
    }
}

/// Directories where distributions keep public CA certificates.
fn in_certificate_store(path: &str) -> bool {
    const STORES: &[&str] = &[
        "etc/ssl/certs/",
        "usr/share/ca-certificates/",
        "usr/local/share/ca-certificates/",
        "etc/ca-certificates/",
        "etc/pki/ca-trust/",
        "etc/pki/tls/certs/",
        "usr/share/pki/",
    ];
    STORES.iter().any(|store| path.starts_with(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_names() {
        let cases = [
            ("app/.env", Some("dotenv file")),
            ("srv/app/.env.production", Some("dotenv file")),
            ("srv/app/.env.example", None),
            ("srv/app/prod.env", Some("dotenv file")),
            ("root/.aws/credentials", Some("AWS credentials")),
            ("home/u/.aws/config", None),
            ("root/.ssh/id_rsa", Some("SSH private key")),
            ("root/.ssh/id_rsa.pub", None),
            ("etc/ssl/private/server.key", Some("private key")),
            ("app/tls.pem", Some("PEM key or certificate")),
            ("etc/ssl/certs/ISRG_Root_X1.pem", None),
            ("root/.npmrc", Some("npm credentials")),
            ("root/.pypirc", Some("PyPI credentials")),
            ("root/.netrc", Some("netrc credentials")),
            ("root/.git-credentials", Some("git credentials")),
            (
                "root/.docker/config.json",
                Some("Docker registry credentials"),
            ),
            ("app/config.json", None),
            ("root/.kube/config", Some("kubeconfig")),
            ("srv/app/deploy_key", Some("private key")),
            ("var/run/secrets/token", Some("token")),
            ("usr/share/doc/nano/copyright", None),
            ("usr/lib/keyring.py", None),
        ];
        for (path, expected) in cases {
            assert_eq!(secret_kind(path), expected, "{path}");
        }
    }
}
