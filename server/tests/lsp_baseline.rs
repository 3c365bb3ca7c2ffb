//! The editor's baseline, through the binary: a real git repository, the server comparing the
//! open workspace (unsaved buffers included) with `HEAD` (the default without an upstream) or
//! the configured revision, the quick fix applied in the buffer, a commit moving the baseline.

mod common;
mod lsp_support;

use common::fixture::{Files, impact_revisions, write_files};
use common::git::git;
use lsp_support::{Init, TestServer, apply_edits, file_uri};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A repository whose one commit is the base of `case`.
fn repo_at_base(case: &str) -> (tempfile::TempDir, PathBuf, Files) {
    let (base, head) = impact_revisions(case);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    git(&root, &["init", "-q"]);
    write_files(&root, &base);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    (dir, root, head)
}

/// [`repo_at_base`] with the head of `case` written over the work tree, not committed.
fn head_over_base(case: &str) -> (tempfile::TempDir, PathBuf, Files) {
    let (keep, root, head) = repo_at_base(case);
    for (p, _) in impact_revisions(case).0 {
        let _ = std::fs::remove_file(root.join(p));
    }
    write_files(&root, &head);
    (keep, root, head)
}

fn server(root: &Path, settings: Option<Value>) -> TestServer {
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![root.to_path_buf()],
        initialization_options: settings,
        ..Init::default()
    });
    s
}

fn rules(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn head_text(head: &[(String, String)], path: &str) -> String {
    head.iter().find(|(p, _)| p == path).unwrap().1.clone()
}

#[test]
fn unsaved_edits_are_compared_with_head_and_the_fix_clears_it() {
    let (_keep, root, head) = repo_at_base("do-moved-without-transfer/trigger_moved_to_worker_b.txt");
    let mut s = server(&root, None);
    // the move exists only in the buffers: WorkerA stops hosting Counter, WorkerB starts
    let a = file_uri(&root.join("src/workera.ts"));
    let b = file_uri(&root.join("src/workerb.ts"));
    let counter = file_uri(&root.join("src/counter.ts"));
    s.open(&a, &head_text(&head, "src/workera.ts"));
    s.open(&b, &head_text(&head, "src/workerb.ts"));
    let counter_text = std::fs::read_to_string(root.join("src/counter.ts")).unwrap();
    s.open(&counter, &counter_text);
    s.quiesce();
    let at = |s: &TestServer, uri: &str| s.last_diagnostics(uri).unwrap_or_default();
    let all: Vec<Value> = [&a, &b, &counter].iter().flat_map(|u| at(&s, u)).collect();
    let moved: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == "do-moved-without-transfer")
        .collect();
    assert_eq!(moved.len(), 1, "{all:#?}\n{}", s.stderr());
    let d = moved[0];
    let related = d["relatedInformation"].as_array().expect("a base location");
    assert!(
        related
            .iter()
            .any(|r| r["message"].as_str().unwrap().ends_with("@ HEAD")),
        "{related:#?}"
    );

    // the quick fix, applied in its buffer, clears it
    let uri = [&a, &b, &counter]
        .into_iter()
        .find(|u| at(&s, u).iter().any(|x| x["code"] == "do-moved-without-transfer"))
        .unwrap()
        .clone();
    let text = if uri == counter {
        counter_text.clone()
    } else {
        head_text(
            &head,
            if uri == a {
                "src/workera.ts"
            } else {
                "src/workerb.ts"
            },
        )
    };
    let actions = s
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": d["range"],
                "context": { "diagnostics": [d], "only": ["quickfix"] },
            }),
        )
        .unwrap();
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["title"].as_str().unwrap_or("").contains("transferredFrom"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let changes = action["edit"]["changes"].as_object().unwrap();
    for (target, edits) in changes {
        let before = if *target == counter {
            counter_text.clone()
        } else if *target == uri {
            text.clone()
        } else {
            panic!("an edit of an unopened file: {target}")
        };
        let after = apply_edits(&before, edits.as_array().unwrap());
        assert!(after.contains("transferredFrom"), "{after}");
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": target, "version": 2 }, "contentChanges": [{ "text": after }] }),
        );
    }
    s.quiesce();
    let all: Vec<Value> = [&a, &b, &counter].iter().flat_map(|u| at(&s, u)).collect();
    assert!(
        !rules(&all).iter().any(|r| r == "do-moved-without-transfer"),
        "{all:#?}"
    );
    s.shutdown();
}

