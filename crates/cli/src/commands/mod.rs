//! One module per subcommand, plus what the attestation commands share.

pub mod attach;
pub mod attest;
pub mod convert;
pub mod download;
mod image;
pub mod keys;
pub mod scan;
pub mod verify;
