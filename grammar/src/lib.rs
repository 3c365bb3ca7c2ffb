//! alchemy-grammar: tree-sitter TypeScript/TSX parsing into per-file [`FileFacts`].
//!
//! This crate knows nothing of the workspace, the file system or the LSP. It never fails:
//! every input yields facts (possibly empty) plus the ranges of syntax errors.

pub mod facts;

pub use facts::*;

/// Files larger than this are not parsed (`FileFacts::too_large`).
pub const MAX_PARSE_BYTES: usize = 2 * 1024 * 1024;

/// Which tree-sitter grammar parses a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `.ts`, `.mts`, `.cts`
    TypeScript,
    /// `.tsx`
    Tsx,
}

impl Dialect {
    /// The dialect for a file name, or `None` for files that are not TypeScript sources
    /// (declaration files `.d.ts`/`.d.mts`/`.d.cts` are TypeScript but never hold resources;
    /// they still get `Some`, callers decide).
    pub fn from_path(path: &str) -> Option<Dialect> {
        if path.ends_with(".tsx") {
            Some(Dialect::Tsx)
        } else if path.ends_with(".ts") || path.ends_with(".mts") || path.ends_with(".cts") {
            Some(Dialect::TypeScript)
        } else {
            None
        }
    }
}
