//! Stores SBOMs and SBOM attestations beside an image in an OCI registry, and finds them again.
//!
//! Role: the registry layouts readers look for, nothing else. Signing and verifying are
//! `sbomgen-attest`'s job, HTTP is `sbomgen-registry`'s; this crate decides which manifests,
//! blobs, tags and referrers a signed envelope or a plain SBOM becomes:
//!
//! * [`Mode::Bundle`]: a Sigstore bundle v0.3 pushed as an OCI 1.1 referrer of the image, as
//!   cosign v3 does (Trivy's `--sbom-sources oci` reads these).
//! * [`Mode::Legacy`]: a layer appended to cosign v2's `sha256-<hex>.att` tag.
//! * [`publish::attach_sbom`]: the SBOM itself as a referrer with artifactType
//!   `application/spdx+json` or `application/vnd.cyclonedx+json`.
//!
//! Registries without the referrers API get the referrers tag schema (`sha256-<hex>`), kept
//! by `sbomgen-registry`. [`discover`] reads all of these back.

pub mod artifacts;
pub mod discover;
mod error;
pub mod publish;
pub mod subject;

pub use discover::{find_attestations, find_sboms, FoundAttestation, FoundSbom, Location};
pub use error::AttachError;
pub use publish::{attach_sbom, attest, Attached, Mode};
pub use subject::{resolve, ImageSubject};
