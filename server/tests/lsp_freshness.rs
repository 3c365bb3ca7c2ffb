//! Every open document's diagnostics follow edits of the files it depends on, whatever the
//! client's capabilities: push only, pull with refresh support (under the spec's key
//! `workspace.diagnostics` and under lsp-types' `workspace.diagnostic`), pull without refresh
//! support (Neovim 0.11), and without watched files (Neovim on Linux). And a pull superseded by
//! an edit is never answered with an error or an empty report (VS Code shows either as an
//! empty list: the diagnostics blink while typing).
//!
//! The client is modelled as editors behave: a pull client pulls a document when it opens or
//! changes it, and pulls every open document again on `workspace/diagnostic/refresh` if it
//! declared refresh support; what it shows is its last pull (plus, in Neovim, what was
//! pushed).

mod common;
mod lsp_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::fixture::Fixture;
use lsp_support::{Init, TUTORIAL, TestServer, file_uri};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);
/// workerA stops hosting Counter: workerB's `Counter.from(WorkerA)` becomes a from-non-host.
const UNHOST: (&str, &str) = ("{}, Counter>", "{}, never>");

struct Client {
    fx: Fixture,
    s: TestServer,
    /// The server advertised `diagnosticProvider`: the client pulls.
    pulls: bool,
    /// The client declared refresh support.
    refresh: bool,
    pulled: HashMap<String, Vec<Value>>,
    open: Vec<String>,
    versions: HashMap<String, i32>,
    texts: HashMap<String, String>,
    refreshes_seen: usize,
}

impl Client {
    fn new(init: Init) -> Client {
        let fx = Fixture::new(TUTORIAL);
        let refresh = init.pull_diagnostics && !init.no_refresh;
        let mut s = TestServer::spawn();
        let r = s.initialize(Init {
            folders: vec![fx.root.clone()],
            work_done_progress: true,
            ..init
        });
        s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
        let pulls = r["capabilities"].get("diagnosticProvider").is_some();
        Client {
            fx,
            s,
            pulls,
            refresh,
            pulled: HashMap::new(),
            open: Vec::new(),
            versions: HashMap::new(),
            texts: HashMap::new(),
            refreshes_seen: 0,
        }
    }

    fn uri(&self, rel: &str) -> String {
        file_uri(&self.fx.path(rel))
    }

    fn pull(&mut self, uri: &str) {
        let r = self
            .s
            .request(
                "textDocument/diagnostic",
                json!({ "textDocument": { "uri": uri } }),
            )
            .unwrap_or_else(|e| panic!("pull of {uri} failed: {e}"));
        if r["kind"] == "full" {
            self.pulled.insert(
                uri.to_string(),
                r["items"].as_array().cloned().unwrap_or_default(),
            );
        }
    }

    fn open(&mut self, rel: &str) {
        let uri = self.uri(rel);
        let text = std::fs::read_to_string(self.fx.path(rel)).unwrap();
        self.s.open(&uri, &text);
        self.open.push(uri.clone());
        self.versions.insert(uri.clone(), 1);
        self.texts.insert(uri.clone(), text);
        if self.pulls {
            self.pull(&uri);
        }
    }

    fn close(&mut self, rel: &str) {
        let uri = self.uri(rel);
        self.s.close(&uri);
        self.open.retain(|u| *u != uri);
        self.pulled.remove(&uri);
    }

    /// Replace the first `from` by `to` in the open document `rel` (one incremental change).
    fn edit(&mut self, rel: &str, (from, to): (&str, &str)) {
        let uri = self.uri(rel);
        let text = self.texts[&uri].clone();
        let at = text.find(from).unwrap_or_else(|| panic!("{from} in {rel}"));
        let line = text[..at].matches('\n').count() as u32;
        let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
        let v = self.versions[&uri] + 1;
        self.versions.insert(uri.clone(), v);
        self.s
            .change(&uri, v, [line, col as u32, line, (col + from.len()) as u32], to);
        self.texts.insert(uri.clone(), text.replacen(from, to, 1));
        if self.pulls {
            self.pull(&uri);
        }
    }

