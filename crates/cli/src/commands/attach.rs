//! `sbomgen attach --sbom FILE IMAGE`: an unsigned SBOM as an OCI referrer of the image, the
//! form Trivy's `--sbom-sources oci` reads.

use anyhow::{bail, Context, Result};
use sbomgen_attach::artifacts::{MEDIA_CYCLONEDX_JSON, MEDIA_SPDX_JSON};
use sbomgen_attest::statement::PREDICATE_SPDX;

use crate::args::AttachArgs;
use crate::commands::{attest::detect, image};

pub(crate) fn run(args: AttachArgs) -> Result<()> {
    let path = &args.sbom;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a JSON document", path.display()))?;
    let media_type = match detect(&value) {
        Some(uri) if uri == PREDICATE_SPDX => MEDIA_SPDX_JSON,
        Some(_) => MEDIA_CYCLONEDX_JSON,
        None => bail!("{} is neither SPDX JSON nor CycloneDX JSON", path.display()),
    };
    let options = image::options(&args.registry, &args.image)?;
    let (client, subject) = image::open(&args.image, &options, false)?;
    let attached = sbomgen_attach::attach_sbom(&client, &subject, &bytes, media_type)
        .with_context(|| format!("cannot attach {} to {}", path.display(), subject.pinned()))?;
    eprintln!(
        "Attached {} to {}: {} {}",
        path.display(),
        subject.pinned(),
        attached.what,
        attached.digest
    );
    Ok(())
}
