//! End-to-end tests: the real `sbomgen` binary on images built by the testkit and on the
//! third-party images in `../shared/fixtures` (skipped with a message when absent).

mod attest;
mod bad_input;
mod binaries;
mod demo;
mod documents;
mod formats;
mod language;
mod local_sources;
mod outputs;
mod packages;
mod provenance;
mod registry;
mod support;
mod third_party;
