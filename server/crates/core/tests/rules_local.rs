//! Data-driven tests of the "local" rules (self-type-mismatch, deps-too-wide, duplicate-name,
//! invalid-export-name, main-missing-default-export, unknown-rpc-method,
//! container-multiple-namespaces, deprecated-api, and the deploy-time rules version-worker-hosts,
//! version-worker-prop, too-many-tags, duplicate-queue-consumer, retain-effect-in-worker,
//! effectful-container-in-env, unsupported-version).
//!
//! Every `fixtures/rules/<rule>/<case>.txt` is a multi-file fixture (`//- path` headers).
//! `trigger*` cases must report the rule; `clean*` cases must not report it (nor any other
//! rule, unless the case name contains `_others_`). Every fix of the rule is applied, the
//! edited files must still parse, and re-analysis must no longer report that diagnostic.
//! The rendering (diagnostics, related locations, fixes and the fixed files) is snapshotted.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use alchemy_ls_core::analysis::{Diagnostic, Fix, analyze};
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{LoadOptions, Workspace, load};
use common::fixture::{Fixture, parse_fixture};

const RULES: &[&str] = &[
    "self-type-mismatch",
    "deps-too-wide",
    "duplicate-name",
    "invalid-export-name",
    "main-missing-default-export",
    "unknown-rpc-method",
    "container-multiple-namespaces",
    "deprecated-api",
    "version-worker-hosts",
    "version-worker-prop",
    "too-many-tags",
    "duplicate-queue-consumer",
    "retain-effect-in-worker",
    "effectful-container-in-env",
    "unsupported-version",
];

fn load_ws(root: &Path) -> Workspace {
    load(
        &[root.to_path_buf()],
        Arc::new(Config::default()),
        &LoadOptions::default(),
    )
    .expect("load fixture")
}

fn rel(ws: &Workspace, root: &Path, file: alchemy_ls_project::workspace::FileId) -> String {
    let f = ws.file(file);
    f.path
        .strip_prefix(root)
        .unwrap_or(&f.path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn pos(ws: &Workspace, root: &Path, file: alchemy_ls_project::workspace::FileId, off: u32) -> String {
    let f = ws.file(file);
    let lc = f.line_index.line_col(&f.text, off, Encoding::Utf32);
    format!("{}:{}:{}", rel(ws, root, file), lc.line + 1, lc.col + 1)
}

/// `(path, new text)` of every file a fix edits.
fn apply_fix(ws: &Workspace, root: &Path, fix: &Fix) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<String, Vec<&alchemy_ls_core::analysis::TextEdit>> = BTreeMap::new();
    for e in &fix.edits {
        by_file.entry(rel(ws, root, e.file)).or_default().push(e);
    }
    let mut out = BTreeMap::new();
    for (path, mut edits) in by_file {
        let id = ws.file_id(&root.join(&path)).expect("edited file is indexed");
        let mut text = ws.file(id).text.to_string();
        edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
        for w in edits.windows(2) {
            assert!(
                w[1].span.end <= w[0].span.start,
                "overlapping edits in fix {:?}",
                fix.title
            );
        }
        for e in edits {
            text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
        }
        out.insert(path, text);
    }
    out
}

fn render(ws: &Workspace, root: &Path, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let end = ws.file(d.location.file).line_index.line_col(
            &ws.file(d.location.file).text,
            d.location.span.end,
            Encoding::Utf32,
        );
        out.push_str(&format!(
            "{}-{}:{} {}[{}] {}\n",
            pos(ws, root, d.location.file, d.location.span.start),
            end.line + 1,
            end.col + 1,
            d.severity.as_str(),
            d.rule,
            d.message
        ));
        for r in &d.related {
            out.push_str(&format!(
                "  related {}: {}\n",
                pos(ws, root, r.location.file, r.location.span.start),
                r.message
            ));
        }
        for f in &d.fixes {
            out.push_str(&format!("  fix: {}\n", f.title));
            for (path, text) in apply_fix(ws, root, f) {
                out.push_str(&format!("  --- {path} (fixed)\n"));
                for line in text.lines() {
                    out.push_str(&format!("  | {line}\n"));
                }
            }
        }
    }
    out
}

fn run_case(rule: &str, case: &Path) -> String {
    let text = std::fs::read_to_string(case).unwrap();
    let files = parse_fixture(&text);
    let fx = Fixture::from_files(&files);
    let ws = load_ws(&fx.root);
    let an = analyze(&ws);
    let name = case.file_stem().unwrap().to_string_lossy().to_string();
    let rendered = render(&ws, &fx.root, &an.diagnostics);
    let mine: Vec<&Diagnostic> = an.diagnostics.iter().filter(|d| d.rule == rule).collect();
    if name.starts_with("clean") {
        if name.contains("_others_") {
            assert!(
                mine.is_empty(),
                "{rule}/{name}: expected no {rule}, got:\n{rendered}"
            );
        } else {
            assert!(
                an.diagnostics.is_empty(),
                "{rule}/{name}: expected no diagnostics, got:\n{rendered}"
            );
        }
        return rendered;
    }
    assert!(
        !mine.is_empty(),
        "{rule}/{name}: expected {rule}, got:\n{rendered}"
    );
    for d in mine {
        for fix in &d.fixes {
            let fixed = apply_fix(&ws, &fx.root, fix);
            let new_files: Vec<(String, String)> = files
                .iter()
                .map(|(p, c)| {
                    (
                        p.clone(),
                        fixed.get(p.as_str()).cloned().unwrap_or_else(|| c.clone()),
                    )
                })
                .collect();
            let fx2 = Fixture::from_files(&new_files);
            let ws2 = load_ws(&fx2.root);
            for path in fixed.keys() {
                let id = ws2.file_id(&fx2.root.join(path)).expect("fixed file indexed");
                assert!(
                    ws2.file(id).facts.syntax_errors.is_empty(),
                    "{rule}/{name}: fix {:?} leaves a syntax error in {path}:\n{}",
                    fix.title,
                    ws2.file(id).text
                );
            }
            let an2 = analyze(&ws2);
            let again: Vec<&Diagnostic> = an2
                .diagnostics
                .iter()
                .filter(|d2| {
                    d2.rule == rule
                        && rel(&ws2, &fx2.root, d2.location.file) == rel(&ws, &fx.root, d.location.file)
                        && d2.location.span.start == d.location.span.start
                })
                .collect();
            assert!(
                again.is_empty(),
                "{rule}/{name}: fix {:?} did not remove the diagnostic:\n{}",
                fix.title,
                render(&ws2, &fx2.root, &an2.diagnostics)
            );
        }
    }
    rendered
}

fn rule_case(case: &Path) -> datatest_stable::Result<()> {
    let rule_dir = case.parent().unwrap();
    let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
    let rule = *RULES
        .iter()
        .find(|r| **r == rule)
        .unwrap_or_else(|| panic!("fixtures/rules/{rule}: not a local rule (add it to RULES)"));
    common::fixture::needs_both(rule_dir);
    let stem = case.file_stem().unwrap().to_string_lossy().to_string();
    let rendered = run_case(rule, case);
    insta::with_settings!({ snapshot_suffix => format!("{rule}__{stem}"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("rules_local", rendered);
    });
    Ok(())
}

datatest_stable::harness! {
    { test = rule_case, root = "../../tests/fixtures/rules", pattern = r"\.txt$" },
}
