//! Construct candidates (the patterns of `queries/constructs.scm`) and suppression comments
//! (`queries/comments.scm`), mapped onto the expression arena.
//!
//! The patterns are matched by the lowering itself, at each node it lowers (a candidate counts
//! only if its node was lowered), and suppression comments are found from the occurrences of
//! `alchemy-ls-disable` in the text: linear in the tree whatever the nesting, and no second
//! walk over every node. Running the patterns as a tree-sitter query was super-linear on deep
//! nesting: a query cursor keeps an in-progress match for every call whose arguments it has
//! entered, and `yield* Counter.from(yield* Counter.from(… W))` 32,000 levels deep took
//! 17.6 s, 50,000 levels 73 s (the `.scm` files stay the specification; a unit test checks
//! that the lowering finds what the query finds).

use std::cmp::Reverse;

use rustc_hash::FxHashSet;
use tree_sitter::Node;

use crate::facts::{Construct, ConstructKind, ExprId};
use crate::kinds::{K, Syms};
use crate::lower::Lowerer;

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

/// `(call_expression arguments: (arguments))`: a call (not a tagged template).
fn has_arguments(syms: &Syms, call: Node) -> bool {
    syms.field(call, syms.f.arguments)
        .is_some_and(|a| syms.kind(a) == K::Arguments)
}

/// What the lowering collects (see [`Lowerer::visit`]): node ids.
#[derive(Default)]
pub struct Found {
    constructs: Vec<(ConstructKind, usize)>,
    /// Inner calls of curried class factories (`_inner`): not value factories.
    inner_calls: FxHashSet<usize>,
}

/// The directive every suppression comment holds.
const DIRECTIVE: &str = "alchemy-ls-disable";

