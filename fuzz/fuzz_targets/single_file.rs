#![no_main]
//! See `alchemy_fuzz::oracle::single_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| alchemy_fuzz::oracle::single_file(data));
