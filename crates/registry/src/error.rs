//! The one error type of the registry client.
//!
//! Every variant names the registry and the reference (and the blob, where one is involved) and
//! says what went wrong in words a user can act on. None carries a password, token or
//! `Authorization` header: credentials never reach this type.

use std::path::PathBuf;

use sbomgen_model::Digest;

use crate::credentials::CredentialError;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    #[error("cannot reach registry {registry} for {reference}: {reason}{}", attempts_note(*.attempts))]
    Connect {
        registry: String,
        reference: String,
        reason: String,
        attempts: u32,
    },

    #[error("registry {registry}: unauthorized (401) for {reference}: check credentials{}", note(.hint.as_deref()))]
    Unauthorized {
        registry: String,
        reference: String,
        /// Where the credentials came from, or why there were none.
        hint: Option<String>,
    },

    #[error("registry {registry}: access denied (403) for {reference}{}", note(.hint.as_deref()))]
    Denied {
        registry: String,
        reference: String,
        hint: Option<String>,
    },

    #[error("registry {registry}: {what} not found (404) for {reference}")]
    NotFound {
        registry: String,
        reference: String,
        /// `manifest 1.0`, `blob sha256:…`.
        what: String,
    },

    #[error("registry {registry}: {status} for {what} of {reference}{}{}", note(.detail.as_deref()), attempts_note(*.attempts))]
    Status {
        registry: String,
        reference: String,
        what: String,
        /// `503 Service Unavailable`.
        status: String,
        /// The registry's own error code and message, when it sent one.
        detail: Option<String>,
        attempts: u32,
    },

    #[error("registry {registry} asks to wait {seconds} s before retrying {what} of {reference}; giving up")]
    RetryAfterTooLong {
        registry: String,
        reference: String,
        what: String,
        seconds: u64,
    },

    #[error("registry {registry}: reading {what} of {reference} failed: {reason}{}", attempts_note(*.attempts))]
    Transfer {
        registry: String,
        reference: String,
        what: String,
        reason: String,
        attempts: u32,
    },

    #[error("manifest digest mismatch for {reference}: registry returned {actual}")]
    ManifestDigestMismatch { reference: String, actual: Digest },

    #[error("{what} of {reference}: digest mismatch, expected {expected}, got {actual}")]
    DigestMismatch {
        reference: String,
        what: String,
        expected: Digest,
        actual: Digest,
    },

    #[error(
        "{what} of {reference}: size mismatch, descriptor says {expected} bytes, got {actual}"
    )]
    SizeMismatch {
        reference: String,
        what: String,
        expected: u64,
        actual: u64,
    },

    #[error("{what} of {reference} is larger than the {limit}-byte limit")]
    TooLarge {
        reference: String,
        what: String,
        limit: u64,
    },

    #[error("token server {realm} for registry {registry}: {reason}")]
    Token {
        registry: String,
        realm: String,
        reason: String,
    },

    #[error("cannot get credentials for registry {registry}")]
    Credentials {
        registry: String,
        #[source]
        source: CredentialError,
    },

    #[error("CA certificates {}: {reason}", .path.display())]
    CaCert { path: PathBuf, reason: String },

    #[error("invalid registry setting: {0}")]
    Setup(String),

    /// A push or referrers operation failed; `action` says which (`push blob sha256:…`,
    /// `update referrers tag sha256-…`), `source` why, naming the registry and reference.
    /// [`RegistryError::root`] reaches the underlying error.
    #[error("cannot {action}: {source}")]
    Failed {
        action: String,
        #[source]
        source: Box<RegistryError>,
    },

    /// JSON that should be an OCI manifest or index is not one.
    #[error("not a valid {what}: {reason}")]
    Malformed { what: String, reason: String },

    /// A call the client refuses before sending anything (a referrer without a subject).
    #[error("{0}")]
    Invalid(String),

    /// The referrers tag index would outgrow what registries store as a manifest. The
    /// artifact manifest itself was pushed (by digest) before this was found.
    #[error(
        "registry {registry}: cannot update referrers tag {tag} of {reference}: the index would \
         be {size} bytes, above the {limit}-byte manifest limit; the artifact manifest {pushed} \
         was pushed but is not listed as a referrer (remove old referrers from the tag)"
    )]
    ReferrersIndexTooLarge {
        registry: String,
        reference: String,
        tag: String,
        size: u64,
        limit: u64,
        pushed: Digest,
    },
}

impl RegistryError {
    /// The error under any [`RegistryError::Failed`] context: what to match on
    /// (`Unauthorized`, `NotFound`, `TooLarge`, …).
    pub fn root(&self) -> &RegistryError {
        let mut error = self;
        while let RegistryError::Failed { source, .. } = error {
            error = source;
        }
        error
    }

    /// Wraps `self` with what was being done, for push and referrers operations.
    pub(crate) fn while_doing(self, action: impl Into<String>) -> RegistryError {
        RegistryError::Failed {
            action: action.into(),
            source: Box::new(self),
        }
    }
}

fn note(text: Option<&str>) -> String {
    text.map(|t| format!(" ({t})")).unwrap_or_default()
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_registry_reference_and_problem() {
        let e = RegistryError::Unauthorized {
            registry: "127.0.0.1:5000".into(),
            reference: "127.0.0.1:5000/app:1.0".into(),
            hint: None,
        };
        assert_eq!(
            e.to_string(),
            "registry 127.0.0.1:5000: unauthorized (401) for 127.0.0.1:5000/app:1.0: check credentials"
        );
        let e = RegistryError::Connect {
            registry: "127.0.0.1:1".into(),
            reference: "127.0.0.1:1/nothing:tag".into(),
            reason: "connection refused".into(),
            attempts: 4,
        };
        assert_eq!(
            e.to_string(),
            "cannot reach registry 127.0.0.1:1 for 127.0.0.1:1/nothing:tag: connection refused \
             (gave up after 4 attempts)"
        );
    }
}
