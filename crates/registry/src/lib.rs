//! Talks to an OCI / Docker registry, behind a blocking API: pulls images, and pushes the
//! artifacts (blobs, manifests, OCI 1.1 referrers) that attach SBOMs to them.
//!
//! Role: say what a reference means ([`Reference`], Docker's normalisation), find the
//! credentials Docker would use ([`credentials`]), and fetch manifests, configs and layer blobs
//! ([`RegistryClient`]) over HTTPS (plain HTTP for loopback and `insecure` registries), with the
//! bearer-token and basic auth flows, retries with backoff, connect and idle timeouts, digest
//! verification and a content-addressed on-disk [`BlobCache`]. Writes: [`RegistryClient::push_blob`],
//! [`RegistryClient::push_manifest`], and [`RegistryClient::push_referrer`] /
//! [`RegistryClient::referrers`], which use the referrers API where the registry has one and
//! the referrers tag schema otherwise; the JSON documents are in [`oci`]. Async I/O stays
//! inside this crate; `sbomgen-source` builds an image from what this crate fetches and never
//! the reverse.
//!
//! Why not `oci-client`: its errors drop the response headers and, for 4xx answers with a JSON
//! body, the status code, so `Retry-After` cannot be honoured nor 403 told from 404; it does
//! not return a manifest's `Content-Type`, has no identity-token (OAuth2 refresh) grant, and
//! its token lookup turns a refused password into a silent anonymous request. The HTTP this
//! crate needs is a handful of requests, so it uses `reqwest` directly (and `oci-client`'s
//! push does not maintain the referrers tag, which registries without the referrers API need).
//!
//! ```no_run
//! use sbomgen_registry::{ClientOptions, RegistryClient, Reference, MANIFEST_ACCEPT};
//! let client = RegistryClient::new(&ClientOptions::default()).unwrap();
//! let reference: Reference = "localhost:5000/app:1.0".parse().unwrap();
//! let manifest = client.fetch_manifest(&reference, MANIFEST_ACCEPT).unwrap();
//! println!("{} {:?}", manifest.digest, manifest.media_type);
//! ```

mod auth;
mod blob;
mod cache;
mod client;
pub mod credentials;
mod error;
mod hashing;
pub mod oci;
mod options;
mod push;
pub mod reference;
mod referrers;
mod retry;
mod transport;

pub use cache::{BlobCache, CacheWriter};
pub use client::{
    Fetched, RegistryClient, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, MEDIA_DOCKER_LIST,
    MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST,
};
pub use credentials::{
    config_path, resolve, Credential, CredentialError, CredentialHelper, DockerConfig, ExecHelper,
};
pub use error::RegistryError;
pub use oci::{Descriptor, ImageIndex, ImageManifest, EMPTY_JSON, MEDIA_OCI_EMPTY};
pub use options::{
    default_cache_dir, ClientOptions, Login, Progress, DEFAULT_TIMEOUT, ENV_TIMEOUT,
};
pub use push::Pushed;
pub use reference::{Reference, ReferenceError};
pub use referrers::{referrers_tag, Referrers, ReferrersVia};
pub use retry::RetryPolicy;
