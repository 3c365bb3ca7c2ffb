//! alchemy-ls benchmark kit: a deterministic generator of synthetic Alchemy monorepos and a
//! runner that measures `alchemy-ls check` and `alchemy-ls serve` on them, asserting the
//! planted diagnostics so that a fast wrong answer cannot pass.
#![allow(clippy::print_stdout)] // a command-line tool: its report is its stdout

pub mod baseline;
pub mod check;
pub mod locate;
pub mod lsp;
pub mod machine;
pub mod profile;
#[cfg(feature = "oxc")]
pub mod resolvers;
pub mod rng;
pub mod run;
pub mod serve_bench;
pub mod stats;
pub mod synth;
