//! The layer audit: what the final filesystem hides, as findings a release pipeline acts on.
//!
//! Role: secrets in any regular file of any layer, deleted ones included ([`Detector`], rule
//! tables in [`rules`]); permission changes between layers ([`permission_events`]); leftover
//! tools in the final filesystem; removed packages and hidden files. Each [`Finding`] says
//! which layer wrote what it is about, which later layer changed or deleted it, and whether it
//! is still in the final filesystem. A secret's value is never kept: findings carry the rule,
//! the line and a [`fingerprint`](fn@fingerprint).
//!
//! Neighbours: `sbomgen-scan` feeds every regular file's bytes to a [`Detector`] while each
//! layer streams (one [`LayerScan`] per layer), computes [`permission_events`] before the
//! overlay merge, and calls [`assemble`](fn@assemble) after it; the CLI renders with [`write_table`],
//! [`write_sarif`] or serde.
//!
//! ```
//! use sbomgen_audit::{Detector, Scanned};
//! let detector = Detector::default();
//! let Scanned::Hits(hits) = detector.scan("app/.env", b"API_TOKEN=9f8e7d6c5b4a\n") else { panic!() };
//! assert_eq!((hits[0].rule.id, hits[0].line), ("password-assignment", 1));
//! assert!(!hits[0].fingerprint.contains("9f8e7d6c5b4a"));
//! ```

mod allow;
mod assemble;
mod detect;
mod error;
mod finding;
mod fingerprint;
mod launch;
mod layer_scan;
mod lifecycle;
mod permissions;
pub mod rules;
mod sarif;
mod table;
mod tools;

pub use allow::AllowList;
pub use assemble::{assemble, example_path, Inputs, RemovedPackage};
pub use detect::{ContentHit, Detector, Scanned, DEFAULT_MAX_FILE};
pub use error::AuditError;
pub use finding::{Fate, Finding, Kind, Report, Severity, Skipped};
pub use fingerprint::fingerprint;
pub use layer_scan::LayerScan;
pub use permissions::{permission_events, PermissionEvent};
pub use sarif::{sarif, write_sarif};
pub use table::write_table;
