//! Harnesses for the image readers: the layer tar stream, OCI and docker archives, and the
//! index, manifest and config JSON inside them.
//!
//! The JSON targets build an OCI (or docker) archive around the fuzzed document from the
//! committed demo image (`fixtures/demo.oci.tar`, compiled in), computing the digests that
//! the readers verify, so the fuzzer spends its time in the JSON readers instead of failing
//! at a digest check. Archives go to a temporary file, since sources open paths; every
//! layer of an opened image is then read as the scan reads it.

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use sbomgen_layer::{read_layer, Content, EntryParser, Expected, Limits, PathMatcher};
use sbomgen_model::FileFindings;
use sbomgen_source::{open, Image, LayerContent, OpenOptions, SourceSpec};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

static DEMO: &[u8] = include_bytes!("../../fixtures/demo.oci.tar");

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// Reads the wanted files' bytes, as file cataloguers do, without cataloguing: the layer
/// target is about the tar reader, including its in-memory and spooled hand-over.
#[derive(Debug)]
struct ReadAll;

impl EntryParser for ReadAll {
    fn wants(&self, path: &str) -> bool {
        path.ends_with("package.json") || path.ends_with("METADATA")
    }
    fn sniffing(&self) -> bool {
        true
    }
    fn sniffs(&self, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF") || head.starts_with(b"PK\x03\x04")
    }
    fn parse(&self, _path: &str, content: Content<'_>) -> FileFindings {
        if let Content::Spooled { file, .. } = content {
            let _ = std::io::copy(file, &mut std::io::sink());
        }
        FileFindings::default()
    }
}

/// The matcher of the layer reads: the OS databases' and release files' paths (whose bytes
/// are kept) and a parser for language-package files.
fn matcher() -> &'static PathMatcher {
    static MATCHER: OnceLock<PathMatcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let patterns = sbomgen_catalog::patterns_for(sbomgen_catalog::CATALOGUERS);
        PathMatcher::new(patterns)
            .expect("cataloguer patterns compile")
            .with_parser(Arc::new(ReadAll))
    })
}

/// `data` as one layer blob (compressed or not), read with default limits.
pub fn layer(data: &[u8]) {
    let _ = read_layer(data, &Expected::default(), matcher(), &Limits::default());
}

/// Reads every layer of `image` as the scan does, checking what the source expects.
fn read_layers(image: &Image) {
    for layer in &image.layers {
        let LayerContent::Blob(blob) = &layer.content else {
            continue;
        };
        let Ok(reader) = blob.open() else { continue };
        let expected = Expected {
            digest: layer.digest.clone(),
            diff_id: layer.diff_id.clone(),
            media_type: layer.media_type.clone(),
            size: layer.size.filter(|_| layer.digest.is_some()),
            digest_verified_by_source: blob.verifies_digest(),
        };
        let _ = read_layer(reader, &expected, matcher(), &Limits::default());
    }
}

/// Opens `spec` and, when that works, reads its layers.
fn open_and_read(spec: &SourceSpec) {
    if let Ok(image) = open(spec, &OpenOptions::default()) {
        read_layers(&image);
    }
}

/// `archive` in a temporary file (in memory-backed `/dev/shm` when there is one).
fn temp_file(archive: &[u8]) -> tempfile::NamedTempFile {
    let shm = std::path::Path::new("/dev/shm");
    let mut file = if shm.is_dir() {
        tempfile::NamedTempFile::new_in(shm)
    } else {
        tempfile::NamedTempFile::new()
    }
    .expect("temporary file");
    file.write_all(archive).expect("write temporary file");
    file
}

/// `data` as a whole archive file: auto-detected, then as an OCI and as a docker archive.
pub fn archive(data: &[u8]) {
    let file = temp_file(data);
    let path = file.path().to_path_buf();
    if let Some(text) = path.to_str() {
        if let Ok(spec) = SourceSpec::parse(text) {
            open_and_read(&spec);
        }
    }
    open_and_read(&SourceSpec::OciArchive {
        path: path.clone(),
        reference: None,
    });
    open_and_read(&SourceSpec::DockerArchive {
        path,
        reference: None,
    });
}

