//! The pipeline across many chunks: what crosses chunk boundaries arrives whole, and either
//! side stopping early ends the read with the right error instead of a hang.

use std::sync::OnceLock;

use sbomgen_model::Digest;
use sbomgen_testkit::{compress, layer_tar, Compression, Entry, LayerSpec};
use sha2::{Digest as _, Sha256};

use crate::{read_layer, Expected, LayerError, Limits, PathMatcher};

fn sha(bytes: &[u8]) -> Digest {
    Digest::sha256_from_bytes(&Sha256::digest(bytes).into())
}

/// 5 MB no compressor shrinks much (so the blob too spans many chunks), made once.
fn noise() -> &'static [u8] {
    static NOISE: OnceLock<Vec<u8>> = OnceLock::new();
    NOISE.get_or_init(|| {
        let mut state = 2_654_435_761u32;
        (0..5_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect()
    })
}

/// Eight 512 KiB files (16 chunks of tar, twice what is sent ahead), then a kept file
/// of 700,001 bytes that starts and ends inside chunks.
fn many_chunks(compression: Compression) -> (LayerSpec, Vec<u8>) {
    const FILE: usize = 512 * 1024;
    let kept = noise()[8 * FILE..8 * FILE + 700_001].to_vec();
    let mut spec = LayerSpec::new(compression);
    for i in 0..8 {
        let content = &noise()[i * FILE..(i + 1) * FILE];
        spec = spec.entry(Entry::file(&format!("data/{i:02}"), content));
    }
    (spec.entry(Entry::file("etc/kept", kept.clone())), kept)
}

fn verified(tar: &[u8], blob: &[u8]) -> Expected {
    Expected {
        digest: Some(sha(blob)),
        diff_id: Some(sha(tar)),
        size: Some(blob.len() as u64),
        ..Expected::default()
    }
}

#[test]
fn a_layer_of_many_chunks_is_read_whole_and_verified() {
    let matcher = PathMatcher::new(["etc/kept"]).unwrap();
    for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
        let (spec, kept) = many_chunks(compression);
        let tar = layer_tar(&spec);
        let blob = compress(&tar, compression);
        let report = read_layer(
            &blob[..],
            &verified(&tar, &blob),
            &matcher,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{compression:?}: {e}"));
        assert_eq!(report.files.captured["etc/kept"], kept, "{compression:?}");
        assert_eq!(report.files.entries.len(), 9, "{compression:?}");
        assert_eq!(report.uncompressed_size, Some(tar.len() as u64));
        assert_eq!(report.diff_id, Some(sha(&tar)));
        assert_eq!(report.digest, Some(sha(&blob)));
    }
}

#[test]
fn an_uncompressed_blob_s_diff_id_is_its_digest_checked_against_the_config() {
    let (spec, _) = many_chunks(Compression::None);
    let tar = layer_tar(&spec);
    let vouched = Expected {
        digest: Some(sha(&tar)),
        digest_verified_by_source: true,
        ..Expected::default()
    };
    let report = read_layer(
        &tar[..],
        &vouched,
        &PathMatcher::empty(),
        &Limits::default(),
    );
    assert_eq!(report.unwrap().diff_id, Some(sha(&tar)));
    let wrong = Expected {
        diff_id: Some(sha(b"another tar")),
        ..vouched
    };
    let err = read_layer(&tar[..], &wrong, &PathMatcher::empty(), &Limits::default());
    assert!(
        matches!(err, Err(LayerError::DiffIdMismatch { .. })),
        "{err:?}"
    );
}

#[test]
fn the_parser_stopping_early_stops_the_inflater() {
    let (spec, _) = many_chunks(Compression::Gzip);
    let blob = compress(&layer_tar(&spec), Compression::Gzip);
    let limits = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    let err = read_layer(
        &blob[..],
        &Expected::default(),
        &PathMatcher::empty(),
        &limits,
    );
    assert!(
        matches!(
            err,
            Err(LayerError::LimitExceeded {
                name: "entries-per-layer",
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn a_bad_header_is_a_tar_error_though_the_inflater_fails_later() {
    let (spec, _) = many_chunks(Compression::Gzip);
    let mut tar = layer_tar(&spec);
    // The second file's header loses its checksum.
    let second = tar
        .windows(7)
        .position(|w| w == b"data/01")
        .expect("second header");
    tar[second + 148] ^= 0x01;
    let blob = compress(&tar, Compression::Gzip);
    // And the blob is cut short near its end, which the inflater meets ahead of the parser.
    let cut = &blob[..blob.len() - 1000];
    let err = read_layer(
        cut,
        &Expected::default(),
        &PathMatcher::empty(),
        &Limits::default(),
    );
    assert!(matches!(err, Err(LayerError::Tar(_))), "{err:?}");
}

#[test]
fn a_stream_cut_short_is_the_inflater_s_error() {
    let (spec, _) = many_chunks(Compression::Gzip);
    let blob = compress(&layer_tar(&spec), Compression::Gzip);
    let cut = &blob[..blob.len() / 2];
    let err = read_layer(
        cut,
        &Expected::default(),
        &PathMatcher::empty(),
        &Limits::default(),
    );
    assert!(
        matches!(
            err,
            Err(LayerError::Decompress {
                compression: "gzip",
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn the_uncompressed_limit_holds_across_chunks() {
    let (spec, _) = many_chunks(Compression::Zstd);
    let tar = layer_tar(&spec);
    let blob = compress(&tar, Compression::Zstd);
    let read = |max_uncompressed| {
        let limits = Limits {
            max_uncompressed,
            ..Limits::default()
        };
        read_layer(
            &blob[..],
            &Expected::default(),
            &PathMatcher::empty(),
            &limits,
        )
    };
    assert!(read(tar.len() as u64).is_ok());
    let err = read(tar.len() as u64 - 1);
    assert!(
        matches!(
            err,
            Err(LayerError::LimitExceeded {
                name: "uncompressed-per-layer",
                ..
            })
        ),
        "{err:?}"
    );
}
