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
    let (imports, exports) = top_level_statements(&lowerer, root);
    for stmt in imports {
        if let Some(import) = lowerer.read_import(stmt) {
            facts.imports.push(import);
        }
    }
    for stmt in exports {
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
    if let Some(first) = facts.imports.first()
        && let Some(q @ ('"' | '\'')) = text
            .get(first.specifier_span.start as usize..)
            .and_then(|t| t.chars().next())
    {
        facts.quote = q;
    }
    facts.exprs = lowerer.exprs;
    facts.functions = facts::functions_in(&facts.exprs);
    facts.classes = lowerer.classes;
    facts.shrink_to_fit();
    facts
}

/// The module-level statements `queries/imports.scm` and `queries/exports.scm` capture (they
/// run with a maximal start depth of 1: `root` and its children), in source order.
fn top_level_statements<'tree>(
    lowerer: &Lowerer,
    root: tree_sitter::Node<'tree>,
) -> (Vec<tree_sitter::Node<'tree>>, Vec<tree_sitter::Node<'tree>>) {
    let syms = lowerer.syms;
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut add = |node: tree_sitter::Node<'tree>| match syms.kind(node) {
        // (import_statement source: (string) @source) @import
        kinds::K::ImportStatement
            if syms
                .field(node, syms.f.source)
                .is_some_and(|s| syms.kind(s) == kinds::K::String) =>
        {
            imports.push(node);
        }
        // (export_statement) @export
        kinds::K::ExportStatement => exports.push(node),
        _ => {}
    };
    add(root);
    let mut cursor = root.walk();
    if cursor.goto_first_child() {
        loop {
            add(cursor.node());
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    (imports, exports)
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

/// Prepares the kind and field tables of both dialects now (otherwise done by the first
/// extraction of each dialect; the queries of `queries/*.scm` are a specification the
/// extraction is tested against, never compiled at run time); call it from a background
/// thread at start-up.
pub fn warm_up() {
    for dialect in [Dialect::TypeScript, Dialect::Tsx] {
        warm_up_dialect(dialect);
    }
}

/// Prepares the tables of one dialect now (see [`warm_up`]).
pub fn warm_up_dialect(dialect: Dialect) {
    let _ = kinds::syms(dialect);
}

/// Calls `f(name, text, dialect, whole)` on every grammar fixture (`whole`) and on every
/// prefix of each, cut every `step` bytes (half-typed code, error recovery).
#[cfg(test)]
pub(crate) fn for_each_fixture_and_prefix(step: usize, mut f: impl FnMut(&str, &str, Dialect, bool)) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 10);
    for path in fixtures {
        let text = std::fs::read_to_string(&path).unwrap();
        let dialect = Dialect::from_path(&path.to_string_lossy()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        f(&name, &text, dialect, true);
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                f(&format!("{name}[..{cut}]"), &text[..cut], dialect, false);
            }
            cut += step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_of_a_tree() {
        for dialect in [Dialect::TypeScript, Dialect::Tsx] {
            assert_eq!(parse::dialect_of(&parse("let x = 1;", dialect, None)), dialect);
        }
    }

    fn compare(name: &str, text: &str, dialect: Dialect) {
        let tree = parse(text, dialect, None);
        let clean = parse::without_nul(text);
        let lowerer = Lowerer::new(&clean, dialect);
        let root = tree.root_node();
        let (imports, exports) = top_level_statements(&lowerer, root);
        let q = queries::queries(dialect).unwrap();
        let ids = |v: Vec<tree_sitter::Node>| v.iter().map(|n| n.id()).collect::<Vec<_>>();
        let query_imports = queries::captured_top_level(&q.imports, root, &clean, "import");
        let query_exports = queries::captured_top_level(&q.exports, root, &clean, "export");
        assert_eq!(ids(imports), ids(query_imports), "{name}: imports");
        assert_eq!(ids(exports), ids(query_exports), "{name}: exports");
    }

    /// The top-level walk finds the statements the queries of `imports.scm` and `exports.scm`
    /// capture: on every grammar fixture, on every prefix of each, and on odd statements.
    #[test]
    fn the_walk_finds_what_the_import_and_export_queries_find() {
        let mut found = 0;
        for_each_fixture_and_prefix(5, |name, text, dialect, whole| {
            if whole {
                found += text.matches("import ").count();
            }
            compare(name, text, dialect);
        });
        assert!(found > 10);
        let odd = [
            "import x = require(\"y\");\nimport type { A } from 'a';\nimport 'side';\nimport from;\nimport { b } from\n",
            "declare module \"m\" { import a from \"a\"; export const b = 1; }\nnamespace N { export import c = d; }",
            "export * from \"a\"; export type * as ns from 'b'; export = x; export as namespace Y; export default class {}",
            "{ import a from \"a\"; } if (x) { export const y = 1; }\n)))) import b from \"b\"; export { c };",
            "export { a as \"b\" } from \"c\"; export { type d, e as default }; export default function* () {}",
        ];
        for (i, text) in odd.iter().enumerate() {
            compare(&format!("odd {i}"), text, Dialect::TypeScript);
            compare(&format!("odd {i} (tsx)"), text, Dialect::Tsx);
        }
    }
}
