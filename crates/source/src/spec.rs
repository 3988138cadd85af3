//! The user's source string: `scheme:PATH[:REF]`, or a bare path whose kind is detected.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::container::Container;
use crate::error::SourceError;
use crate::image::missing_or_io;

/// What to scan, as parsed from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// An OCI image layout directory; `reference` selects an index entry by its
    /// `org.opencontainers.image.ref.name` annotation.
    OciDir {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A tar (optionally gzip or zstd) of an OCI image layout.
    OciArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A `docker save` tar (optionally gzip or zstd); `reference` selects by `RepoTags`.
    DockerArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A root filesystem directory, scanned as one layer.
    Dir { path: PathBuf },
    /// An image in a registry (reserved: opening it is not supported yet).
    Registry { reference: String },
}

/// Every scheme [`SourceSpec::parse`] knows, in the order error messages list them.
pub(crate) const SCHEMES: [&str; 5] = [
    "oci-dir",
    "oci-archive",
    "docker-archive",
    "dir",
    "registry",
];

impl SourceSpec {
    /// Parses `scheme:PATH[:REF]` or a bare path.
    ///
    /// A bare path is detected from the filesystem: a directory with an `oci-layout` file is an
    /// OCI layout, another directory a root filesystem; a (possibly compressed) tar holding
    /// `oci-layout` is an OCI archive (even if it also holds `manifest.json`, as `docker save`
    /// 25+ writes both), one holding `manifest.json` a docker archive. Detection reads the whole
    /// tar's headers (and decompresses a compressed one), so it is done once, here.
    ///
    /// A `:REF` suffix is split off only when the whole string is not an existing path and the
    /// part before the colon is: file names may contain colons.
    pub fn parse(input: &str) -> Result<SourceSpec, SourceError> {
        if !input.is_empty() && Path::new(input).exists() {
            return detect(Path::new(input), None, input);
        }
        if let Some((scheme, rest)) = split_scheme(input) {
            let (path, reference) = split_reference(rest);
            match scheme {
                "oci-dir" => return Ok(SourceSpec::OciDir { path, reference }),
                "oci-archive" => return Ok(SourceSpec::OciArchive { path, reference }),
                "docker-archive" => return Ok(SourceSpec::DockerArchive { path, reference }),
                "dir" => {
                    return Ok(SourceSpec::Dir {
                        path: PathBuf::from(rest),
                    })
                }
                "registry" => {
                    return Ok(SourceSpec::Registry {
                        reference: rest.to_string(),
                    })
                }
                _ => {}
            }
        }
        // A bare `PATH:REF`.
        if let (path, Some(reference)) = split_reference(input) {
            return detect(&path, Some(reference), input);
        }
        match split_scheme(input) {
            Some((scheme, _)) => Err(SourceError::UnknownScheme {
                scheme: scheme.to_string(),
                input: input.to_string(),
            }),
            None => Err(SourceError::NotFound {
                path: PathBuf::from(input),
            }),
        }
    }

    /// The `SourceInfo.kind` of this source: `oci-dir`, `oci-archive`, `docker-archive`, `dir`
    /// or `registry`.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSpec::OciDir { .. } => "oci-dir",
            SourceSpec::OciArchive { .. } => "oci-archive",
            SourceSpec::DockerArchive { .. } => "docker-archive",
            SourceSpec::Dir { .. } => "dir",
            SourceSpec::Registry { .. } => "registry",
        }
    }
}

/// The explicit form, which [`SourceSpec::parse`] reads back to the same value.
impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            SourceSpec::OciDir { path, reference }
            | SourceSpec::OciArchive { path, reference }
            | SourceSpec::DockerArchive { path, reference } => {
                write!(f, "{kind}:{}", path.display())?;
                if let Some(r) = reference {
                    write!(f, ":{r}")?;
                }
                Ok(())
            }
            SourceSpec::Dir { path } => write!(f, "{kind}:{}", path.display()),
            SourceSpec::Registry { reference } => write!(f, "{kind}:{reference}"),
        }
    }
}

/// `foo:rest` where `foo` looks like a URI scheme: a letter, then letters, digits, `+` or `-`,
/// at least two characters (so a Windows drive `C:` is not a scheme).
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = input.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let looks = scheme.len() >= 2
        && first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-');
    looks.then_some((scheme, rest))
}

