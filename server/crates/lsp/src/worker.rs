//! The analysis worker: drains queued changes, parses the changed documents, re-indexes and
//! re-analyses on a blocking thread, stores the snapshot, and publishes the diagnostics that
//! changed. Changes arriving while it works are coalesced into the next round.
//!
//! Diagnostics reach the client by push (`publishDiagnostics`) unless it pulls them *and*
//! supports `workspace/diagnostic/refresh` ([`ClientCaps::pull_mode`]): a client that pulls
//! only when a document changes (Neovim 0.11) would otherwise keep stale diagnostics in the
//! files that depend on the one edited. In pull mode the worker asks for a refresh whenever
//! an open document's diagnostics move away from what the client last pulled.
#![allow(clippy::mutable_key_type)] // `Uri` hashes and compares by its string; its cell is a parse cache

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::notification::Progress;
use tower_lsp_server::lsp_types::request::{WorkDoneProgressCreate, WorkspaceDiagnosticRefresh};
use tower_lsp_server::lsp_types::{
    self as lsp, MessageType, NumberOrString, ProgressParams, ProgressParamsValue, Uri, WorkDoneProgress,
    WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
};

use super::baseline::{Decision, Job};
use super::host::{Change, HostMessage, coalesce};
use super::state::{Snapshot, State, lock};
use super::to_proto;
use alchemy_ls_core::analysis::components::Analyzer;
use alchemy_ls_core::analysis::{Analysis, analyze_by_components};
use alchemy_ls_project::baseline;

/// A round starts as soon as a change arrives (no fixed debounce: it would be added to every
/// edit's latency); changes that arrive while a round computes are merged into the next one.
/// Timeout for requests the server sends to the client.
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What was last sent for each URI.
#[derive(Default)]
struct Published {
    /// Pushed (`publishDiagnostics`) and not cleared.
    pushed: HashMap<Uri, Vec<lsp::Diagnostic>>,
    /// In pull mode: the result id a refresh was last asked for, per open URI (one refresh
    /// per state the client has not pulled yet).
    refreshed: HashMap<Uri, String>,
}

pub async fn run(state: Arc<State>, client: Client) {
    let mut published = Published::default();
    // workspace problems (unreadable files, invalid package.json, …) already logged
    let mut logged_problems: std::collections::HashSet<(std::path::PathBuf, String)> = Default::default();
    // Component results of the last round, reused for the components an edit leaves alone.
    let analyzer = Arc::new(std::sync::Mutex::new(Analyzer::default()));
    loop {
        state.wake.notified().await;
        if state.shutdown.load(Ordering::SeqCst) {
            return;
        }
        // let notifications that arrived together queue up before draining
        tokio::task::yield_now().await;
        let (changes, generation, open) = {
            let mut p = lock(&state.pending);
            (std::mem::take(&mut p.changes), p.generation, p.open.clone())
        };
        let caps = state.caps();
        let paths = state.paths();
        let indexing = changes.iter().any(|c| matches!(c, Change::Roots(_)));
        // a change that may have moved git's refs: resolve the baseline's revision again
        let refs_may_move = changes.iter().any(|c| {
            matches!(
                c,
                Change::Roots(_) | Change::Settings(_) | Change::Disk(_) | Change::Baseline
            )
        });
        let progress = (indexing && caps.work_done_progress).then(|| start_progress(client.clone()));
        let host = state.host.clone();
        let analyzer = analyzer.clone();
        let docs_state = state.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let changes = catch_unwind(AssertUnwindSafe(|| materialize(&docs_state, changes)));
            let mut h = lock(&host);
            let messages = match changes {
                Ok(changes) => catch_unwind(AssertUnwindSafe(|| h.apply(changes))),
                Err(e) => Err(e),
            }
            .unwrap_or_else(|_| {
                vec![HostMessage {
                    error: true,
                    text: "alchemy-ls: internal error while indexing (see the log)".into(),
                }]
            });
            let mut ws = catch_unwind(AssertUnwindSafe(|| h.snapshot())).unwrap_or_default();
            let (root, config) = (h.roots().first().cloned(), h.config_in_effect());
            drop(h);
            let decision = catch_unwind(AssertUnwindSafe(|| match &config {
                Some(config) => lock(&docs_state.baseline).round(root.as_deref(), config, refs_may_move),
                None => Decision::default(),
            }))
            .unwrap_or_default();
            ws.baseline = decision.baseline.clone();
            let ws = Arc::new(ws);
            let mut analyzer = lock(&analyzer);
            let analysis = catch_unwind(AssertUnwindSafe(|| analyze_by_components(&mut analyzer, &ws)));
            if analysis.is_err() {
                // the cache may hold a half-updated state
                *analyzer = Analyzer::default();
            }
            (ws, analysis, messages, decision)
        })
        .await;
        let (ws, analysis, messages, decision) = match computed {
            Ok(v) => v,
            Err(e) => {
                client
                    .log_message(MessageType::ERROR, format!("analysis worker failed: {e}"))
                    .await;
                state.published_tx.send_replace(generation);
                continue;
            }
        };
        let analysis = match analysis {
            Ok(a) => a,
            Err(_) => {
                client
                    .log_message(
                        MessageType::ERROR,
                        "the analysis panicked; diagnostics are empty until the next change",
                    )
                    .await;
                Analysis::default()
            }
        };
        let snap = Arc::new(Snapshot {
            generation,
            ws,
            analysis: Arc::new(analysis),
            open,
            enc: caps.encoding,
            paths,
        });
        state.snapshot_tx.send_replace(snap.clone());
        if let Some(line) = decision.log {
            client
                .log_message(MessageType::INFO, format!("alchemy-ls: {line}"))
                .await;
        }
        if let Some(job) = decision.job {
            read_baseline(state.clone(), client.clone(), job, snap.ws.clone());
        }
        if let Some(done) = progress {
            let _ = done.send(());
        }
        for (path, problem) in &snap.ws.problems {
            if logged_problems.insert((path.clone(), problem.clone())) {
                client
                    .log_message(
                        MessageType::WARNING,
                        format!("alchemy-ls: {}: {problem}", path.display()),
                    )
                    .await;
            }
        }
        for m in messages {
            let typ = if m.error {
                MessageType::ERROR
            } else {
                MessageType::INFO
            };
            client.log_message(typ, &m.text).await;
            client.show_message(typ, &m.text).await;
        }
        publish(&state, &client, &snap, &mut published).await;
        state.published_tx.send_replace(generation);
    }
}

