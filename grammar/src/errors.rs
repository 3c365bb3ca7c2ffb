//! Ranges of ERROR and MISSING nodes.

use tree_sitter::Tree;

use crate::facts::Span;
use crate::lower::span;

/// At most this many syntax errors are listed per file.
pub const MAX_SYNTAX_ERRORS: usize = 1000;

/// ERROR and MISSING nodes in source order (an ERROR's own descendants are not listed).
pub fn syntax_errors(tree: &Tree) -> Vec<Span> {
    let mut out = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return out;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let is_error = node.is_error() || node.is_missing();
        if is_error {
            out.push(span(node));
            if out.len() >= MAX_SYNTAX_ERRORS {
                return out;
            }
        }
        if !is_error && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}
