//! The declared-package cataloguers end to end: every sample lockfile under `tests/data/lockfile`
//! through the declared cataloguers of [`FILE_CATALOGUERS`], then the same files truncated and damaged, and
//! adversarial inputs (a 10 MB line, binary garbage, deep nesting), which must give warnings
//! naming the file, never a panic, and take time linear in their size.

use std::path::Path;
use std::time::{Duration, Instant};

use sbomgen_catalog::{FileCataloguer, FileFindings, FILE_CATALOGUERS};

/// Each sample, the path it is presented at, the cataloguer that reads it and how many
/// records it holds.
const SAMPLES: &[(&str, &str, &str, usize)] = &[
    ("package-lock.json", "app/package-lock.json", "npm-lock", 12),
    (
        "npm-v1/package-lock.json",
        "app/npm-shrinkwrap.json",
        "npm-lock",
        5,
    ),
    ("yarn-v1/yarn.lock", "app/yarn.lock", "npm-lock", 5),
    ("yarn-berry/yarn.lock", "yarn.lock", "npm-lock", 5),
    (
        "requirements.txt",
        "srv/requirements-prod.txt",
        "python-lock",
        6,
    ),
    ("poetry.lock", "srv/poetry.lock", "python-lock", 8),
    ("Pipfile.lock", "srv/Pipfile.lock", "python-lock", 4),
    ("uv.lock", "srv/uv.lock", "python-lock", 8),
    ("Gemfile.lock", "rails/Gemfile.lock", "gem-lock", 9),
    ("composer.lock", "var/www/composer.lock", "composer-lock", 4),
    ("Cargo.lock", "src/Cargo.lock", "cargo-lock", 5),
];

fn cataloguer(name: &str) -> &'static dyn FileCataloguer {
    *FILE_CATALOGUERS
        .iter()
        .find(|c| c.declared() && c.name() == name)
        .expect("listed cataloguer")
}

fn sample(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lockfile")
        .join(file);
    std::fs::read(&path).expect("sample")
}

/// What every answer must hold, whatever the input.
fn check(path: &str, findings: &FileFindings) {
    for record in &findings.packages {
        assert!(record.declared, "{record:?}");
        assert_eq!(record.database, path);
        assert!(
            !record.name.is_empty() && !record.version.is_empty(),
            "{record:?}"
        );
        if let Some(purl) = &record.purl {
            assert!(purl.starts_with("pkg:"), "{purl}");
            assert!(!purl.contains(' '), "{purl}");
        }
    }
    assert!(findings
        .packages
        .windows(2)
        .all(|w| (&w[0].name, &w[0].version) < (&w[1].name, &w[1].version)));
    assert!(findings.warnings.len() <= 6, "{:?}", findings.warnings);
    for warning in &findings.warnings {
        assert!(warning.starts_with(&format!("{path}: ")), "{warning}");
        assert!(warning.len() < 400, "{warning}");
    }
    assert!(findings.support.is_none());
}

#[test]
fn samples_read_cleanly() {
    for &(file, path, name, count) in SAMPLES {
        let findings = cataloguer(name).parse(path, &sample(file));
        check(path, &findings);
        assert_eq!(findings.warnings, Vec::<String>::new(), "{file}");
        assert_eq!(findings.packages.len(), count, "{file}");
    }
}

#[test]
fn samples_survive_truncation_and_damage() {
    const NASTY: &[u8] = b"\n\r :\"{}[]=@(),\\#\t\0\xff\xc3-";
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for &(file, path, name, _) in SAMPLES {
        let cataloguer = cataloguer(name);
        let bytes = sample(file);
        for cut in (0..=bytes.len()).step_by(7) {
            check(path, &cataloguer.parse(path, &bytes[..cut]));
        }
        let mut copy = bytes.clone();
        for _ in 0..300 {
            let at = next() % copy.len();
            copy[at] = NASTY[next() % NASTY.len()];
            check(path, &cataloguer.parse(path, &copy));
        }
    }
}

#[test]
fn adversarial_inputs_are_warnings_in_linear_time() {
    // 10 MB in release builds; 2 MB in debug ones, where the TOML parser alone takes ~0.25 s
    // per MB (still ample to expose anything quadratic).
    let long = if cfg!(debug_assertions) {
        2 << 20
    } else {
        10 << 20
    };
    let long_line = vec![b'a'; long];
    let mut garbage = Vec::with_capacity(1 << 20);
    let mut state: u32 = 1;
    while garbage.len() < 1 << 20 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        garbage.extend_from_slice(&state.to_le_bytes());
    }
    let deep_json = format!("{}{}", "[".repeat(1 << 16), "]".repeat(1 << 16)).into_bytes();
    let deep_toml = format!("[[package]]\nname = {}", "[".repeat(1 << 16)).into_bytes();
    let many_lines = "x==\n[[package]]\n  \n    x (\n"
        .repeat(1 << 15)
        .into_bytes();
    // One thread per sample: each input is parsed by every format, and the debug build is
    // slow enough on 10 MB that running them one after the other would dominate the suite.
    std::thread::scope(|scope| {
        for &(_, path, name, _) in SAMPLES {
            let inputs = [&long_line, &garbage, &deep_json, &deep_toml, &many_lines];
            scope.spawn(move || {
                let cataloguer = cataloguer(name);
                for input in inputs {
                    let started = Instant::now();
                    let findings = cataloguer.parse(path, input);
                    check(path, &findings);
                    // Generous for debug builds on a loaded machine; quadratic behaviour on
                    // these sizes would take minutes.
                    assert!(started.elapsed() < Duration::from_secs(30), "{path}");
                }
                assert!(cataloguer.parse(path, b"").packages.is_empty());
            });
        }
    });
}

#[test]
fn every_cataloguer_is_declared_and_skips_dependency_directories() {
    for &(file, path, name, _) in SAMPLES {
        let cataloguer = cataloguer(name);
        assert!(cataloguer.declared());
        let nested = format!("app/node_modules/dep/{}", path.rsplit('/').next().unwrap());
        assert_eq!(
            cataloguer.parse(&nested, &sample(file)),
            FileFindings::default()
        );
        let vendored = format!("app/vendor/acme/dep/{}", path.rsplit('/').next().unwrap());
        assert_eq!(
            cataloguer.parse(&vendored, &sample(file)),
            FileFindings::default()
        );
    }
}
