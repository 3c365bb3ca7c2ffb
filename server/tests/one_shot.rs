//! A one-shot index (`check`: loaded once, never updated) frees what only updates need as
//! soon as its scan is done with it (the specifiers of the files that are not Alchemy files,
//! the resolutions made from the files that are not relevant): its snapshot is the same as
//! an ordinary index's, on every fixture of the test suite and on the examples.

mod common;

use std::path::Path;
use std::sync::Arc;

use alchemy_ls::workspace::{Index, LoadOptions, Workspace};
use common::fixture::{Fixture, examples, fixture_files, parse_fixture};

fn snapshot(root: &Path, one_shot: bool) -> Workspace {
    let config = alchemy_ls::config::discover(root).unwrap_or_default();
    let mut index = Index::new(vec![root.to_path_buf()], Arc::new(config), LoadOptions::default());
    if one_shot {
        index.set_one_shot();
    }
    index.scan();
    index.snapshot()
}

/// Everything a snapshot tells the analysis, file by file in path order.
fn summary(ws: &Workspace) -> Vec<String> {
    let mut out: Vec<String> = ws
        .iter()
        .map(|f| {
            format!(
                "{} hash {:x} root {} imports {:?} reexports {:?} version {:?} package {:?} facts {:?}",
                f.path.display(),
                f.hash,
                f.root,
                f.imports,
                f.reexports,
                ws.versions.get(&f.id),
                ws.package_dirs.get(&f.id),
                f.facts,
            )
        })
        .collect();
    out.push(format!("problems {:?}", ws.problems));
    out
}

/// Returns the number of files loaded and of them the roots.
fn same_snapshot(root: &Path, what: &str) -> (usize, usize) {
    let plain = summary(&snapshot(root, false));
    let one_shot = summary(&snapshot(root, true));
    assert_eq!(one_shot, plain, "{what}: a one-shot index loads another snapshot");
    let ws = snapshot(root, true);
    (ws.iter().count(), ws.iter().filter(|f| f.root).count())
}

#[test]
fn a_one_shot_index_loads_the_same_snapshot_on_every_fixture_and_example() {
    let fixtures = fixture_files();
    assert!(fixtures.len() > 150, "{} fixtures", fixtures.len());
    let (mut files, mut roots) = (0, 0);
    for path in &fixtures {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let fx = Fixture::from_files(&parse_fixture(&text));
        let (f, r) = same_snapshot(&fx.root, &path.display().to_string());
        files += f;
        roots += r;
    }
    let examples = examples();
    assert!(examples.len() >= 2);
    for ex in &examples {
        let (f, _) = same_snapshot(ex, &ex.display().to_string());
        assert!(f > 0, "{}: nothing loaded", ex.display());
    }
    // files reached through imports only (not roots) were loaded too: the resolutions the
    // one-shot index forgot were made again where they were needed
    assert!(
        files > roots && roots > fixtures.len(),
        "{files} files, {roots} roots for {} fixtures",
        fixtures.len()
    );
}

/// Relevance through an importer that is not an Alchemy file itself (found from the
/// specifiers the one-shot index frees afterwards), and a file that is not relevant loaded
/// through an import (an RPC schema: its resolutions are made again); a plain helper stays
/// opaque.
#[test]
fn a_one_shot_index_finds_importers_and_imported_helpers() {
    let fx = Fixture::new(
        r#"
//- /package.json
{ "name": "app", "dependencies": { "alchemy": "2.0.0" } }
//- /src/stack.ts
import * as Cloudflare from "alchemy/Cloudflare";
import { helper } from "./helper";
export const W = helper(Cloudflare);
//- /src/helper.ts
import { RpcGroup } from "effect/unstable/rpc";
import { util } from "./util";
export const Api = RpcGroup.make();
export const helper = (x: unknown) => util(x);
//- /src/util.ts
export const util = (x: unknown) => x;
//- /src/main.ts
import { W } from "./stack";
export default W;
//- /src/unrelated.ts
import { util } from "./util";
export const u = util(1);
"#,
    );
    let plain = snapshot(&fx.root, false);
    let one_shot = snapshot(&fx.root, true);
    assert_eq!(summary(&one_shot), summary(&plain));
    let loaded: Vec<(String, bool)> = one_shot.iter().map(|f| (fx.rel(&f.path), f.root)).collect();
    assert_eq!(
        loaded,
        vec![
            ("src/helper.ts".to_string(), false),
            ("src/main.ts".to_string(), true),
            ("src/stack.ts".to_string(), true),
        ]
    );
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "a one-shot index was updated after its scan")]
fn a_one_shot_index_is_not_updated() {
    let fx = Fixture::new(
        r#"
//- /src/stack.ts
import * as Cloudflare from "alchemy/Cloudflare";
export const x = 1;
//- /src/main.ts
import { x } from "./stack";
export default x;
"#,
    );
    let config = alchemy_ls::config::discover(&fx.root).unwrap_or_default();
    let mut index = Index::new(vec![fx.root.clone()], Arc::new(config), LoadOptions::default());
    index.set_one_shot();
    index.scan();
    // an edit that changes a verdict: relevance must be computed again, from what was freed
    index.set_overlay(&fx.path("src/stack.ts"), Arc::from("export const x = 1;\n"));
    let _ = index.snapshot();
}
