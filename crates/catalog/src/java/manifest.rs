//! `META-INF/MANIFEST.MF`: the jar's main attributes and per-entry sections.
//!
//! Format (JAR File Specification, "JAR Manifest"
//! <https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest>): `Name:
//! value` lines; a line starting with one space continues the previous one (lines are wrapped
//! at 72 bytes, mid-word); a blank line ends a section; the first section is the main one.
//! Attribute names are case-insensitive. Malformed lines are skipped, never fatal: the
//! manifest only helps name an archive.

use serde::Serialize;

/// A parsed manifest: the main section, then the named ones, attributes in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Manifest {
    sections: Vec<Vec<(String, String)>>,
}

impl Manifest {
    pub(super) fn parse(bytes: &[u8]) -> Manifest {
        let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
        let mut sections: Vec<Vec<(String, String)>> = Vec::new();
        let mut current: Vec<(String, String)> = Vec::new();
        // Whether the last line was an attribute a continuation may extend.
        let mut continuing = false;
        for line in text.split(['\n', '\r']) {
            if line.is_empty() {
                sections.push(std::mem::take(&mut current));
                continuing = false;
                continue;
            }
            if let Some(rest) = line.strip_prefix(' ') {
                match current.last_mut() {
                    Some((_, value)) if continuing => value.push_str(rest),
                    _ => {}
                }
                continue;
            }
            continuing = false;
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim();
            if !name.is_empty() {
                current.push((name.to_string(), value.trim_start().to_string()));
                continuing = true;
            }
        }
        sections.push(current);
        // Blank lines in a row, or before the first attribute, make empty sections; the main
        // section is the first one, even when empty.
        let mut sections = sections.into_iter();
        let main = sections.next().unwrap_or_default();
        let named = sections.filter(|s| !s.is_empty());
        Manifest {
            sections: std::iter::once(main).chain(named).collect(),
        }
    }

    /// A main-section attribute, trimmed, if present and non-empty.
    pub(super) fn main(&self, name: &str) -> Option<&str> {
        self.sections.first().and_then(|s| lookup(s, name))
    }

    /// An attribute from the main section, else from the first named section holding it.
    pub(super) fn any(&self, name: &str) -> Option<&str> {
        self.sections.iter().find_map(|s| lookup(s, name))
    }

    /// The main attributes sbomgen reports.
    pub(super) fn summary(&self) -> ManifestSummary {
        let get = |name: &str| self.main(name).map(str::to_string);
        ManifestSummary {
            implementation_title: get("Implementation-Title"),
            implementation_version: get("Implementation-Version"),
            implementation_vendor: get("Implementation-Vendor"),
            implementation_vendor_id: get("Implementation-Vendor-Id"),
            specification_title: get("Specification-Title"),
            specification_version: get("Specification-Version"),
            specification_vendor: get("Specification-Vendor"),
            bundle_symbolic_name: get("Bundle-SymbolicName"),
            bundle_name: get("Bundle-Name"),
            bundle_version: get("Bundle-Version"),
            automatic_module_name: get("Automatic-Module-Name"),
            main_class: get("Main-Class"),
            created_by: get("Created-By"),
        }
    }
}

fn lookup<'a>(section: &'a [(String, String)], name: &str) -> Option<&'a str> {
    section
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The manifest's main attributes of interest, as reported in a record's metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ManifestSummary {
    #[serde(
        rename = "Implementation-Title",
        skip_serializing_if = "Option::is_none"
    )]
    pub implementation_title: Option<String>,
    #[serde(
        rename = "Implementation-Version",
        skip_serializing_if = "Option::is_none"
    )]
    pub implementation_version: Option<String>,
    #[serde(
        rename = "Implementation-Vendor",
        skip_serializing_if = "Option::is_none"
    )]
    pub implementation_vendor: Option<String>,
    #[serde(
        rename = "Implementation-Vendor-Id",
        skip_serializing_if = "Option::is_none"
    )]
    pub implementation_vendor_id: Option<String>,
    #[serde(
        rename = "Specification-Title",
        skip_serializing_if = "Option::is_none"
    )]
    pub specification_title: Option<String>,
    #[serde(
        rename = "Specification-Version",
        skip_serializing_if = "Option::is_none"
    )]
    pub specification_version: Option<String>,
    #[serde(
        rename = "Specification-Vendor",
        skip_serializing_if = "Option::is_none"
    )]
    pub specification_vendor: Option<String>,
    #[serde(
        rename = "Bundle-SymbolicName",
        skip_serializing_if = "Option::is_none"
    )]
    pub bundle_symbolic_name: Option<String>,
    #[serde(rename = "Bundle-Name", skip_serializing_if = "Option::is_none")]
    pub bundle_name: Option<String>,
    #[serde(rename = "Bundle-Version", skip_serializing_if = "Option::is_none")]
    pub bundle_version: Option<String>,
    #[serde(
        rename = "Automatic-Module-Name",
        skip_serializing_if = "Option::is_none"
    )]
    pub automatic_module_name: Option<String>,
    #[serde(rename = "Main-Class", skip_serializing_if = "Option::is_none")]
    pub main_class: Option<String>,
    #[serde(rename = "Created-By", skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl ManifestSummary {
    pub(super) fn is_empty(&self) -> bool {
        *self == ManifestSummary::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_sections_and_case() {
        let m = Manifest::parse(
            b"Manifest-Version: 1.0\r\nBundle-Description: Core annotations used for value types, used by Jac\r\n kson data binding package.\r\nimplementation-version:  2.15.0 \r\n\r\nName: org/x/\r\nSpecification-Version: 9\r\n",
        );
        assert_eq!(
            m.main("Bundle-Description"),
            Some("Core annotations used for value types, used by Jackson data binding package.")
        );
        assert_eq!(m.main("Implementation-Version"), Some("2.15.0"));
        assert_eq!(m.main("Specification-Version"), None);
        assert_eq!(m.any("Specification-Version"), Some("9"));
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let m = Manifest::parse(b" orphan continuation\nno colon here\n: no name\nA: 1\nB:\n");
        assert_eq!(m.main("A"), Some("1"));
        assert_eq!(m.main("B"), None, "empty values count as absent");
        assert_eq!(m.summary(), ManifestSummary::default());
    }

    #[test]
    fn summary_serialises_manifest_names() {
        let m = Manifest::parse(b"Main-Class: hello.HelloWorld\nCreated-By: Apache Maven 3.6.3\n");
        let json = serde_json::to_value(m.summary()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Main-Class": "hello.HelloWorld", "Created-By": "Apache Maven 3.6.3"})
        );
    }
}
