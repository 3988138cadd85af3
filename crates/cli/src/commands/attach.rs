//! `sbomgen attach --sbom FILE IMAGE` (or cosign's `attach sbom --sbom FILE IMAGE`): an
//! unsigned SBOM as an OCI referrer of the image, the form Trivy's `--sbom-sources oci` reads.

use anyhow::{bail, Context, Result};
use sbomgen_attach::artifacts::{MEDIA_CYCLONEDX_JSON, MEDIA_SPDX_JSON};
use sbomgen_attest::statement::PREDICATE_SPDX;

use crate::args::AttachArgs;
use crate::commands::attest::{detect, read_document, stdin_once};
use crate::commands::image;

pub(crate) fn run(args: &AttachArgs) -> Result<()> {
    if args.sbom == std::path::Path::new("-") {
        stdin_once(args.registry.password_stdin, "--sbom -")?;
    }
    let (bytes, name) = read_document(&args.sbom)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{name} is not a JSON document"))?;
    let media_type = match detect(&value) {
        Some(uri) if uri == PREDICATE_SPDX => MEDIA_SPDX_JSON,
        Some(_) => MEDIA_CYCLONEDX_JSON,
        None => bail!("{name} is neither SPDX JSON nor CycloneDX JSON"),
    };
    let options = image::options(&args.registry, &args.image)?;
    let (client, subject) = image::open(&args.image, &options, false)?;
    let attached = sbomgen_attach::attach_sbom(&client, &subject, &bytes, media_type)
        .with_context(|| format!("cannot attach {name} to {}", subject.pinned()))?;
    eprintln!(
        "Attached {name} to {}: {} {}",
        subject.pinned(),
        attached.what,
        attached.digest
    );
    Ok(())
}