impl Lowerer<'_> {
    /// The construct candidates in source order (those whose node was not lowered, too deep,
    /// are dropped) and the comments that mention `alchemy-ls-disable`. Call after lowering:
    /// the candidates were collected by it ([`Lowerer::visit`]).
    pub fn scan<'tree>(&mut self, root: Node<'tree>) -> (Vec<Construct>, Vec<Node<'tree>>) {
        let found = std::mem::take(&mut self.found);
        let comments = self.directive_comments(root);
        self.finish(found, comments)
    }

    /// The comments holding [`DIRECTIVE`], in tree order: a walk that enters only the nodes
    /// whose range holds an occurrence of it in the text (none at all in most files), so it
    /// visits at most every node once whatever the nesting and the number of occurrences.
    fn directive_comments<'tree>(&self, root: Node<'tree>) -> Vec<Node<'tree>> {
        let mut comments = Vec::new();
        let at: Vec<usize> = self.text.match_indices(DIRECTIVE).map(|(i, _)| i).collect();
        if at.is_empty() {
            return comments;
        }
        let holds = |node: Node| {
            let i = at.partition_point(|&p| p < node.start_byte());
            at.get(i).is_some_and(|&p| p < node.end_byte())
        };
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            if holds(node) {
                if self.syms.kind(node) == K::Comment && self.text(node).contains(DIRECTIVE) {
                    comments.push(node);
                }
                if cursor.goto_first_child() {
                    continue;
                }
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return comments;
                }
            }
        }
    }

    /// Records the construct patterns that match at `node` (called by the lowering for every
    /// lowered call and yield, and for every `extends_clause` whose values it may lower: a
    /// candidate counts only if its node was lowered, so these are all the candidates that
    /// matching the patterns over the whole tree would keep).
    pub fn visit(&mut self, node: Node) {
        let found = &mut self.found;
        match self.syms.kind(node) {
            // ClassFactory: (extends_clause value: (call_expression
            //   function: (call_expression arguments: (arguments)) @_inner
            //   arguments: (arguments)) @class_factory)
            K::ExtendsClause => {
                let Some(field) = std::num::NonZeroU16::new(self.syms.f.value) else {
                    return;
                };
                let mut cursor = node.walk();
                for value in node.children_by_field_id(field, &mut cursor) {
                    if self.syms.kind(value) != K::CallExpression || !has_arguments(self.syms, value) {
                        continue;
                    }
                    if let Some(inner) = self.syms.field(value, self.syms.f.function)
                        && self.syms.kind(inner) == K::CallExpression
                        && has_arguments(self.syms, inner)
                    {
                        found.constructs.push((ConstructKind::ClassFactory, value.id()));
                        found.inner_calls.insert(inner.id());
                    }
                }
            }
            // (call_expression function: [(identifier) @_function
            //   (member_expression property: (property_identifier) @_method)]
            //   arguments: (arguments)) @call, classified by the callee's name.
            K::CallExpression if has_arguments(self.syms, node) => {
                if let Some(function) = self.syms.field(node, self.syms.f.function) {
                    self.call_candidate(node, function);
                }
            }
            // YieldStar: (yield_expression "*")
            K::YieldExpression if self.syms.has_token(node, K::Star) => self.yield_star_candidate(node),
            _ => {}
        }
    }

    /// Records `call` (a call with `arguments: (arguments)` and `function: function`) by
    /// the pattern `(call_expression function: [(identifier) @_function (member_expression
    /// property: (property_identifier) @_method)] arguments: (arguments)) @call`, classified by
    /// the callee's name.
    pub fn call_candidate(&mut self, call: Node, function: Node) {
        let callee = match self.syms.kind(function) {
            K::Identifier => Some((false, function)),
            K::MemberExpression => self
                .syms
                .field(function, self.syms.f.property)
                .filter(|p| self.syms.kind(*p) == K::PropertyIdentifier)
                .map(|p| (true, p)),
            _ => None,
        };
        if let Some((member, name)) = callee
            && let Some(kind) = kind_of_call(member, self.text.get(name.byte_range()).unwrap_or(""))
        {
            self.found.constructs.push((kind, call.id()));
        }
    }

    /// Records `yield_star`, a `(yield_expression "*")`.
    pub fn yield_star_candidate(&mut self, yield_star: Node) {
        self.found
            .constructs
            .push((ConstructKind::YieldStar, yield_star.id()));
    }

    fn finish<'tree>(
        &self,
        found: Found,
        mut comments: Vec<Node<'tree>>,
    ) -> (Vec<Construct>, Vec<Node<'tree>>) {
        let Found {
            constructs,
            inner_calls,
        } = found;
        let mut out: Vec<(ConstructKind, ExprId)> = constructs
            .into_iter()
            .filter(|(kind, node)| !(*kind == ConstructKind::ValueFactory && inner_calls.contains(node)))
            .filter_map(|(kind, node)| self.node_map.get(&node).map(|&id| (kind, id)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dialect;
    use crate::queries::for_each_match;

    /// The constructs and comments the query of `constructs.scm` + `comments.scm` finds
    /// (the way facts were extracted before the walk).
    fn scan_with_query<'tree>(
        lowerer: &Lowerer,
        root: Node<'tree>,
        dialect: Dialect,
    ) -> (Vec<Construct>, Vec<Node<'tree>>) {
        use std::sync::LazyLock;
        fn compile(dialect: Dialect) -> tree_sitter::Query {
            let source = format!("{}\n{}", crate::CONSTRUCTS_SCM, crate::COMMENTS_SCM);
            tree_sitter::Query::new(&crate::parse::language(dialect), &source).unwrap()
        }
        static TS: LazyLock<tree_sitter::Query> = LazyLock::new(|| compile(Dialect::TypeScript));
        static TSX: LazyLock<tree_sitter::Query> = LazyLock::new(|| compile(Dialect::Tsx));
        let query: &tree_sitter::Query = match dialect {
            Dialect::TypeScript => &TS,
            Dialect::Tsx => &TSX,
        };
        let mut found = Found::default();
        let mut comments = Vec::new();
        for_each_match(query, root, lowerer.text, None, |captures| {
            let callee = captures.iter().find_map(|(name, n)| match *name {
                "_method" => Some((true, *n)),
                "_function" => Some((false, *n)),
                _ => None,
            });
            for &(name, node) in captures {
                match name {
                    "call" => {
                        if let Some(kind) =
                            callee.and_then(|(member, n)| kind_of_call(member, lowerer.text(n)))
                        {
                            found.constructs.push((kind, node.id()));
                        }
                    }
                    "comment" => comments.push(node),
                    "_inner" => {
                        found.inner_calls.insert(node.id());
                    }
                    "class_factory" => found.constructs.push((ConstructKind::ClassFactory, node.id())),
                    "yield_star" => found.constructs.push((ConstructKind::YieldStar, node.id())),
                    _ => {}
                }
            }
        });
        lowerer.finish(found, comments)
    }

    fn compare(name: &str, text: &str, dialect: Dialect) {
        let tree = crate::parse(text, dialect, None);
        let clean = crate::parse::without_nul(text);
        let mut lowerer = Lowerer::new(&clean, dialect);
        lowerer.lower_program(tree.root_node());
        let (walk, walk_comments) = lowerer.scan(tree.root_node());
        let (query, query_comments) = scan_with_query(&lowerer, tree.root_node(), dialect);
        assert_eq!(walk, query, "{name}: constructs");
        let ids = |v: &[Node]| v.iter().map(|n| n.id()).collect::<Vec<_>>();
        assert_eq!(ids(&walk_comments), ids(&query_comments), "{name}: comments");
    }

    /// The walk finds exactly what the query finds: on every grammar fixture, on every
    /// prefix of each (half-typed code, error recovery), and on constructs in odd places.
    #[test]
    fn the_walk_finds_what_the_query_finds() {
        crate::for_each_fixture_and_prefix(7, |name, text, dialect, _| compare(name, text, dialect));
        let odd = [
            "class A extends F()() {}\nclass B extends NS.F<T>()(\"b\", {}) {}\nconst C = class extends G()(1) {};",
            "a?.from(x); a.b.make(y); f`t`; X.from`t`; bindWorker(a); x.bindWorker(b); layer(c); y.layer(d);",
            "function* g() { yield* a; yield b; yield* (yield* c.from(d)); }",
            "// alchemy-ls-disable-next-line from-non-host\n/* alchemy-ls-disable */ const x = 1; // nothing",
            "new X.from(a); (X.from)(b); X['from'](c); X.#from(d); this.Worker(e);",
            "class Q extends (F()())(1) {}; class R extends F()(1), G()(2) {}",
            "const x = Counter.from(\nconst y = Effect.provide(",
            "const s = \"alchemy-ls-disable\"; const t = `alchemy-ls-disable ${/* alchemy-ls-disable a */ 1}`;\ntype T = { /* alchemy-ls-disable b */ a: string; // alchemy-ls-disable-next-line c\n b: number };\nconst r = /alchemy-ls-disable/; /*alchemy-ls-disable*//*alchemy-ls-disable x*/ @dec(/* alchemy-ls-disable g */) class B {}\nconst a = <div>alchemy-ls-disable {/* alchemy-ls-disable h */} <span /* alchemy-ls-disable i */ /></div>;",
            "const b = ((((( /* alchemy-ls-disable j */ x ))))); // alchemy-ls-disable",
        ];
        for (i, text) in odd.iter().enumerate() {
            compare(&format!("odd {i}"), text, Dialect::TypeScript);
            compare(&format!("odd {i} (tsx)"), text, Dialect::Tsx);
        }
    }
}
