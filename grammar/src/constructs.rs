//! Construct candidates from `queries/constructs.scm`, mapped onto the expression arena.

use std::cmp::Reverse;
use std::collections::HashSet;

use tree_sitter::{Node, Query};

use crate::facts::{Construct, ConstructKind, ExprId};
use crate::lower::Lowerer;
use crate::queries::for_each_match;

fn kind_of_capture(name: &str) -> Option<ConstructKind> {
    Some(match name {
        "class_factory" => ConstructKind::ClassFactory,
        "yield_star" => ConstructKind::YieldStar,
        _ => return None,
    })
}

/// The construct a call captured as `call` is a candidate for,
/// by the callee's last name (see `queries/constructs.scm`).
fn kind_of_call(member: bool, name: &str) -> Option<ConstructKind> {
    Some(match name {
        "from" if member => ConstructKind::From,
        "make" if member => ConstructKind::Make,
        "provide" | "provideMerge" | "mergeAll" | "merge" if member => ConstructKind::Provide,
        "bind" | "layer" if member => ConstructKind::Binder,
        "bindWorker" | "bindContainer" | "layerContainer" => ConstructKind::Binder,
        _ if name.starts_with(|c: char| c.is_ascii_uppercase()) => ConstructKind::ValueFactory,
        _ => return None,
    })
}

fn rank(kind: ConstructKind) -> u8 {
    kind as u8
}

impl Lowerer<'_> {
    /// Runs the scan query (`constructs.scm` + `comments.scm`): the construct candidates in
    /// source order (those whose node was not lowered, too deep, are dropped) and the comments
    /// that mention `alchemy-ls-disable`.
    pub fn scan<'tree>(&self, query: &Query, root: Node<'tree>) -> (Vec<Construct>, Vec<Node<'tree>>) {
        let mut found: Vec<(ConstructKind, Node)> = Vec::new();
        let mut inner_calls = HashSet::new();
        let mut comments = Vec::new();
        for_each_match(query, root, self.text, None, |captures| {
            // `@call`: the callee's last name, and whether it is a member (`X.name`).
            let callee = captures.iter().find_map(|(name, n)| match *name {
                "_method" => Some((true, *n)),
                "_function" => Some((false, *n)),
                _ => None,
            });
            for &(name, node) in captures {
                if name == "call" {
                    let kind =
                        callee.and_then(|(member, n)| kind_of_call(member, self.text.get(n.byte_range())?));
                    if let Some(kind) = kind {
                        found.push((kind, node));
                    }
                } else if name == "comment" {
                    comments.push(node);
                } else if name == "_inner" {
                    inner_calls.insert(node.id());
                } else if let Some(kind) = kind_of_capture(name) {
                    found.push((kind, node));
                }
            }
        });
        let mut out: Vec<(ConstructKind, ExprId)> = found
            .into_iter()
            .filter(|(kind, node)| {
                !(*kind == ConstructKind::ValueFactory && inner_calls.contains(&node.id()))
            })
            .filter_map(|(kind, node)| self.node_map.get(&node.id()).map(|&id| (kind, id)))
            .collect();
        out.sort_by_key(|&(kind, id)| {
            let span = self.exprs[id as usize].span;
            (span.start, Reverse(span.end), rank(kind), id)
        });
        out.dedup();
        comments.sort_by_key(|c| c.start_byte());
        comments.dedup();
        let constructs = out
            .into_iter()
            .map(|(kind, expr)| Construct { kind, expr })
            .collect();
        (constructs, comments)
    }
}
