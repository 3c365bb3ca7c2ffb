//! alchemy-grammar: tree-sitter TypeScript/TSX parsing into per-file [`FileFacts`].
//!
//! This crate knows nothing of the workspace, the file system or the LSP. It never fails:
//! every input yields facts (possibly empty) plus the ranges of syntax errors.

pub mod facts;

mod access;

mod body;
mod constructs;
mod decls;
mod errors;
mod exports;
mod imports;
mod kinds;
mod lower;
mod parse;
mod queries;
mod suppressions;
mod types;

pub use facts::*;
pub use tree_sitter;

pub use errors::MAX_SYNTAX_ERRORS;
pub use lower::{MAX_DEPTH, STACK_BUDGET};
pub use parse::parse;
pub use queries::{COMMENTS_SCM, CONSTRUCTS_SCM, EXPORTS_SCM, IMPORTS_SCM};

use lower::{Lowerer, span};

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

/// Facts from an already parsed tree (`text` must be the text that was parsed; NUL bytes are
/// read as spaces, as in [`parse`]).
pub fn facts_from_tree(text: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let text = parse::without_nul(text);
    let text: &str = &text;
    let root = tree.root_node();
    let dialect = parse::dialect_of(tree);
    let mut lowerer = Lowerer::new(text, dialect);
    let decls = lowerer.lower_program(root);
    let mut facts = FileFacts {
        decls,
        syntax_errors: errors::syntax_errors(tree),
        quote: '"',
        ..FileFacts::default()
    };
    if let Some(q) = queries::queries(dialect) {
        for stmt in queries::captured_top_level(&q.imports, root, text, "import") {
            if let Some(import) = lowerer.read_import(stmt) {
                facts.imports.push(import);
            }
        }
        for stmt in queries::captured_top_level(&q.exports, root, text, "export") {
            lowerer.read_export(stmt, &mut facts.exports);
        }
        let (constructs, comments) = lowerer.scan(root);
        facts.constructs = constructs;
        for comment in comments {
            let raw = text.get(comment.byte_range()).unwrap_or("");
            if let Some(s) = suppressions::parse_suppression(raw, span(comment)) {
                facts.suppressions.push(s);
            }
        }
    }
    if let Some(first) = facts.imports.first()
        && let Some(q @ ('"' | '\'')) = text
            .get(first.specifier_span.start as usize..)
            .and_then(|t| t.chars().next())
    {
        facts.quote = q;
    }
    facts.exprs = lowerer.exprs;
    facts.classes = lowerer.classes;
    facts.shrink_to_fit();
    facts
}

/// Parses `text` and extracts its facts; files larger than [`MAX_PARSE_BYTES`] give
/// `FileFacts { too_large: true, .. }` without parsing.
pub fn extract(text: &str, dialect: Dialect) -> FileFacts {
    if text.len() > MAX_PARSE_BYTES {
        return FileFacts {
            too_large: true,
            quote: '"',
            ..FileFacts::default()
        };
    }
    let tree = parse(text, dialect, None);
    facts_from_tree(text, &tree)
}

/// Compiles the queries of both dialects now (about 0.1–0.3 s, otherwise paid by the first
/// extraction of each dialect); call it from a background thread at start-up.
pub fn warm_up() {
    for dialect in [Dialect::TypeScript, Dialect::Tsx] {
        warm_up_dialect(dialect);
    }
}

/// Compiles the queries of one dialect now (see [`warm_up`]).
pub fn warm_up_dialect(dialect: Dialect) {
    let _ = queries::queries(dialect);
}
