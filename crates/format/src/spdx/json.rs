//! The SPDX 2.3 JSON encoding: the model serialised as is, pretty-printed.

use std::io::Write;

use super::model::Document;
use crate::FormatError;

/// Writes `document` with two-space indentation and a final newline. Key order is the model's
/// field order, fixed at compile time, so output is byte-identical for identical input.
pub(crate) fn write(document: &Document, out: &mut dyn Write) -> Result<(), FormatError> {
    serde_json::to_writer_pretty(&mut *out, document)?;
    out.write_all(b"\n")?;
    Ok(())
}
