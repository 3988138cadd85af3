//! The streaming layer reader on layers built by the testkit: every compression, verification,
//! whiteouts, captures and each limit.

use sbomgen_layer::{
    read_layer, Compression as Sniffed, Expected, LayerError, Limits, PathMatcher,
};
use sbomgen_model::{Digest, FileKind, Whiteout};
use sbomgen_testkit::{compress, layer_tar, Compression, Entry, LayerSpec};
use sha2::{Digest as _, Sha256};

fn sha(bytes: &[u8]) -> Digest {
    Digest::sha256_from_bytes(&Sha256::digest(bytes).into())
}

fn sample(compression: Compression) -> LayerSpec {
    LayerSpec::new(compression)
        .entry(Entry::dir("etc"))
        .entry(Entry::file("etc/os-release", "ID=test\nVERSION_ID=1\n"))
        .entry(Entry::file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"))
        .entry(Entry::hardlink("etc/os-release.bak", "etc/os-release"))
        .entry(Entry::symlink("usr/lib/os-release", "../../etc/os-release"))
        .entry(Entry::whiteout("root/.env"))
        .entry(Entry::opaque("var/cache"))
}

fn matcher() -> PathMatcher {
    PathMatcher::new(["etc/os-release", "etc/os-release.bak"]).unwrap()
}

#[test]
fn every_compression_reads_and_verifies() {
    for compression in [
        Compression::None,
        Compression::Gzip,
        Compression::Zstd,
        Compression::GzipMultiMember,
        Compression::ZstdMultiFrame,
    ] {
        let spec = sample(compression);
        let tar = layer_tar(&spec);
        let blob = compress(&tar, compression);
        let expected = Expected {
            digest: Some(sha(&blob)),
            diff_id: Some(sha(&tar)),
            media_type: None,
            size: Some(blob.len() as u64),
            digest_verified_by_source: false,
        };
        let report = read_layer(&blob[..], &expected, &matcher(), &Limits::default())
            .unwrap_or_else(|e| panic!("{compression:?}: {e}"));
        assert_eq!(
            report.uncompressed_size,
            Some(tar.len() as u64),
            "{compression:?}"
        );
        let files = &report.files;
        assert_eq!(files.captured["etc/os-release"], b"ID=test\nVERSION_ID=1\n");
        assert_eq!(
            files.captured["etc/os-release.bak"],
            b"ID=test\nVERSION_ID=1\n"
        );
        assert!(!files.captured.contains_key("etc/passwd"));
        assert_eq!(files.entries["etc/passwd"].size, 26);
        assert_eq!(files.entries["etc/os-release.bak"].kind, FileKind::Hardlink);
        assert_eq!(
            files.entries["usr/lib/os-release"].link_target.as_deref(),
            Some("../../etc/os-release")
        );
        assert_eq!(
            files.whiteouts,
            [
                Whiteout::File("root/.env".into()),
                Whiteout::Opaque("var/cache".into())
            ]
        );
    }
}

#[test]
fn multi_member_gzip_is_read_to_the_end() {
    // flate2's GzDecoder stops after the first member; a reader using it would compute a wrong
    // diff_id for estargz layers.
    let spec = sample(Compression::GzipMultiMember);
    let tar = layer_tar(&spec);
    let blob = compress(&tar, Compression::GzipMultiMember);
    let report = read_layer(
        &blob[..],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(report.diff_id, Some(sha(&tar)));
    assert_eq!(report.compression, Some(Sniffed::Gzip));
}

#[test]
fn digest_mismatch_names_both_digests() {
    let blob = compress(&layer_tar(&sample(Compression::Gzip)), Compression::Gzip);
    let wrong = sha(b"something else");
    let expected = Expected {
        digest: Some(wrong.clone()),
        ..Expected::default()
    };
    let err = read_layer(&blob[..], &expected, &matcher(), &Limits::default()).unwrap_err();
    assert!(matches!(err, LayerError::DigestMismatch { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(wrong.as_str()) && text.contains(sha(&blob).as_str()),
        "{text}"
    );
}

#[test]
fn a_digest_the_source_verifies_is_reported_not_recomputed() {
    let tar = layer_tar(&sample(Compression::Gzip));
    let blob = compress(&tar, Compression::Gzip);
    // A registry stream fails by itself on a wrong blob; the reader trusts it for the digest
    // but still checks the size and the diff_id, which only it can compute.
    let vouched = sha(b"what the registry stream checked");
    let expected = Expected {
        digest: Some(vouched.clone()),
        diff_id: Some(sha(&tar)),
        size: Some(blob.len() as u64),
        digest_verified_by_source: true,
        ..Expected::default()
    };
    let report = read_layer(&blob[..], &expected, &matcher(), &Limits::default()).unwrap();
    assert_eq!(report.digest, Some(vouched));
    let short = Expected {
        size: Some(blob.len() as u64 + 1),
        ..expected.clone()
    };
    let err = read_layer(&blob[..], &short, &matcher(), &Limits::default()).unwrap_err();
    assert!(matches!(err, LayerError::SizeMismatch { .. }), "{err}");
    let wrong_tar = Expected {
        diff_id: Some(sha(b"x")),
        ..expected
    };
    let err = read_layer(&blob[..], &wrong_tar, &matcher(), &Limits::default()).unwrap_err();
    assert!(matches!(err, LayerError::DiffIdMismatch { .. }), "{err}");
}

#[test]
fn diff_id_mismatch_is_an_error() {
    let blob = compress(&layer_tar(&sample(Compression::Zstd)), Compression::Zstd);
    let expected = Expected {
        diff_id: Some(sha(b"x")),
        ..Expected::default()
    };
    let err = read_layer(&blob[..], &expected, &matcher(), &Limits::default()).unwrap_err();
    assert!(matches!(err, LayerError::DiffIdMismatch { .. }), "{err}");
}

#[test]
fn truncated_gzip_is_a_decompression_error() {
    let big = LayerSpec::new(Compression::Gzip).entry(Entry::file("data", vec![7u8; 200_000]));
    let blob = compress(&layer_tar(&big), Compression::Gzip);
    let truncated = &blob[..blob.len() / 2];
    let err = read_layer(
        truncated,
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::Decompress {
                compression: "gzip",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn truncated_zstd_is_a_decompression_error() {
    let big = LayerSpec::new(Compression::Zstd).entry(Entry::file(
        "data",
        (0..200_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<u8>>(),
    ));
    let blob = compress(&layer_tar(&big), Compression::Zstd);
    let err = read_layer(
        &blob[..blob.len() - 10],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::Decompress {
                compression: "zstd",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn entries_escaping_the_root_are_skipped_with_a_warning() {
    let spec = LayerSpec::new(Compression::None)
        .entry(Entry::raw_file("../../etc/shadow", "evil"))
        .entry(Entry::raw_file("./ok", "fine"));
    let report = read_layer(
        &layer_tar(&spec)[..],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(report.files.entries.keys().collect::<Vec<_>>(), ["ok"]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("../../etc/shadow")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn unsupported_media_type_is_rejected() {
    let expected = Expected {
        media_type: Some("application/vnd.oci.image.layer.v1.tar+bzip2".into()),
        ..Expected::default()
    };
    let err = read_layer(&[0u8; 1024][..], &expected, &matcher(), &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("tar+bzip2"), "{err}");
}

#[test]
fn mislabelled_compression_is_read_by_magic_with_a_warning() {
    let tar = layer_tar(&sample(Compression::None));
    let expected = Expected {
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        diff_id: Some(sha(&tar)),
        ..Expected::default()
    };
    let report = read_layer(&tar[..], &expected, &matcher(), &Limits::default()).unwrap();
    assert!(
        report.warnings[0].contains("declares gzip"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn garbage_is_a_tar_error_not_a_panic() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 31).to_le_bytes()[0]).collect();
    let err = read_layer(
        &garbage[..],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, LayerError::Tar(_)), "{err}");
}

#[test]
fn size_mismatch_is_an_error() {
    let blob = layer_tar(&sample(Compression::None));
    let expected = Expected {
        size: Some(blob.len() as u64 + 1),
        ..Expected::default()
    };
    let err = read_layer(&blob[..], &expected, &matcher(), &Limits::default()).unwrap_err();
    assert!(matches!(err, LayerError::SizeMismatch { .. }), "{err}");
}

#[test]
fn captured_file_over_the_cap_is_skipped_with_a_warning() {
    let spec =
        LayerSpec::new(Compression::None).entry(Entry::file("etc/os-release", vec![b'x'; 2000]));
    let limits = Limits {
        max_captured_file: 1000,
        ..Limits::default()
    };
    let report = read_layer(
        &layer_tar(&spec)[..],
        &Expected::default(),
        &matcher(),
        &limits,
    )
    .unwrap();
    assert!(report.files.captured.is_empty());
    assert!(report.files.entries.contains_key("etc/os-release"));
    assert!(
        report.warnings[0].contains("above the 1000-byte cap"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn entry_limit_is_enforced() {
    let mut spec = LayerSpec::new(Compression::None);
    for i in 0..20 {
        spec = spec.entry(Entry::file(&format!("f{i}"), "x"));
    }
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = read_layer(
        &layer_tar(&spec)[..],
        &Expected::default(),
        &matcher(),
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::LimitExceeded {
                what: "entries in one layer",
                name: "entries-per-layer",
                limit: 10
            }
        ),
        "{err}"
    );
}

#[test]
fn captured_total_limit_is_enforced() {
    let spec = LayerSpec::new(Compression::None)
        .entry(Entry::file("etc/os-release", vec![b'x'; 600]))
        .entry(Entry::file("etc/os-release.bak", vec![b'y'; 600]));
    let limits = Limits {
        max_captured_total: 1000,
        ..Limits::default()
    };
    let err = read_layer(
        &layer_tar(&spec)[..],
        &Expected::default(),
        &matcher(),
        &limits,
    )
    .unwrap_err();
    assert!(matches!(err, LayerError::LimitExceeded { .. }), "{err}");
}

#[test]
fn uncompressed_size_limit_is_enforced() {
    let spec = LayerSpec::new(Compression::Gzip).entry(Entry::file("big", vec![0u8; 100_000]));
    let blob = compress(&layer_tar(&spec), Compression::Gzip);
    let limits = Limits {
        max_uncompressed: 10_000,
        ..Limits::default()
    };
    let err = read_layer(&blob[..], &Expected::default(), &matcher(), &limits).unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::LimitExceeded {
                what: "uncompressed layer size",
                name: "uncompressed-per-layer",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn later_entry_for_the_same_path_wins() {
    let spec = LayerSpec::new(Compression::None)
        .entry(Entry::file("etc/os-release", "ID=first\n"))
        .entry(Entry::file("etc/os-release", "ID=second\n"));
    let report = read_layer(
        &layer_tar(&spec)[..],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(report.files.captured["etc/os-release"], b"ID=second\n");
}

#[test]
fn a_pax_size_record_moves_the_next_header_for_the_end_marker_check_too() {
    fn header(name: &str, kind: u8, size: u64) -> Vec<u8> {
        let mut h = tar::Header::new_ustar();
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_entry_type(tar::EntryType::new(kind));
        h.set_cksum();
        h.as_bytes().to_vec()
    }
    // A file whose size is only in its PAX record (as writers do above 8 GiB), and whose data
    // holds a zero block then a tar header: data, not an entry after the end marker.
    let record = b"13 size=1536\n";
    let mut data = vec![0u8; 512];
    data.extend(header("inner", b'0', 0));
    data.extend(vec![7u8; 512]);
    let mut tar = header("PaxHeaders/big", b'x', record.len() as u64);
    tar.extend(record);
    tar.resize(1024, 0);
    tar.extend(header("big", b'0', 0));
    tar.extend(&data);
    tar.extend(header("after", b'0', 0));
    tar.extend(vec![0u8; 1024]);
    let report = read_layer(
        &tar[..],
        &Expected::default(),
        &matcher(),
        &Limits::default(),
    )
    .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.files.entries.contains_key("after"));
    assert!(!report.files.entries.contains_key("inner"));
}
