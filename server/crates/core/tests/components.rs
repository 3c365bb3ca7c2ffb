//! Analysis by components (`analysis::components`) must give exactly the diagnostics of the
//! whole-workspace analysis, on every fixture of the test suite and on the bundled examples;
//! and an unchanged component must be taken from the cache.
// Tests set up fixtures on disk; the no-IO rule is for the library.
#![allow(clippy::disallowed_methods)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_ls_core::analysis::components::{Analyzer, import_components};
use alchemy_ls_core::analysis::{analyze, analyze_by_components};
use alchemy_ls_project::config::Config;
use alchemy_ls_project::workspace::{Index, LoadOptions, Workspace, load};
use common::fixture::Fixture;

fn load_ws(root: &Path) -> Workspace {
    let config = alchemy_ls_project::config::discover(root).unwrap_or_else(|_| Config::default());
    load(&[root.to_path_buf()], Arc::new(config), &LoadOptions::default()).expect("load fixture")
}

/// An index of `root`, scanned (the server's path: updated by edits afterwards).
fn scanned(root: &Path) -> Index {
    let config = alchemy_ls_project::config::discover(root).unwrap_or_else(|_| Config::default());
    let mut index = Index::new(vec![root.to_path_buf()], Arc::new(config), LoadOptions::default());
    index.scan();
    index
}

fn fixture_texts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            fixture_texts(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") && p.to_string_lossy().contains("fixtures") {
            out.push(p);
        }
    }
}

/// (whole, by components, number of components after merging)
fn both(ws: &Workspace) -> (Vec<String>, Vec<String>, usize) {
    let whole = analyze(ws).diagnostics;
    let parts = analyze_by_components(&mut Analyzer::default(), ws);
    let show = |d: &alchemy_ls_core::analysis::Diagnostic| format!("{d:?}");
    (
        whole.iter().map(show).collect(),
        parts.diagnostics.iter().map(show).collect(),
        parts.components.results.len(),
    )
}

#[test]
fn every_fixture_gives_the_whole_workspace_diagnostics() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut texts = Vec::new();
    fixture_texts(&tests, &mut texts);
    texts.sort();
    assert!(texts.len() > 100, "fixtures not found under {}", tests.display());
    let mut multi = 0;
    let mut with_findings = 0;
    for t in &texts {
        let text = std::fs::read_to_string(t).expect("read fixture");
        let fx = Fixture::new(&text);
        let ws = load_ws(&fx.root);
        let (whole, parts, n) = both(&ws);
        assert_eq!(whole, parts, "{}", t.display());
        multi += usize::from(n > 1);
        with_findings += usize::from(!whole.is_empty());
    }
    // The comparison means something only if fixtures split and report.
    assert!(multi >= 5, "only {multi} fixtures have several components");
    assert!(with_findings > 50, "only {with_findings} fixtures report");
}

#[test]
fn examples_give_the_whole_workspace_diagnostics() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples");
    for name in ["broken", "cross-worker"] {
        let ws = load_ws(&examples.join(name));
        let (whole, parts, _) = both(&ws);
        assert_eq!(whole, parts, "{name}");
    }
}

const TWO_APPS: &str = r#"
//- package.json
{ "name": "mono", "dependencies": { "alchemy": "2.0.0-beta.49" } }
//- a/counter.ts
import * as Cloudflare from "alchemy/Cloudflare";
export class Counter extends Cloudflare.DurableObjectNamespace<Counter, { get(): number }>()("Counter") {}
//- a/host.ts
import * as Cloudflare from "alchemy/Cloudflare";
import { Counter } from "./counter";
export class Host extends Cloudflare.Worker<Host, {}, Counter>()("Host", { main: import.meta.path }) {}
//- a/consumer.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./counter";
export default Cloudflare.Worker("Consumer", { main: import.meta.path }, Effect.gen(function* () {
  const c = yield* Counter.from("Api");
  return { fetch: Effect.gen(function* () { return new Response(String(yield* c.get())); }) };
}));
//- b/api.ts
import * as Cloudflare from "alchemy/Cloudflare";
export class Api extends Cloudflare.Worker<Api, {}>()("Api", { main: import.meta.path }) {}
//- b/other.ts
import * as Cloudflare from "alchemy/Cloudflare";
export class Other extends Cloudflare.Worker<Other, {}>()("Other", { main: import.meta.path }) {}
"#;

#[test]
fn a_worker_named_by_a_string_merges_the_components() {
    let fx = Fixture::new(TWO_APPS);
    let ws = load_ws(&fx.root);
    let before = import_components(&ws).len();
    let (whole, parts, after) = both(&ws);
    assert_eq!(whole, parts);
    // `Counter.from("Api")` reaches b/api.ts: a/… and b/api.ts are analysed together.
    assert!(
        after < before,
        "{after} components after merging, {before} before"
    );
    assert!(
        whole.iter().any(|d| d.contains("from-string-literal")),
        "{whole:#?}"
    );
}

