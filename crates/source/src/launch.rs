//! What an image runs: the config's `config.Entrypoint` and `config.Cmd`.
//!
//! Kept off the SBOM (documents stay as they were); the layer audit asks it whether a shell in
//! the final filesystem is needed. Docker stores both as string arrays; its shell form
//! (`CMD foo bar`) is stored as `["/bin/sh", "-c", "foo bar"]`. Docker also accepts a bare
//! string for either ([strslice](https://github.com/moby/moby/blob/master/api/types/strslice/strslice.go));
//! anything else is ignored rather than failing the scan: the command is advisory.

use serde_json::Value;

/// The process an image's config declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// `config.Entrypoint`, empty when unset.
    pub entrypoint: Vec<String>,
    /// `config.Cmd`: the arguments to the entrypoint, or the whole command without one.
    pub cmd: Vec<String>,
}

impl Launch {
    /// From the config's raw `Entrypoint` and `Cmd` values.
    pub(crate) fn from_raw(entrypoint: Option<&Value>, cmd: Option<&Value>) -> Self {
        Launch {
            entrypoint: strings(entrypoint),
            cmd: strings(cmd),
        }
    }

    /// The command line the runtime starts without overrides: the entrypoint, then the cmd.
    pub fn argv(&self) -> Vec<String> {
        self.entrypoint.iter().chain(&self.cmd).cloned().collect()
    }
}

/// A string array (or one string) as strings; `null` and other shapes give nothing.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entrypoint_then_cmd() {
        let launch = Launch::from_raw(Some(&json!(["/tini", "--"])), Some(&json!(["app", "-v"])));
        assert_eq!(launch.argv(), ["/tini", "--", "app", "-v"]);
    }

    #[test]
    fn bare_string_null_and_other_shapes() {
        let launch = Launch::from_raw(Some(&json!("/app")), Some(&Value::Null));
        assert_eq!(launch.argv(), ["/app"]);
        let launch = Launch::from_raw(Some(&json!({"x": 1})), Some(&json!([1, "sh"])));
        assert_eq!(launch.argv(), ["sh"]);
        assert_eq!(Launch::from_raw(None, None), Launch::default());
    }
}
