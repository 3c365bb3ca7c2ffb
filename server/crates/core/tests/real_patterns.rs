//! Patterns found in real Alchemy v2 projects, reproduced as small synthetic fixtures in
//! `fixtures/real_patterns/*.txt` (multi-file, `//- path` headers; see `common/fixture.rs`).
//!
//! A header block before the first file states what the fixture must produce:
//! ```text
//! // expect: rule-id @ path:line          (every diagnostic, exactly; none listed = none)
//! // expect-edge: kind from -> to         (graph ids `<path>#<key>`; must be present)
//! // expect-resources: a.ts#A, b.ts#B     (the exact set of resource ids)
//! // status: failing                      (known analysis bug: listed loudly, not failed)
//! ```
//! Resource ids must always be unique.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_ls_core::analysis::{Analysis, analyze};
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{FileId, LoadOptions, Workspace, load};
use common::fixture::Fixture;

#[derive(Default, Debug)]
struct Expect {
    diags: Vec<String>,
    edges: Vec<String>,
    resources: Option<BTreeSet<String>>,
    failing: bool,
}

fn parse_header(text: &str) -> Expect {
    let mut ex = Expect::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("//- ") {
            break;
        }
        let Some(rest) = line.strip_prefix("//") else {
            continue;
        };
        let rest = rest.trim();
        if let Some(d) = rest.strip_prefix("expect:") {
            ex.diags.push(normalize(d));
        } else if let Some(e) = rest.strip_prefix("expect-edge:") {
            ex.edges.push(normalize(e));
        } else if let Some(r) = rest.strip_prefix("expect-resources:") {
            ex.resources = Some(
                r.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        } else if let Some(s) = rest.strip_prefix("status:") {
            ex.failing = s.trim() == "failing";
        }
    }
    ex
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn rel(ws: &Workspace, root: &Path, file: FileId) -> String {
    let f = ws.file(file);
    f.path
        .strip_prefix(root)
        .unwrap_or(&f.path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn line_of(ws: &Workspace, file: FileId, off: u32) -> u32 {
    let f = ws.file(file);
    f.line_index.line_col(&f.text, off, Encoding::Utf32).line + 1
}

fn resource_ids(ws: &Workspace, root: &Path, an: &Analysis) -> Vec<String> {
    an.graph
        .resources
        .iter()
        .map(|r| format!("{}#{}", rel(ws, root, r.file), r.key))
        .collect()
}

/// Every mismatch between the fixture's expectations and the analysis (empty = pass).
fn check(text: &str, ex: &Expect) -> Vec<String> {
    let fx = Fixture::new(text);
    let config = alchemy_ls_project::config::discover(&fx.root).unwrap_or_else(|_| Config::default());
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::new(config),
        &LoadOptions::default(),
    )
    .expect("load fixture");
    let an = analyze(&ws);
    let root = &fx.root;
    let mut problems = Vec::new();

    let mut got: Vec<String> = an
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} @ {}:{}",
                d.rule,
                rel(&ws, root, d.location.file),
                line_of(&ws, d.location.file, d.location.span.start)
            )
        })
        .collect();
    got.sort();
    let mut want = ex.diags.clone();
    want.sort();
    if got != want {
        let detail: Vec<String> = an
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "    {}:{} [{}] {}",
                    rel(&ws, root, d.location.file),
                    line_of(&ws, d.location.file, d.location.span.start),
                    d.rule,
                    d.message
                )
            })
            .collect();
        problems.push(format!(
            "diagnostics: expected {want:?}, got {got:?}\n{}",
            detail.join("\n")
        ));
    }

    let ids = resource_ids(&ws, root, &an);
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    if unique.len() != ids.len() {
        problems.push(format!("duplicate resource ids: {ids:?}"));
    }
    if let Some(want) = &ex.resources
        && *want != unique
    {
        problems.push(format!("resources: expected {want:?}, got {unique:?}"));
    }

    let edges: Vec<String> = an
        .graph
        .edges
        .iter()
        .map(|e| {
            format!(
                "{} {} -> {}",
                e.kind.as_str(),
                ids.get(e.from).map(String::as_str).unwrap_or("?"),
                ids.get(e.to).map(String::as_str).unwrap_or("?")
            )
        })
        .collect();
    for want in &ex.edges {
        if !edges.contains(want) {
            problems.push(format!("missing edge `{want}`; edges: {edges:#?}"));
        }
    }
    problems
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/real_patterns");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/real_patterns exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    out.sort();
    out
}

#[test]
fn real_patterns() {
    let files = fixtures();
    assert!(!files.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    let mut known = Vec::new();
    let mut fixed = Vec::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let ex = parse_header(&text);
        let problems = check(&text, &ex);
        match (ex.failing, problems.is_empty()) {
            (false, true) => {}
            (false, false) => failures.push(format!("{name}:\n  {}", problems.join("\n  "))),
            (true, false) => known.push(format!("{name}:\n  {}", problems.join("\n  "))),
            (true, true) => fixed.push(name),
        }
    }
    if !known.is_empty() {
        eprintln!(
            "\n!!!!!!!! {} KNOWN-FAILING real pattern(s) (status: failing) !!!!!!!!\n{}\n",
            known.len(),
            known.join("\n")
        );
    }
    if !fixed.is_empty() {
        eprintln!(
            "\n++++++++ now passing, remove `// status: failing`: {} ++++++++\n",
            fixed.join(", ")
        );
    }
    assert!(
        failures.is_empty(),
        "real pattern regressions:\n{}",
        failures.join("\n")
    );
}

#[test]
fn header_parsing() {
    let ex = parse_header(
        "// expect: duplicate-host @ src/a.ts:3\n// expect-edge: hosts a#A  ->  b#B\n\
         // expect-resources: a#A, b#B\n// status: failing\n//- a.ts\n// expect: x @ y:1\n",
    );
    assert_eq!(ex.diags, vec!["duplicate-host @ src/a.ts:3"]);
    assert_eq!(ex.edges, vec!["hosts a#A -> b#B"]);
    assert_eq!(ex.resources.unwrap().len(), 2);
    assert!(ex.failing);
}
