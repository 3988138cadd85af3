//! End-to-end tests: the real `sbomgen` binary on images built by the testkit and on the
//! third-party images in `../shared/fixtures` (skipped with a message when absent).

mod attest;
mod audit;
mod bad_input;
mod binaries;
mod cache_local;
mod cache_redis;
mod cache_result;
mod cache_scratch;
mod cli_commands;
mod cli_config;
mod cli_cosign;
mod cli_run;
mod cli_selection;
mod consumers;
mod cyclonedx_interop;
mod demo;
mod documents;
mod formats;
mod human;
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
