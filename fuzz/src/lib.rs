//! Fuzz harnesses for every parser sbomgen runs on untrusted bytes.
//!
//! Role: each target in `fuzz_targets/` is one line calling a function here, and each function
//! drives a crate's real public entry point the way the scan does: [`image`] for the layer tar
//! reader and the OCI / docker archive readers (index, manifest and config JSON included),
//! [`catalog`] for the OS package databases and every file cataloguer, [`sbom`] for the readers
//! of `sbomgen convert`. Keeping the harness logic in this library keeps the targets trivially
//! alike, and lets `cargo test` in this directory check that every harness accepts its seeds.
//!
//! Inputs that name several files (a dpkg status with its `.list` files, a Python `dist-info`
//! directory) use the [`bundle`] format; `scripts/fuzz-seed.sh` writes seeds in it.
//!
//! Neighbours: `scripts/fuzz.sh` runs the targets, `scripts/test.sh` builds them and runs each
//! briefly under CI. See `README.md` in this directory.

pub mod bundle;
pub mod catalog;
pub mod image;
pub mod sbom;
