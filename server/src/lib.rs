//! alchemy-ls: workspace index, module resolution, analysis and rules, the language server and
//! the CLI.
#![deny(clippy::print_stdout)]

pub mod analysis;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod ide;
pub mod line_index;
pub mod lsp;
pub mod resolve;
pub mod timing;
pub mod workspace;
