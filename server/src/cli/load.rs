//! Shared by `check` and `graph`: validate the PATH arguments, find the configuration and load
//! the workspace. Errors are written to stderr and become exit code 2.

use std::path::PathBuf;
use std::sync::Arc;

use super::args::InputArgs;
use super::{EXIT_ERROR, Io};
use crate::config::{self, Config};
use crate::workspace::{Index, LoadOptions, Workspace};

pub struct Loaded {
    pub ws: Workspace,
    /// The index the snapshot came from (`check --fix` edits through its overlays).
    pub index: Index,
    /// The directory report paths are relative to.
    pub base: PathBuf,
}

pub fn load(input: &InputArgs, io: &mut Io) -> Result<Loaded, i32> {
    load_with(input, io, |_| {})
}

/// [`load`], with the configuration adjusted by command-line options before loading.
pub fn load_with(input: &InputArgs, io: &mut Io, adjust: impl FnOnce(&mut Config)) -> Result<Loaded, i32> {
    for p in &input.paths {
        if !p.exists() {
            let _ = writeln!(io.err, "alchemy-ls: {}: no such file or directory", p.display());
            return Err(EXIT_ERROR);
        }
    }
    let first = input.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let config = match &input.config {
        Some(file) => config::load_file(file),
        // Canonical, so that the config path in messages has no `./` in it.
        None => config::discover(&first.canonicalize().unwrap_or_else(|_| first.clone())),
    };
    let mut config: Config = match config {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(io.err, "{e}");
            return Err(EXIT_ERROR);
        }
    };
    adjust(&mut config);
    let opts = LoadOptions {
        no_ignore: input.no_ignore,
    };
    // As `workspace::load`: compile the TypeScript queries while discovery runs.
    std::thread::spawn(|| alchemy_grammar::warm_up_dialect(alchemy_grammar::Dialect::TypeScript));
    let mut index = Index::new(input.paths.clone(), Arc::new(config), opts);
    index.scan();
    let ws = index.snapshot();
    let base = super::paths::base_dir(&first);
    for (path, message) in &ws.problems {
        let _ = writeln!(
            io.err,
            "alchemy-ls: warning: {}: {message}",
            super::paths::relative(&base, path)
        );
    }
    Ok(Loaded { ws, index, base })
}
