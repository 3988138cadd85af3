//! Typed, path-aware access to a JSON document being read: every wrong type or missing field
//! becomes a [`FormatError::Unreadable`] naming the exact place (`packages[3].name is missing`),
//! never a panic. Shared by the SPDX and CycloneDX readers.

use serde_json::{Map, Value};

use crate::FormatError;

/// A JSON object with its path in the document.
#[derive(Debug, Clone)]
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) path: String,
    /// The document kind errors name, e.g. `SPDX document`.
    what: &'static str,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(
        value: &'a Value,
        path: String,
        what: &'static str,
    ) -> Result<Self, FormatError> {
        match value.as_object() {
            Some(map) => Ok(Obj { map, path, what }),
            None => Err(unreadable(what, format!("{path} is not a JSON object"))),
        }
    }

    /// An object nested at `path` below this one's document.
    pub(crate) fn at(&self, value: &'a Value, path: String) -> Result<Obj<'a>, FormatError> {
        Obj::new(value, path, self.what)
    }

    /// The error for a problem found at this object.
    pub(crate) fn error(&self, problem: String) -> FormatError {
        unreadable(self.what, problem)
    }

    /// An optional string field; `null` counts as absent.
    pub(crate) fn str(&self, key: &str) -> Result<Option<&'a str>, FormatError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.error(format!("{}.{key} is not a string", self.path))),
        }
    }

    pub(crate) fn required_str(&self, key: &str) -> Result<&'a str, FormatError> {
        self.str(key)?
            .ok_or_else(|| self.error(format!("{}.{key} is missing", self.path)))
    }

    /// An optional object field; `null` counts as absent.
    pub(crate) fn object(&self, key: &str) -> Result<Option<Obj<'a>>, FormatError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => self.at(value, format!("{}.{key}", self.path)).map(Some),
        }
    }

    /// An optional array field; absent and `null` give an empty slice.
    pub(crate) fn array(&self, key: &str) -> Result<&'a [Value], FormatError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(format!("{}.{key} is not an array", self.path))),
        }
    }

    /// An optional array of strings.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<&'a str>, FormatError> {
        self.array(key)?
            .iter()
            .enumerate()
            .map(|(n, v)| {
                v.as_str()
                    .ok_or_else(|| self.error(format!("{}.{key}[{n}] is not a string", self.path)))
            })
            .collect()
    }
}

/// The error for `problem` in a document of kind `what`.
pub(crate) fn unreadable(what: &str, problem: String) -> FormatError {
    FormatError::Unreadable {
        what: what.to_string(),
        problem,
    }
}
