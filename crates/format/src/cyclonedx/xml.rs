//! The CycloneDX XML encoding of the model: UTF-8, two-space indentation, a final newline.
//!
//! Written by hand: the schema fixes element order (`xs:sequence`), which this writer follows
//! element by element, and the output is small enough that a string buffer does. Text and
//! attribute values are escaped, and characters XML 1.0 cannot carry at all (most C0 controls)
//! become U+FFFD rather than making the document unreadable.

use std::io::Write;

use super::licenses::{License, Licenses};
use super::model::{Bom, Component, Dependency, Supplier};
use super::SpecVersion;
use crate::FormatError;

/// Writes `bom` as XML.
pub(super) fn write(bom: &Bom, out: &mut dyn Write) -> Result<(), FormatError> {
    let mut xml = XmlWriter::default();
    xml.buffer
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.open(
        "bom",
        &[
            ("xmlns", namespace(bom.version)),
            ("serialNumber", &bom.serial_number),
            ("version", "1"),
        ],
    );
    xml.open("metadata", &[]);
    xml.leaf("timestamp", &[], &bom.timestamp);
    xml.open("lifecycles", &[]);
    xml.open("lifecycle", &[]);
    xml.leaf("phase", &[], "post-build");
    xml.close("lifecycle");
    xml.close("lifecycles");
    xml.open("tools", &[]);
    xml.open("components", &[]);
    xml.open("component", &[("type", "application")]);
    xml.leaf("name", &[], bom.tool_name);
    xml.leaf("version", &[], bom.tool_version);
    xml.close("component");
    xml.close("components");
    xml.close("tools");
    component(&mut xml, &bom.image);
    xml.close("metadata");
    if !bom.components.is_empty() {
        xml.open("components", &[]);
        for c in &bom.components {
            component(&mut xml, c);
        }
        xml.close("components");
    }
    if !bom.dependencies.is_empty() {
        xml.open("dependencies", &[]);
        for d in &bom.dependencies {
            dependency(&mut xml, d);
        }
        xml.close("dependencies");
    }
    // After `dependencies`, as the schema's sequence orders it.
    if let Some(formula) = &bom.removed {
        xml.open("formulation", &[]);
        xml.open("formula", &[("bom-ref", formula.bom_ref)]);
        xml.open("components", &[]);
        for c in &formula.components {
            component(&mut xml, c);
        }
        xml.close("components");
        xml.close("formula");
        xml.close("formulation");
    }
    xml.close("bom");
    out.write_all(xml.buffer.as_bytes())?;
    Ok(())
}

fn namespace(version: SpecVersion) -> &'static str {
    match version {
        SpecVersion::V1_5 => "http://cyclonedx.org/schema/bom/1.5",
        SpecVersion::V1_6 => "http://cyclonedx.org/schema/bom/1.6",
        SpecVersion::V1_7 => "http://cyclonedx.org/schema/bom/1.7",
    }
}

/// A component, its children in schema order.
fn component(xml: &mut XmlWriter, c: &Component) {
    xml.open(
        "component",
        &[("type", c.kind.as_str()), ("bom-ref", &c.bom_ref)],
    );
    if let Some(s) = &c.supplier {
        supplier(xml, s);
    }
    xml.leaf("name", &[], &c.name);
    if let Some(version) = &c.version {
        xml.leaf("version", &[], version);
    }
    if let Some(description) = &c.description {
        xml.leaf("description", &[], description);
    }
    if !c.hashes.is_empty() {
        xml.open("hashes", &[]);
        for h in &c.hashes {
            xml.leaf("hash", &[("alg", h.alg)], &h.content);
        }
        xml.close("hashes");
    }
    match &c.licenses {
        Licenses::None => {}
        Licenses::Expression(expression) => {
            xml.open("licenses", &[]);
            xml.leaf("expression", &[], expression);
            xml.close("licenses");
        }
        Licenses::List(entries) => {
            xml.open("licenses", &[]);
            for entry in entries {
                xml.open("license", &[]);
                match entry {
                    License::Id(id) => xml.leaf("id", &[], id),
                    License::Name(name) => xml.leaf("name", &[], name),
                }
                xml.close("license");
            }
            xml.close("licenses");
        }
    }
    if let Some(cpe) = &c.cpe {
        xml.leaf("cpe", &[], cpe);
    }
    if let Some(purl) = &c.purl {
        xml.leaf("purl", &[], purl);
    }
    if !c.external_references.is_empty() {
        xml.open("externalReferences", &[]);
        for r in &c.external_references {
            xml.open("reference", &[("type", r.kind)]);
            xml.leaf("url", &[], &r.url);
            xml.close("reference");
        }
        xml.close("externalReferences");
    }
    if !c.properties.is_empty() {
        xml.open("properties", &[]);
        for (name, value) in &c.properties {
            xml.leaf("property", &[("name", name)], value);
        }
        xml.close("properties");
    }
    xml.close("component");
}

fn supplier(xml: &mut XmlWriter, s: &Supplier) {
    xml.open("supplier", &[]);
    xml.leaf("name", &[], &s.name);
    if let Some(contact) = &s.contact {
        xml.open("contact", &[]);
        if let Some(name) = &contact.name {
            xml.leaf("name", &[], name);
        }
        xml.leaf("email", &[], &contact.email);
        xml.close("contact");
    }
    xml.close("supplier");
}

fn dependency(xml: &mut XmlWriter, d: &Dependency) {
    if d.depends_on.is_empty() {
        xml.empty("dependency", &[("ref", &d.reference)]);
        return;
    }
    xml.open("dependency", &[("ref", &d.reference)]);
    for target in &d.depends_on {
        xml.empty("dependency", &[("ref", target)]);
    }
    xml.close("dependency");
}

/// An indenting writer of elements into a string.
#[derive(Debug, Default)]
struct XmlWriter {
    buffer: String,
    depth: usize,
}

impl XmlWriter {
    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.buffer.push_str("  ");
        }
        self.buffer.push('<');
        self.buffer.push_str(name);
        for (key, value) in attributes {
            self.buffer.push(' ');
            self.buffer.push_str(key);
            self.buffer.push_str("=\"");
            escape_into(&mut self.buffer, value, true);
            self.buffer.push('"');
        }
    }

    /// `<name …>` on its own line; children follow one level deeper.
    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.buffer.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.buffer.push_str("  ");
        }
        self.buffer.push_str("</");
        self.buffer.push_str(name);
        self.buffer.push_str(">\n");
    }

    /// `<name …>text</name>` on one line.
    fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.buffer.push('>');
        escape_into(&mut self.buffer, text, false);
        self.buffer.push_str("</");
        self.buffer.push_str(name);
        self.buffer.push_str(">\n");
    }

    /// `<name …/>`
    fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.buffer.push_str("/>\n");
    }
}

/// Escapes markup characters, and the whitespace a parser would otherwise normalise away (CR
/// everywhere; tab and newline in attributes), so values read back as written.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// The XML 1.0 `Char` production (surrogates cannot occur in a Rust `char`).
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_unrepresentable_characters() {
        let mut out = String::new();
        escape_into(&mut out, "a<b>&\"c\"\r\n\t\u{1}é", false);
        assert_eq!(out, "a&lt;b&gt;&amp;\"c\"&#13;\n\t\u{FFFD}é");
        let mut out = String::new();
        escape_into(&mut out, "x=\"1\"\n\t", true);
        assert_eq!(out, "x=&quot;1&quot;&#10;&#9;");
    }
}