#[test]
fn an_edit_reanalyses_only_the_edited_component() {
    let fx = Fixture::new(TWO_APPS);
    let mut index = scanned(&fx.root);
    let mut analyzer = Analyzer::default();
    let first = analyze_by_components(&mut analyzer, &index.snapshot());
    let n = first.components.results.len();
    assert!(n >= 2, "{n} components");
    assert!(analyzer.last_analysed > n, "the merge is a second analysis");

    // Nothing changed: nothing analysed.
    let again = analyze_by_components(&mut analyzer, &index.snapshot());
    assert_eq!(analyzer.last_analysed, 0);
    assert_eq!(
        format!("{:?}", again.diagnostics),
        format!("{:?}", first.diagnostics)
    );

    // An edit of b/other.ts: its component only.
    let other = fx.path("b/other.ts");
    let text = std::fs::read_to_string(&other).expect("read");
    index.set_overlay(&other, Arc::from(format!("{text}\n// edited\n")));
    let ws = index.snapshot();
    let edited = analyze_by_components(&mut analyzer, &ws);
    assert_eq!(analyzer.last_analysed, 1);
    assert_eq!(
        format!("{:?}", edited.diagnostics),
        format!("{:?}", analyze(&ws).diagnostics)
    );
}

#[test]
fn merged_components_stay_merged_and_cached() {
    let fx = Fixture::new(TWO_APPS);
    let ws = load_ws(&fx.root);
    let mut analyzer = Analyzer::default();
    analyze_by_components(&mut analyzer, &ws);
    // The merge of a/… with b/api.ts is remembered: the next round analyses nothing.
    analyze_by_components(&mut analyzer, &ws);
    assert_eq!(analyzer.last_analysed, 0);
}

#[test]
fn a_package_json_change_invalidates_the_cache() {
    // What the analysis reads of the disk besides sources (package directories) can change
    // with no source changing: the cache must not survive it.
    let fx = Fixture::new(TWO_APPS);
    let mut index = Index::new(
        vec![fx.root.clone()],
        Arc::new(Config::default()),
        LoadOptions::default(),
    );
    index.scan();
    let mut analyzer = Analyzer::default();
    analyze_by_components(&mut analyzer, &index.snapshot());
    let pkg = fx.path("b/package.json");
    std::fs::write(&pkg, r#"{ "name": "b" }"#).unwrap();
    index.file_changed_on_disk(&pkg);
    analyze_by_components(&mut analyzer, &index.snapshot());
    assert!(analyzer.last_analysed > 0);
}

#[test]
fn an_edit_that_changes_an_import_regroups_the_components() {
    // The analyzer keeps the import components between snapshots while no import changes:
    // an import added, retargeted or removed by an edit must regroup them.
    let fx = Fixture::new(TWO_APPS);
    let mut index = scanned(&fx.root);
    let mut analyzer = Analyzer::default();
    analyze_by_components(&mut analyzer, &index.snapshot());
    let other = fx.path("b/other.ts");
    let text = std::fs::read_to_string(&other).expect("read");
    let together = |ws: &Workspace, an: &alchemy_ls_core::analysis::Analysis, a: &str, b: &str| {
        let (a, b) = (
            ws.file_id(&fx.path(a)).expect("a"),
            ws.file_id(&fx.path(b)).expect("b"),
        );
        an.components.of(a).expect("a's component").members.contains(&b)
    };
    for (edit, joined, finding) in [
        // joins b/other.ts to a/…'s component
        (
            "import { Counter } from \"../a/counter\";\nexport const uses = [Counter];\n",
            true,
            None,
        ),
        // retargeted to a module that does not exist: an unresolved import, apart again
        (
            "import { Counter } from \"../a/missing\";\nexport const C = Counter.from(\"Api\");\n",
            false,
            Some("unresolved-import"),
        ),
        // back to the original text
        ("", false, None),
    ] {
        index.set_overlay(&other, Arc::from(format!("{edit}{text}")));
        let ws = index.snapshot();
        let edited = analyze_by_components(&mut analyzer, &ws);
        let whole = analyze(&ws);
        assert_eq!(
            format!("{:?}", edited.diagnostics),
            format!("{:?}", whole.diagnostics),
            "after the edit {edit:?}"
        );
        if joined {
            assert!(
                together(&ws, &edited, "b/other.ts", "a/counter.ts"),
                "{edit:?}: b/other.ts is analysed apart from a/counter.ts"
            );
        }
        if let Some(rule) = finding {
            assert!(
                whole.diagnostics.iter().any(|d| d.rule == rule),
                "{edit:?}: no {rule}: {:#?}",
                whole.diagnostics
            );
        }
    }
}