/// The demo image's files (`oci-layout`, `index.json`, blobs), in archive order.
fn demo_files() -> &'static [(String, Vec<u8>)] {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = Vec::new();
        let mut archive = tar::Archive::new(DEMO);
        for entry in archive.entries().expect("demo archive") {
            let mut entry = entry.expect("demo archive entry");
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = entry.path().expect("demo path").display().to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("demo entry");
            files.push((path, bytes));
        }
        files
    })
}

fn demo_file(path: &str) -> &'static [u8] {
    demo_files()
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, bytes)| bytes.as_slice())
        .unwrap_or_else(|| panic!("demo image has no {path}"))
}

fn blob_path(digest_hex: &str) -> String {
    format!("blobs/sha256/{digest_hex}")
}

fn demo_blob(digest: &str) -> &'static [u8] {
    let hex = digest.strip_prefix("sha256:").expect("sha256 digest");
    demo_file(&blob_path(hex))
}

/// The demo image's manifest, as JSON.
fn demo_manifest() -> Value {
    let index: Value = serde_json::from_slice(demo_file("index.json")).expect("demo index");
    let digest = index["manifests"][0]["digest"]
        .as_str()
        .expect("demo manifest digest");
    serde_json::from_slice(demo_blob(digest)).expect("demo manifest")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A tar of `files`, in order.
fn tar_of(files: &[(String, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, *bytes)
            .expect("in-memory tar");
    }
    builder.into_inner().expect("in-memory tar")
}

/// The demo image's blobs and `oci-layout`, plus `extra` files (which replace any of the same
/// path), as an OCI archive opened and read.
fn open_oci_with(extra: &[(String, &[u8])]) {
    let mut files: Vec<(String, &[u8])> = demo_files()
        .iter()
        .filter(|(path, _)| path != "index.json" && !extra.iter().any(|(p, _)| p == path))
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    files.extend(extra.iter().cloned());
    let file = temp_file(&tar_of(&files));
    open_and_read(&SourceSpec::OciArchive {
        path: file.path().to_path_buf(),
        reference: None,
    });
}

/// An `index.json` pointing at one blob of `media_type`.
fn index_for(media_type: &str, digest_hex: &str, size: usize) -> Vec<u8> {
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": media_type,
            "digest": format!("sha256:{digest_hex}"),
            "size": size,
            "annotations": {"org.opencontainers.image.ref.name": "fuzz:1"},
        }],
    });
    serde_json::to_vec(&index).expect("index JSON")
}

/// `data` as the `index.json` of an OCI layout holding the demo image's blobs.
pub fn oci_index(data: &[u8]) {
    open_oci_with(&[("index.json".to_string(), data)]);
}

/// `data` as the blob an `index.json` points at: a manifest, or a nested index when its
/// `mediaType` says so. The layout holds the demo image's config and layers.
pub fn oci_manifest(data: &[u8]) {
    let media_type = serde_json::from_slice::<Value>(data)
        .ok()
        .and_then(|v| v.get("mediaType")?.as_str().map(str::to_string))
        .unwrap_or_else(|| OCI_MANIFEST.to_string());
    let hex = sha256_hex(data);
    let index = index_for(&media_type, &hex, data.len());
    open_oci_with(&[("index.json".to_string(), &index), (blob_path(&hex), data)]);
}

/// `data` as the config of the demo image's manifest.
pub fn oci_config(data: &[u8]) {
    let hex = sha256_hex(data);
    let mut manifest = demo_manifest();
    manifest["config"]["digest"] = json!(format!("sha256:{hex}"));
    manifest["config"]["size"] = json!(data.len());
    let manifest = serde_json::to_vec(&manifest).expect("manifest JSON");
    let manifest_hex = sha256_hex(&manifest);
    let index = index_for(OCI_MANIFEST, &manifest_hex, manifest.len());
    open_oci_with(&[
        ("index.json".to_string(), &index),
        (blob_path(&manifest_hex), &manifest),
        (blob_path(&hex), data),
    ]);
}

/// `data` as the `manifest.json` of a docker archive holding the demo image's config and
/// layers under `blobs/sha256/` (docker 25+ names).
pub fn docker_manifest(data: &[u8]) {
    let mut files: Vec<(String, &[u8])> = demo_files()
        .iter()
        .filter(|(path, _)| path.starts_with("blobs/"))
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    files.push(("manifest.json".to_string(), data));
    let file = temp_file(&tar_of(&files));
    open_and_read(&SourceSpec::DockerArchive {
        path: file.path().to_path_buf(),
        reference: None,
    });
}
