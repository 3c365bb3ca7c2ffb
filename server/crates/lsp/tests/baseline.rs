//! The editor's baseline tracker against a real repository: which revision, when it is read
//! again, what is said in the log.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use alchemy_ls_core::analysis::impact::Baseline;
use alchemy_ls_lsp::baseline::Tracker;
use alchemy_ls_project::config::Config;
use common::git::git;

fn config(baseline: Option<&str>) -> Arc<Config> {
    Arc::new(Config {
        baseline: baseline.map(str::to_string),
        ..Config::default()
    })
}

#[test]
fn follows_the_revision_and_says_each_state_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut t = Tracker::default();
    // not a repository: off, said once
    let d = t.round(Some(&root), &config(None), true);
    assert!(d.job.is_none() && d.baseline.is_none());
    assert!(d.log.unwrap().contains("not in a git repository"));
    assert!(t.round(Some(&root), &config(None), true).log.is_none());

    git(&root, &["init", "-q"]);
    std::fs::write(root.join("a.ts"), "export const a = 1;\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "one"]);
    // the default without an upstream: HEAD
    let job = t.round(Some(&root), &config(None), true).job.expect("a read");
    assert_eq!(job.name, "HEAD");
    // while it is read, no second read of the same commit
    assert!(t.round(Some(&root), &config(None), true).job.is_none());
    let b = Baseline {
        rev: "HEAD".into(),
        snapshot: Default::default(),
    };
    assert!(t.finish(&job, Ok(b)).0);
    assert!(t.round(Some(&root), &config(None), true).baseline.is_some());
    // typing within RECHECK does not even resolve the revision again
    assert!(t.round(Some(&root), &config(None), false).job.is_none());

    // HEAD moves: read again, the old baseline in use until then
    git(&root, &["commit", "-q", "--allow-empty", "-m", "two"]);
    let d = t.round(Some(&root), &config(None), true);
    let job2 = d.job.expect("HEAD moved");
    assert_ne!(job2.id, job.id);
    assert!(d.baseline.is_some());
    // a superseded read is dropped
    let stale = Baseline {
        rev: "HEAD".into(),
        snapshot: Default::default(),
    };
    assert!(!t.finish(&job, Ok(stale)).0);

    // off, then an unknown revision
    let d = t.round(Some(&root), &config(Some("off")), true);
    assert!(d.baseline.is_none() && d.job.is_none());
    let d = t.round(Some(&root), &config(Some("origin/nope")), true);
    assert!(d.log.unwrap().contains("\"origin/nope\" not found"));
}
