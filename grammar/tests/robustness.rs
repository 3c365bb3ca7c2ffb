//! Inputs that must never panic: deep nesting, NUL bytes, CRLF, huge files, every prefix of
//! every fixture; and incremental reparsing.

mod common;

use std::path::Path;

use alchemy_grammar::tree_sitter::{InputEdit, Point};
use alchemy_grammar::*;

/// Runs `f` on a thread with a 2 MiB stack, the default for spawned threads (the language
/// server's worker threads included).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn construct_texts(src: &str, facts: &FileFacts) -> Vec<String> {
    facts
        .constructs
        .iter()
        .map(|c| {
            let s = facts.exprs[c.expr as usize].span;
            format!("{:?} {}", c.kind, &src[s.start as usize..s.end as usize])
        })
        .collect()
}

#[test]
fn deep_nesting_does_not_overflow() {
    const N: usize = 10_000;
    let cases: Vec<(&str, String)> = vec![
        (
            "parens",
            format!("const a = {}x{};", "(".repeat(N), ")".repeat(N)),
        ),
        (
            "calls",
            format!("const a = {}x{};", "f(".repeat(N), ")".repeat(N)),
        ),
        ("arrays", format!("const a = {}{};", "[".repeat(N), "]".repeat(N))),
        (
            "objects",
            format!("const a = {}1{};", "{a: ".repeat(N), "}".repeat(N)),
        ),
        ("arrows", format!("const a = {}1;", "() => ".repeat(N))),
        ("members", format!("const a = x{};", ".y".repeat(N))),
        ("binary", format!("const a = 1{};", " + 1".repeat(N))),
        (
            "blocks",
            format!("function f() {{ {} }}", "{".repeat(N) + &"}".repeat(N)),
        ),
        (
            "ifs",
            format!("function f() {{ {} }}", "if (a) ".repeat(N) + "b();"),
        ),
        ("union", format!("type T = A{};", " | A".repeat(N))),
        (
            "generics",
            format!("type T = {}A{};", "A<".repeat(N), ">".repeat(N)),
        ),
        ("unclosed", format!("const a = {}", "Counter.from(".repeat(N))),
        (
            "directives",
            format!(
                "const a = {}{}x{};",
                "(".repeat(N),
                "/* alchemy-ls-disable */ ".repeat(N),
                ")".repeat(N)
            ),
        ),
        (
            "wrapped",
            format!(
                "const c = Counter.from(WorkerA, {}x{});",
                "g(".repeat(N),
                ")".repeat(N)
            ),
        ),
    ];
    for (name, src) in cases {
        let facts = on_small_stack(move || {
            let facts = extract(&src, Dialect::TypeScript);
            (src, facts)
        });
        let (src, facts) = facts;
        assert!(
            !facts.exprs.is_empty() || name == "union" || name == "generics",
            "{name}: no expressions"
        );
        let expected = if name == "unclosed" { 0 } else { 1 };
        assert_eq!(
            facts.decls.len(),
            expected,
            "{name}: {:?}",
            facts.decls.iter().map(|d| &d.name).collect::<Vec<_>>()
        );
        if name == "calls" {
            // Everything down to the depth limit is lowered, the rest is cut off.
            let calls = facts
                .exprs
                .iter()
                .filter(|e| matches!(e.kind, Expr::Call { .. }))
                .count();
            eprintln!("calls lowered: {calls}");
            assert!((100..N).contains(&calls), "{calls} calls lowered");
        }
        if name == "directives" {
            assert_eq!(facts.suppressions.len(), N, "{name}: suppressions");
        }
        if name == "wrapped" {
            let texts = construct_texts(&src, &facts);
            assert!(
                texts.iter().any(|t| t.starts_with("From Counter.from(WorkerA")),
                "{name}: {texts:?}"
            );
        }
        if name == "union"
            && let DeclKind::TypeAlias { ty } = &facts.decls[0].kind
        {
            assert!(
                matches!(&ty.kind, TypeKind::Union(v) if v.len() == N + 1),
                "union not flattened"
            );
        }
    }
}

