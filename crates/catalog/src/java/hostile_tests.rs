//! Every limit, and zips built to break readers: a 40-deep chain, bombs, central directories
//! disagreeing with local headers, truncation, corruption, zip64 and prefixed zips.

use super::super::testzip::{wrap, Spec, ZipBuilder};
use super::super::Limits;
use super::{cat, jar, pom_entry, run, summary};

#[test]
fn depth_cap_stops_a_40_deep_chain() {
    let mut zip = jar(&[("g", "level40", "40")], None).build();
    for level in (0..40).rev() {
        zip = wrap(
            &format!("lib/level{}.jar", level + 1),
            &zip,
            Some(("g", &format!("level{level}"), &level.to_string())),
        );
    }
    let found = cat("level0.jar", &zip);
    assert_eq!(
        found.packages.len(),
        17,
        "depths 0 to 16: {:?}",
        summary(&found)
    );
    assert_eq!(found.packages[16].name, "level16");
    assert!(found.packages[16].database.ends_with("!/lib/level16.jar"));
    assert_eq!(found.packages[0].depends_on, ["level1"]);
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    let w = &found.warnings[0];
    assert!(
        w.starts_with("level0.jar: lib/level1.jar!/lib/level2.jar!/"),
        "{w}"
    );
    assert!(
        w.contains("nesting depth cap of 16") && w.contains("lib/level17.jar"),
        "{w}"
    );
}

#[test]
fn entry_size_cap_skips_a_declared_bomb_unread() {
    let lib = jar(&[("com.x", "x", "1.0")], None).build();
    let zip = jar(&[("g", "app", "1")], None)
        .entry(Spec {
            name: "lib/bomb-1.jar".into(),
            data: lib,
            declared_size: Some(3 << 30),
            ..Spec::default()
        })
        .build();
    let found = cat("app.jar", &zip);
    assert_eq!(summary(&found), ["app@1 app.jar"]);
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(found.warnings[0]
        .contains("lib/bomb-1.jar: 3221225472 bytes inflated, above the 536870912-byte cap"));
}

#[test]
fn entry_size_cap_stops_a_lying_bomb_while_inflating() {
    // Declares 100 bytes, inflates to 3 MiB of zeros (about 3 KB deflated).
    let zip = jar(&[], None)
        .entry(Spec {
            name: "lib/bomb-1.jar".into(),
            data: vec![0; 3 << 20],
            deflate: true,
            declared_size: Some(100),
            ..Spec::default()
        })
        .build();
    assert!(zip.len() < 64 << 10);
    let limits = Limits {
        max_entry_size: 1 << 20,
        ..Limits::DEFAULT
    };
    let found = run("app-1.jar", &zip, &limits);
    assert_eq!(summary(&found), ["app@1 app-1.jar"]);
    assert_eq!(
        found.warnings,
        ["app-1.jar: lib/bomb-1.jar: inflates past the 1048576-byte cap: not read"]
    );
}

#[test]
fn metadata_size_cap() {
    let mut manifest = "Implementation-Version: 7\n".to_string();
    manifest.push_str(&"X-Padding: 0123456789\n".repeat(100));
    let zip = jar(&[], Some(&manifest)).build();
    let limits = Limits {
        max_metadata_size: 1000,
        ..Limits::DEFAULT
    };
    let found = run("lib-2.jar", &zip, &limits);
    assert_eq!(
        summary(&found),
        ["lib@2 lib-2.jar"],
        "still named by its file"
    );
    assert_eq!(found.warnings.len(), 1);
    assert!(
        found.warnings[0].starts_with(
            "lib-2.jar: META-INF/MANIFEST.MF: 2226 bytes inflated, above the 1000-byte cap"
        ),
        "{:?}",
        found.warnings
    );
}

