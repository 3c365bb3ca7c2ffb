//! Debug helper: print the tree-sitter tree of a file (`cargo run -p alchemy-grammar --example dump_tree -- FILE`).
use std::io::Write;

fn main() {
    let path = std::env::args().nth(1).expect("usage: dump_tree FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    let lang: tree_sitter::Language = if path.ends_with(".tsx") {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    } else {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    };
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&lang).expect("language");
    let tree = parser.parse(&text, None).expect("parse");
    let mut out = std::io::stderr().lock();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        let field = cursor.field_name().map(|f| format!("{f}: ")).unwrap_or_default();
        let leaf = if node.child_count() == 0 {
            format!(" {:?}", &text[node.byte_range()])
        } else {
            String::new()
        };
        let kind = if node.is_missing() {
            format!("MISSING {}", node.kind())
        } else if node.is_named() {
            node.kind().to_string()
        } else {
            format!("'{}'", node.kind())
        };
        let _ = writeln!(
            out,
            "{}{field}{kind} [{}..{}]{leaf}",
            "  ".repeat(depth),
            node.start_byte(),
            node.end_byte()
        );
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
