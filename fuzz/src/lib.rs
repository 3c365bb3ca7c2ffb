//! The fuzz targets' logic lives in [`oracle`], a plain module that `server/tests/fuzz_seeds.rs`
//! also compiles (with `#[path]`) to replay the seed corpus under `cargo test`.

pub mod oracle;
