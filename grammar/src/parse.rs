//! Parsing: one thread-local tree-sitter parser per dialect.

use std::borrow::Cow;
use std::cell::RefCell;

use tree_sitter::{Language, Parser, Tree};

use crate::Dialect;

/// The tree-sitter language of a dialect.
pub fn language(dialect: Dialect) -> Language {
    match dialect {
        Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
    }
}

/// The dialect a tree was parsed with (the TSX grammar is the one that knows JSX).
pub fn dialect_of(tree: &Tree) -> Dialect {
    // The grammars are static: a tree holds the very language pointer its parser was given.
    let lang = tree.language();
    if *lang == *crate::kinds::syms(Dialect::TypeScript).language() {
        return Dialect::TypeScript;
    }
    if *lang == *crate::kinds::syms(Dialect::Tsx).language() {
        return Dialect::Tsx;
    }
    if lang.id_for_node_kind("jsx_element", true) != 0 {
        Dialect::Tsx
    } else {
        Dialect::TypeScript
    }
}

/// `text` with NUL bytes replaced by spaces (same length, same offsets).
pub fn without_nul(text: &str) -> Cow<'_, str> {
    if text.as_bytes().contains(&0) {
        Cow::Owned(text.replace('\0', " "))
    } else {
        Cow::Borrowed(text)
    }
}

thread_local! {
    static TS_PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    static TSX_PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn new_parser(dialect: Dialect) -> Parser {
    let mut parser = Parser::new();
    // Only fails on an ABI mismatch, which the crate versions rule out; a parser without a
    // language yields no tree and `parse` falls back below.
    let _ = parser.set_language(&language(dialect));
    parser
}

/// Parse `text` (NUL bytes replaced by spaces first; offsets unchanged). `old` is an edited
/// previous tree for incremental reparse.
pub fn parse(text: &str, dialect: Dialect, old: Option<&Tree>) -> Tree {
    let text = without_nul(text);
    let slot = match dialect {
        Dialect::TypeScript => &TS_PARSER,
        Dialect::Tsx => &TSX_PARSER,
    };
    let parsed = slot.with(|cell| {
        let mut cell = cell.borrow_mut();
        let parser = cell.get_or_insert_with(|| new_parser(dialect));
        parser.parse(text.as_bytes(), old).or_else(|| {
            parser.reset();
            parser.parse(text.as_bytes(), None)
        })
    });
    match parsed {
        Some(tree) => tree,
        None => fallback_tree(dialect),
    }
}

/// A tree for the empty text; only reached if tree-sitter refused to parse (never in practice).
fn fallback_tree(dialect: Dialect) -> Tree {
    let mut parser = new_parser(dialect);
    #[allow(clippy::expect_used)]
    parser.parse("", None).expect("tree-sitter parses the empty text")
}
