//! alchemy-ls's project IO: file discovery, module resolution, configuration files, the
//! workspace index that builds the snapshots the analysis reads, and the git baseline.
//! Everything that touches the file system (or git's object database) is here.

pub mod baseline;
pub mod config;
pub mod facts_cache;
pub mod paths;
pub mod rename_files;
pub mod resolve;
pub mod revision;
pub mod timing;
pub mod workspace;
