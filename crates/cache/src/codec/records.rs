//! What cataloguers parsed from a layer's files: findings, package records and their free-form
//! JSON metadata, encoded field by field.

use std::collections::BTreeMap;

use sbomgen_model::{DirectUrl, Ecosystem, FileFindings, PackageRecord, Support};
use serde_json::{Map, Number, Value};

use super::wire::{Malformed, Reader, Writer};

/// Deepest JSON metadata nesting decoded; real metadata is two or three levels deep, and the
/// decoder recurses.
const MAX_DEPTH: usize = 64;

pub(crate) fn put_findings(w: &mut Writer, findings: &FileFindings) {
    w.len(findings.packages.len());
    for record in &findings.packages {
        put_record(w, record);
    }
    match &findings.support {
        None => w.u8(0),
        Some(Support::OwnedFiles(files)) => {
            w.u8(1);
            w.strs(files);
        }
        Some(Support::TopLevel(names)) => {
            w.u8(2);
            w.strs(names);
        }
        Some(Support::DirectUrl(url)) => {
            w.u8(3);
            w.str(&url.url);
            w.opt_str(url.vcs.as_deref());
            w.opt_str(url.commit_id.as_deref());
            w.opt_str(url.requested_revision.as_deref());
            w.bool(url.editable);
        }
    }
    w.strs(&findings.warnings);
}

pub(crate) fn get_findings(
    r: &mut Reader<'_>,
    classes: &Classes,
) -> Result<FileFindings, Malformed> {
    let n = r.count(1)?;
    let packages = (0..n)
        .map(|_| get_record(r, classes))
        .collect::<Result<_, _>>()?;
    let support = match r.u8()? {
        0 => None,
        1 => Some(Support::OwnedFiles(r.strings()?)),
        2 => Some(Support::TopLevel(r.strings()?)),
        3 => Some(Support::DirectUrl(DirectUrl {
            url: r.string()?,
            vcs: r.opt_string()?,
            commit_id: r.opt_string()?,
            requested_revision: r.opt_string()?,
            editable: r.bool()?,
        })),
        other => return Err(format!("unknown support tag {other}")),
    };
    Ok(FileFindings {
        packages,
        support,
        warnings: r.strings()?,
    })
}

/// The binary classifiers' names: a record keeps its classifier as a `&'static str` from the
/// classifier table, so a decoded name is looked up there (an unknown one is damage, or an
/// entry from a build with another table, which the analyser version should have ruled out).
#[derive(Debug, Clone, Default)]
pub struct Classes(Vec<&'static str>);

impl Classes {
    /// The known class names (`sbomgen_catalog::binary::classes()`).
    pub fn new(names: Vec<&'static str>) -> Self {
        Classes(names)
    }

    fn find(&self, name: &str) -> Option<&'static str> {
        self.0.iter().copied().find(|c| *c == name)
    }
}

fn put_record(w: &mut Writer, p: &PackageRecord) {
    w.u8(ecosystem_tag(p.ecosystem));
    w.str(&p.name);
    w.str(&p.version);
    w.opt_u64(p.epoch);
    w.opt_str(p.arch.as_deref());
    w.opt_str(p.source_name.as_deref());
    w.opt_str(p.source_version.as_deref());
    w.strs(&p.licenses);
    w.str(&p.database);
    w.strs(&p.files);
    w.strs(&p.depends_on);
    w.opt_str(p.purl.as_deref());
    w.bool(p.declared);
    w.strs(&p.cpes);
    w.opt_str(p.classifier);
    w.len(p.metadata.len());
    for (key, value) in &p.metadata {
        w.str(key);
        put_value(w, value);
    }
}

fn get_record(r: &mut Reader<'_>, classes: &Classes) -> Result<PackageRecord, Malformed> {
    let ecosystem = ecosystem_from(r.u8()?)?;
    let name = r.string()?;
    let version = r.string()?;
    let mut p = PackageRecord::new(ecosystem, "", "", "");
    p.name = name;
    p.version = version;
    p.epoch = r.opt_u64()?;
    p.arch = r.opt_string()?;
    p.source_name = r.opt_string()?;
    p.source_version = r.opt_string()?;
    p.licenses = r.strings()?;
    p.database = r.string()?;
    p.files = r.strings()?;
    p.depends_on = r.strings()?;
    p.purl = r.opt_string()?;
    p.declared = r.bool()?;
    p.cpes = r.strings()?;
    p.classifier = match r.opt_string()? {
        None => None,
        Some(name) => Some(
            classes
                .find(&name)
                .ok_or_else(|| format!("unknown binary classifier {name:?}"))?,
        ),
    };
    let n = r.count(2)?;
    let mut metadata = BTreeMap::new();
    for _ in 0..n {
        let key = r.string()?;
        metadata.insert(key, get_value(r, 0)?);
    }
    p.metadata = metadata;
    Ok(p)
}

