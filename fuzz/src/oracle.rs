//! What the fuzz targets run on one input, and the invariants they check (a violation is a
//! panic, which libFuzzer reports as a crash):
//!
//! - nothing panics (grammar, index, resolver, analysis, IDE queries, protocol conversion);
//! - every span (facts, diagnostics, related locations, fix edits, IDE results) lies inside its
//!   file's text, on char boundaries, with `start <= end`;
//! - protocol ranges in UTF-8, UTF-16 and UTF-32 convert back to the same byte span (a
//!   position between the `\r` and `\n` of a CRLF maps to the `\r`), and lie inside the text;
//! - the edits of each fix do not overlap, apply, and leave a file that parses without syntax
//!   errors when it parsed without them before;
//! - an incremental reparse after an edit gives the facts of a fresh parse.
//!
//! This file is also compiled by `server/tests/fuzz_seeds.rs` (`#[path]`), so it may only use
//! `alchemy_ls`, `alchemy_grammar`, `serde_json`, `tempfile` and `tower_lsp_server`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::tree_sitter::{InputEdit, Point};
use alchemy_grammar::{Dialect, FileFacts, Span, extract, facts_from_tree, parse};
use alchemy_ls::analysis::{self, Analysis, TextEdit};
use alchemy_ls::config;
use alchemy_ls::line_index::{Encoding, LineCol, LineIndex};
use alchemy_ls::lsp::convert::Conv;
use alchemy_ls::lsp::state::Snapshot;
use alchemy_ls::lsp::to_proto;
use alchemy_ls::workspace::{self, FileId, LoadOptions, Workspace};
use tower_lsp_server::lsp_types::Range;

/// Separates the files of a `workspace` input.
pub const FILE_SEPARATOR: u8 = 0xFF;
/// At most this many files per `workspace` input.
pub const MAX_FILES: usize = 8;

const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

/// Target `grammar`: bytes → text → facts in both dialects; spans; line index round trips;
/// one incremental edit (chosen by the input's first bytes) against a fresh parse.
pub fn grammar(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    for dialect in [Dialect::TypeScript, Dialect::Tsx] {
        let facts = extract(text, dialect);
        check_fact_spans(text, &facts, "grammar");
    }
    check_line_index(text);
    if data.len() >= 3 && text.len() <= alchemy_grammar::MAX_PARSE_BYTES {
        let a = usize::from(data[0]) * text.len() / 256;
        let b = a + usize::from(data[1] % 16);
        let insert = SNIPPETS[usize::from(data[2]) % SNIPPETS.len()];
        check_incremental(text, a, b, insert);
    }
}

/// Target `single_file`: the input is `alchemy.run.ts` (raw bytes, so invalid UTF-8 takes
/// the reader's lossy path) next to a `package.json` that depends on alchemy; load, analyse,
/// query and convert everything.
pub fn single_file(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = std::fs::canonicalize(dir.path()).expect("canonical temporary directory");
    write(&root, "package.json", PACKAGE_JSON.as_bytes());
    write(&root, "alchemy.run.ts", data);
    analyze_dir(&root, data);
}

/// Target `workspace`: the input is up to [`MAX_FILES`] files separated by
/// [`FILE_SEPARATOR`]; each starts with a line holding its relative path (`src/a.ts`,
/// `package.json`, `tsconfig.json`, `alchemy-ls.toml`, …; an unusable name becomes `fN.ts`).
pub fn workspace(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = std::fs::canonicalize(dir.path()).expect("canonical temporary directory");
    for (name, content) in split_workspace(data) {
        write(&root, &name, content);
    }
    analyze_dir(&root, data);
}

/// The files of a `workspace` input, as (relative path, content).
pub fn split_workspace(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, &[u8])> = Vec::new();
    for (i, chunk) in data.split(|&b| b == FILE_SEPARATOR).take(MAX_FILES).enumerate() {
        let (head, content) = match chunk.iter().position(|&b| b == b'\n') {
            Some(nl) => (&chunk[..nl], &chunk[nl + 1..]),
            None => (chunk, &[][..]),
        };
        let name = std::str::from_utf8(head)
            .ok()
            .map(|s| s.trim().trim_start_matches('/'))
            .filter(|s| usable_name(s))
            .map(str::to_string)
            .unwrap_or_else(|| format!("f{i}.ts"));
        if out.iter().any(|(n, _)| *n == name) {
            continue;
        }
        out.push((name, content));
    }
    out
}

fn usable_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/@".contains(&b))
        && s.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

const PACKAGE_JSON: &str = r#"{ "name": "fuzz", "type": "module", "dependencies": { "alchemy": "2.0.0-beta.49", "effect": "3.17.0" } }"#;

