//! Regenerates the project's own fixtures (`cargo run -p sbomgen-testkit --bin make-fixtures`).
//! The e2e suite checks that the committed files equal what this writes.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    std::fs::create_dir_all(&fixtures)?;
    let path = fixtures.join(sbomgen_testkit::DEMO_FILE);
    sbomgen_testkit::write_oci_archive(
        &path,
        sbomgen_testkit::DEMO_TAG,
        &[sbomgen_testkit::demo_image()],
    )?;
    println!("wrote {}", path.display());
    Ok(())
}
