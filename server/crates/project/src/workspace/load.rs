//! The one-shot loader used by the CLI, and reading files from disk.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;

use super::Workspace;
use super::index::Index;

/// How files are discovered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Do not honour `.gitignore`/`.ignore` files (`--no-ignore`). The default excludes
    /// (`node_modules`, `dist`, …) and the config's `ignore` globs still apply.
    pub no_ignore: bool,
}

/// A fatal loading error (a path given on the command line that does not exist, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// Discover, prefilter, parse and resolve everything under `paths` (directories or single
/// files; a single file is always an analysis root). Non-fatal problems (unreadable files,
/// invalid UTF-8, bad package.json/tsconfig files) end up in [`Workspace::problems`].
pub fn load(paths: &[PathBuf], config: Arc<Config>, opts: &LoadOptions) -> Result<Workspace, LoadError> {
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            return Err(LoadError {
                message: format!("{}: {}", p.display(), io_reason(&e)),
            });
        }
    }
    // Compile the TypeScript queries while discovery and the prefilter run (they would
    // otherwise hold up the first parse); `.tsx` sources are rarer, compiled when met.
    std::thread::spawn(|| alchemy_grammar::warm_up_dialect(alchemy_grammar::Dialect::TypeScript));
    let mut index = Index::new(paths.to_vec(), config, *opts);
    index.scan();
    Ok(index.snapshot())
}

pub(super) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The outcome of reading a source file.
pub(super) enum ReadText {
    /// The text, and a problem to record (invalid UTF-8 was decoded lossily).
    Text(Arc<str>, Option<String>),
    /// The file does not exist (any more): not a problem, it was deleted.
    Missing,
    /// Unreadable: the reason.
    Error(String),
}

pub(super) fn read_text(path: &Path) -> ReadText {
    let mut buf = Vec::new();
    match read_into(path, &mut buf) {
        Ok(()) => decode(&buf),
        Err(failed) => failed,
    }
}

/// Read `path` into `buf` (cleared first); the failure as a [`ReadText`].
pub(super) fn read_into(path: &Path, buf: &mut Vec<u8>) -> Result<(), ReadText> {
    use std::io::Read;
    buf.clear();
    match std::fs::File::open(path).and_then(|mut f| f.read_to_end(buf)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ReadText::Missing),
        Err(e) => Err(ReadText::Error(format!(
            "cannot read the file: {}",
            io_reason(&e)
        ))),
    }
}

/// The text of `bytes`; invalid UTF-8 is replaced and reported.
pub(super) fn decode(bytes: &[u8]) -> ReadText {
    match std::str::from_utf8(bytes) {
        Ok(s) => ReadText::Text(Arc::from(s), None),
        Err(_) => ReadText::Text(
            Arc::from(String::from_utf8_lossy(bytes).as_ref()),
            Some("the file is not valid UTF-8; invalid bytes were replaced".into()),
        ),
    }
}
