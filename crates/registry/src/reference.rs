//! Parses an image reference the way `docker pull` does and says where it lives.
//!
//! The grammar and normalisation follow distribution/reference (`ParseNormalizedNamed`), so a
//! string means the same image here as it does to Docker: `alpine` is
//! `docker.io/library/alpine:latest`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use sbomgen_model::{Digest, DigestError};

/// Docker Hub's canonical name in references.
pub const DOCKER_HUB: &str = "docker.io";
/// The old Hub name, still accepted and rewritten to [`DOCKER_HUB`].
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
/// The host that actually serves Hub's registry API: `docker.io` itself does not.
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Docker's limit on `registry/repository`, kept so we reject what Docker rejects.
const MAX_NAME_LEN: usize = 255;
/// Docker's tag grammar allows one leading word character plus up to 127 more.
const MAX_TAG_LEN: usize = 128;

/// Why a string is not an image reference. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("image reference is empty")]
    Empty,
    #[error("image reference {0:?} is a bare 64-hex identifier; write it as `name@sha256:<hex>`")]
    BareIdentifier(String),
    #[error("image reference {0:?}: repository name must be lowercase")]
    Uppercase(String),
    #[error("image reference {input:?}: {registry:?} is not a valid registry host[:port]")]
    BadRegistry { input: String, registry: String },
    #[error("image reference {input:?}: repository path component {component:?} is invalid")]
    BadComponent { input: String, component: String },
    #[error("image reference {input:?}: tag {tag:?} is invalid (1-128 of [A-Za-z0-9_.-], not starting with . or -)")]
    BadTag { input: String, tag: String },
    #[error("image reference {input:?}: invalid digest")]
    BadDigest {
        input: String,
        #[source]
        source: DigestError,
    },
    #[error("image reference {0:?}: registry and repository exceed {MAX_NAME_LEN} characters")]
    TooLong(String),
}

/// A fully normalised image reference.
///
/// After parsing, `registry` is never empty, Hub repositories carry their `library/` prefix,
/// and at least one of `tag` / `digest` is set (a reference with neither gets `latest`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry host with optional port, as written (`docker.io`, `localhost:5000`).
    pub registry: String,
    /// Slash-separated lowercase path (`library/alpine`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl Reference {
    /// The host to send registry API requests to.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// What goes after `/manifests/` in the API path: the digest when pinned, because a
    /// digest is immutable and a tag is not.
    pub fn reference_for_api(&self) -> &str {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.as_str(),
            (None, Some(tag)) => tag,
            // Unreachable through parsing; a hand-built value means what Docker would.
            (None, None) => "latest",
        }
    }

    /// Whether the registry is on this machine, where plain HTTP is acceptable (Docker's
    /// own exception for insecure registries: localhost, 127.0.0.0/8 and ::1).
    pub fn is_local(&self) -> bool {
        let host = host_part(&self.registry);
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        if let Ok(v4) = host.parse::<Ipv4Addr>() {
            return v4.is_loopback();
        }
        host.parse::<Ipv6Addr>().is_ok_and(|v6| v6.is_loopback())
    }
}

/// The host of `host[:port]`, without brackets for IPv6 literals.
fn host_part(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    registry.split_once(':').map_or(registry, |(host, _)| host)
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        // Docker refuses these so an image ID is never mistaken for a Hub repository name.
        if input.len() == 64 && input.bytes().all(is_lower_hex) {
            return Err(ReferenceError::BareIdentifier(input.to_string()));
        }

        // Neither names nor tags may contain `@`, so the first one starts the digest.
        let (named, digest) = match input.split_once('@') {
            Some((named, digest)) => {
                let digest =
                    digest
                        .parse::<Digest>()
                        .map_err(|source| ReferenceError::BadDigest {
                            input: input.to_string(),
                            source,
                        })?;
                (named, Some(digest))
            }
            None => (input, None),
        };

        // A `:` after the last `/` starts the tag; one before it is a registry port.
        let last_slash = named.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match named[last_slash..].find(':') {
            Some(i) => (&named[..last_slash + i], Some(&named[last_slash + i + 1..])),
            None => (named, None),
        };

        let (registry, remainder) = split_registry(name);
        if remainder.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase(input.to_string()));
        }
        if !is_valid_registry(registry) {
            return Err(ReferenceError::BadRegistry {
                input: input.to_string(),
                registry: registry.to_string(),
            });
        }
        for component in remainder.split('/') {
            if !is_valid_component(component) {
                return Err(ReferenceError::BadComponent {
                    input: input.to_string(),
                    component: component.to_string(),
                });
            }
        }
        if let Some(tag) = tag {
            if !is_valid_tag(tag) {
                return Err(ReferenceError::BadTag {
                    input: input.to_string(),
                    tag: tag.to_string(),
                });
            }
        }

        let registry = if registry == LEGACY_DOCKER_HUB {
            DOCKER_HUB
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !remainder.contains('/') {
            format!("library/{remainder}")
        } else {
            remainder.to_string()
        };
        if registry.len() + 1 + repository.len() > MAX_NAME_LEN {
            return Err(ReferenceError::TooLong(input.to_string()));
        }

        let tag = match (tag, &digest) {
            (Some(tag), _) => Some(tag.to_string()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_string()),
        };
        Ok(Reference {
            registry: registry.to_string(),
            repository,
            tag,
            digest,
        })
    }
}

