//! alchemy-ls's data model and analysis: workspace snapshots ([`workspace`]), configuration
//! ([`config`]), the resource model and the rules ([`analysis`]) and the rule catalog
//! ([`catalog`]).
//!
//! This crate does no IO and knows no protocol: it reads a [`workspace::Workspace`] snapshot
//! that the project crate built, and its results are plain data (byte offsets, file ids).
#![deny(clippy::print_stdout, clippy::disallowed_methods)]

pub mod analysis;
pub mod builtins;
pub mod catalog;
pub mod config;
pub mod display_path;
pub mod line_index;
pub mod version;
pub mod workspace;
