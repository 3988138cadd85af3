use super::*;
use crate::{select_cataloguers, Exclusions, MAX_JOBS};

fn digest(byte: u8) -> Digest {
    Digest::sha256_from_bytes(&[byte; 32])
}

/// Digests for a two-layer image: config, then (blob, diff_id) per layer.
struct Digests([Digest; 5]);

impl Digests {
    fn new() -> Self {
        Digests([1, 2, 3, 4, 5].map(digest))
    }

    fn image(&self) -> ImageId<'_> {
        let [config, blob0, diff0, blob1, diff1] = &self.0;
        let layer = |digest, diff_id, created_by| LayerId {
            digest,
            diff_id,
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip"),
            size: Some(1000),
            created_by: Some(created_by),
        };
        ImageId {
            config,
            platform: Some("linux/amd64".into()),
            layers: vec![
                layer(blob0, diff0, "ADD base"),
                layer(blob1, diff1, "RUN x"),
            ],
        }
    }
}

fn key_of(image: &ImageId<'_>, options: &ScanOptions) -> String {
    key_with(1, "v1", image, options)
}

fn key_with(format: u32, analyser: &str, image: &ImageId<'_>, options: &ScanOptions) -> String {
    let declared = options.declared.unwrap_or(false);
    let selection = select_cataloguers(options.cataloguers.as_deref(), declared).unwrap();
    key(format, analyser, image, &selection, declared, options)
}

#[test]
fn keys_are_stable_hex() {
    let digests = Digests::new();
    let key = key_of(&digests.image(), &ScanOptions::default());
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert_eq!(key, key_of(&digests.image(), &ScanOptions::default()));
}

#[test]
fn a_version_bump_changes_the_key() {
    let digests = Digests::new();
    let (image, options) = (digests.image(), ScanOptions::default());
    let base = key_with(1, "sbomgen 0.1.0 analysis 1", &image, &options);
    assert_ne!(
        base,
        key_with(2, "sbomgen 0.1.0 analysis 1", &image, &options)
    );
    assert_ne!(
        base,
        key_with(1, "sbomgen 0.1.1 analysis 1", &image, &options)
    );
    assert_ne!(
        base,
        key_with(1, "sbomgen 0.1.0 analysis 2", &image, &options)
    );
}

#[test]
fn options_that_change_the_document_change_the_key() {
    let digests = Digests::new();
    let image = digests.image();
    let variants = [
        ScanOptions {
            scope: Scope::Squashed,
            ..ScanOptions::default()
        },
        ScanOptions {
            cataloguers: Some(vec!["dpkg".into()]),
            ..ScanOptions::default()
        },
        ScanOptions {
            cataloguers: Some(vec!["dpkg".into(), "apk".into()]),
            ..ScanOptions::default()
        },
        ScanOptions {
            declared: Some(true),
            ..ScanOptions::default()
        },
        ScanOptions {
            exclusions: Exclusions::new(["usr/share/doc"]).unwrap(),
            ..ScanOptions::default()
        },
        ScanOptions {
            limits: Limits {
                max_captured_file: 1,
                ..Limits::default()
            },
            ..ScanOptions::default()
        },
        ScanOptions {
            limits: Limits {
                max_packages_per_database: 1,
                ..Limits::default()
            },
            ..ScanOptions::default()
        },
    ];
    let mut keys: Vec<String> = variants.iter().map(|o| key_of(&image, o)).collect();
    keys.push(key_of(&image, &ScanOptions::default()));
    let count = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), count, "every variant has its own key");
}

#[test]
fn options_of_the_run_alone_keep_the_key() {
    let digests = Digests::new();
    let image = digests.image();
    let base = key_of(&image, &ScanOptions::default());
    let run = ScanOptions {
        jobs: Some(1000),
        platform: Some("linux/arm64".parse().unwrap()),
        ..ScanOptions::default()
    };
    assert_eq!(base, key_of(&image, &run));
}

