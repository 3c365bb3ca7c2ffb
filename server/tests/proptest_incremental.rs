//! Property at the protocol level: a random sequence of incremental `didChange`s on a file of
//! the tutorial (examples/cross-worker) leaves the server with exactly the text a client would have, and with the
//! diagnostics a fresh server computes for that final text (pull diagnostics on both).
//! The grammar-level variant (edited trees vs fresh parses) is
//! `grammar/tests/proptest_incremental.rs`.

mod common;
mod lsp_support;

use common::fixture::Fixture;
use lsp_support::{Init, TUTORIAL, TestServer, file_uri};
use proptest::prelude::*;
use serde_json::{Value, json};

const SNIPPETS: &[&str] = &[
    "",
    "x",
    "\n",
    "\r\n",
    "😀",
    "中",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "yield* Counter.from(WorkerA);\n",
    ".pipe(Effect.provide(CounterLive))",
    "import { WorkerA } from \"./workerA.ts\";\n",
    "// alchemy-ls-disable-next-line\n",
];

/// (fixture, file): the tutorial (examples/cross-worker) (clean) and `examples/broken` (several findings, with
/// fixes and related locations across files).
const FILES: &[(bool, &str)] = &[
    (false, "src/workerB.ts"),
    (false, "src/workerA.ts"),
    (false, "alchemy.run.ts"),
    (false, "src/object.ts"),
    (true, "alchemy.run.ts"),
    (true, "src/workerA.ts"),
    (true, "src/workerB.ts"),
    (true, "src/room.ts"),
    (true, "src/api.ts"),
];

fn broken_files() -> Vec<(String, String)> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/broken");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out
}

/// UTF-16 position of a byte offset (lines break at LF, CRLF and CR, as in the server).
fn position(text: &str, offset: usize) -> (u32, u32) {
    let idx = alchemy_ls::line_index::LineIndex::new(text);
    let lc = idx.line_col(text, offset as u32, alchemy_ls::line_index::Encoding::Utf16);
    (lc.line, lc.col)
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The document's diagnostics by pull, once the server has analysed every edit (a pull
/// answers from the previous analysis when the current one is not ready at once).
fn pull(s: &mut TestServer, uri: &str) -> Vec<Value> {
    s.quiesce();
    let r = s
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
        .expect("pull diagnostics");
    let mut items = r["items"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|d| d.to_string());
    items
}

fn server(fx: &Fixture) -> TestServer {
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        pull_diagnostics: true,
        ..Init::default()
    });
    s
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]


    #[test]
    fn did_change_sequences_match_a_fresh_server(
        file in 0..FILES.len(),
        edits in prop::collection::vec((any::<usize>(), 0usize..12, 0..SNIPPETS.len()), 1..10),
    ) {
        let (broken, rel) = FILES[file];
        let fx = if broken { Fixture::from_files(&broken_files()) } else { Fixture::new(TUTORIAL) };
        let uri = file_uri(&fx.path(rel));
        let mut text = std::fs::read_to_string(fx.path(rel)).unwrap();
        let mut s = server(&fx);
        s.open(&uri, &text);
        for (version, (at, delete, snippet)) in edits.iter().enumerate() {
            let start = floor(&text, at % (text.len() + 1));
            let mut end = floor(&text, start + delete);
            // Never split a CRLF: a position between its \r and \n is not a place in a line.
            if end > 0 && end < text.len() && text.as_bytes()[end - 1] == b'\r' && text.as_bytes()[end] == b'\n' {
                end += 1;
            }
            let start = if start > 0 && start < text.len() && text.as_bytes()[start - 1] == b'\r' && text.as_bytes()[start] == b'\n' { start - 1 } else { start };
            let (l0, c0) = position(&text, start);
            let (l1, c1) = position(&text, end);
            let insert = SNIPPETS[*snippet];
            s.change(&uri, version as i32 + 2, [l0, c0, l1, c1], insert);
            text.replace_range(start..end, insert);
        }
        let doc = s.document_text(&uri);
        prop_assert_eq!(doc["text"].as_str().unwrap(), text.as_str());
        let incremental = pull(&mut s, &uri);
        s.shutdown();

        let mut fresh_server = server(&fx);
        fresh_server.open(&uri, &text);
        let fresh = pull(&mut fresh_server, &uri);
        fresh_server.shutdown();
        if std::env::var_os("RELIABILITY_DEBUG").is_some() {
            eprintln!("{rel}: {} diagnostics", fresh.len());
        }
        prop_assert_eq!(incremental, fresh, "text: {:?}", text);
    }
}

/// The edit from the grammar-level finding (tree-sitter recovers differently after this edit
/// than from scratch): the open document's diagnostics must still be those of a fresh server.
#[test]
fn erroneous_edit_matches_a_fresh_server() {
    let fx = Fixture::new(TUTORIAL);
    let rel = "src/workerB.ts";
    let uri = file_uri(&fx.path(rel));
    let mut text = std::fs::read_to_string(fx.path(rel)).unwrap();
    let mut s = server(&fx);
    s.open(&uri, &text);
    let _ = pull(&mut s, &uri);
    let at = text.find("re.Worker").unwrap();
    let (l0, c0) = position(&text, at);
    let (l1, c1) = position(&text, at + 2);
    s.change(&uri, 2, [l0, c0, l1, c1], "/*");
    text.replace_range(at..at + 2, "/*");
    let incremental = pull(&mut s, &uri);
    s.shutdown();
    let mut fresh_server = server(&fx);
    fresh_server.open(&uri, &text);
    let fresh = pull(&mut fresh_server, &uri);
    fresh_server.shutdown();
    assert_eq!(incremental, fresh, "text: {text:?}");
}
