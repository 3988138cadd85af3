//! Debian's binaries as classifier samples: `apt-get download`, `dpkg-deb -x`, and a dpkg
//! database written the way dpkg writes it (status stanza from the package's own control
//! file, `.list` of every path it unpacks, its `md5sums`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::build::Build;
use super::super::snapshot;
use super::super::tools::run;
use super::super::Unavailable;
use super::ClassifierSample;

/// One Debian binary and where the recipe puts it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub package: &'static str,
    /// The file in the package.
    pub file: &'static str,
    /// Where it goes in the image: elsewhere than dpkg would put it, except for the owned one.
    pub to: &'static str,
    /// The classifier's package name.
    pub name: &'static str,
    /// Text the binary holds around its version (`{}` = the upstream version), checked so that
    /// a rebuilt Debian package that stops naming its version fails here, not in a scan.
    pub evidence: &'static str,
}

pub(crate) const SAMPLES: &[Sample] = &[
    Sample {
        package: "busybox-static",
        file: "bin/busybox",
        to: "opt/tools/busybox",
        name: "busybox",
        evidence: "BusyBox v{}",
    },
    Sample {
        package: "curl",
        file: "usr/bin/curl",
        to: "opt/tools/curl",
        name: "curl",
        evidence: "curl/{}",
    },
    Sample {
        package: "memcached",
        file: "usr/bin/memcached",
        to: "usr/local/sbin/memcached",
        name: "memcached",
        evidence: "memcached {}",
    },
    // At its own path, which the dpkg database of layer 0 lists as bash's.
    Sample {
        package: "bash",
        file: "bin/bash",
        to: "bin/bash",
        name: "bash",
        evidence: "Bash version {}",
    },
];

/// A downloaded package, unpacked.
#[derive(Debug, Clone)]
pub(crate) struct Deb {
    pub package: String,
    pub version: String,
    /// `dpkg-deb -x`: the files.
    pub tree: PathBuf,
    /// `dpkg-deb -e`: `control`, `md5sums`, scripts.
    pub control: PathBuf,
}

/// `apt-get download` of every sample's package into `dir`, each unpacked beside it.
pub(crate) fn download(dir: &Path, samples: &[Sample]) -> Result<Vec<Deb>, Unavailable> {
    fs::create_dir_all(dir)?;
    let dir = dir.canonicalize()?;
    let mut packages: Vec<&str> = samples.iter().map(|s| s.package).collect();
    packages.dedup();
    run(
        Command::new("apt-get")
            .arg("download")
            .args(&packages)
            .current_dir(&dir)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null()),
        "apt-get download (needs the apt lists: apt-get update)",
    )
    .map_err(|e| match e {
        Unavailable::Step(why) | Unavailable::Tool(why) => Unavailable::Step(why),
    })?;
    fs::create_dir_all(dir.join("x"))?;
    fs::create_dir_all(dir.join("control"))?;
    let mut debs = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    files.sort();
    for file in files {
        let fields = run(
            Command::new("dpkg-deb")
                .arg("-f")
                .arg(&file)
                .args(["Package", "Version"]),
            "dpkg-deb -f",
        )?;
        let fields = String::from_utf8_lossy(&fields);
        let field = |name: &str| {
            fields
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let package = field("Package");
        let tree = dir.join("x").join(&package);
        let control = dir.join("control").join(&package);
        run(
            Command::new("dpkg-deb").arg("-x").arg(&file).arg(&tree),
            "dpkg-deb -x",
        )?;
        run(
            Command::new("dpkg-deb").arg("-e").arg(&file).arg(&control),
            "dpkg-deb -e",
        )?;
        debs.push(Deb {
            version: field("Version"),
            package,
            tree,
            control,
        });
    }
    for sample in samples {
        if !debs.iter().any(|d| d.package == sample.package) {
            return Err(Unavailable::Step(format!(
                "apt-get download gave no {}",
                sample.package
            )));
        }
    }
    Ok(debs)
}

