//! Output formats. Each module is one function from an [`Sbom`] to a [`Write`].
//!
//! - [`json`]: sbomgen's native document, keys sorted, byte-identical across runs.
//! - [`table`]: a human summary.
//!
//! ```
//! use sbomgen_format::{write, Format};
//! let mut out = Vec::new();
//! write(Format::Json, &sbomgen_model::Sbom::default(), &mut out).unwrap();
//! assert!(out.starts_with(b"{"));
//! ```

use std::io::Write;
use std::str::FromStr;

use sbomgen_model::Sbom;

pub mod json;
pub mod table;

/// An output format name as given to `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Table,
}

impl Format {
    pub const ALL: &'static [Format] = &[Format::Json, Format::Table];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Table => "table",
        }
    }
}

/// Why an output could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("unknown output format {0:?} (known: json, table)")]
    Unknown(String),
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot encode output: {0}")]
    Encode(#[from] serde_json::Error),
}

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| FormatError::Unknown(s.to_string()))
    }
}

/// Writes `sbom` in `format`.
pub fn write(format: Format, sbom: &Sbom, out: &mut dyn Write) -> Result<(), FormatError> {
    match format {
        Format::Json => json::write(sbom, out),
        Format::Table => table::write(sbom, out),
    }
}
