//! alchemy-ls: the command line (`check`, `graph`, `rules`, `serve`) over the crates under
//! `server/crates`: `alchemy-ls-core` (data model, analysis, rules; no IO), `alchemy-ls-project`
//! (discovery, resolution, configuration files, the index, the git baseline),
//! `alchemy-ls-ide` (editor queries) and `alchemy-ls-lsp` (the language server). Their
//! modules are re-exported under the names the code and the tests use.
#![deny(clippy::print_stdout)]

pub use alchemy_ls_core::{analysis, builtins, catalog, display_path, line_index, version};
pub use alchemy_ls_ide as ide;
pub use alchemy_ls_lsp as lsp;
pub use alchemy_ls_project::{baseline, config, facts_cache, resolve, timing, workspace};

pub mod cli;
