#![no_main]
//! See `alchemy_fuzz::oracle::workspace`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| alchemy_fuzz::oracle::workspace(data));
