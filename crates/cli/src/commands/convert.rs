//! `sbomgen convert FILE -o FORMAT[=FILE]`: re-encode an existing SBOM.

use std::io::Read;

use anyhow::{Context, Result};

use crate::args::ConvertArgs;
use crate::output;

pub(crate) fn run(args: &ConvertArgs) -> Result<()> {
    output::check_distinct(&args.outputs)?;
    let (bytes, what) = if args.input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        (bytes, "standard input".to_string())
    } else {
        let bytes =
            std::fs::read(&args.input).with_context(|| format!("cannot read {}", args.input))?;
        (bytes, args.input.clone())
    };
    let sbom = sbomgen_format::read(&bytes, &what)?;
    output::write_all(&args.outputs, &sbom)
}
