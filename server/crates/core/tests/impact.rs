//! Deploy-impact rules: every `fixtures/impact/<rule>/<case>.txt` holds two revisions of one
//! project. Files under `base/` belong to the deployed revision, files under `head/` to the
//! code being deployed, other files to both. The head is analysed against the base (as
//! `check --baseline-dir` does, whole and by components): `trigger*` cases must report the
//! rule, `clean*` cases nothing at all. Every fix is applied to the head and re-checked
//! against the same base. Diagnostics are snapshotted.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;

use alchemy_ls_core::analysis::{Diagnostic, analyze, analyze_by_components};
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{LoadOptions, Workspace, load};
use common::fixture::{Fixture, parse_fixture};

/// The two revisions of a case as one fixture with `base/` and `head/` trees.
fn revisions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, content) in parse_fixture(text) {
        if path.starts_with("base/") || path.starts_with("head/") {
            out.push((path, content));
        } else {
            out.push((format!("base/{path}"), content.clone()));
            out.push((format!("head/{path}"), content));
        }
    }
    out
}

fn load_with_baseline(root: &Path) -> Workspace {
    let config = Arc::new(Config::default());
    let opts = LoadOptions::default();
    let mut ws = load(&[root.join("head")], config.clone(), &opts).expect("load head");
    let base = alchemy_ls_project::baseline::from_dir(&root.join("base"), config.clone(), &opts, Some(&ws))
        .expect("load base");
    // the head's facts seed the baseline's load: the same snapshot as a load of its own
    let alone =
        alchemy_ls_project::baseline::from_dir(&root.join("base"), config, &opts, None).expect("load base");
    assert_eq!(
        format!("{:?}", base.snapshot),
        format!("{:?}", alone.snapshot),
        "seeded and unseeded baselines differ"
    );
    ws.baseline = Some(Arc::new(base));
    ws
}

fn render(ws: &Workspace, root: &Path, diags: &[Diagnostic]) -> String {
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
    let mut out = String::new();
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
        }
    }
    // the base revision's paths are named relative to their root: make them stable
    out.replace(&root.join("base").display().to_string(), "<base>")
}

/// The head's files with `fix` applied.
fn apply(
    ws: &Workspace,
    files: &[(String, String)],
    root: &Path,
    fix: &alchemy_ls_core::analysis::Fix,
) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(path, content)| {
            let full = root.join(path);
            let Some(id) = ws.file_id(&full) else {
                return (path.clone(), content.clone());
            };
            let mut edits: Vec<_> = fix.edits.iter().filter(|e| e.file == id).collect();
            if edits.is_empty() {
                return (path.clone(), content.clone());
            }
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
            let mut text = ws.file(id).text.to_string();
            for e in edits {
                text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
            }
            (path.clone(), text)
        })
        .collect()
}

fn run_case(rule: &str, case: &Path) {
    let name = case.file_stem().unwrap().to_string_lossy().to_string();
    let files = revisions(&std::fs::read_to_string(case).unwrap());
    let fx = Fixture::from_files(&files);
    let ws = load_with_baseline(&fx.root);
    let whole = analyze(&ws).diagnostics;
    let by_components = analyze_by_components(&mut Default::default(), &ws).diagnostics;
    assert_eq!(
        whole, by_components,
        "{rule}/{name}: whole and component analyses differ"
    );
    let rendered = render(&ws, &fx.root, &whole);
    if name.starts_with("clean") {
        assert!(
            whole.is_empty(),
            "{rule}/{name}: expected no diagnostics, got:\n{rendered}"
        );
    } else {
        assert!(
            whole.iter().any(|d| d.rule == rule),
            "{rule}/{name}: expected {rule}, got:\n{rendered}"
        );
        for d in whole.iter().filter(|d| d.rule == rule) {
            for fix in &d.fixes {
                let fixed = apply(&ws, &files, &fx.root, fix);
                let fx2 = Fixture::from_files(&fixed);
                let ws2 = load_with_baseline(&fx2.root);
                let again = analyze(&ws2).diagnostics;
                assert!(
                    !again.iter().any(|d2| d2.rule == rule),
                    "{rule}/{name}: fix {:?} leaves:\n{}",
                    fix.title,
                    render(&ws2, &fx2.root, &again)
                );
            }
        }
    }
    // without a baseline the head reports none of the deploy-impact rules
    let mut plain = ws.clone();
    plain.baseline = None;
    assert!(
        !analyze(&plain).diagnostics.iter().any(|d| d.rule == rule),
        "{rule}/{name}: reported without a baseline"
    );
    insta::with_settings!({ snapshot_suffix => format!("{rule}__{name}"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("impact", rendered);
    });
}

fn impact_case(case: &Path) -> datatest_stable::Result<()> {
    let rule_dir = case.parent().unwrap();
    let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        alchemy_ls_core::catalog::rule(&rule).is_some(),
        "fixtures/impact/{rule}: no such rule"
    );
    common::fixture::needs_both(rule_dir);
    run_case(&rule, case);
    Ok(())
}

datatest_stable::harness! {
    { test = impact_case, root = "../../tests/fixtures/impact", pattern = r"\.txt$" },
}
