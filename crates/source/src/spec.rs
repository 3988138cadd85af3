//! The user's source string: `scheme:PATH[:REF]`, `registry:REF`, or a bare path whose kind is
//! detected, or a bare image reference.

use std::fmt;
use std::path::{Path, PathBuf};

use sbomgen_registry::Reference;

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
    /// A tar (optionally gzip or zstd) of a root filesystem, scanned as one layer. Never
    /// detected: a tar that is no image is refused unless the user says this is what it is.
    RootfsArchive { path: PathBuf },
    /// An image in a registry, normalised as Docker does (`alpine:3.20` is
    /// `docker.io/library/alpine:3.20`).
    Registry { reference: Reference },
}

/// Every scheme [`SourceSpec::parse`] knows, in the order error messages list them.
pub(crate) const SCHEMES: [&str; 6] = [
    "oci-dir",
    "oci-archive",
    "docker-archive",
    "dir",
    "rootfs-archive",
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
    ///
    /// A bare string that is no existing path is an image reference when it parses as one and
    /// says so unmistakably: it has a tag (`name:tag`), a digest (`name@sha256:…`) or a registry
    /// host (`ghcr.io/org/app`), and does not look like a path (`./x`, `/x`, `~/x`, `x.tar`).
    /// So an existing file always wins, and a mistyped path reports "does not exist" rather than
    /// reaching for the network.
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
                "rootfs-archive" => {
                    return Ok(SourceSpec::RootfsArchive {
                        path: PathBuf::from(rest),
                    })
                }
                "registry" => {
                    return Ok(SourceSpec::Registry {
                        reference: rest.parse()?,
                    })
                }
                _ => {}
            }
        }
        // A bare `PATH:REF`.
        if let (path, Some(reference)) = split_reference(input) {
            return detect(&path, Some(reference), input);
        }
        if let Some(reference) = bare_reference(input) {
            return Ok(SourceSpec::Registry { reference });
        }
        match split_scheme(input) {
            Some((scheme, _)) => Err(SourceError::UnknownScheme {
                scheme: scheme.to_string(),
                input: input.to_string(),
            }),
            None if !looks_like_path(input) && input.parse::<Reference>().is_ok() => {
                Err(SourceError::NotFoundOrReference {
                    input: input.to_string(),
                })
            }
            None => Err(SourceError::NotFound {
                path: PathBuf::from(input),
            }),
        }
    }

    /// The `SourceInfo.kind` of this source: `oci-dir`, `oci-archive`, `docker-archive`, `dir`,
    /// `rootfs-archive` or `registry`.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSpec::OciDir { .. } => "oci-dir",
            SourceSpec::OciArchive { .. } => "oci-archive",
            SourceSpec::DockerArchive { .. } => "docker-archive",
            SourceSpec::Dir { .. } => "dir",
            SourceSpec::RootfsArchive { .. } => "rootfs-archive",
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
            SourceSpec::Dir { path } | SourceSpec::RootfsArchive { path } => {
                write!(f, "{kind}:{}", path.display())
            }
            SourceSpec::Registry { reference } => write!(f, "{kind}:{reference}"),
        }
    }
}

/// `input` as an image reference, when it is unmistakably one (see [`SourceSpec::parse`]).
fn bare_reference(input: &str) -> Option<Reference> {
    if looks_like_path(input) {
        return None;
    }
    let reference: Reference = input.parse().ok()?;
    let named = input.split('@').next().unwrap_or(input);
    let last = named.rsplit('/').next().unwrap_or(named);
    let has_tag = last.contains(':');
    let has_digest = input.contains('@');
    let has_host = named
        .split_once('/')
        .is_some_and(|(first, _)| first.contains(['.', ':']) || first == "localhost");
    (has_tag || has_digest || has_host).then_some(reference)
}

/// Paths as people write them: relative or absolute prefixes, or an archive extension on the
/// name (a repository may contain dots, but `app.tar:v1` means a file).
fn looks_like_path(input: &str) -> bool {
    const EXTENSIONS: [&str; 6] = [".tar", ".tgz", ".gz", ".zst", ".zstd", ".oci"];
    if input.starts_with(['/', '.', '~']) || input.contains('\\') {
        return true;
    }
    let named = input.split('@').next().unwrap_or(input);
    let last = named.rsplit('/').next().unwrap_or(named);
    let name = last.split(':').next().unwrap_or(last);
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
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
        let spec = SourceSpec::parse("registry:alpine:3.19").unwrap();
        assert_eq!(
            spec,
            SourceSpec::Registry {
                reference: "alpine:3.19".parse().unwrap()
            }
        );
        assert_eq!(spec.to_string(), "registry:docker.io/library/alpine:3.19");
        assert!(SourceSpec::parse("registry:Bad/Name").is_err());
        let spec = SourceSpec::parse("oci-dir:/nonexistent/app.oci").unwrap();
        assert_eq!(spec.kind(), "oci-dir");
        assert_eq!(spec.to_string(), "oci-dir:/nonexistent/app.oci");
        assert_eq!(
            SourceSpec::parse("dir:/no/such").unwrap(),
            SourceSpec::Dir {
                path: "/no/such".into()
            }
        );
        let spec = SourceSpec::parse("rootfs-archive:/no/such.tar").unwrap();
        assert_eq!(
            spec,
            SourceSpec::RootfsArchive {
                path: "/no/such.tar".into()
            }
        );
        assert_eq!(spec.to_string(), "rootfs-archive:/no/such.tar");
    }

    #[test]
    fn unknown_scheme_lists_known_ones() {
        // `foo:bar` would be the image docker.io/library/foo:bar; a path after the scheme is not.
        let err = SourceSpec::parse("foo:./bar").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown source scheme \"foo\" in \"foo:./bar\" (known schemes: oci-dir:, oci-archive:, \
             docker-archive:, dir:, rootfs-archive:, registry:)"
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

    /// Input, then whether it is a registry reference (else a path that does not exist).
    #[test]
    fn bare_references_are_recognised_only_when_unmistakable() {
        let d = format!("sha256:{}", "a".repeat(64));
        let cases: Vec<(String, bool)> = vec![
            ("alpine:3.20".into(), true),
            (format!("alpine@{d}"), true),
            ("ghcr.io/org/app".into(), true),
            ("localhost:5000/app:1".into(), true),
            ("localhost/app".into(), true),
            (format!("127.0.0.1:5000/ns/app:tag@{d}"), true),
            ("user/app:1".into(), true),
            ("alpine".into(), false),
            ("user/app".into(), false),
            ("./missing.tar".into(), false),
            ("missing.tar".into(), false),
            ("missing.tar:v1".into(), false),
            ("dir/app.oci:v1".into(), false),
            ("/abs/path".into(), false),
            ("~/img".into(), false),
        ];
        for (input, is_reference) in cases {
            let parsed = SourceSpec::parse(&input);
            match (&parsed, is_reference) {
                (Ok(SourceSpec::Registry { .. }), true)
                | (
                    Err(SourceError::NotFound { .. } | SourceError::NotFoundOrReference { .. }),
                    false,
                ) => {}
                _ => panic!("{input:?} parsed as {parsed:?}"),
            }
        }
        let err = SourceSpec::parse("alpine").unwrap_err().to_string();
        assert!(err.contains("registry:alpine"), "{err}");
    }

    #[test]
    fn an_existing_path_wins_over_a_reference() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("app:1");
        std::fs::create_dir(&odd).unwrap();
        let spec = SourceSpec::parse(&odd.display().to_string()).unwrap();
        assert_eq!(spec.kind(), "dir");
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