/// Read a baseline in the background (the work tree's facts shared), then queue a round that
/// analyses with it.
fn read_baseline(
    state: Arc<State>,
    client: Client,
    job: Job,
    head: Arc<alchemy_ls_project::workspace::Workspace>,
) {
    state.baseline_reads.send_modify(|n| *n += 1);
    tokio::spawn(async move {
        let j = job.clone();
        let read = tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| {
                baseline::from_git(
                    &j.root,
                    &j.name,
                    j.config.clone(),
                    &Default::default(),
                    Some(&head),
                )
            }))
            .unwrap_or_else(|_| Err("internal error while reading it (see the log)".to_string()))
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        let (changed, log) = lock(&state.baseline).finish(&job, read);
        if let Some(line) = log {
            client
                .log_message(MessageType::INFO, format!("alchemy-ls: {line}"))
                .await;
        }
        if changed {
            state.queue([Change::Baseline]);
        }
        state.baseline_reads.send_modify(|n| *n -= 1);
    });
}

/// Turn the queued document contents into overlays: the last content of each document is
/// materialised and parsed (incrementally from its edited tree), and the parsed tree goes back
/// to the document if it is still at that version.
fn materialize(state: &State, changes: Vec<Change>) -> Vec<Change> {
    coalesce(changes)
        .into_iter()
        .map(|c| match c {
            Change::Document { path, content } => {
                let m = content.materialize();
                if let Some(tree) = m.tree {
                    state.docs.set_tree(&content.uri, content.version, tree);
                }
                Change::Overlay {
                    path,
                    text: m.text,
                    facts: m.facts,
                }
            }
            other => other,
        })
        .collect()
}

/// The result id of a list of diagnostics (also what `textDocument/diagnostic` answers).
pub fn result_id(items: &[lsp::Diagnostic]) -> String {
    let bytes = serde_json::to_vec(items).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
}