#[test]
fn total_inflated_cap_stops_the_archive_and_keeps_what_was_found() {
    let big = |a: &str| {
        jar(&[("g", a, "1")], None)
            .stored("padding.bin", &vec![7; 600 << 10])
            .build()
    };
    let zip = jar(&[("g", "app", "1")], None)
        .stored("lib/first-1.jar", &big("first"))
        .stored("lib/second-1.jar", &big("second"))
        .stored("lib/third-1.jar", &big("third"))
        .build();
    let limits = Limits {
        max_total_inflated: 1 << 20,
        ..Limits::DEFAULT
    };
    let found = run("app.jar", &zip, &limits);
    assert_eq!(
        summary(&found),
        ["app@1 app.jar", "first@1 app.jar!/lib/first-1.jar"]
    );
    assert_eq!(found.packages[0].depends_on, ["first"]);
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(
        found.warnings[0]
            .starts_with("app.jar: lib/second-1.jar: the cap of 1048576 bytes inflated"),
        "{:?}",
        found.warnings
    );
}

#[test]
fn entries_cap() {
    let zip = ZipBuilder::new()
        .stored("a", b"")
        .stored("b", b"")
        .deflated("META-INF/MANIFEST.MF", b"Implementation-Version: 1\n")
        .build();
    let limits = Limits {
        max_entries: 2,
        ..Limits::DEFAULT
    };
    let found = run("lib.jar", &zip, &limits);
    assert!(found.packages.is_empty(), "the manifest is past the cap");
    assert_eq!(
        found.warnings,
        ["lib.jar: more than 2 entries: only the first 2 were looked at"]
    );
    let found = run(
        "lib.jar",
        &zip,
        &Limits {
            max_entries: 3,
            ..Limits::DEFAULT
        },
    );
    assert_eq!(summary(&found), ["lib@1 lib.jar"]);
    assert!(found.warnings.is_empty());
}

#[test]
fn in_memory_cap_spools_nested_archives_to_a_file() {
    let inner = jar(&[("com.x", "x", "1.0")], None).build();
    let middle = jar(&[("com.y", "y", "2.0")], None)
        .stored("lib/x-1.0.jar", &inner)
        .build();
    let zip = jar(&[("g", "app", "1")], None)
        .stored("lib/y-2.0.jar", &middle)
        .build();
    let in_memory = cat("app.jar", &zip);
    for cap in [0, inner.len() as u64] {
        let spooled = run(
            "app.jar",
            &zip,
            &Limits {
                max_in_memory: cap,
                ..Limits::DEFAULT
            },
        );
        assert_eq!(spooled, in_memory, "cap {cap}");
    }
    assert_eq!(summary(&in_memory).len(), 3);
}

#[test]
fn warnings_cap() {
    let mut z = jar(&[("g", "app", "1")], None);
    for i in 0..10 {
        z = z.stored(&format!("lib/bad{i}-1.jar"), b"not a zip");
    }
    let found = run(
        "app.jar",
        &z.build(),
        &Limits {
            max_warnings: 3,
            ..Limits::DEFAULT
        },
    );
    assert_eq!(found.warnings.len(), 4, "{:?}", found.warnings);
    assert_eq!(found.warnings[3], "app.jar: 7 more warnings not shown");
    assert!(found.warnings[0]
        .starts_with("app.jar: lib/bad0-1.jar: no zip end-of-central-directory record"));
}

#[test]
fn local_headers_disagreeing_with_the_directory() {
    let (pom_name, pom_data) = pom_entry("g", "app", "1");
    let zip = ZipBuilder::new()
        .entry(Spec {
            name: pom_name,
            data: pom_data,
            deflate: true,
            local_name: Some("META-INF/maven/evil/evil/pom.properties".into()),
            ..Spec::default()
        })
        .entry(Spec {
            name: "META-INF/MANIFEST.MF".into(),
            data: b"Implementation-Vendor-Id: com.acme\n".to_vec(),
            deflate: true,
            local_method: Some(0),
            ..Spec::default()
        })
        .build();
    let found = cat("app.jar", &zip);
    assert_eq!(
        summary(&found),
        ["app@1 app.jar"],
        "the central directory is followed"
    );
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    let w = &found.warnings[0];
    assert!(
        w.starts_with(
            "app.jar: 2 local header(s) disagree with the central directory (first: META-INF/"
        ),
        "{w}"
    );
}