/// Splits `name` into registry and repository path, as Docker's `splitDockerDomain` does:
/// the first component is a host when it looks like one (has `.` or `:`, is `localhost`,
/// or has uppercase letters, which a repository path may not) and otherwise the name is on
/// Docker Hub.
fn split_registry(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (first, rest)
        }
        _ => (DOCKER_HUB, name),
    }
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// `host[:port]` where host is dot-separated DNS labels or a bracketed IPv6 literal.
fn is_valid_registry(registry: &str) -> bool {
    let (host, port) = if registry.starts_with('[') {
        match registry.find(']') {
            Some(end) => registry.split_at(end + 1),
            None => return false,
        }
    } else {
        registry.split_at(registry.find(':').unwrap_or(registry.len()))
    };
    let port_ok = match port.strip_prefix(':') {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'),
        None => host.split('.').all(is_valid_label),
    };
    port_ok && host_ok
}

/// A DNS label as Docker accepts it: alphanumerics with inner hyphens.
fn is_valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`: lowercase alphanumeric runs joined by one
/// `.`, one `_`, `__`, or any number of `-`.
fn is_valid_component(component: &str) -> bool {
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let mut i = 0;
    loop {
        let run = bytes[i..].iter().take_while(|b| alnum(b)).count();
        if run == 0 {
            return false;
        }
        i += run;
        if i == bytes.len() {
            return true;
        }
        let sep = &bytes[i..];
        let sep_len = match sep[0] {
            b'_' if sep.get(1) == Some(&b'_') => 2,
            b'.' | b'_' => 1,
            b'-' => sep.iter().take_while(|b| **b == b'-').count(),
            _ => return false,
        };
        i += sep_len;
    }
}

/// `[\w][\w.-]{0,127}` with `\w` meaning ASCII `[A-Za-z0-9_]`.
fn is_valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_TAG_LEN
        && word(bytes[0])
        && bytes[1..]
            .iter()
            .all(|&b| word(b) || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn sha() -> String {
        format!("sha256:{HEX}")
    }

    /// Input, then the canonical form it must normalise to.
    #[test]
    fn valid_references_normalise_like_docker() {
        let d = sha();
        let cases: Vec<(String, String)> = vec![
            ("alpine".into(), "docker.io/library/alpine:latest".into()),
            ("alpine:3.20".into(), "docker.io/library/alpine:3.20".into()),
            ("user/app:1".into(), "docker.io/user/app:1".into()),
            (
                "docker.io/alpine".into(),
                "docker.io/library/alpine:latest".into(),
            ),
            (
                "index.docker.io/alpine".into(),
                "docker.io/library/alpine:latest".into(),
            ),
            (
                "index.docker.io/user/app".into(),
                "docker.io/user/app:latest".into(),
            ),
            (
                "ghcr.io/org/team/app:v1.2.3".into(),
                "ghcr.io/org/team/app:v1.2.3".into(),
            ),
            ("localhost/app".into(), "localhost/app:latest".into()),
            (
                "localhost:5000/app:dev".into(),
                "localhost:5000/app:dev".into(),
            ),
            ("host:5000/ns/app:tag".into(), "host:5000/ns/app:tag".into()),
            (
                format!("alpine@{d}"),
                format!("docker.io/library/alpine@{d}"),
            ),
            (
                format!("host:5000/ns/app:tag@{d}"),
                format!("host:5000/ns/app:tag@{d}"),
            ),
            ("[::1]:5000/app".into(), "[::1]:5000/app:latest".into()),
            (
                "127.0.0.1:5000/a/b".into(),
                "127.0.0.1:5000/a/b:latest".into(),
            ),
            (
                "my-registry.example.com/a.b/c__d/e---f".into(),
                "my-registry.example.com/a.b/c__d/e---f:latest".into(),
            ),
            (
                "Registry.Example.com/app".into(),
                "Registry.Example.com/app:latest".into(),
            ),
            (
                "app:Tag_With.Mixed-Case".into(),
                "docker.io/library/app:Tag_With.Mixed-Case".into(),
            ),
            // Without a slash, `localhost:5000` is Hub's `localhost` repository with tag 5000.
            (
                "localhost:5000".into(),
                "docker.io/library/localhost:5000".into(),
            ),
        ];
        for (input, canonical) in cases {
            let parsed: Reference = input
                .parse()
                .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
            assert_eq!(parsed.to_string(), canonical, "input {input:?}");
            // The canonical form is a fixed point.
            let again: Reference = canonical.parse().unwrap();
            assert_eq!(again, parsed, "round trip of {canonical:?}");
        }
    }

    /// Recognises the expected rejection.
    type IsReason = fn(&ReferenceError) -> bool;

    #[test]
    fn invalid_references_are_rejected_with_the_reason() {
        use ReferenceError as E;
        let long_tag = "t".repeat(129);
        let long_name = format!("a/{}", "b".repeat(260));
        let cases: Vec<(String, IsReason)> = vec![
            (String::new(), |e| matches!(e, E::Empty)),
            (HEX.into(), |e| matches!(e, E::BareIdentifier(_))),
            ("Alpine".into(), |e| matches!(e, E::Uppercase(_))),
            ("user/App".into(), |e| matches!(e, E::Uppercase(_))),
            ("ghcr.io/Org/app".into(), |e| matches!(e, E::Uppercase(_))),
            ("host:port/app".into(), |e| {
                matches!(e, E::BadRegistry { .. })
            }),
            ("-bad.example.com/app".into(), |e| {
                matches!(e, E::BadRegistry { .. })
            }),
            ("host:/app".into(), |e| matches!(e, E::BadRegistry { .. })),
            ("a//b".into(), |e| matches!(e, E::BadComponent { .. })),
            ("app/".into(), |e| matches!(e, E::BadComponent { .. })),
            ("a..b".into(), |e| matches!(e, E::BadComponent { .. })),
            ("a___b".into(), |e| matches!(e, E::BadComponent { .. })),
            ("-app".into(), |e| matches!(e, E::BadComponent { .. })),
            ("app:".into(), |e| matches!(e, E::BadTag { .. })),
            ("app:.hidden".into(), |e| matches!(e, E::BadTag { .. })),
            (format!("app:{long_tag}"), |e| matches!(e, E::BadTag { .. })),
            ("app@sha256:abc".into(), |e| {
                matches!(e, E::BadDigest { .. })
            }),
            ("app@md5:abc".into(), |e| matches!(e, E::BadDigest { .. })),
            (format!("app@{}", sha().to_uppercase()), |e| {
                matches!(e, E::BadDigest { .. })
            }),
            (long_name, |e| matches!(e, E::TooLong(_))),
        ];
        for (input, expected) in cases {
            match input.parse::<Reference>() {
                Ok(r) => panic!("{input:?} should be rejected, parsed as {r}"),
                Err(e) => assert!(
                    expected(&e),
                    "{input:?} rejected for the wrong reason: {e:?}"
                ),
            }
        }
    }

    #[test]
    fn errors_name_the_input() {
        let err = "user/App:1".parse::<Reference>().unwrap_err();
        assert!(err.to_string().contains("user/App:1"), "{err}");
    }

    #[test]
    fn fields_are_split_out() {
        let r: Reference = format!("host:5000/ns/app:tag@{}", sha()).parse().unwrap();
        assert_eq!(r.registry, "host:5000");
        assert_eq!(r.repository, "ns/app");
        assert_eq!(r.tag.as_deref(), Some("tag"));
        assert_eq!(r.digest.as_ref().map(Digest::as_str), Some(sha().as_str()));
    }

    #[test]
    fn docker_hub_is_served_from_registry_1() {
        let hub: Reference = "alpine".parse().unwrap();
        assert_eq!(hub.api_host(), "registry-1.docker.io");
        let other: Reference = "ghcr.io/a/b".parse().unwrap();
        assert_eq!(other.api_host(), "ghcr.io");
    }

    #[test]
    fn api_reference_prefers_the_immutable_digest() {
        let tagged: Reference = "alpine:3".parse().unwrap();
        assert_eq!(tagged.reference_for_api(), "3");
        let pinned: Reference = format!("alpine:3@{}", sha()).parse().unwrap();
        assert_eq!(pinned.reference_for_api(), sha());
    }

    #[test]
    fn only_loopback_registries_are_local() {
        for local in [
            "localhost/a",
            "localhost:5000/a",
            "127.0.0.1/a",
            "127.8.9.10:80/a",
            "[::1]:5000/a",
        ] {
            assert!(local.parse::<Reference>().unwrap().is_local(), "{local}");
        }
        for remote in [
            "alpine",
            "ghcr.io/a",
            "10.0.0.1:5000/a",
            "[fe80::1]/a",
            "localhost.example.com/a",
        ] {
            assert!(!remote.parse::<Reference>().unwrap().is_local(), "{remote}");
        }
    }
}
