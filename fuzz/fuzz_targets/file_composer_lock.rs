#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sbomgen_fuzz::catalog::file("composer-lock", data));
