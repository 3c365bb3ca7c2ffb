//! Editor queries on multi-file fixtures with a `$0` cursor: `fixtures/ide/<query>__<case>.txt`
//! where query is hosts, definition, references, completion, hover, lenses or rename. Snapshots
//! show the answers as `path:line:col name`; a rename (new name from a `//! new-name: X` line
//! before the first file) shows `prepareRename`'s answer and every changed file after the edits,
//! or the refusal.

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
    // `//! root: dir`: the workspace is that directory of the fixture
    let ws_root = match text.lines().find_map(|l| l.strip_prefix("//! root: ")) {
        Some(dir) => fx.root.join(dir.trim()),
        None => fx.root.clone(),
    };
    let ws = load(
        std::slice::from_ref(&ws_root),
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
        "rename" => rename(&ws, &an, &fx.root, &ws_root, &cpath, offset, text),
        other => panic!("unknown query {other}"),
    }
}

/// A class rename through the same file gathering as the language server.
fn rename(
    ws: &Workspace,
    an: &alchemy_ls_core::analysis::Analysis,
    root: &Path,
    ws_root: &Path,
    cpath: &str,
    offset: u32,
    fixture: &str,
) -> String {
    let new_name = fixture
        .lines()
        .find_map(|l| l.strip_prefix("//! new-name: "))
        .expect("a rename fixture has a `//! new-name: X` line")
        .trim();
    let file = ws.file_id(&root.join(cpath)).expect("cursor file indexed");
    let mut out = String::new();
    let Some(name) = ide::class_name_at(ws, an, file, offset) else {
        return "not a Worker or Durable Object class name\n".into();
    };
    let roots = vec![ws_root.to_path_buf()];
    let resolver = alchemy_ls_project::resolve::Resolver::new(roots.clone());
    let (gathered, cursor) = alchemy_ls_project::rename_files::rename_files(
        &roots,
        &Config::default(),
        &resolver,
        ws,
        &name,
        &root.join(cpath),
    );
    let cursor = cursor.expect("cursor file gathered");
    let files: Vec<ide::RenameFile> = gathered
        .into_iter()
        .map(|(path, text, resolved)| ide::RenameFile { path, text, resolved })
        .collect();
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    match ide::prepare_class_rename(ws, an, &files, cursor, offset, &name) {
        Ok(Some(p)) => out.push_str(&format!(
            "prepare: {:?} placeholder {:?}\n",
            &files[cursor].text[p.span.start as usize..p.span.end as usize],
            p.placeholder
        )),
        Ok(None) => out.push_str("prepare: none\n"),
        Err(e) => out.push_str(&format!("prepare refused: {}\n", e.message())),
    }
    match ide::rename_class(ws, an, &files, cursor, offset, &name, new_name) {
        Ok(Some(edits)) => {
            out.push_str(&format!("rename {name} -> {new_name}: {} edits\n", edits.len()));
            let mut by_file: std::collections::BTreeMap<PathBuf, Vec<&ide::FileEdit>> = Default::default();
            for e in &edits {
                by_file.entry(e.path.clone()).or_default().push(e);
            }
            for (path, mut es) in by_file {
                let f = files
                    .iter()
                    .find(|f| f.path == path)
                    .expect("edited file gathered");
                let mut text = f.text.to_string();
                es.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for e in es {
                    text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
                }
                out.push_str(&format!("//- {}\n{text}", rel(&path)));
            }
        }
        Ok(None) => out.push_str("rename: none\n"),
        Err(e) => out.push_str(&format!("rename refused: {}\n", e.message())),
    }
    out.replace(&root.to_string_lossy().to_string(), "<root>")
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
