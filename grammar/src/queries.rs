//! The tree-sitter queries of `queries/*.scm`: the specification of what the extraction
//! finds. They are compiled and run only by tests, which compare them with the extraction
//! (a query cursor on deep nesting is super-linear, see `constructs.rs`; the walks are not).

#[cfg(test)]
use std::sync::LazyLock;

#[cfg(test)]
use tree_sitter::Query;

#[cfg(test)]
use crate::Dialect;
#[cfg(test)]
use crate::parse::language;

pub const IMPORTS_SCM: &str = include_str!("../queries/imports.scm");
pub const EXPORTS_SCM: &str = include_str!("../queries/exports.scm");
pub const COMMENTS_SCM: &str = include_str!("../queries/comments.scm");
pub const CONSTRUCTS_SCM: &str = include_str!("../queries/constructs.scm");

/// The compiled queries of `imports.scm` and `exports.scm` (`constructs.scm` and
/// `comments.scm` are compiled by the test of `constructs.rs`).
#[cfg(test)]
pub struct Queries {
    pub imports: Query,
    pub exports: Query,
}

#[cfg(test)]
impl Queries {
    /// Compiles all queries for `dialect`; the error names the failing query file.
    pub fn compile(dialect: Dialect) -> Result<Queries, String> {
        let lang = language(dialect);
        let compile =
            |name: &str, source: &str| Query::new(&lang, source).map_err(|e| format!("{name}: {e}"));
        Ok(Queries {
            imports: compile("imports.scm", IMPORTS_SCM)?,
            exports: compile("exports.scm", EXPORTS_SCM)?,
        })
    }
}

#[cfg(test)]
static TS_QUERIES: LazyLock<Result<Queries, String>> =
    LazyLock::new(|| Queries::compile(Dialect::TypeScript));
#[cfg(test)]
static TSX_QUERIES: LazyLock<Result<Queries, String>> = LazyLock::new(|| Queries::compile(Dialect::Tsx));

/// The compiled queries of a dialect (`None` only if a query file is invalid).
#[cfg(test)]
pub fn queries(dialect: Dialect) -> Option<&'static Queries> {
    match dialect {
        Dialect::TypeScript => TS_QUERIES.as_ref().ok(),
        Dialect::Tsx => TSX_QUERIES.as_ref().ok(),
    }
}

/// In-progress query matches kept at once (see [`for_each_match`]).
#[cfg(test)]
const MATCH_LIMIT: u32 = 256;

/// Runs `query` over `root` and calls `f` with the `(capture name, node)` pairs of each match,
/// in match order. Text predicates read `text` (out-of-range nodes read as empty). Matches
/// start at most `max_start_depth` levels below `root`, if given. The extraction runs no
/// query (see `constructs.rs` and `facts_from_tree`); tests compare it with the queries.
#[cfg(test)]
pub fn for_each_match<'tree>(
    query: &Query,
    root: tree_sitter::Node<'tree>,
    text: &str,
    max_start_depth: Option<u32>,
    mut f: impl FnMut(&[(&str, tree_sitter::Node<'tree>)]),
) {
    use tree_sitter::StreamingIterator;
    let names = query.capture_names();
    let mut cursor = tree_sitter::QueryCursor::new();
    cursor.set_max_start_depth(max_start_depth);
    // Bounds the in-progress matches: without it a left-deep chain (`x.pipe(a).pipe(b)…`
    // 10,000 long) keeps one open state per level and matching is quadratic (minutes).
    cursor.set_match_limit(MATCH_LIMIT);
    let provider = |n: tree_sitter::Node| std::iter::once(text.as_bytes().get(n.byte_range()).unwrap_or(&[]));
    let mut matches = cursor.matches(query, root, provider);
    let mut captures = Vec::new();
    while let Some(m) = matches.next() {
        captures.clear();
        captures.extend(
            m.captures
                .iter()
                .map(|c| (names.get(c.index as usize).copied().unwrap_or(""), c.node)),
        );
        f(&captures);
    }
}

/// The nodes captured as `capture` by `query` in the top-level statements of `root`, in
/// match order.
#[cfg(test)]
pub fn captured_top_level<'tree>(
    query: &Query,
    root: tree_sitter::Node<'tree>,
    text: &str,
    capture: &str,
) -> Vec<tree_sitter::Node<'tree>> {
    let mut out = Vec::new();
    for_each_match(query, root, text, Some(1), |caps| {
        out.extend(
            caps.iter()
                .filter(|(name, _)| *name == capture)
                .map(|(_, node)| *node),
        );
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_queries_compile_for_both_dialects() {
        for dialect in [Dialect::TypeScript, Dialect::Tsx] {
            if let Err(e) = Queries::compile(dialect) {
                panic!("{dialect:?}: {e}");
            }
            assert!(queries(dialect).is_some());
            // the specification of the construct walk compiles too
            let source = format!("{CONSTRUCTS_SCM}\n{COMMENTS_SCM}");
            if let Err(e) = Query::new(&language(dialect), &source) {
                panic!("{dialect:?}: constructs.scm + comments.scm: {e}");
            }
        }
    }
}
