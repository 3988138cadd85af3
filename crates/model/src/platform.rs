//! Image platforms (`os/arch[/variant]`), as written in indexes, configs and `--platform`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a `--platform` string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "platform {0:?} is not of the form os/arch[/variant] (for example linux/amd64 or linux/arm/v7) \
     or a known architecture or os alone (arm64, amd64, linux)"
)]
pub struct PlatformError(pub String);

/// An image platform. Field names follow the OCI image index `platform` object; it serialises as
/// the `os/arch[/variant]` string users type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
        }
    }

    /// Whether an image of platform `self` satisfies a request for `wanted`.
    ///
    /// A request without a variant accepts any variant; `arm64` treats a missing variant as `v8`,
    /// as containerd's platform matcher does, so `linux/arm64/v8` finds an index entry `linux/arm64`.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        if self.os != wanted.os || self.architecture != wanted.architecture {
            return false;
        }
        match (&wanted.variant, &self.variant) {
            (None, _) => true,
            (Some(w), Some(h)) => w == h,
            (Some(w), None) => self.architecture == "arm64" && w == "v8",
        }
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &&str| !p.is_empty() && !p.contains(char::is_whitespace);
        match parts.as_slice() {
            [word] => shorthand(word).ok_or_else(|| PlatformError(s.to_string())),
            [os, arch] if ok(os) && ok(arch) => Ok(Platform::new(os, arch, None)),
            [os, arch, variant] if ok(os) && ok(arch) && ok(variant) => {
                Ok(Platform::new(os, arch, Some(variant)))
            }
            _ => Err(PlatformError(s.to_string())),
        }
    }
}

/// One word, as `docker --platform` reads it (containerd's `platforms.Parse`): a known
/// architecture (or one of its aliases) means that architecture on linux; a known os means that
/// os on amd64, the architecture a scan assumes when none is asked for (Docker takes the host's,
/// which would make the result depend on the machine).
fn shorthand(word: &str) -> Option<Platform> {
    const OSES: [&str; 7] = [
        "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris",
    ];
    let lower = word.to_ascii_lowercase();
    if OSES.contains(&lower.as_str()) {
        return Some(Platform::new(&lower, "amd64", None));
    }
    let (arch, variant) = match lower.as_str() {
        "x86_64" | "x86-64" | "amd64" => ("amd64", None),
        "aarch64" | "arm64" => ("arm64", None),
        "armhf" => ("arm", Some("v7")),
        "armel" => ("arm", Some("v6")),
        "i386" | "386" => ("386", None),
        known @ ("arm" | "ppc64le" | "s390x" | "riscv64" | "mips64le" | "loong64" | "ppc64"
        | "mips" | "mipsle" | "mips64") => (known, None),
        _ => return None,
    };
    Some(Platform::new("linux", arch, variant))
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in ["linux/amd64", "linux/arm/v7", "windows/amd64"] {
            assert_eq!(s.parse::<Platform>().unwrap().to_string(), s);
        }
        for bad in ["", "x", "linux/", "/amd64", "a/b/c/d", "linux/amd 64"] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shorthands_read_as_docker_does() {
        for (word, full) in [
            ("arm64", "linux/arm64"),
            ("aarch64", "linux/arm64"),
            ("amd64", "linux/amd64"),
            ("x86_64", "linux/amd64"),
            ("arm", "linux/arm"),
            ("armhf", "linux/arm/v7"),
            ("s390x", "linux/s390x"),
            ("linux", "linux/amd64"),
            ("Windows", "windows/amd64"),
        ] {
            assert_eq!(
                word.parse::<Platform>().unwrap().to_string(),
                full,
                "{word}"
            );
        }
        for bad in ["x", "arm65", "linux64"] {
            let err = bad.parse::<Platform>().unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn matching_rules() {
        let p = |s: &str| s.parse::<Platform>().unwrap();
        assert!(p("linux/arm/v7").satisfies(&p("linux/arm")));
        assert!(!p("linux/arm/v6").satisfies(&p("linux/arm/v7")));
        assert!(p("linux/arm64").satisfies(&p("linux/arm64/v8")));
        assert!(!p("linux/amd64").satisfies(&p("linux/arm64")));
    }
}
