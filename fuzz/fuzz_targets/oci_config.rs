#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sbomgen_fuzz::image::oci_config(data));
