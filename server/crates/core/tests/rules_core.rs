//! Data-driven rule tests: every `fixtures/rules_core/<rule>/<case>.txt` is a multi-file
//! fixture. `trigger*` cases must report the rule, `clean*` cases must report nothing at all.
//! Every fix of the rule is applied and the result re-checked: the diagnostic must be gone and
//! the edited files must still parse. Diagnostics are snapshotted.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_ls_core::analysis::{Diagnostic, analyze};
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{LoadOptions, Workspace, load};
use common::fixture::Fixture;

fn load_ws(root: &Path) -> Workspace {
    let config = alchemy_ls_project::config::discover(root).unwrap_or_else(|_| Config::default());
    load(&[root.to_path_buf()], Arc::new(config), &LoadOptions::default()).expect("load fixture")
}

fn render(ws: &Workspace, root: &Path, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let pos = |file, off| {
        let f = ws.file(file);
        let lc = f.line_index.line_col(&f.text, off, Encoding::Utf32);
        let rel = f
            .path
            .strip_prefix(root)
            .unwrap_or(&f.path)
            .to_string_lossy()
            .replace('\\', "/");
        format!("{rel}:{}:{}", lc.line + 1, lc.col + 1)
    };
    for d in diags {
        out.push_str(&format!(
            "{} {}[{}] {}\n",
            pos(d.location.file, d.location.span.start),
            d.severity.as_str(),
            d.rule,
            d.message
        ));
        for r in &d.related {
            out.push_str(&format!(
                "  related {}: {}\n",
                pos(r.location.file, r.location.span.start),
                r.message
            ));
        }
        for f in &d.fixes {
            out.push_str(&format!("  fix: {}\n", f.title));
            for e in &f.edits {
                out.push_str(&format!(
                    "    at {}-{} insert {:?}\n",
                    pos(e.file, e.span.start),
                    pos(e.file, e.span.end),
                    e.new_text
                ));
            }
        }
    }
    out
}

fn apply_fix(ws: &Workspace, fix: &alchemy_ls_core::analysis::Fix) -> Vec<(PathBuf, String)> {
    let mut by_file: std::collections::BTreeMap<PathBuf, Vec<&alchemy_ls_core::analysis::TextEdit>> =
        Default::default();
    for e in &fix.edits {
        by_file.entry(ws.file(e.file).path.clone()).or_default().push(e);
    }
    let mut out = Vec::new();
    for (path, mut edits) in by_file {
        let id = ws.file_id(&path).unwrap();
        let mut text = ws.file(id).text.to_string();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in edits {
            text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
        }
        out.push((path, text));
    }
    out
}

fn run_case(rule: &str, case: &Path) {
    let text = std::fs::read_to_string(case).unwrap();
    let fx = Fixture::new(&text);
    let ws = load_ws(&fx.root);
    let an = analyze(&ws);
    let name = case.file_stem().unwrap().to_string_lossy().to_string();
    let rendered = render(&ws, &fx.root, &an.diagnostics);
    if name.starts_with("clean") {
        assert!(
            an.diagnostics.is_empty(),
            "{rule}/{name}: expected no diagnostics, got:\n{rendered}"
        );
    } else {
        assert!(
            an.diagnostics.iter().any(|d| d.rule == rule),
            "{rule}/{name}: expected {rule}, got:\n{rendered}"
        );
        // every fix of this rule removes its diagnostic and leaves parseable code
        for d in an.diagnostics.iter().filter(|d| d.rule == rule) {
            for fix in &d.fixes {
                let fixed = apply_fix(&ws, fix);
                let fx2 = Fixture::from_files(
                    &common::fixture::parse_fixture(&text)
                        .into_iter()
                        .map(|(p, c)| {
                            let full = fx.root.join(&p);
                            let new = fixed.iter().find(|(fp, _)| *fp == full).map(|(_, t)| t.clone());
                            (p, new.unwrap_or(c))
                        })
                        .collect::<Vec<_>>(),
                );
                let ws2 = load_ws(&fx2.root);
                for (path, _) in &fixed {
                    let rel = path.strip_prefix(&fx.root).unwrap();
                    let id = ws2.file_id(&fx2.root.join(rel)).expect("fixed file indexed");
                    assert!(
                        ws2.file(id).facts.syntax_errors.is_empty(),
                        "{rule}/{name}: fix {:?} leaves a syntax error in {}:\n{}",
                        fix.title,
                        rel.display(),
                        ws2.file(id).text
                    );
                }
                let an2 = analyze(&ws2);
                let again = an2
                    .diagnostics
                    .iter()
                    .filter(|d2| d2.rule == rule && d2.message == d.message)
                    .count();
                assert_eq!(
                    again,
                    0,
                    "{rule}/{name}: fix {:?} did not remove the diagnostic:\n{}",
                    fix.title,
                    render(&ws2, &fx2.root, &an2.diagnostics)
                );
            }
        }
    }
    insta::with_settings!({ snapshot_suffix => format!("{rule}__{name}"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("rules_core", rendered);
    });
}

fn rule_case(case: &Path) -> datatest_stable::Result<()> {
    let rule_dir = case.parent().unwrap();
    let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
    common::fixture::needs_both(rule_dir);
    run_case(&rule, case);
    Ok(())
}

/// The worked example of the domain model (examples/cross-worker) is clean.
fn worked_example_is_clean(_: &Path) -> datatest_stable::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples/cross-worker");
    let ws = load_ws(&std::fs::canonicalize(&root).unwrap());
    let an = analyze(&ws);
    assert!(an.diagnostics.is_empty(), "{:?}", an.diagnostics);
    Ok(())
}

datatest_stable::harness! {
    { test = rule_case, root = "../../tests/fixtures/rules_core", pattern = r"\.txt$" },
    { test = worked_example_is_clean, root = "../../../examples/cross-worker", pattern = r"^alchemy\.run\.ts$" },
}