    /// What the editor shows for `uri`.
    fn shown(&self, uri: &str) -> Vec<Value> {
        let mut out = if self.pulls {
            self.pulled.get(uri).cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        out.extend(self.s.last_diagnostics(uri).unwrap_or_default());
        out
    }

    /// Behave as an editor until `pred` holds for what is shown of `rel`.
    fn wait_shown(&mut self, rel: &str, pred: impl Fn(&[Value]) -> bool, what: &str) {
        let uri = self.uri(rel);
        let deadline = Instant::now() + WAIT;
        loop {
            let refreshes = self
                .s
                .server_requests
                .iter()
                .filter(|r| r["method"] == "workspace/diagnostic/refresh")
                .count();
            if refreshes > self.refreshes_seen {
                self.refreshes_seen = refreshes;
                assert!(self.refresh, "a refresh sent to a client that cannot take it");
                for u in self.open.clone() {
                    self.pull(&u);
                }
            }
            if pred(&self.shown(&uri)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{rel} never showed {what}; shows {:#?}",
                self.shown(&uri)
            );
            self.s.drain_for(Duration::from_millis(50));
        }
    }
}

fn codes(d: &[Value]) -> Vec<String> {
    d.iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn has_from_non_host(d: &[Value]) -> bool {
    codes(d).iter().any(|c| c == "from-non-host")
}

/// The server's log line when it watches files itself.
const SERVER_WATCHES: &str = "for changes on disk";

fn server_watch_logs(s: &TestServer) -> usize {
    s.notifications
        .iter()
        .filter(|n| {
            n["method"] == "window/logMessage"
                && n["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(SERVER_WATCHES))
        })
        .count()
}

/// Wait until the server says it watches files itself.
fn wait_server_watches(c: &mut Client) {
    c.s.wait_notification("window/logMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains(SERVER_WATCHES))
    });
}

/// Edits of workerA reach workerB's diagnostics, in the editor and on disk. `watched_files`:
/// the client watches files for the server; otherwise the server watches them itself.
fn dependents_follow_edits(init: Init, watched_files: bool) {
    let mut c = Client::new(init);
    if !watched_files {
        wait_server_watches(&mut c);
    }
    c.open("src/workerB.ts");
    c.open("src/workerA.ts");
    c.wait_shown("src/workerB.ts", |d| d.is_empty(), "no diagnostics");
    // an edit in the editor
    c.edit("src/workerA.ts", UNHOST);
    c.wait_shown(
        "src/workerB.ts",
        has_from_non_host,
        "from-non-host after the edit",
    );
    c.edit("src/workerA.ts", (UNHOST.1, UNHOST.0));
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics after the undo",
    );
    // closing the edited file falls back to disk
    c.edit("src/workerA.ts", UNHOST);
    c.wait_shown(
        "src/workerB.ts",
        has_from_non_host,
        "from-non-host after the edit",
    );
    c.close("src/workerA.ts");
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics after the close",
    );
    // a change on disk of a file that is not open, reported by the client's file watcher or
    // seen by the server's own
    let path = c.fx.path("src/workerA.ts");
    let text = std::fs::read_to_string(&path).unwrap();
    let write_a = |c: &mut Client, text: &str| {
        std::fs::write(&path, text).unwrap();
        if watched_files {
            let uri = c.uri("src/workerA.ts");
            c.s.notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": uri, "type": 2 }] }),
            );
        }
    };
    write_a(&mut c, &text.replacen(UNHOST.0, UNHOST.1, 1));
    c.wait_shown(
        "src/workerB.ts",
        has_from_non_host,
        "from-non-host after the disk change",
    );
    write_a(&mut c, &text);
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics after the disk change is undone",
    );
    // the server watches files itself exactly when the client does not
    assert_eq!(
        server_watch_logs(&c.s),
        usize::from(!watched_files),
        "server-side watching iff the client does not watch"
    );
    c.s.shutdown();
}

