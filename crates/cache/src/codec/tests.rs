use std::collections::BTreeMap;

use sbomgen_layer::{Compression, LayerReport};
use sbomgen_model::{
    DirectUrl, Ecosystem, FileEntry, FileFindings, FileKind, LayerFiles, PackageRecord, Support,
    Whiteout,
};

use super::*;

const CLASSES: &[&str] = &["go-binary", "python-binary"];

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An index into something `len` long.
    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).expect("below a usize")
    }

    /// The low byte of the next number.
    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn word(&mut self) -> String {
        const PARTS: &[&str] = &["usr", "lib", "é", "x86_64", "", "node_modules", "ü-ñ", "a"];
        let n = 1 + self.below(4);
        (0..n)
            .map(|_| PARTS[self.index(PARTS.len())])
            .collect::<Vec<_>>()
            .join("/")
    }

    fn opt(&mut self) -> Option<String> {
        self.chance(50).then(|| self.word())
    }

    fn words(&mut self) -> Vec<String> {
        (0..self.below(4)).map(|_| self.word()).collect()
    }

    fn big(&mut self) -> u64 {
        match self.below(3) {
            0 => self.below(200),
            1 => self.next(),
            _ => u64::MAX,
        }
    }

    fn value(&mut self, depth: u32) -> serde_json::Value {
        use serde_json::Value;
        match self.below(if depth > 2 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => Value::from(self.next()),
            3 => Value::from(-i64::try_from(self.below(1 << 40)).unwrap() - 1),
            4 => Value::from(self.next() as f64 / 7.0),
            5 => Value::String(self.word()),
            6 => Value::Array((0..self.below(3)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(3))
                    .map(|_| (self.word(), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }

    fn record(&mut self) -> PackageRecord {
        const ECOSYSTEMS: &[Ecosystem] = &[
            Ecosystem::Deb,
            Ecosystem::Apk,
            Ecosystem::Rpm,
            Ecosystem::Python,
            Ecosystem::Npm,
            Ecosystem::Gem,
            Ecosystem::Composer,
            Ecosystem::Nuget,
            Ecosystem::Cargo,
            Ecosystem::Golang,
            Ecosystem::Maven,
            Ecosystem::Generic,
        ];
        let ecosystem = ECOSYSTEMS[self.index(ECOSYSTEMS.len())];
        let mut p = PackageRecord::new(ecosystem, &self.word(), &self.word(), &self.word());
        p.epoch = self.chance(30).then(|| self.big());
        p.arch = self.opt();
        p.source_name = self.opt();
        p.source_version = self.opt();
        p.licenses = self.words();
        p.files = self.words();
        p.depends_on = self.words();
        p.purl = self.opt();
        p.declared = self.chance(20);
        p.cpes = self.words();
        p.classifier = self.chance(20).then(|| CLASSES[self.index(CLASSES.len())]);
        p.metadata = (0..self.below(4))
            .map(|_| (self.word(), self.value(0)))
            .collect();
        p
    }

    fn findings(&mut self) -> FileFindings {
        FileFindings {
            packages: (0..self.below(3)).map(|_| self.record()).collect(),
            support: match self.below(4) {
                0 => None,
                1 => Some(Support::OwnedFiles(self.words())),
                2 => Some(Support::TopLevel(self.words())),
                _ => Some(Support::DirectUrl(DirectUrl {
                    url: self.word(),
                    vcs: self.opt(),
                    commit_id: self.opt(),
                    requested_revision: self.opt(),
                    editable: self.chance(50),
                })),
            },
            warnings: self.words(),
        }
    }

    fn entry(&mut self) -> FileEntry {
        const KINDS: &[FileKind] = &[
            FileKind::Regular,
            FileKind::Directory,
            FileKind::Symlink,
            FileKind::Hardlink,
            FileKind::CharDevice,
            FileKind::BlockDevice,
            FileKind::Fifo,
            FileKind::Other,
        ];
        let root = self.chance(70);
        FileEntry {
            kind: KINDS[self.index(KINDS.len())],
            mode: (self.next() >> 32) as u32,
            uid: if root { 0 } else { self.big() },
            gid: if root { 0 } else { self.below(3) },
            size: self.big(),
            link_target: self.opt(),
        }
    }

    fn report(&mut self) -> LayerReport {
        let digest = |g: &mut Gen| {
            g.chance(80).then(|| {
                let bytes: Vec<u8> = (0..32).map(|_| g.byte()).collect();
                sbomgen_model::Digest::sha256_from_bytes(&bytes.try_into().unwrap())
            })
        };
        let files = LayerFiles {
            entries: (0..self.below(60))
                .map(|_| (self.word(), self.entry()))
                .collect(),
            whiteouts: (0..self.below(4))
                .map(|_| {
                    if self.chance(50) {
                        Whiteout::File(self.word())
                    } else {
                        Whiteout::Opaque(self.word())
                    }
                })
                .collect(),
            captured: (0..self.below(4))
                .map(|_| {
                    let len = self.below(300);
                    (self.word(), (0..len).map(|_| self.byte()).collect())
                })
                .collect(),
            parsed: (0..self.below(5))
                .map(|_| (self.word(), self.findings()))
                .collect(),
        };
        LayerReport {
            files,
            digest: digest(self),
            diff_id: digest(self),
            compressed_size: self.chance(70).then(|| self.big()),
            uncompressed_size: self.chance(70).then(|| self.big()),
            compression: [None, Some(Compression::None), Some(Compression::Gzip)][self.index(3)],
            warnings: self.words(),
        }
    }
}

fn classes() -> Classes {
    Classes::new(CLASSES.to_vec())
}

#[test]
fn generated_reports_round_trip() {
    for seed in 1..300u64 {
        let report = Gen(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)).report();
        let entry = encode(&report);
        let back = decode(&entry, "k", &classes()).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(back, report, "seed {seed}");
    }
}

#[test]
fn the_empty_report_round_trips() {
    let report = LayerReport::default();
    assert_eq!(decode(&encode(&report), "k", &classes()).unwrap(), report);
}

fn sample() -> (LayerReport, Vec<u8>) {
    let mut report = Gen(42).report();
    report.files.entries.insert(
        "usr/share/doc/libc6/copyright".into(),
        FileEntry {
            kind: FileKind::Regular,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1234,
            link_target: None,
        },
    );
    let entry = encode(&report);
    (report, entry)
}

#[test]
fn every_truncation_is_an_error_naming_the_entry() {
    let (_, entry) = sample();
    for len in 0..entry.len() {
        match decode(&entry[..len], "sha256-key", &classes()) {
            Err(CacheError::Corrupt { key, .. }) => assert_eq!(key, "sha256-key"),
            other => panic!("truncated to {len}: {other:?}"),
        }
    }
}

#[test]
fn every_flipped_byte_is_an_error() {
    let (_, entry) = sample();
    for at in 0..entry.len() {
        let mut damaged = entry.clone();
        damaged[at] ^= 0x41;
        assert!(
            decode(&damaged, "k", &classes()).is_err(),
            "flipped byte {at} of {}",
            entry.len()
        );
    }
}

/// The checksum stops damage before the decoder sees it; this drives the decoder itself with
/// garbage behind a valid header, as a buggy or hostile writer would produce.
#[test]
fn garbage_payloads_with_valid_checksums_never_panic() {
    let (_, entry) = sample();
    let raw = zstd::bulk::decompress(&entry[HEADER_LEN..], 1 << 20).unwrap();
    let mut g = Gen(7);
    for round in 0..2000 {
        let mut payload = raw.clone();
        match round % 3 {
            0 => payload.truncate(g.index(raw.len())),
            1 => {
                for _ in 0..=g.below(8) {
                    let at = g.index(payload.len());
                    payload[at] = g.byte();
                }
            }
            _ => {
                let at = g.index(payload.len());
                payload[at..].iter_mut().for_each(|b| *b = g.byte());
            }
        }
        let _ = decode(&with_header(&payload, 0), "k", &classes());
    }
}

fn with_header(payload: &[u8], flags: u32) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let checksum = checksum(&out, payload);
    out.extend_from_slice(&checksum);
    out.extend_from_slice(payload);
    out
}

#[test]
fn an_uncompressed_payload_decodes_too() {
    let (report, entry) = sample();
    let raw = zstd::bulk::decompress(&entry[HEADER_LEN..], 1 << 20).unwrap();
    assert_eq!(
        decode(&with_header(&raw, 0), "k", &classes()).unwrap(),
        report
    );
}

#[test]
fn a_huge_entry_count_is_refused_without_allocating() {
    let mut w = wire::Writer::default();
    w.varint(u64::MAX >> 8);
    let err = decode(&with_header(&w.buf, 0), "k", &classes()).unwrap_err();
    assert!(err.to_string().contains("exceeds"), "{err}");
}

#[test]
fn another_format_version_is_refused() {
    let (_, mut entry) = sample();
    entry[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = decode(&entry, "k", &classes()).unwrap_err();
    assert!(err.to_string().contains("format version"), "{err}");
}

#[test]
fn metadata_order_and_number_kinds_survive() {
    let mut record = PackageRecord::new(
        Ecosystem::Npm,
        "ms",
        "2.1.3",
        "app/node_modules/ms/package.json",
    );
    record.metadata = BTreeMap::from([
        ("size".to_string(), serde_json::json!(12)),
        ("ratio".to_string(), serde_json::json!(0.1)),
        ("offset".to_string(), serde_json::json!(-3)),
    ]);
    let mut report = LayerReport::default();
    report.files.parsed.insert(
        record.database.clone(),
        FileFindings {
            packages: vec![record],
            ..FileFindings::default()
        },
    );
    let back = decode(&encode(&report), "k", &classes()).unwrap();
    let meta = &back.files.parsed.values().next().unwrap().packages[0].metadata;
    assert_eq!(
        serde_json::to_string(meta).unwrap(),
        r#"{"offset":-3,"ratio":0.1,"size":12}"#
    );
}

/// A header that announces far more than the payload holds (a hostile store can make its
/// checksum match) is refused after decoding what is really there, not after allocating the
/// announced size.
#[test]
fn a_lying_decoded_length_is_refused() {
    let (_, entry) = sample();
    let payload = &entry[HEADER_LEN..];
    let mut head = entry[..32].to_vec();
    head[16..24].copy_from_slice(&(MAX_RAW_LEN).to_le_bytes());
    let mut forged = head.clone();
    forged.extend_from_slice(&checksum(&head, payload));
    forged.extend_from_slice(payload);
    let err = decode(&forged, "k", &classes()).unwrap_err();
    assert!(err.to_string().contains("the header says"), "{err}");
}
