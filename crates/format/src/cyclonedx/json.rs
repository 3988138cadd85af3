//! The CycloneDX JSON encoding of the model.
//!
//! Keys are written in the order of the specification's own examples (`bomFormat` first, a
//! component's `bom-ref` and `type` before its name), fixed here rather than left to a map's
//! iteration order: output stays byte-identical whatever features `serde_json` is built with.

use std::io::Write;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::licenses::{License, Licenses};
use super::model::{Bom, Component, Dependency, Formula, Supplier};
use crate::FormatError;

/// Writes `bom` pretty-printed (two spaces) with a final newline.
pub(super) fn write(bom: &Bom, out: &mut dyn Write) -> Result<(), FormatError> {
    serde_json::to_writer_pretty(&mut *out, &document(bom))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A JSON value whose objects keep the order their keys were given in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Str(String),
    Int(u64),
    Array(Vec<Node>),
    Object(Vec<(&'static str, Node)>),
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(s) => serializer.serialize_str(s),
            Node::Int(n) => serializer.serialize_u64(*n),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Builds an object, leaving out absent values and empty lists (the schema forbids neither,
/// but an empty `hashes` says nothing and costs a reader a check).
#[derive(Debug, Default)]
struct Object(Vec<(&'static str, Node)>);

impl Object {
    fn str(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.0.push((key, Node::Str(value.into())));
        self
    }

    fn opt_str(self, key: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    fn node(mut self, key: &'static str, value: Node) -> Self {
        self.0.push((key, value));
        self
    }

    fn opt_node(self, key: &'static str, value: Option<Node>) -> Self {
        match value {
            Some(value) => self.node(key, value),
            None => self,
        }
    }

    fn list(self, key: &'static str, items: Vec<Node>) -> Self {
        if items.is_empty() {
            self
        } else {
            self.node(key, Node::Array(items))
        }
    }

    fn done(self) -> Node {
        Node::Object(self.0)
    }
}

fn document(bom: &Bom) -> Node {
    let version = bom.version.as_str();
    let tool = Object::default()
        .str("type", "application")
        .str("name", bom.tool_name)
        .str("version", bom.tool_version)
        .done();
    let metadata = Object::default()
        .str("timestamp", bom.timestamp.as_str())
        // Scanning a built image is the post-build phase of its life cycle.
        .list(
            "lifecycles",
            vec![Object::default().str("phase", "post-build").done()],
        )
        .node(
            "tools",
            Object::default().list("components", vec![tool]).done(),
        )
        .node("component", component(&bom.image))
        .done();
    Object::default()
        .str(
            "$schema",
            format!("http://cyclonedx.org/schema/bom-{version}.schema.json"),
        )
        .str("bomFormat", "CycloneDX")
        .str("specVersion", version)
        .str("serialNumber", bom.serial_number.as_str())
        .node("version", Node::Int(1))
        .node("metadata", metadata)
        .node(
            "components",
            Node::Array(bom.components.iter().map(component).collect()),
        )
        .node(
            "dependencies",
            Node::Array(bom.dependencies.iter().map(dependency).collect()),
        )
        .opt_node("formulation", bom.removed.as_ref().map(formulation))
        .done()
}

fn formulation(formula: &Formula) -> Node {
    Node::Array(vec![Object::default()
        .str("bom-ref", formula.bom_ref)
        .list(
            "components",
            formula.components.iter().map(component).collect(),
        )
        .done()])
}

fn component(c: &Component) -> Node {
    Object::default()
        .str("bom-ref", c.bom_ref.as_str())
        .str("type", c.kind.as_str())
        .opt_node("supplier", c.supplier.as_ref().map(supplier))
        .str("name", c.name.as_str())
        .opt_str("version", c.version.as_deref())
        .opt_str("description", c.description.as_deref())
        .list(
            "hashes",
            c.hashes
                .iter()
                .map(|h| {
                    Object::default()
                        .str("alg", h.alg)
                        .str("content", h.content.as_str())
                        .done()
                })
                .collect(),
        )
        .list("licenses", licenses(&c.licenses))
        .opt_str("cpe", c.cpe.as_deref())
        .opt_str("purl", c.purl.as_deref())
        .list(
            "externalReferences",
            c.external_references
                .iter()
                .map(|r| {
                    Object::default()
                        .str("url", r.url.as_str())
                        .str("type", r.kind)
                        .done()
                })
                .collect(),
        )
        .list(
            "properties",
            c.properties
                .iter()
                .map(|(name, value)| {
                    Object::default()
                        .str("name", name.as_str())
                        .str("value", value.as_str())
                        .done()
                })
                .collect(),
        )
        .done()
}

fn supplier(s: &Supplier) -> Node {
    let contacts = s
        .contact
        .iter()
        .map(|c| {
            Object::default()
                .opt_str("name", c.name.as_deref())
                .str("email", c.email.as_str())
                .done()
        })
        .collect();
    Object::default()
        .str("name", s.name.as_str())
        .list("contact", contacts)
        .done()
}

fn licenses(choice: &Licenses) -> Vec<Node> {
    match choice {
        Licenses::None => Vec::new(),
        Licenses::Expression(expression) => {
            vec![Object::default()
                .str("expression", expression.as_str())
                .done()]
        }
        Licenses::List(entries) => entries
            .iter()
            .map(|entry| {
                let license = match entry {
                    License::Id(id) => Object::default().str("id", id.as_str()),
                    License::Name(name) => Object::default().str("name", name.as_str()),
                };
                Object::default().node("license", license.done()).done()
            })
            .collect(),
    }
}

fn dependency(d: &Dependency) -> Node {
    Object::default()
        .str("ref", d.reference.as_str())
        .list(
            "dependsOn",
            d.depends_on.iter().map(|r| Node::Str(r.clone())).collect(),
        )
        .done()
}
