//! What a registry reference means and which credentials go with it; the HTTP client comes
//! later.
//!
//! Both modules are pure apart from reading `config.json` and running Docker credential
//! helpers, so the future client can be tested against them without a network.

pub mod credentials;
pub mod reference;

pub use credentials::{
    config_path, resolve, Credential, CredentialError, CredentialHelper, DockerConfig, ExecHelper,
};
pub use reference::{Reference, ReferenceError};
