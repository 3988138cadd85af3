//! The SPDX 2.3 tag-value encoding of the model.
//!
//! Sections follow the order the SPDX reference tools write: document and creation information,
//! packages, extracted licences, relationships, then annotations (tied to their element by
//! `SPDXREF`). Free-text fields always use `<text>` blocks, so multi-line values (a layer's
//! `createdBy`, a description) need no special casing; one-line fields have line breaks folded.

use std::fmt::Write as _;
use std::io::Write;

use super::license::NOASSERTION;
use super::model::{Annotation, Document, Package};
use crate::FormatError;

/// Writes `document` as tag-value, ending with a newline.
pub(crate) fn write(document: &Document, out: &mut dyn Write) -> Result<(), FormatError> {
    out.write_all(render(document).as_bytes())?;
    Ok(())
}

fn render(document: &Document) -> String {
    let mut doc = Writer::default();
    doc.line("SPDXVersion", document.spdx_version);
    doc.line("DataLicense", document.data_license);
    doc.line("SPDXID", document.spdx_id);
    doc.line("DocumentName", &document.name);
    doc.line("DocumentNamespace", &document.document_namespace);
    let info = &document.creation_info;
    doc.line("LicenseListVersion", &info.license_list_version);
    for creator in &info.creators {
        doc.line("Creator", creator);
    }
    doc.line("Created", &info.created);

    for package in &document.packages {
        doc.heading(&format!("Package: {}", package.name));
        write_package(&mut doc, package);
    }

    if !document.has_extracted_licensing_infos.is_empty() {
        doc.heading("Other Licensing Information");
        for (n, license) in document.has_extracted_licensing_infos.iter().enumerate() {
            if n > 0 {
                doc.blank();
            }
            doc.line("LicenseID", &license.license_id);
            doc.text("ExtractedText", &license.extracted_text);
            doc.line("LicenseName", &license.name);
        }
    }

    doc.heading("Relationships");
    for r in &document.relationships {
        doc.line(
            "Relationship",
            &format!(
                "{} {} {}",
                r.spdx_element_id, r.relationship_type, r.related_spdx_element
            ),
        );
        if let Some(comment) = &r.comment {
            doc.text("RelationshipComment", comment);
        }
    }

    let annotations = document
        .packages
        .iter()
        .flat_map(|p| p.annotations.iter().map(move |a| (p.spdx_id.as_str(), a)));
    for (n, (element, annotation)) in annotations.enumerate() {
        if n == 0 {
            doc.heading("Annotations");
        } else {
            doc.blank();
        }
        write_annotation(&mut doc, element, annotation);
    }
    doc.0
}

fn write_package(doc: &mut Writer, p: &Package) {
    doc.line("PackageName", &p.name);
    doc.line("SPDXID", &p.spdx_id);
    doc.optional_line("PackageVersion", p.version_info.as_deref());
    doc.optional_line("PackageSupplier", p.supplier.as_deref());
    doc.line("PackageDownloadLocation", p.download_location);
    doc.line(
        "FilesAnalyzed",
        if p.files_analyzed { "true" } else { "false" },
    );
    for checksum in &p.checksums {
        doc.line(
            "PackageChecksum",
            &format!("{}: {}", checksum.algorithm, checksum.checksum_value),
        );
    }
    doc.optional_line("PackageHomePage", p.homepage.as_deref());
    doc.optional_text("PackageSourceInfo", p.source_info.as_deref());
    doc.optional_line("PackageLicenseConcluded", p.license_concluded.as_deref());
    doc.optional_line("PackageLicenseDeclared", p.license_declared.as_deref());
    doc.optional_text("PackageCopyrightText", p.copyright_text.as_deref());
    doc.optional_text("PackageSummary", p.summary.as_deref());
    doc.optional_text("PackageDescription", p.description.as_deref());
    doc.optional_text("PackageComment", p.comment.as_deref());
    for r in &p.external_refs {
        doc.line(
            "ExternalRef",
            &format!(
                "{} {} {}",
                r.reference_category, r.reference_type, r.reference_locator
            ),
        );
    }
    for text in &p.attribution_texts {
        doc.text("PackageAttributionText", text);
    }
    if let Some(purpose) = p.primary_package_purpose {
        doc.line("PrimaryPackagePurpose", purpose.tag_value());
    }
}

fn write_annotation(doc: &mut Writer, element: &str, a: &Annotation) {
    doc.line("Annotator", &a.annotator);
    doc.line("AnnotationDate", &a.annotation_date);
    doc.line("AnnotationType", a.annotation_type);
    doc.line("SPDXREF", element);
    doc.text("AnnotationComment", &a.comment);
}

/// Accumulates the document text.
#[derive(Default)]
struct Writer(String);

impl Writer {
    /// `Tag: value` on one line: a line break would end the value early.
    fn line(&mut self, tag: &str, value: &str) {
        let value: String = value
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let _ = writeln!(self.0, "{tag}: {value}");
    }

    fn optional_line(&mut self, tag: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.line(tag, value);
        }
    }

    /// `Tag: <text>value</text>`. The format has no escape for a literal `</text>`, which
    /// would end the block early; it is defused by inserting a zero-width space.
    fn text(&mut self, tag: &str, value: &str) {
        // The special values are keywords only outside a text block.
        if value == NOASSERTION || value == "NONE" {
            return self.line(tag, value);
        }
        let value = value.replace("</text>", "</\u{200b}text>");
        let _ = writeln!(self.0, "{tag}: <text>{value}</text>");
    }

    fn optional_text(&mut self, tag: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.text(tag, value);
        }
    }

    /// A blank line and a `##` comment naming the section (comments are ignored by parsers).
    fn heading(&mut self, title: &str) {
        let title: String = title.chars().filter(|c| !c.is_control()).collect();
        let _ = write!(self.0, "\n## {title}\n");
    }

    fn blank(&mut self) {
        self.0.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_and_text_values_cannot_break_the_syntax() {
        let mut w = Writer::default();
        w.line("PackageName", "a\nb");
        w.text("PackageComment", "line 1\nline 2 </text> tail");
        w.heading("Package: x\ny");
        assert_eq!(
            w.0,
            "PackageName: a b\nPackageComment: <text>line 1\nline 2 </\u{200b}text> tail</text>\n\n## Package: xy\n"
        );
    }
}