/// What incremental edits insert (the `grammar` target picks one by the input's third byte).
const SNIPPETS: &[&str] = &[
    "",
    "x",
    "\n",
    "\r\n",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "`",
    "/*",
    "😀",
    "\0",
    "yield* ",
    "Counter.from(WorkerA)",
    "import * as Cloudflare from \"alchemy/Cloudflare\";\n",
];

fn write(root: &Path, rel: &str, content: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        // A name that is both a file and a directory (`a` and `a/b.ts`) loses; that is fine.
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(path, content);
}

/// Load `root` the way `alchemy-ls check` does, analyse, and check everything derived from it.
fn analyze_dir(root: &Path, data: &[u8]) {
    let config = match config::discover(root) {
        Ok(c) => c,
        Err(e) => {
            // Reported with a position that exists.
            assert!(e.line >= 1 && e.column >= 1, "config error position: {e:?}");
            config::Config::default()
        }
    };
    let ws = workspace::load(&[root.to_path_buf()], Arc::new(config), &LoadOptions::default())
        .expect("loading an existing directory succeeds");
    let an = analysis::analyze(&ws);
    check_workspace(&ws, &an);
    check_protocol(&ws, &an, data);
}

// ------------------------------------------------------------------------------ invariants

fn check_span(text: &str, span: Span, what: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(
        s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: span {s}..{e} is not a char range of a text of {} bytes",
        text.len()
    );
}

/// Every `{start, end}` object of the serialized facts is a span of `text`.
pub fn check_fact_spans(text: &str, facts: &FileFacts, what: &str) {
    fn walk(v: &serde_json::Value, text: &str, what: &str) {
        match v {
            serde_json::Value::Object(m) => {
                if m.len() == 2
                    && let (Some(s), Some(e)) = (
                        m.get("start").and_then(serde_json::Value::as_u64),
                        m.get("end").and_then(serde_json::Value::as_u64),
                    )
                {
                    check_span(text, Span::new(s as usize, e as usize), what);
                }
                m.values().for_each(|v| walk(v, text, what));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, text, what)),
            _ => {}
        }
    }
    let v = serde_json::to_value(facts).expect("facts serialize");
    walk(&v, text, what);
}

/// offset → line/col → offset is the identity on char boundaries (except between `\r` and
/// `\n`, which maps to the `\r`), in every encoding; columns never decrease along a line.
pub fn check_line_index(text: &str) {
    let idx = LineIndex::new(text);
    let bytes = text.as_bytes();
    let mut prev: Option<LineCol> = None;
    for (offset, _) in text.char_indices().take(4096).chain([(text.len(), ' ')]) {
        let inside_crlf = offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n');
        for enc in ENCODINGS {
            let lc = idx.line_col(text, offset as u32, enc);
            assert!((lc.line as usize) < idx.line_count(), "line of {offset}");
            let back = idx.offset(text, lc, enc) as usize;
            let expected = if inside_crlf { offset - 1 } else { offset };
            assert_eq!(
                back, expected,
                "{enc:?} round trip of {offset} via {lc:?} in {text:?}"
            );
        }
        let lc = idx.line_col(text, offset as u32, Encoding::Utf16);
        if let Some(p) = prev {
            assert!(p <= lc, "positions go backwards at {offset}: {p:?} then {lc:?}");
        }
        prev = Some(lc);
    }
}

/// Replace `[a, b)` (floored to char boundaries) by `insert`, reparse incrementally, and
/// compare with a fresh parse.
pub fn check_incremental(text: &str, a: usize, b: usize, insert: &str) {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = (floor(a), floor(b.max(a)));
    let new_text = format!("{}{insert}{}", &text[..start], &text[end..]);
    let point = |t: &str, offset: usize| {
        let before = &t.as_bytes()[..offset];
        let row = before.iter().filter(|&&b| b == b'\n').count();
        let column = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(offset, |nl| offset - nl - 1);
        Point { row, column }
    };
    let mut tree = parse(text, Dialect::TypeScript, None);
    tree.edit(&InputEdit {
        start_byte: start,
        old_end_byte: end,
        new_end_byte: start + insert.len(),
        start_position: point(text, start),
        old_end_position: point(text, end),
        new_end_position: point(&new_text, start + insert.len()),
    });
    let reparsed = parse(&new_text, Dialect::TypeScript, Some(&tree));
    let incremental = facts_from_tree(&new_text, &reparsed);
    let fresh = extract(&new_text, Dialect::TypeScript);
    check_fact_spans(&new_text, &incremental, "incremental facts");
    // With syntax errors, tree-sitter's recovery depends on the edit history: the trees may
    // legitimately differ (docs/reliability.md). Without them they must not.
    if new_text.len() <= alchemy_grammar::MAX_PARSE_BYTES && fresh.syntax_errors.is_empty() {
        assert!(
            incremental == fresh,
            "incremental reparse differs from a fresh parse"
        );
    }
}

