//! The workspace index: discovery, the byte prefilter, reading and parsing, resolution and
//! the incremental [`Index`] that builds [`Workspace`] snapshots (the snapshot types are
//! `alchemy_ls_core::workspace`, re-exported here).

pub use alchemy_ls_core::workspace::*;

pub mod discover;
mod index;
mod links;
mod load;
pub mod prefilter;
mod relevance;
pub mod scan_cache;

pub use index::{Index, Seed};
pub use load::{LoadError, LoadOptions, load};
