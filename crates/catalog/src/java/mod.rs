//! Java: Maven packages in archives (jar, war, ear, Jenkins hpi, …, nested to any depth within
//! [`Limits`]), and JVM installations from their `release` file.
//!
//! [`JavaArchiveCataloguer`] (`java-archive`) reads an archive's central directory, never the
//! whole file: each `pom.properties` inside is a package (shaded dependencies included); the
//! archive itself is one, named by the `pom.properties` matching its file name, else by its
//! file name and `MANIFEST.MF`; nested archives (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`, an
//! ear's `lib/`) are catalogued in turn, their records' `database` being the path through the
//! archives, `app.jar!/BOOT-INF/lib/x.jar`. Purls are `pkg:maven/<groupId>/<artifactId>@<v>`.
//! Zips are also selected by magic bytes, whatever their name; a zip not named as a Java
//! archive only contributes the `pom.properties` and Java archives inside it.
//!
//! [`JavaJvmCataloguer`] (`java-jvm`) reads `release` files (`jvm`).
//!
//! Modules: `zip` lists a central directory, `entry` reads one entry, `spool` holds
//! nested archives, `manifest` and `pom` parse metadata, `naming` decides identity,
//! `record` builds records, `archive` walks an archive and `nested` reads its entries
//! within the `limits` and recurses.

mod archive;
mod entry;
mod jvm;
mod limits;
mod manifest;
mod naming;
mod nested;
mod pom;
mod record;
mod spool;
mod zip;

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testzip;

use std::io::Cursor;

use sbomgen_model::FileFindings;

use crate::{FileCataloguer, ReadSeek};

pub use limits::Limits;

/// Zip local-file-header magic: how archives are recognised whatever their name.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Maven packages in Java archives.
#[derive(Debug, Clone, Copy)]
pub struct JavaArchiveCataloguer;

impl FileCataloguer for JavaArchiveCataloguer {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    /// Syft's `archiveFormatGlobs` (less `.far` and `.zap`), lower and upper case; other
    /// cases reach the cataloguer by [`Self::sniff`]. Patterns still matter: a jar with a
    /// launch script prepended (Spring Boot's "fully executable" jar) has no magic at 0.
    fn patterns(&self) -> &'static [&'static str] {
        &[
            "**/*.{jar,war,ear,par,sar,nar,jpi,hpi,kar,rar,lpkg}",
            "**/*.{JAR,WAR,EAR,PAR,SAR,NAR,JPI,HPI,KAR,RAR,LPKG}",
        ]
    }

    fn random_access(&self) -> bool {
        true
    }

    /// Every zip: reading one that is no Java archive costs its central directory only.
    fn sniff(&self, head: &[u8]) -> bool {
        head.starts_with(ZIP_MAGIC)
    }

    /// Not called (the cataloguer has random access); catalogues bytes in memory alike.
    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        self.parse_content(path, &mut Cursor::new(bytes), bytes.len() as u64)
    }

    fn parse_content(&self, path: &str, content: &mut dyn ReadSeek, size: u64) -> FileFindings {
        catalog_archive(path, content, size, &Limits::DEFAULT)
    }
}

/// Catalogues the `size`-byte archive at root-relative `path` within `limits`. Never panics;
/// a cap reached or a malformed archive gives a warning naming `path` (and the nested path).
pub fn catalog_archive(
    path: &str,
    content: &mut dyn ReadSeek,
    size: u64,
    limits: &Limits,
) -> FileFindings {
    archive::catalog(path, content, size, limits)
}

/// A JVM installation, from its `release` file.
#[derive(Debug, Clone, Copy)]
pub struct JavaJvmCataloguer;

impl FileCataloguer for JavaJvmCataloguer {
    fn name(&self) -> &'static str {
        "java-jvm"
    }

    /// Deliberately broad, as Syft's: JDKs live under `/usr/lib/jvm/*`, `/opt/java/openjdk`,
    /// `/usr/local/openjdk-*`, …; a `release` file that is no JVM's yields nothing.
    fn patterns(&self) -> &'static [&'static str] {
        &["**/release"]
    }

    fn parse(&self, path: &str, bytes: &[u8]) -> FileFindings {
        jvm::parse(path, bytes)
    }
}