fn text_of(ws: &Workspace, file: FileId) -> &str {
    let f = ws.files.get(file.0 as usize).expect("a file id of the workspace");
    &f.text
}

fn check_edits(ws: &Workspace, edits: &[TextEdit], what: &str) {
    for e in edits {
        check_span(text_of(ws, e.file), e.span, what);
    }
}

fn check_workspace(ws: &Workspace, an: &Analysis) {
    for f in ws.iter() {
        check_fact_spans(&f.text, &f.facts, "workspace facts");
        assert_eq!(
            f.imports.len(),
            f.facts.imports.len(),
            "one resolution per import"
        );
    }
    for d in &an.diagnostics {
        let what = d.rule;
        check_span(text_of(ws, d.location.file), d.location.span, what);
        for r in &d.related {
            check_span(text_of(ws, r.location.file), r.location.span, what);
        }
        for fix in &d.fixes {
            check_edits(ws, &fix.edits, what);
            check_fix_applies(ws, fix, what);
        }
    }
}

/// A fix's edits do not overlap, and applying them leaves every touched file parseable (if
/// it was before).
fn check_fix_applies(ws: &Workspace, fix: &analysis::Fix, rule: &str) {
    let mut by_file: HashMap<FileId, Vec<&TextEdit>> = HashMap::new();
    for e in &fix.edits {
        by_file.entry(e.file).or_default().push(e);
    }
    for (file, mut edits) in by_file {
        let f = ws.file(file);
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        for w in edits.windows(2) {
            // Two insertions at the same offset are fine; a range may not start inside another.
            assert!(
                w[0].span.end <= w[1].span.start,
                "{rule}: fix {:?} has overlapping edits {:?} and {:?}",
                fix.title,
                w[0].span,
                w[1].span
            );
        }
        let mut text = f.text.to_string();
        for e in edits.iter().rev() {
            text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
        }
        let dialect = Dialect::from_path(&f.path.to_string_lossy()).unwrap_or(Dialect::TypeScript);
        if f.facts.syntax_errors.is_empty()
            && !f.facts.too_large
            && text.len() <= alchemy_grammar::MAX_PARSE_BYTES
        {
            let after = extract(&text, dialect);
            assert!(
                after.syntax_errors.is_empty(),
                "{rule}: fix {:?} leaves syntax errors at {:?} in:\n{text}",
                fix.title,
                after.syntax_errors
            );
        }
    }
}

/// A protocol range converts back to `span` (see the module docs for CRLF).
fn check_range(conv: &Conv, span: Span, range: Range, what: &str) {
    let back = conv.span(range);
    let crlf_floor = |o: u32| {
        let b = conv.text.as_bytes();
        let o = o as usize;
        if o > 0 && b[o - 1] == b'\r' && b.get(o) == Some(&b'\n') {
            o as u32 - 1
        } else {
            o as u32
        }
    };
    assert_eq!(
        (back.start, back.end),
        (crlf_floor(span.start), crlf_floor(span.end)),
        "{what}: {:?} → {range:?} in {:?} does not convert back",
        span,
        conv.enc
    );
    assert!(
        (range.end.line as usize) < conv.index.line_count(),
        "{what}: line past the end"
    );
}

