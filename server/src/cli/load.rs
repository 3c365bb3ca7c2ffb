//! Shared by `check` and `graph`: validate the PATH arguments, find the configuration and load
//! the workspace. Errors are written to stderr and become exit code 2.

use std::path::PathBuf;
use std::sync::Arc;

use super::args::InputArgs;
use super::{EXIT_ERROR, Io};
use crate::config::{self, Config};
use crate::facts_cache::{self, FactsCache};
use crate::workspace::{Index, LoadOptions, Seed, Workspace};

pub struct Loaded {
    pub ws: Workspace,
    /// The facts cache being written (joined when `Loaded` is dropped).
    pub _cache_write: CacheWrite,
    /// The index the snapshot came from (`check --fix` edits through its overlays).
    pub index: Index,
    /// The directory report paths are relative to.
    pub base: PathBuf,
}

pub fn load(input: &InputArgs, io: &mut Io) -> Result<Loaded, i32> {
    load_with(input, io, |_| {}, None, false)
}

/// The on-disk facts cache `check` uses: `None` with `--no-cache`, else `--cache-dir`,
/// `$ALCHEMY_LS_CACHE_DIR` or [`facts_cache::default_dir`] of the first PATH.
pub fn cache_dir(no_cache: bool, dir: Option<&std::path::Path>, input: &InputArgs) -> Option<PathBuf> {
    if no_cache {
        return None;
    }
    if let Some(d) = dir {
        return Some(d.to_path_buf());
    }
    if let Some(d) = std::env::var_os("ALCHEMY_LS_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let first = input.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    facts_cache::default_dir(&first)
}

/// A facts cache write running on a helper thread, while the analysis runs; waited for on
/// drop (the process must not exit in the middle of it).
#[derive(Default)]
pub struct CacheWrite(Option<std::thread::JoinHandle<()>>);

impl Drop for CacheWrite {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
            crate::timing::mark("facts cache written");
        }
    }
}

/// [`load`], with the configuration adjusted by command-line options before loading, and
/// the facts of unchanged files read from the cache in `cache` (which is then updated).
/// `one_shot`: the index will not be updated (see [`Index::set_one_shot`]).
pub fn load_with(
    input: &InputArgs,
    io: &mut Io,
    adjust: impl FnOnce(&mut Config),
    cache: Option<PathBuf>,
    one_shot: bool,
) -> Result<Loaded, i32> {
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
    if one_shot {
        index.set_one_shot();
    }
    // The cache is read while discovery walks the tree.
    let reading = cache.map(|dir| {
        let mut c = FactsCache::new(dir, &input.paths);
        std::thread::spawn(move || {
            let contents = c.read_all();
            crate::timing::mark("facts cache read");
            (c, contents)
        })
    });
    let mut cache: Option<FactsCache> = None;
    index.scan_seeded(|| {
        let (c, contents) = reading?.join().ok()?;
        cache = Some(c);
        Some(Seed {
            facts: contents.facts,
            scan: contents.scan,
        })
    });
    let ws = index.snapshot();
    let scan_table = cache.as_ref().and_then(|_| index.take_encoded_scan_table());
    let cache_write = CacheWrite(cache.map(|c| {
        let ws = ws.clone();
        std::thread::spawn(move || {
            // A cache that cannot be written (read-only, full disk) only costs the next run
            // its speed.
            if let Err(e) = c.write(&ws, scan_table.as_deref())
                && std::env::var_os("ALCHEMY_LS_TIMINGS").is_some()
            {
                eprintln!("alchemy-ls: facts cache {}: {e}", c.dir().display());
            }
        })
    }));
    let base = super::paths::base_dir(&first);
    for (path, message) in &ws.problems {
        let _ = writeln!(
            io.err,
            "alchemy-ls: warning: {}: {message}",
            super::paths::relative(&base, path)
        );
    }
    Ok(Loaded {
        ws,
        _cache_write: cache_write,
        index,
        base,
    })
}
