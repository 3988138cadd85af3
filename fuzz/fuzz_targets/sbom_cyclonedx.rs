#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sbomgen_fuzz::sbom::convert(
    sbomgen_format::read::InputKind::CycloneDx,
    data
));