fn ecosystem_tag(e: Ecosystem) -> u8 {
    match e {
        Ecosystem::Deb => 0,
        Ecosystem::Apk => 1,
        Ecosystem::Rpm => 2,
        Ecosystem::Python => 3,
        Ecosystem::Npm => 4,
        Ecosystem::Gem => 5,
        Ecosystem::Composer => 6,
        Ecosystem::Nuget => 7,
        Ecosystem::Cargo => 8,
        Ecosystem::Golang => 9,
        Ecosystem::Maven => 10,
        Ecosystem::Generic => 11,
    }
}

fn ecosystem_from(tag: u8) -> Result<Ecosystem, Malformed> {
    Ok(match tag {
        0 => Ecosystem::Deb,
        1 => Ecosystem::Apk,
        2 => Ecosystem::Rpm,
        3 => Ecosystem::Python,
        4 => Ecosystem::Npm,
        5 => Ecosystem::Gem,
        6 => Ecosystem::Composer,
        7 => Ecosystem::Nuget,
        8 => Ecosystem::Cargo,
        9 => Ecosystem::Golang,
        10 => Ecosystem::Maven,
        11 => Ecosystem::Generic,
        other => return Err(format!("unknown ecosystem tag {other}")),
    })
}

// JSON values by tag; numbers keep their kind (u64, i64, f64 bits), so they print back the same.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

fn put_value(w: &mut Writer, value: &Value) {
    match value {
        Value::Null => w.u8(NULL),
        Value::Bool(false) => w.u8(FALSE),
        Value::Bool(true) => w.u8(TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                w.u8(UNSIGNED);
                w.varint(u);
            } else if let Some(i) = n.as_i64() {
                // Only negative numbers reach here: store the magnitude less one.
                w.u8(NEGATIVE);
                w.varint(i.unsigned_abs() - 1);
            } else {
                w.u8(FLOAT);
                w.buf
                    .extend_from_slice(&n.as_f64().unwrap_or(0.0).to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            w.u8(STRING);
            w.str(s);
        }
        Value::Array(items) => {
            w.u8(ARRAY);
            w.len(items.len());
            for item in items {
                put_value(w, item);
            }
        }
        Value::Object(map) => {
            w.u8(OBJECT);
            w.len(map.len());
            for (key, item) in map {
                w.str(key);
                put_value(w, item);
            }
        }
    }
}

fn get_value(r: &mut Reader<'_>, depth: usize) -> Result<Value, Malformed> {
    if depth > MAX_DEPTH {
        return Err(format!("metadata nested deeper than {MAX_DEPTH}"));
    }
    Ok(match r.u8()? {
        NULL => Value::Null,
        FALSE => Value::Bool(false),
        TRUE => Value::Bool(true),
        UNSIGNED => Value::Number(r.varint()?.into()),
        NEGATIVE => {
            // A magnitude beyond i64 would wrap to a positive number.
            let less_one = i64::try_from(r.varint()?)
                .map_err(|_| "a negative metadata number is out of range".to_string())?;
            Value::Number((!less_one).into())
        }
        FLOAT => {
            let f = f64::from_bits(r.u64_le()?);
            Value::Number(Number::from_f64(f).ok_or("a metadata number is not finite")?)
        }
        STRING => Value::String(r.string()?),
        ARRAY => {
            let n = r.count(1)?;
            let items = (0..n)
                .map(|_| get_value(r, depth + 1))
                .collect::<Result<_, _>>()?;
            Value::Array(items)
        }
        OBJECT => {
            let n = r.count(2)?;
            let mut map = Map::new();
            for _ in 0..n {
                let key = r.string()?;
                map.insert(key, get_value(r, depth + 1)?);
            }
            Value::Object(map)
        }
        other => return Err(format!("unknown metadata value tag {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_round_trip_with_their_number_kinds() {
        let value = serde_json::json!({
            "a": [null, true, false, 0, 1, u64::MAX, -1, i64::MIN, 1.5, -0.25, 1e300],
            "nested": {"s": "ünïcode", "empty": {}, "list": []},
        });
        let mut w = Writer::default();
        put_value(&mut w, &value);
        let mut r = Reader::new(&w.buf);
        let back = get_value(&mut r, 0).unwrap();
        r.finish().unwrap();
        assert_eq!(back, value);
        assert_eq!(back.to_string(), value.to_string());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let buf = [ARRAY, 1].repeat(100_000);
        let err = get_value(&mut Reader::new(&buf), 0).unwrap_err();
        assert!(err.contains("deeper"), "{err}");
    }

    #[test]
    fn unknown_classifiers_are_refused() {
        let mut record = PackageRecord::new(Ecosystem::Generic, "go", "1.22", "usr/bin/go");
        record.classifier = Some("go-binary");
        let mut w = Writer::default();
        put_record(&mut w, &record);
        let known = Classes::new(vec!["go-binary"]);
        assert_eq!(
            get_record(&mut Reader::new(&w.buf), &known).unwrap(),
            record
        );
        let err = get_record(&mut Reader::new(&w.buf), &Classes::default()).unwrap_err();
        assert!(err.contains("go-binary"), "{err}");
    }
}