/// Without a client watcher, files appearing in a new directory, a deleted file and a
/// directory renamed are seen by the server's own watcher.
#[test]
fn server_watcher_sees_new_directories_deletions_and_renames() {
    let mut c = Client::new(Init {
        no_watched_files: true,
        ..Init::default()
    });
    wait_server_watches(&mut c);
    // workerB imports WorkerA from a directory that does not exist yet
    let b = c.fx.path("src/workerB.ts");
    let text_b = std::fs::read_to_string(&b).unwrap();
    let moved = text_b.replacen("\"./workerA.ts\"", "\"./lib/workerA.ts\"", 1);
    assert_ne!(moved, text_b, "workerB imports ./workerA");
    std::fs::write(&b, &moved).unwrap();
    c.open("src/workerB.ts");
    let unresolved = |d: &[Value]| codes(d).iter().any(|c| c == "unresolved-import");
    c.wait_shown("src/workerB.ts", unresolved, "unresolved-import");
    // mkdir + write at once (a checkout): the file lands before the directory is watched
    let a = c.fx.path("src/workerA.ts");
    let text_a = std::fs::read_to_string(&a).unwrap();
    std::fs::create_dir_all(c.fx.path("src/lib")).unwrap();
    std::fs::write(c.fx.path("src/lib/workerA.ts"), &text_a).unwrap();
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics once lib/workerA.ts exists",
    );
    // a file in the new directory edited: watched too
    std::fs::write(
        c.fx.path("src/lib/workerA.ts"),
        text_a.replacen(UNHOST.0, UNHOST.1, 1),
    )
    .unwrap();
    c.wait_shown(
        "src/workerB.ts",
        has_from_non_host,
        "from-non-host after editing lib/workerA.ts",
    );
    std::fs::write(c.fx.path("src/lib/workerA.ts"), &text_a).unwrap();
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics after the undo",
    );
    // the directory renamed away: the import no longer resolves
    std::fs::rename(c.fx.path("src/lib"), c.fx.path("src/lib2")).unwrap();
    c.wait_shown(
        "src/workerB.ts",
        unresolved,
        "unresolved-import after renaming lib/",
    );
    // and back
    std::fs::rename(c.fx.path("src/lib2"), c.fx.path("src/lib")).unwrap();
    c.wait_shown(
        "src/workerB.ts",
        |d| d.is_empty(),
        "no diagnostics after renaming lib2/ back",
    );
    // the file deleted
    std::fs::remove_file(c.fx.path("src/lib/workerA.ts")).unwrap();
    c.wait_shown(
        "src/workerB.ts",
        unresolved,
        "unresolved-import after the deletion",
    );
    c.s.shutdown();
}

/// `fileWatcher: "client"` keeps the server from watching even when the client does not.
#[test]
fn file_watcher_client_setting_turns_the_server_watcher_off() {
    let mut c = Client::new(Init {
        no_watched_files: true,
        initialization_options: Some(json!({ "fileWatcher": "client" })),
        ..Init::default()
    });
    c.open("src/workerB.ts");
    c.wait_shown("src/workerB.ts", |d| d.is_empty(), "no diagnostics");
    let path = c.fx.path("src/workerA.ts");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen(UNHOST.0, UNHOST.1, 1)).unwrap();
    c.s.drain_for(Duration::from_millis(1500));
    assert!(
        !has_from_non_host(&c.shown(&c.uri("src/workerB.ts"))),
        "the disk change was seen although nobody watches"
    );
    assert_eq!(server_watch_logs(&c.s), 0);
    // and "server" makes it watch even when the client could
    let mut s = Client::new(Init {
        initialization_options: Some(json!({ "fileWatcher": "server" })),
        ..Init::default()
    });
    wait_server_watches(&mut s);
    c.s.shutdown();
    s.s.shutdown();
}

