//! End-to-end tests: the real `sbomgen` binary on images built by the testkit and on the
//! third-party images in `../shared/fixtures` (skipped with a message when absent).

mod attest;
mod bad_input;
mod binaries;
mod consumers;
mod cyclonedx_interop;
mod demo;
mod documents;
mod formats;
mod language;
mod local_sources;
mod outputs;
mod packages;
mod provenance;
mod registry;
mod spdx3;
mod spdx_interop;
mod support;
mod syft_json;
mod third_party;
