//! Every declaration, binding and provide form (docs/alchemy-model.md) as a multi-file fixture; the
//! snapshot shows the resources, the graph edges and the diagnostics. A fixture whose name
//! starts with `clean` must also produce no diagnostics.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_ls_core::analysis::analyze;
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{FileId, LoadOptions, Workspace, load};
use common::fixture::Fixture;

fn pos(ws: &Workspace, root: &Path, file: FileId, off: u32) -> String {
    let f = ws.file(file);
    let lc = f.line_index.line_col(&f.text, off, Encoding::Utf32);
    let rel = f
        .path
        .strip_prefix(root)
        .unwrap_or(&f.path)
        .to_string_lossy()
        .replace('\\', "/");
    format!("{rel}:{}", lc.line + 1)
}

fn render(text: &str) -> (String, usize) {
    let fx = Fixture::new(text);
    let config = alchemy_ls_project::config::discover(&fx.root).unwrap_or_else(|_| Config::default());
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::new(config),
        &LoadOptions::default(),
    )
    .expect("load");
    let an = analyze(&ws);
    let g = &an.graph;
    let mut out = String::from("resources:\n");
    let id = |r: usize| {
        let res = &g.resources[r];
        let f = ws.file(res.file);
        let rel = f
            .path
            .strip_prefix(&fx.root)
            .unwrap_or(&f.path)
            .to_string_lossy()
            .replace('\\', "/");
        format!("{rel}#{}", res.key)
    };
    let mut res: Vec<String> = (0..g.resources.len())
        .map(|r| {
            format!(
                "  {} {} {:?} @ {}",
                g.resources[r].kind.as_str(),
                id(r),
                g.resources[r].name,
                pos(&ws, &fx.root, g.resources[r].file, g.resources[r].span.start)
            )
        })
        .collect();
    res.sort();
    out.push_str(&res.join("\n"));
    out.push_str("\nedges:\n");
    for e in &g.edges {
        let via = e.via.map(|v| format!(" via {}", id(v))).unwrap_or_default();
        out.push_str(&format!(
            "  {} {} -> {}{} @ {}\n",
            e.kind.as_str(),
            id(e.from),
            id(e.to),
            via,
            pos(&ws, &fx.root, e.file, e.span.start)
        ));
    }
    out.push_str("diagnostics:\n");
    for d in &an.diagnostics {
        out.push_str(&format!(
            "  {} {}: {}\n",
            pos(&ws, &fx.root, d.location.file, d.location.span.start),
            d.rule,
            d.message
        ));
    }
    (out, an.diagnostics.len())
}

#[test]
fn graph_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/graph");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let (rendered, n) = render(&std::fs::read_to_string(&case).unwrap());
        if name.starts_with("clean") {
            assert_eq!(n, 0, "{name}: expected no diagnostics:\n{rendered}");
        }
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("graph", rendered);
        });
    }
}
