//! Sorts `serde_json` failures into "truncated", "not JSON" and "JSON of the wrong shape", so
//! each format's error names the real problem instead of a generic parse failure.

use serde_json::error::Category;

/// What went wrong reading a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    /// The input ended in the middle of the document (a cut download, a partial file).
    Truncated(String),
    /// The input is not JSON at all, or has a syntax error.
    Syntax(String),
    /// Well-formed JSON that lacks a field or has a field of the wrong type.
    Shape(String),
}

pub(crate) fn classify(error: &serde_json::Error) -> JsonProblem {
    let message = error.to_string();
    match error.classify() {
        Category::Eof => JsonProblem::Truncated(message),
        Category::Syntax | Category::Io => JsonProblem::Syntax(message),
        Category::Data => JsonProblem::Shape(message),
    }
}