async fn publish(state: &State, client: &Client, snap: &Snapshot, published: &mut Published) {
    let caps = state.caps();
    let pull_mode = caps.pull_mode();
    let by_file = to_proto::diagnostics_by_file(snap);
    let mut next: HashMap<Uri, Vec<lsp::Diagnostic>> = HashMap::new();
    for (file, diags) in by_file {
        if let Some(path) = snap.ws.files.get(file.0 as usize).map(|f| f.path.clone()) {
            // every URI the client has the file open under
            match snap.open.get(&path) {
                Some(doc) => {
                    for uri in &doc.uris {
                        next.insert(uri.clone(), diags.clone());
                    }
                }
                None => {
                    if let Some(uri) = snap.uri_of_path(&path) {
                        next.insert(uri, diags);
                    }
                }
            }
        }
    }
    // open URIs → (the analysed URI's version, whether this URI is the analysed one)
    let mut open_uris: HashMap<Uri, i32> = HashMap::new();
    let mut owner_of: HashMap<Uri, Uri> = HashMap::new();
    for doc in snap.open.values() {
        for uri in &doc.uris {
            open_uris.insert(uri.clone(), doc.version);
            owner_of.insert(uri.clone(), doc.uri.clone());
        }
    }

    let mut uris: Vec<Uri> = next.keys().chain(published.pushed.keys()).cloned().collect();
    uris.extend(open_uris.keys().cloned());
    if pull_mode && state.workspace_pull.load(Ordering::SeqCst) {
        // files the last workspace report had: their diagnostics may have gone
        uris.extend(lock(&state.workspace_reported).keys().cloned());
    }
    uris.sort();
    uris.dedup();

    let mut refresh = false;
    for uri in uris {
        let new = next.remove(&uri).unwrap_or_default();
        let version = open_uris.get(&uri).copied();
        if let Some(v) = version {
            // computed for an older version: a newer round is queued, skip
            let owner = owner_of.get(&uri).unwrap_or(&uri);
            if state.docs.version(owner) != Some(v) {
                continue;
            }
            if pull_mode {
                // open documents are pulled; drop what was pushed while it was closed
                if published.pushed.remove(&uri).is_some() {
                    client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
                }
                let id = result_id(&new);
                let pulled = lock(&state.pulled).get(&uri).cloned();
                if pulled.as_ref().is_some_and(|p| *p != id) && published.refreshed.get(&uri) != Some(&id) {
                    published.refreshed.insert(uri.clone(), id);
                    refresh = true;
                }
                continue;
            }
        }
        if version.is_none() && pull_mode && state.workspace_pull.load(Ordering::SeqCst) {
            // a closed file, reported by `workspace/diagnostic`: drop what was pushed, and
            // ask for a refresh when its diagnostics moved away from the last report
            if published.pushed.remove(&uri).is_some() {
                client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
            }
            let id = result_id(&new);
            let reported = lock(&state.workspace_reported).get(&uri).cloned();
            let changed = match &reported {
                Some(r) => *r != id,
                None => !new.is_empty(),
            };
            if changed && published.refreshed.get(&uri) != Some(&id) {
                published.refreshed.insert(uri.clone(), id);
                refresh = true;
            }
            continue;
        }
        let old = published.pushed.get(&uri);
        if old.map_or(new.is_empty(), |o| *o == new) {
            continue;
        }
        if new.is_empty() {
            published.pushed.remove(&uri);
        } else {
            published.pushed.insert(uri.clone(), new.clone());
        }
        let version = version.filter(|_| owner_of.get(&uri) == Some(&uri));
        client.publish_diagnostics(uri, new, version).await;
    }
    if !state.workspace_pull.load(Ordering::SeqCst) {
        published.refreshed.retain(|u, _| open_uris.contains_key(u));
    }
    lock(&state.pulled).retain(|u, _| open_uris.contains_key(u));
    if refresh {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(
                CLIENT_REQUEST_TIMEOUT,
                client.send_request::<WorkspaceDiagnosticRefresh>(()),
            )
            .await;
        });
    }
}

static PROGRESS_TOKENS: AtomicU64 = AtomicU64::new(0);

/// Create a work-done progress on the client (in its own task: the worker never waits for the
/// client) and end it when the returned sender fires or is dropped.
fn start_progress(client: Client) -> oneshot::Sender<()> {
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let n = PROGRESS_TOKENS.fetch_add(1, Ordering::Relaxed);
        let token = NumberOrString::String(format!("alchemy-ls/indexing/{n}"));
        let created = tokio::time::timeout(
            CLIENT_REQUEST_TIMEOUT,
            client.send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            }),
        )
        .await;
        if !matches!(created, Ok(Ok(()))) {
            return;
        }
        let notify = |value| ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        };
        client
            .send_notification::<Progress>(notify(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "alchemy-ls: indexing".into(),
                cancellable: Some(false),
                message: None,
                percentage: None,
            })))
            .await;
        let _ = rx.await;
        client
            .send_notification::<Progress>(notify(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some("done".into()),
            })))
            .await;
    });
    tx
}