#[test]
fn a_commit_moves_the_baseline() {
    // the head on disk, not committed: against HEAD the DO is deleted
    let (_keep, root, _) = head_over_base("do-deleted/trigger_live_no_longer_provided.txt");
    let mut s = server(&root, None);
    s.quiesce();
    let with_rule = |s: &TestServer| -> Vec<String> {
        s.notifications
            .iter()
            .filter(|n| n["method"] == "textDocument/publishDiagnostics")
            .map(|n| n["params"]["uri"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|u| {
                rules(&s.last_diagnostics(u).unwrap_or_default())
                    .iter()
                    .any(|r| r == "do-deleted")
            })
            .collect()
    };
    assert_eq!(with_rule(&s).len(), 1, "{}", s.stderr());

    // committed: HEAD is now the code; the watcher reports git's ref, the finding goes
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "head"]);
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&root.join(".git/refs/heads/main")), "type": 2 }] }),
    );
    s.quiesce();
    assert!(with_rule(&s).is_empty(), "{:#?}", s.log_messages());
    assert!(
        s.log_messages()
            .iter()
            .filter(|m| m.contains("baseline HEAD"))
            .count()
            >= 2,
        "{:#?}",
        s.log_messages()
    );
    s.shutdown();
}

#[test]
fn hover_on_a_hosted_do_says_whether_the_baseline_has_it() {
    let (_keep, root, head) = repo_at_base("do-renamed/trigger_name_string_changed.txt");
    let mut s = server(&root, None);
    // the unchanged DO: exists at the baseline
    let (path, text) = head
        .iter()
        .find(|(_, t)| t.contains("DurableObject<"))
        .cloned()
        .expect("a DO declaration");
    let base_text = std::fs::read_to_string(root.join(&path)).unwrap();
    let uri = file_uri(&root.join(&path));
    s.open(&uri, &base_text);
    s.quiesce();
    let hover_on = |s: &mut TestServer, text: &str| -> String {
        let (line, col) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| {
                l.find("DurableObject<")
                    .map(|_| (i, l.find("class ").unwrap() + 6))
            })
            .unwrap();
        let h = s
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": col } }),
            )
            .unwrap();
        h["contents"]["value"].as_str().unwrap_or_default().to_string()
    };
    let md = hover_on(&mut s, &base_text);
    assert!(md.contains("baseline: exists at `HEAD`"), "{md}");
    // its name string changed in the buffer: a new namespace
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    s.quiesce();
    let md = hover_on(&mut s, &text);
    assert!(md.contains("is a new, empty namespace"), "{md}");
    s.shutdown();
}

#[test]
fn off_and_outside_git_nothing_is_compared() {
    let (_keep, root, head) = head_over_base("do-deleted/trigger_live_no_longer_provided.txt");
    let mut s = server(&root, Some(json!({ "baseline": "off" })));
    s.quiesce();
    let any = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .any(|n| n["params"]["diagnostics"].to_string().contains("do-deleted"));
    assert!(!any);
    assert!(
        s.log_messages().iter().any(|m| m.contains("baseline is off")),
        "{:#?}",
        s.log_messages()
    );
    s.shutdown();

    // the same files outside a repository: one line in the log, no finding, no error shown
    let plain = tempfile::tempdir().unwrap();
    let plain_root = plain.path().canonicalize().unwrap();
    write_files(&plain_root, &head);
    let mut s = server(&plain_root, None);
    s.quiesce();
    assert!(
        s.log_messages()
            .iter()
            .any(|m| m.contains("not in a git repository")),
        "{:#?}",
        s.log_messages()
    );
    assert!(
        !s.notifications
            .iter()
            .any(|n| n["method"] == "window/showMessage")
    );
    s.shutdown();
}