/// `var/lib/dpkg/status` with one stanza per package (its control file plus `Status:`), and
/// `info/<package>.list` and `.md5sums`, as `dpkg -i` leaves them.
pub(crate) fn write_dpkg_database(b: &Build, debs: &[&Deb]) -> Result<(), Unavailable> {
    let mut status = String::new();
    for deb in debs {
        let control = fs::read_to_string(deb.control.join("control"))?;
        for line in control.lines() {
            status.push_str(line);
            status.push('\n');
            if line.starts_with("Package: ") {
                status.push_str("Status: install ok installed\n");
            }
        }
        status.push('\n');
        let tree = snapshot::scan(&deb.tree, &snapshot::Tree::new())?;
        let list: String = std::iter::once("/.".to_string())
            .chain(tree.keys().map(|p| format!("/{p}")))
            .map(|l| l + "\n")
            .collect();
        let info = format!("var/lib/dpkg/info/{}", deb.package);
        b.write(&format!("{info}.list"), list)?;
        if let Ok(md5sums) = fs::read(deb.control.join("md5sums")) {
            b.write(&format!("{info}.md5sums"), md5sums)?;
        }
    }
    b.write("var/lib/dpkg/status", status)?;
    Ok(())
}

/// Copies each sample's binary into the root (mode kept) and says what a classifier should
/// name it, and whether a dpkg file list in the root claims its exact path.
pub(crate) fn place_samples(b: &Build, debs: &[Deb]) -> Result<Vec<ClassifierSample>, Unavailable> {
    let lists = dpkg_lists(&b.path("var/lib/dpkg/info"))?;
    let mut placed = Vec::new();
    for sample in SAMPLES {
        let deb = debs
            .iter()
            .find(|d| d.package == sample.package)
            .expect("download checked every sample");
        let to = b.path(sample.to);
        fs::create_dir_all(to.parent().expect("samples have a parent"))?;
        fs::copy(deb.tree.join(sample.file), &to)?;
        let version = upstream_version(&deb.version);
        let evidence = sample.evidence.replace("{}", &version);
        let bytes = fs::read(&to)?;
        if !bytes
            .windows(evidence.len())
            .any(|w| w == evidence.as_bytes())
        {
            return Err(Unavailable::Step(format!(
                "{} {} does not contain {evidence:?}",
                sample.package, deb.version
            )));
        }
        let owned_by = lists
            .iter()
            .find(|(_, paths)| paths.iter().any(|p| p == &format!("/{}", sample.to)))
            .map(|(package, _)| package.clone());
        placed.push(ClassifierSample {
            path: sample.to.to_string(),
            introduced_in: 0,
            name: sample.name.to_string(),
            version,
            deb_package: deb.package.clone(),
            deb_version: deb.version.clone(),
            owned_by,
        });
    }
    Ok(placed)
}

/// (package, listed paths) of every `info/*.list`.
fn dpkg_lists(info: &Path) -> Result<Vec<(String, Vec<String>)>, Unavailable> {
    let mut lists = Vec::new();
    let Ok(entries) = fs::read_dir(info) else {
        return Ok(lists);
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(package) = name.strip_suffix(".list") {
            let text = fs::read_to_string(entry.path())?;
            let package = package.split(':').next().unwrap_or(package).to_string();
            lists.push((package, text.lines().map(str::to_string).collect()));
        }
    }
    lists.sort();
    Ok(lists)
}

/// The upstream part of a Debian version: no epoch, no revision, no `+dfsg`/`~` suffix
/// (`1:1.35.0-4+deb12u1+b1` → `1.35.0`).
pub(crate) fn upstream_version(debian: &str) -> String {
    let no_epoch = debian.split_once(':').map_or(debian, |(_, v)| v);
    let upstream = no_epoch.rsplit_once('-').map_or(no_epoch, |(u, _)| u);
    upstream
        .split(['+', '~'])
        .next()
        .unwrap_or(upstream)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_versions() {
        for (debian, upstream) in [
            ("1:1.35.0-4+deb12u1+b1", "1.35.0"),
            ("7.88.1-10+deb12u15", "7.88.1"),
            ("5.2.15-2+b13", "5.2.15"),
            ("1.5.4+dfsg2-5+deb12u1", "1.5.4"),
            ("5:7.0.15-1~deb12u10", "7.0.15"),
            ("1.12", "1.12"),
        ] {
            assert_eq!(upstream_version(debian), upstream, "{debian}");
        }
    }
}