/// `PATH` or `PATH:REF`: the longest existing prefix before a colon is the path (a docker
/// reference such as `localhost:5000/app:1` has colons of its own). Without an existing
/// prefix the whole string is the path, and opening it reports that it does not exist.
fn split_reference(rest: &str) -> (PathBuf, Option<String>) {
    if !Path::new(rest).exists() {
        for (pos, _) in rest.rmatch_indices(':') {
            let (path, reference) = (&rest[..pos], &rest[pos + 1..]);
            if !path.is_empty() && !reference.is_empty() && Path::new(path).exists() {
                return (PathBuf::from(path), Some(reference.to_string()));
            }
        }
    }
    (PathBuf::from(rest), None)
}

fn detect(path: &Path, reference: Option<String>, input: &str) -> Result<SourceSpec, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| missing_or_io(path, e))?;
    let path_buf = path.to_path_buf();
    if meta.is_dir() {
        if path.join("oci-layout").is_file() {
            return Ok(SourceSpec::OciDir {
                path: path_buf,
                reference,
            });
        }
        // A root filesystem has no references: `dir:x` with `:ref` names something missing.
        if reference.is_some() {
            return Err(SourceError::NotFound {
                path: PathBuf::from(input),
            });
        }
        return Ok(SourceSpec::Dir { path: path_buf });
    }
    let container = Container::archive(path, format!("archive {}", path.display()))?;
    if container.contains("oci-layout") {
        Ok(SourceSpec::OciArchive {
            path: path_buf,
            reference,
        })
    } else if container.contains("manifest.json") {
        Ok(SourceSpec::DockerArchive {
            path: path_buf,
            reference,
        })
    } else {
        Err(SourceError::NotAnImageArchive { path: path_buf })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(
            SourceSpec::parse("registry:alpine:3.19").unwrap(),
            SourceSpec::Registry {
                reference: "alpine:3.19".into()
            }
        );
        let spec = SourceSpec::parse("oci-dir:/nonexistent/app.oci").unwrap();
        assert_eq!(spec.kind(), "oci-dir");
        assert_eq!(spec.to_string(), "oci-dir:/nonexistent/app.oci");
        assert_eq!(
            SourceSpec::parse("dir:/no/such").unwrap(),
            SourceSpec::Dir {
                path: "/no/such".into()
            }
        );
    }

    #[test]
    fn unknown_scheme_lists_known_ones() {
        let err = SourceSpec::parse("foo:bar").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown source scheme \"foo\" in \"foo:bar\" (known schemes: oci-dir:, oci-archive:, \
             docker-archive:, dir:, registry:)"
        );
        for s in SCHEMES {
            assert!(err.contains(&format!("{s}:")), "{s}");
        }
    }

    #[test]
    fn missing_path_is_named() {
        let err = SourceSpec::parse("./no/such/image.tar").unwrap_err();
        assert_eq!(err.to_string(), "source ./no/such/image.tar does not exist");
        assert!(SourceSpec::parse("").is_err());
    }

    #[test]
    fn reference_suffix_only_when_prefix_exists() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("img.tar");
        std::fs::write(&file, b"").unwrap();
        let p = file.display().to_string();

        let (path, reference) = split_reference(&format!("{p}:localhost:5000/app:1"));
        assert_eq!(
            (path, reference.as_deref()),
            (file.clone(), Some("localhost:5000/app:1"))
        );
        assert_eq!(split_reference(&p), (file.clone(), None));

        // A file whose name contains a colon is a path, not a path plus reference.
        let colon = dir.path().join("img.tar:v1");
        std::fs::write(&colon, b"").unwrap();
        assert_eq!(split_reference(&colon.display().to_string()), (colon, None));

        let missing = format!("{}/nope.tar:v1", dir.path().display());
        assert_eq!(split_reference(&missing), (PathBuf::from(&missing), None));
    }

    #[test]
    fn directories_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().display().to_string();
        assert_eq!(
            SourceSpec::parse(&p).unwrap(),
            SourceSpec::Dir {
                path: dir.path().into()
            }
        );
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        assert_eq!(SourceSpec::parse(&p).unwrap().kind(), "oci-dir");
        let spec = SourceSpec::parse(&format!("{p}:v1")).unwrap();
        assert_eq!(
            spec,
            SourceSpec::OciDir {
                path: dir.path().into(),
                reference: Some("v1".into())
            }
        );
    }
}