#[test]
fn push_only_client() {
    dependents_follow_edits(Init::default(), true);
}

#[test]
fn push_only_client_without_watched_files() {
    dependents_follow_edits(
        Init {
            no_watched_files: true,
            ..Init::default()
        },
        false,
    );
}

/// VS Code: pull, with refresh support declared under the spec's `workspace.diagnostics`.
#[test]
fn pull_client_with_refresh_under_the_spec_key() {
    dependents_follow_edits(
        Init {
            pull_diagnostics: true,
            ..Init::default()
        },
        true,
    );
}

/// Refresh support declared under `workspace.diagnostic` (what lsp-types 0.97 reads).
#[test]
fn pull_client_with_refresh_under_the_lsp_types_key() {
    dependents_follow_edits(
        Init {
            pull_diagnostics: true,
            refresh_key: Some("diagnostic"),
            ..Init::default()
        },
        true,
    );
}

/// Neovim 0.11: pulls a buffer only when that buffer changes, no refresh support.
#[test]
fn pull_client_without_refresh() {
    dependents_follow_edits(
        Init {
            pull_diagnostics: true,
            no_refresh: true,
            ..Init::default()
        },
        true,
    );
}

/// Neovim 0.11 on Linux: no refresh support and no file watching.
#[test]
fn pull_client_without_refresh_or_watched_files() {
    dependents_follow_edits(
        Init {
            pull_diagnostics: true,
            no_refresh: true,
            no_watched_files: true,
            ..Init::default()
        },
        false,
    );
}

/// Pull with refresh support and no watched files.
#[test]
fn pull_client_with_refresh_without_watched_files() {
    dependents_follow_edits(
        Init {
            pull_diagnostics: true,
            no_watched_files: true,
            ..Init::default()
        },
        false,
    );
}

/// Typing while a pull is in flight: every pull is answered with the document's diagnostics
/// (a full report with the persistent error, or "unchanged"), never an error or an empty list.
#[test]
fn a_superseded_pull_never_answers_empty() {
    let mut c = Client::new(Init {
        pull_diagnostics: true,
        ..Init::default()
    });
    let b = c.uri("src/workerB.ts");
    let text = std::fs::read_to_string(c.fx.path("src/workerB.ts"))
        .unwrap()
        .replacen("Counter.from(WorkerA)", "Counter.from(WorkerB)", 1);
    c.s.open(&b, &text);
    c.open.push(b.clone());
    c.versions.insert(b.clone(), 1);
    c.pull(&b);
    c.wait_shown("src/workerB.ts", has_from_non_host, "from-non-host");
    // type a comment at the end, one character per change, a pull after each
    let last_line = text.matches('\n').count() as u32;
    c.s.change(&b, 2, [last_line, 0, last_line, 0], "// ");
    let mut previous: Option<String> = None;
    for (col, (i, ch)) in (3..).zip("typing fast superseded pulls".chars().enumerate()) {
        let v = 3 + i as i32;
        let id = c.s.send_request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": b }, "previousResultId": previous }),
        );
        // the next keystroke arrives while the pull is in flight
        c.s.change(&b, v, [last_line, col, last_line, col], &ch.to_string());
        let r =
            c.s.response(id)
                .unwrap_or_else(|e| panic!("keystroke {i}: the pull failed: {e}"));
        match r["kind"].as_str() {
            Some("full") => {
                assert!(
                    has_from_non_host(r["items"].as_array().unwrap()),
                    "keystroke {i}: an empty report: {r}"
                );
                previous = r["resultId"].as_str().map(str::to_string);
            }
            Some("unchanged") => assert!(previous.is_some(), "unchanged without a previous result"),
            _ => panic!("keystroke {i}: {r}"),
        }
    }
    c.s.shutdown();
}
