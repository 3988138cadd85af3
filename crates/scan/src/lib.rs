//! The scan pipeline as a library: what the CLI, benchmarks and tests call.
//!
//! Data flows one way: [`sbomgen_source`] opens the image → every layer is read once, in
//! parallel on a rayon pool, by [`sbomgen_layer`] (keeping only the files cataloguers asked for)
//! → [`sbomgen_overlay`] merges them → the distro is detected on the final filesystem → every
//! cataloguer reads the package databases as visible after each layer that changed them, and
//! the overlay's package tracker gives each package its introducing and removing layer → an
//! [`Sbom`](sbomgen_model::Sbom) comes out, with warnings beside it.
//!
//! ```no_run
//! let output = sbomgen_scan::scan("oci-dir:./app.oci", &sbomgen_scan::ScanOptions::default()).unwrap();
//! println!("{} layers, {} hidden files", output.sbom.layers.len(), output.sbom.hidden_files.len());
//! ```

mod audit;
mod cached;
mod error;
mod exclude;
mod files;
mod identify;
mod ownership;
mod packages;
mod parsers;
mod pipeline;
mod progress;
mod removal;
mod result_cache;

pub use error::ScanError;
pub use exclude::Exclusions;
pub use pipeline::{
    audit_spec, cataloguer_names, scan, scan_spec, select_cataloguers, ScanOptions, ScanOutput,
    Scope, Selection, MAX_JOBS,
};
pub use progress::{LayerPlan, ScanObserver};
pub use sbomgen_layer::Limits;
pub use sbomgen_source::SourceSpec;