fn check_protocol(ws: &Workspace, an: &Analysis, data: &[u8]) {
    let ws = Arc::new(ws.clone());
    let an_arc = Arc::new(an.clone());
    let files: Vec<FileId> = ws.iter().map(|f| f.id).collect();
    for enc in ENCODINGS {
        let snap = Snapshot {
            generation: 0,
            ws: ws.clone(),
            analysis: an_arc.clone(),
            open: HashMap::new(),
            enc,
            paths: Default::default(),
        };
        let conv = |file: FileId| to_proto::conv(&snap, file).expect("a converter for every file");
        for d in &an.diagnostics {
            let pd = to_proto::diagnostic(&snap, d).expect("every diagnostic converts");
            check_range(&conv(d.location.file), d.location.span, pd.range, d.rule);
            let related = pd.related_information.unwrap_or_default();
            assert_eq!(
                related.len(),
                d.related.len(),
                "{}: related locations lost",
                d.rule
            );
            for (r, pr) in d.related.iter().zip(&related) {
                check_range(&conv(r.location.file), r.location.span, pr.location.range, d.rule);
            }
            for fix in &d.fixes {
                assert!(
                    to_proto::workspace_edit(&snap, &fix.edits).is_some(),
                    "{}: fix converts",
                    d.rule
                );
                for e in &fix.edits {
                    let r = to_proto::range(&snap, e.file, e.span).expect("edit range");
                    check_range(&conv(e.file), e.span, r, d.rule);
                }
            }
            let actions =
                alchemy_ls::ide::code_actions(&ws, an, d.location.file, d.location.span, true, true);
            for a in &actions {
                check_edits(&ws, &a.edits, "code action");
            }
            let _ = to_proto::code_actions(&snap, &actions);
        }
        let _ = to_proto::diagnostics_by_file(&snap);
        if enc != Encoding::Utf16 {
            // The IDE queries do not depend on the encoding: once is enough.
            continue;
        }
        // IDE queries at a few offsets per file: the starts and ends of constructs, and some
        // picked by the input.
        for &file in &files {
            let f = ws.file(file);
            let mut offsets: Vec<u32> = f
                .facts
                .constructs
                .iter()
                .filter_map(|c| f.facts.exprs.get(c.expr as usize))
                .flat_map(|e| {
                    [
                        e.span.start,
                        e.span.end,
                        e.span.start + (e.span.end - e.span.start) / 2,
                    ]
                })
                .take(12)
                .collect();
            offsets.extend(
                data.iter()
                    .take(4)
                    .map(|&b| (u64::from(b) * u64::from(f.line_index.len()) / 255) as u32),
            );
            for offset in offsets {
                let offset = alchemy_ls::line_index::floor_char_boundary(&f.text, offset as usize) as u32;
                check_ide(&snap, file, offset);
            }
            for lens in alchemy_ls::ide::code_lenses(&ws, an, file) {
                check_span(&f.text, lens.span, "code lens");
                check_nav(&ws, &lens.targets);
                let _ = to_proto::code_lens(&snap, file, &lens);
            }
            for s in alchemy_ls::ide::document_symbols(&ws, an, file) {
                check_span(text_of(&ws, s.file), s.full_span, "symbol");
                check_span(text_of(&ws, s.file), s.focus_span, "symbol");
                let _ = to_proto::document_symbol(&snap, &s);
            }
        }
        for s in alchemy_ls::ide::workspace_symbols(&ws, an, "") {
            let _ = to_proto::workspace_symbol(&snap, &s);
        }
        let base = ws.roots.first().cloned().unwrap_or_default();
        let live = alchemy_ls::ide::graph::live_graph(&ws, an, &base);
        for n in &live.nodes {
            check_span(text_of(&ws, n.file), n.span, "graph node");
        }
        for e in &live.edges {
            check_span(text_of(&ws, e.file), e.span, "graph edge");
        }
        let _ = to_proto::live_graph(&snap, &live);
    }
}

fn check_nav(ws: &Workspace, targets: &[alchemy_ls::ide::NavTarget]) {
    for t in targets {
        check_span(text_of(ws, t.file), t.full_span, "nav target");
        check_span(text_of(ws, t.file), t.focus_span, "nav target");
    }
}

fn check_ide(snap: &Snapshot, file: FileId, offset: u32) {
    use alchemy_ls::ide;
    let (ws, an) = (&*snap.ws, &*snap.analysis);
    let text = text_of(ws, file);
    check_nav(ws, &ide::hosts_at(ws, an, file, offset));
    let defs = ide::definition_at(ws, an, file, offset);
    check_nav(ws, &defs);
    let _ = to_proto::nav_locations(snap, &defs);
    check_nav(ws, &ide::references_at(ws, an, file, offset, true));
    if let Some(h) = ide::hover_at(ws, an, file, offset) {
        check_span(text, h.span, "hover");
        let _ = to_proto::hover(snap, file, &h);
    }
    for c in ide::completion_at(ws, an, file, offset) {
        check_span(text, c.replace_span, "completion");
        check_edits(ws, &c.additional_edits, "completion");
        let _ = to_proto::completion_item(snap, file, &c);
    }
    let g = ide::go_to_host(ws, an, file, offset);
    check_nav(ws, &g.hosts);
    check_nav(ws, g.named.as_slice());
    let _ = to_proto::go_to_host(snap, &g);
    if let Ok(Some(p)) = ide::prepare_rename(ws, an, file, offset) {
        check_span(text, p.span, "prepareRename");
    }
    if let Ok(edits) = ide::rename(ws, an, file, offset, "Renamed") {
        check_edits(ws, &edits, "rename");
    }
    let everything = Span {
        start: 0,
        end: text.len() as u32,
    };
    for h in ide::inlay_hints(
        ws,
        an,
        file,
        everything,
        ide::InlayHintOptions {
            from_binding: true,
            hosted_here: true,
            stack_workers: true,
        },
    ) {
        check_span(
            text,
            Span {
                start: h.offset,
                end: h.offset,
            },
            "inlay hint",
        );
        let _ = to_proto::inlay_hint(snap, file, &h);
    }
}

/// Every source file under `dir` (recursively), for building seeds.
pub fn source_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(source_files(&p));
        } else if Dialect::from_path(&p.to_string_lossy()).is_some() {
            out.push(p);
        }
    }
    out.sort();
    out
}