#[test]
fn every_field_of_the_image_is_in_the_key() {
    let digests = Digests::new();
    let other = digest(9);
    let base = key_of(&digests.image(), &ScanOptions::default());
    let changes: [fn(&mut ImageId<'_>); 8] = [
        |i| i.platform = None,
        |i| i.layers[1].media_type = None,
        |i| i.layers[1].size = Some(1001),
        |i| i.layers[1].size = None,
        |i| i.layers[0].created_by = Some("ADD other"),
        |i| i.layers.swap(0, 1),
        |i| {
            i.layers.pop();
        },
        |i| i.layers[0].media_type = Some(""),
    ];
    for (n, change) in changes.iter().enumerate() {
        let mut image = digests.image();
        change(&mut image);
        assert_ne!(base, key_of(&image, &ScanOptions::default()), "change {n}");
    }
    for swap in 0..5 {
        let mut image = digests.image();
        match swap {
            0 => image.config = &other,
            1 => image.layers[0].digest = &other,
            2 => image.layers[0].diff_id = &other,
            3 => image.layers[1].digest = &other,
            _ => image.layers[1].diff_id = &other,
        }
        assert_ne!(
            base,
            key_of(&image, &ScanOptions::default()),
            "digest {swap}"
        );
    }
}

/// An in-memory store.
#[derive(Debug, Default)]
struct Memory(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

impl Store for Memory {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, sbomgen_cache::CacheError> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), sbomgen_cache::CacheError> {
        self.0.lock().unwrap().insert(key.into(), value.to_vec());
        Ok(())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

fn results(store: &Arc<Memory>) -> ImageResults {
    ImageResults {
        cache: ResultCache::new(store.clone()),
        key: "k".repeat(64),
    }
}

fn image_at(path: &str) -> Image {
    Image {
        info: sbomgen_model::SourceInfo {
            kind: "oci-dir".into(),
            path: Some(path.into()),
            config_digest: Some(digest(1)),
            ..Default::default()
        },
        created: Some("2024-01-01T00:00:00Z".into()),
        tags: Vec::new(),
        layers: Vec::new(),
        launch: None,
    }
}

#[test]
fn a_result_reads_back_with_the_source_and_run_warnings_of_the_scan_at_hand() {
    let store = Arc::new(Memory::default());
    let results = results(&store);
    let mut sbom = Sbom {
        source: source_info(&image_at("/old/place")),
        ..Sbom::default()
    };
    sbom.packages.push(sbomgen_model::Package {
        name: "requests".into(),
        version: "2.31.0".into(),
        kind: "pypi".into(),
        owned_by: Some("pkg:deb/debian/python3-requests".into()),
        metadata: serde_json::json!({"z": [1, -2, {"a": null}], "b": "x", "n": 18446744073709551615u64}),
        ..Default::default()
    });
    let removed = RemovedPackageFiles {
        name: "curl".into(),
        removed_in: 2,
        paths: vec!["usr/bin/curl".into()],
        ..Default::default()
    };
    let output = ScanOutput {
        sbom: sbom.clone(),
        warnings: vec![
            "layer cache: run's own".into(),
            "layer 1: the image's".into(),
        ],
        removed_files: vec![removed.clone()],
        audit: None,
    };
    assert_eq!(results.store(&output, 1), None);

    let found = results.find();
    assert!(found.warning.is_none() && !found.store_failed);
    let options = ScanOptions {
        jobs: Some(MAX_JOBS + 1),
        ..ScanOptions::default()
    };
    let image = image_at("/new/place");
    let hit = found.stored.unwrap().into_output(&image, &options);
    assert_eq!(hit.sbom.source, source_info(&image));
    assert_eq!(hit.sbom.packages, sbom.packages);
    assert_eq!(
        hit.warnings,
        [
            jobs_warning(&options).unwrap(),
            "layer 1: the image's".into()
        ]
    );
    assert_eq!(hit.removed_files, [removed]);
}

#[test]
fn a_payload_this_build_cannot_read_is_damage_named_in_a_warning() {
    let store = Arc::new(Memory::default());
    let results = results(&store);
    assert_eq!(
        results.cache.put(&results.key, b"{\"sbom\": 1".to_vec()),
        None
    );
    let found = results.find();
    assert!(found.stored.is_none() && !found.store_failed);
    let warning = found.warning.unwrap();
    assert!(
        warning.contains(&results.key) && warning.contains("corrupt"),
        "{warning}"
    );
}
