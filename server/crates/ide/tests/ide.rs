//! Editor queries on multi-file fixtures with a `$0` cursor: `fixtures/ide/<query>__<case>.txt`
//! where query is hosts, definition, references, completion, hover or lenses. Snapshots show
//! the answers as `path:line:col name`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_ls_core::analysis::analyze;
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_ide as ide;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{FileId, LoadOptions, Workspace, load};
use common::fixture::{Fixture, parse_fixture};

fn pos(ws: &Workspace, root: &Path, file: FileId, off: u32) -> String {
    let f = ws.file(file);
    let lc = f.line_index.line_col(&f.text, off, Encoding::Utf32);
    let rel = f
        .path
        .strip_prefix(root)
        .unwrap_or(&f.path)
        .to_string_lossy()
        .replace('\\', "/");
    format!("{rel}:{}:{}", lc.line + 1, lc.col + 1)
}

fn run(query: &str, text: &str) -> String {
    let mut files = parse_fixture(text);
    let mut cursor: Option<(String, u32)> = None;
    for (path, content) in &mut files {
        if let Some(i) = content.find("$0") {
            content.replace_range(i..i + 2, "");
            cursor = Some((path.clone(), i as u32));
        }
    }
    let (cpath, offset) = cursor.expect("fixture has a $0 cursor");
    let fx = Fixture::from_files(&files);
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::new(Config::default()),
        &LoadOptions::default(),
    )
    .expect("load");
    let an = analyze(&ws);
    let file = ws.file_id(&fx.root.join(&cpath)).expect("cursor file indexed");
    let root = &fx.root;
    let navs = |v: Vec<ide::NavTarget>| -> String {
        v.iter()
            .map(|t| format!("{} {}\n", pos(&ws, root, t.file, t.focus_span.start), t.name))
            .collect()
    };
    match query {
        "hosts" => navs(ide::hosts_at(&ws, &an, file, offset)),
        "definition" => navs(ide::definition_at(&ws, &an, file, offset)),
        "references" => navs(ide::references_at(&ws, &an, file, offset, true)),
        "completion" => {
            let mut items = ide::completion_at(&ws, &an, file, offset);
            items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
            items
                .iter()
                .map(|c| {
                    let edits: Vec<String> = c
                        .additional_edits
                        .iter()
                        .map(|e| format!("{} {:?}", pos(&ws, root, e.file, e.span.start), e.new_text))
                        .collect();
                    format!(
                        "{} ({}) {}\n",
                        c.label,
                        c.detail.clone().unwrap_or_default(),
                        edits.join("; ")
                    )
                })
                .collect()
        }
        "hover" => ide::hover_at(&ws, &an, file, offset)
            .map(|h| h.markdown)
            .unwrap_or_default(),
        "lenses" => ide::code_lenses(&ws, &an, file)
            .iter()
            .map(|l| format!("{} {}\n", pos(&ws, root, file, l.span.start), l.title))
            .collect(),
        other => panic!("unknown query {other}"),
    }
}

#[test]
fn ide_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ide");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let query = name.split("__").next().unwrap().to_string();
        let out = run(&query, &std::fs::read_to_string(&case).unwrap());
        assert!(
            !out.trim().is_empty() || name.contains("none"),
            "{name}: empty answer"
        );
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("ide", out);
        });
    }
}