#[test]
fn nul_bytes_are_spaces() {
    let src = "import * as Cloudflare from \"alchemy/Cloudflare\";\nconst s = \"a\0b\"; // c\0mment\n/* \0 */ export class X extends Cloudflare.Worker<X>()(\"X\\0\", { main: `t\0t` }) {}\n";
    let facts = extract(src, Dialect::TypeScript);
    assert!(facts.syntax_errors.is_empty(), "{:?}", facts.syntax_errors);
    assert_eq!(facts.decls.len(), 2);
    assert_eq!(facts.classes.len(), 1);
    assert_eq!(facts.constructs.len(), 1);
    let strs: Vec<&str> = facts
        .exprs
        .iter()
        .filter_map(|e| match &e.kind {
            Expr::Str { value } => Some(value.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(strs, ["a b", "X\\0", "t t"]);
    // Offsets are those of the original text.
    let s = facts.exprs[facts.constructs[0].expr as usize].span;
    assert!(src[s.start as usize..].starts_with("Cloudflare.Worker<X>"));
}

#[test]
fn crlf_gives_the_same_facts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["tutorial_workerA.ts", "half_typed.ts", "suppressions.ts"] {
        let lf = std::fs::read_to_string(dir.join(name)).unwrap();
        let crlf = lf.replace('\n', "\r\n");
        let a = common::extract_and_render(&lf, Dialect::TypeScript);
        let b = common::extract_and_render(&crlf, Dialect::TypeScript);
        assert_eq!(a, b, "{name}");
        assert!(b.contains("== constructs"));
    }
}

#[test]
fn too_large_is_not_parsed() {
    let src = format!("const a = 1;\n{}", " ".repeat(MAX_PARSE_BYTES));
    let facts = extract(&src, Dialect::TypeScript);
    assert!(facts.too_large);
    assert!(facts.decls.is_empty() && facts.exprs.is_empty());
    let small = extract("const a = 1;", Dialect::TypeScript);
    assert!(!small.too_large);
}

#[test]
fn every_prefix_of_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let dialect = Dialect::from_path(path.to_str().unwrap()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut end = 0;
        while end < text.len() {
            if text.is_char_boundary(end) {
                let prefix = &text[..end];
                let facts = extract(prefix, dialect);
                for e in &facts.exprs {
                    assert!(e.span.end as usize <= prefix.len());
                }
                // Dropping one byte in the middle must not panic either.
                let mut cut = text.clone();
                if let Some((i, _)) = cut[end..].char_indices().next() {
                    cut.remove(end + i);
                }
                extract(&cut, dialect);
            }
            end += 23;
        }
    }
}

#[test]
fn incremental_reparse_matches_fresh_parse() {
    let old_text = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class A extends Cloudflare.Worker<A>()(\"A\", {}) {}\n";
    let new_text = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class B extends Cloudflare.Worker<A>()(\"A\", {}) {}\n";
    let mut tree = parse(old_text, Dialect::TypeScript, None);
    let at = old_text.find("class A").unwrap() + 6;
    tree.edit(&InputEdit {
        start_byte: at,
        old_end_byte: at + 1,
        new_end_byte: at + 1,
        start_position: Point::new(1, 13),
        old_end_position: Point::new(1, 14),
        new_end_position: Point::new(1, 14),
    });
    let reparsed = parse(new_text, Dialect::TypeScript, Some(&tree));
    assert_eq!(
        facts_from_tree(new_text, &reparsed),
        extract(new_text, Dialect::TypeScript)
    );
    assert_eq!(facts_from_tree(new_text, &reparsed).decls[0].name, "B");
}

#[test]
fn mismatched_text_does_not_panic() {
    let tree = parse("const a = Counter.from(WorkerA);", Dialect::TypeScript, None);
    let facts = facts_from_tree("cönst", &tree);
    assert!(facts.exprs.len() <= 10);
    facts_from_tree("", &tree);
}

#[test]
fn tsx_dialect_and_type_assertions() {
    // `<T>x` is an assertion in .ts and an error in .tsx.
    let src = "const a = <Worker>Cloudflare.Worker(\"A\", {});";
    let ts = extract(src, Dialect::TypeScript);
    assert!(ts.syntax_errors.is_empty());
    let ts_text = construct_texts(src, &ts);
    assert_eq!(ts_text, ["ValueFactory Cloudflare.Worker(\"A\", {})"]);
    let tsx = extract(src, Dialect::Tsx);
    assert!(!tsx.syntax_errors.is_empty());
}
