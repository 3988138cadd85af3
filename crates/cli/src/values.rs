//! Value checks clap runs while parsing, so a mistyped value is a usage error (exit 2) that
//! names its flag before any image is opened, whether the value came from the command line,
//! the environment or a configuration file. Each returns the text unchanged (trimmed for
//! names): the commands parse it again into their own types, so these only decide yes or no.

use sbomgen_model::Platform;

/// `--platform`: what [`Platform`]'s parser accepts.
pub(crate) fn platform(text: &str) -> Result<String, String> {
    text.parse::<Platform>()
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

/// One `--catalogers` name (clap splits the list at commas): a known cataloguer, `none`, or
/// empty (`--catalogers ''` selects none, as `none` does).
pub(crate) fn cataloguer(name: &str) -> Result<String, String> {
    let name = name.trim();
    let known = sbomgen_scan::cataloguer_names();
    if name.is_empty() || name == "none" || known.contains(&name) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "unknown cataloguer {name:?} (known: {})",
            known.join(", ")
        ))
    }
}

/// One `--exclude GLOB`: a glob the scan can compile.
pub(crate) fn exclude(glob: &str) -> Result<String, String> {
    sbomgen_scan::Exclusions::new([glob])?;
    Ok(glob.to_string())
}

/// One `--limit NAME=VALUE`: a known limit and an amount.
pub(crate) fn limit(assignment: &str) -> Result<String, String> {
    sbomgen_scan::Limits::default().set(assignment)?;
    Ok(assignment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_refused() {
        assert_eq!(platform("linux/arm64").unwrap(), "linux/arm64");
        assert!(platform("x").unwrap_err().contains("\"x\""));
        assert_eq!(platform("arm64").unwrap(), "arm64");
        assert_eq!(exclude("./usr/share/doc/**").unwrap(), "./usr/share/doc/**");
        assert!(exclude("a/[b").unwrap_err().contains("a/[b"));
        assert_eq!(cataloguer(" dpkg").unwrap(), "dpkg");
        assert_eq!(cataloguer("none").unwrap(), "none");
        assert!(cataloguer("npn").unwrap_err().contains("known: "));
        assert!(limit("captured-file=64M").is_ok());
        assert!(limit("foo=1").unwrap_err().contains("foo"));
        assert!(limit("captured-file").is_err());
    }
}