#[test]
fn corrupt_data_is_reported() {
    let manifest = b"Implementation-Version: 1\nX-Note: abc\n";
    let mut zip = jar(&[], None)
        .stored("META-INF/MANIFEST.MF", manifest)
        .build();
    let at = zip.windows(3).position(|w| w == b"abc").unwrap();
    zip[at] = b'x';
    let found = cat("lib.jar", &zip);
    assert_eq!(
        summary(&found),
        ["lib@1 lib.jar"],
        "a CRC mismatch is reported, the data still used"
    );
    assert!(
        found.warnings[0].starts_with("lib.jar: META-INF/MANIFEST.MF: CRC-32"),
        "{:?}",
        found.warnings
    );
}

#[test]
fn truncated_zips_never_panic() {
    let inner = jar(
        &[("com.x", "x", "1.0")],
        Some("Implementation-Version: 1\n"),
    )
    .build();
    let zip = jar(&[("g", "app", "1")], None)
        .deflated("lib/x-1.0.jar", &inner)
        .build();
    for cut in 0..zip.len() {
        let found = cat("app.jar", &zip[..cut]);
        if cut > 0 && cut < zip.len() - 22 {
            assert!(found.packages.is_empty(), "cut {cut}");
            assert!(
                found
                    .warnings
                    .iter()
                    .any(|w| w.contains("no zip end-of-central-directory")),
                "cut {cut}: {:?}",
                found.warnings
            );
        }
    }
    assert_eq!(summary(&cat("app.jar", &zip)).len(), 2);
}

#[test]
fn mutated_zips_never_panic() {
    let inner = jar(
        &[("com.x", "x", "1.0")],
        Some("Implementation-Version: 1\n"),
    )
    .build();
    let zip = jar(&[("g", "app", "1")], Some("A: b\n"))
        .stored("lib/x-1.0.jar", &inner)
        .zip64()
        .build();
    let mut state = 0x5eedu64;
    for _ in 0..2000 {
        let mut copy = zip.clone();
        for _ in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (state >> 33) as usize % copy.len();
            copy[at] = (state >> 20).to_le_bytes()[0];
        }
        cat("app.jar", &copy);
    }
}

#[test]
fn zip64_and_prefixed_zips() {
    let inner = jar(&[("com.x", "x", "1.0")], None).zip64().build();
    let zip64 = jar(&[("g", "app", "1")], None)
        .stored("lib/x-1.0.jar", &inner)
        .zip64()
        .build();
    let found = cat("app.jar", &zip64);
    assert_eq!(
        summary(&found),
        ["app@1 app.jar", "x@1.0 app.jar!/lib/x-1.0.jar"]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    // A Spring Boot "fully executable" jar: a launch script before the zip.
    for z in [
        jar(&[("g", "app", "1")], None),
        jar(&[("g", "app", "1")], None).zip64(),
    ] {
        let prefixed = z
            .prefix(b"#!/bin/bash\nexec java -jar \"$0\" \"$@\"\n")
            .build();
        let found = cat("app.jar", &prefixed);
        assert_eq!(summary(&found), ["app@1 app.jar"]);
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    }
}

#[test]
fn unreadable_entries() {
    let zip = jar(&[], None)
        .entry(Spec {
            name: "META-INF/MANIFEST.MF".into(),
            data: b"Implementation-Version: 1\n".to_vec(),
            local_method: Some(12),
            ..Spec::default()
        })
        .build();
    // Method 12 (bzip2) only in the local header: the directory's stored method is used.
    assert_eq!(summary(&cat("lib.jar", &zip)), ["lib@1 lib.jar"]);
    let not_zip = cat(
        "lib.jar",
        b"\x7fELF not a jar at all, but long enough to look at",
    );
    assert_eq!(not_zip.warnings.len(), 1);
    assert!(cat(
        "adapter.rar",
        b"Rar!\x1a\x07\x00 a real RAR archive, no zip"
    )
    .warnings
    .is_empty());
}
