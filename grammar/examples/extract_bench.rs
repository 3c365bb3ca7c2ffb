//! Times `extract` on a file (`cargo run --release -p alchemy-grammar --example extract_bench -- FILE [REPEAT]`).
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: extract_bench FILE [REPEAT]");
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let text = std::fs::read_to_string(&path).expect("read").repeat(repeat);
    let dialect = alchemy_grammar::Dialect::from_path(&path).unwrap_or(alchemy_grammar::Dialect::TypeScript);
    // The first extraction compiles the queries (once per process); time the second.
    let _ = alchemy_grammar::extract(&text, dialect);
    let start = std::time::Instant::now();
    let tree = alchemy_grammar::parse(&text, dialect, None);
    let parsed = start.elapsed();
    let facts = alchemy_grammar::facts_from_tree(&text, &tree);
    let total = start.elapsed();
    let _ = writeln!(
        std::io::stderr(),
        "{} bytes: parse {parsed:?}, facts {:?}, {} exprs, {} constructs",
        text.len(),
        total - parsed,
        facts.exprs.len(),
        facts.constructs.len()
    );
}
