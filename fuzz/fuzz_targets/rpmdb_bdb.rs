#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sbomgen_fuzz::catalog::rpmdb(
    sbomgen_rpmdb::DbFormat::BerkeleyDb,
    data
));
