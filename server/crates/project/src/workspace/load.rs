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

/// Sources larger than this are neither read nor parsed (the parse limit): a multi-GB
/// file would otherwise be read whole before being found too large.
pub const MAX_SOURCE_BYTES: u64 = alchemy_grammar::MAX_PARSE_BYTES as u64;

/// The outcome of reading a source file.
pub(super) enum ReadText {
    /// The text, and a problem to record (invalid UTF-8 was decoded lossily).
    Text(Arc<str>, Option<String>),
    /// The file does not exist (any more): not a problem, it was deleted.
    Missing,
    /// Unreadable, or not a regular file: the reason.
    Error(String),
    /// Over [`MAX_SOURCE_BYTES`] (its size): not read.
    TooLarge(u64),
}

pub(super) fn read_text(path: &Path) -> ReadText {
    let mut buf = Vec::new();
    match read_into(path, &mut buf) {
        Ok(_) => decode(&buf),
        Err(failed) => failed,
    }
}

/// [`read_text`] on a helper thread, waited for at most `limit`: a read that hangs in the
/// kernel (a stalled network file system) does not hold up the caller, the language server's
/// analysis. The helper finishes on its own.
pub(super) fn read_text_within(path: &Path, limit: std::time::Duration) -> ReadText {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("alchemy-ls-read".to_string())
        .spawn(move || {
            let _ = tx.send(read_text(&owned));
        });
    if spawned.is_err() {
        return read_text(path);
    }
    match rx.recv_timeout(limit) {
        Ok(read) => read,
        Err(_) => ReadText::Error(format!(
            "reading the file took more than {} s; not read",
            limit.as_secs()
        )),
    }
}

/// The problem recorded for a source over the size limit.
pub(super) fn too_large_message(len: u64) -> String {
    format!(
        "file too large to analyse ({:.1} MB, the limit is {} MB); its resources are not checked",
        len as f64 / (1024.0 * 1024.0),
        MAX_SOURCE_BYTES / (1024 * 1024)
    )
}

/// Read `path` into `buf` (cleared first); the failure as a [`ReadText`].
///
/// Only regular files are read, and only up to [`MAX_SOURCE_BYTES`]: the file is stat'ed
/// first (a named pipe, a device or a socket is never opened: reading one could block the
/// analysis for good, or never end), opened without blocking and checked again through its
/// descriptor (the path may have been replaced in between), and read with a bound.
/// Returns the metadata of the file read (through its descriptor).
pub(super) fn read_into(path: &Path, buf: &mut Vec<u8>) -> Result<std::fs::Metadata, ReadText> {
    use std::io::Read;
    buf.clear();
    let failed = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadText::Missing,
        _ => ReadText::Error(format!("cannot read the file: {}", io_reason(&e))),
    };
    let meta = std::fs::metadata(path).map_err(failed)?;
    check_regular(&meta)?;
    let mut file = open_nonblocking(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    check_regular(&meta)?;
    buf.reserve(meta.len() as usize);
    (&mut file)
        .take(MAX_SOURCE_BYTES + 1)
        .read_to_end(buf)
        .map_err(failed)?;
    if buf.len() as u64 > MAX_SOURCE_BYTES {
        buf.clear();
        buf.shrink_to(0);
        return Err(ReadText::TooLarge(meta.len().max(MAX_SOURCE_BYTES + 1)));
    }
    Ok(meta)
}

/// A regular file within the size limit, or why not.
fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadText> {
    if !meta.is_file() {
        return Err(ReadText::Error(format!(
            "not a regular file ({}); not read",
            file_kind(meta)
        )));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(ReadText::TooLarge(meta.len()));
    }
    Ok(())
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
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
