//! gem: installed Ruby gems, from the specifications RubyGems writes when it installs one.
//!
//! Every `GEM_HOME` holds `specifications/<name>-<version>[-<platform>].gemspec` next to
//! `gems/<same>/`; gems bundled with Ruby itself live under `specifications/default/`, and
//! Debian's packaged gems under `usr/share/rubygems-integration/*/specifications/`. All match
//! `**/specifications/**/*.gemspec`, as in Syft and Trivy. A gemspec is Ruby, read here without
//! running it ([`lexer`], [`spec`]); a name and a version are required.
//!
//! RubyGems leaves `s.files` out of the specifications it installs (`to_ruby_for_cache`), so
//! most records list no files. When a spec does list them they become root-relative owned
//! files only where the layout says where they are: a regular gem's files are under the
//! sibling `gems/<spec file stem>/`. Default gems' files are spread through Ruby's lib and
//! arch directories and Debian's through `vendor_ruby`, so those records list none rather than
//! wrong paths.

mod lexer;
mod spec;

use sbomgen_model::{Ecosystem, FileFindings, PackageRecord};
use serde::Serialize;

use crate::npm::{excerpt, json};
use crate::purl;
use crate::FileCataloguer;
use spec::Gemspec;

/// Reads installed gems' specifications.
#[derive(Debug, Clone, Copy)]
pub struct GemCataloguer;

impl FileCataloguer for GemCataloguer {
    fn name(&self) -> &'static str {
        "gem"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["**/specifications/**/*.gemspec"]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        let spec = spec::read(&String::from_utf8_lossy(bytes));
        match record(path, spec) {
            Ok(record) => FileFindings {
                packages: vec![record],
                ..FileFindings::default()
            },
            Err(problem) => FileFindings::warning(format!("{path}: {problem}")),
        }
    }
}

/// The extra fields a gem record carries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GemMetadata {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<String>,
    /// A binary gem's platform (`x86_64-linux`); absent for pure-Ruby gems.
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<String>,
    /// Shipped with Ruby itself (`specifications/default/`), not installed by `gem install`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    default_gem: bool,
}

fn record(path: &str, spec: Gemspec) -> Result<PackageRecord, String> {
    let (Some(name), Some(version)) = (
        json::non_empty(spec.name.as_deref()),
        json::non_empty(spec.version.as_deref()),
    ) else {
        return Err("gemspec has no literal name or no literal version".to_string());
    };
    if !is_token(name, b"-_.") {
        return Err(format!("invalid gem name {}", excerpt(name)));
    }
    if !is_token(version, b"-_.+") {
        return Err(format!("invalid gem version {}", excerpt(version)));
    }
    // `ruby` is the implicit default platform (purl spec, gem type).
    let platform = json::non_empty(spec.platform.as_deref()).filter(|p| *p != "ruby");
    let mut record = PackageRecord::new(Ecosystem::Gem, name, version, path);
    record.purl = Some(purl::purl(
        "gem",
        None,
        name,
        version,
        &[("platform", platform.unwrap_or_default())],
    ));
    record.licenses = spec.licenses;
    record.depends_on = spec.dependencies;
    record.files = owned_files(path, &spec.files);
    record.metadata = json::metadata_map(&GemMetadata {
        authors: spec.authors,
        homepage: spec.homepage,
        platform: platform.map(str::to_string),
        default_gem: format!("/{path}").contains("/specifications/default/"),
    });
    Ok(record)
}

/// Non-empty, and only ASCII alphanumerics and `extra`.
fn is_token(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// `files` under `<home>/gems/<stem>/` for a spec at `<home>/specifications/<stem>.gemspec`;
/// nothing for default and Debian-packaged gems (see the module docs). Entries that are
/// absolute or climb out with `..` are dropped: they would name files the gem cannot own.
fn owned_files(path: &str, files: &[String]) -> Vec<String> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let Some(stem) = file.strip_suffix(".gemspec") else {
        return Vec::new();
    };
    let home = match dir.strip_suffix("specifications") {
        Some("") => "",
        Some(home) if home.ends_with('/') => home,
        _ => return Vec::new(),
    };
    if stem.is_empty() || home.split('/').any(|s| s == "rubygems-integration") {
        return Vec::new();
    }
    files
        .iter()
        .map(|f| f.trim().trim_start_matches("./"))
        .filter(|f| !f.is_empty() && !f.starts_with('/'))
        .filter(|f| !f.split('/').any(|s| s == ".." || s.is_empty()))
        .map(|f| format!("{home}gems/{stem}/{f}"))
        .collect()
}

#[cfg(test)]
mod tests;
