//! The analysis worker: drains queued changes, re-indexes and re-analyses on a blocking
//! thread, stores the snapshot, and publishes the diagnostics that changed. Changes arriving
//! while it works are coalesced into the next round.
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

use super::host::{Change, HostMessage};
use super::state::{Snapshot, State, lock};
use super::to_proto;
use alchemy_ls_core::analysis::components::Analyzer;
use alchemy_ls_core::analysis::{Analysis, analyze_by_components};

/// A round starts as soon as a change arrives (no fixed debounce: it would be added to every
/// edit's latency); changes that arrive while a round computes are merged into the next one.
/// Timeout for requests the server sends to the client.
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What was last sent for each URI.
#[derive(Default)]
struct Published {
    /// Pushed (`publishDiagnostics`) and not cleared.
    pushed: HashMap<Uri, Vec<lsp::Diagnostic>>,
    /// Open documents' diagnostics at the last round (pull mode: refresh when they change).
    open: HashMap<Uri, Vec<lsp::Diagnostic>>,
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
        let indexing = changes.iter().any(|c| matches!(c, Change::Roots(_)));
        let progress = (indexing && caps.work_done_progress).then(|| start_progress(client.clone()));
        let host = state.host.clone();
        let analyzer = analyzer.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let mut h = lock(&host);
            let messages = catch_unwind(AssertUnwindSafe(|| h.apply(changes))).unwrap_or_else(|_| {
                vec![HostMessage {
                    error: true,
                    text: "alchemy-ls: internal error while indexing (see the log)".into(),
                }]
            });
            let ws = Arc::new(catch_unwind(AssertUnwindSafe(|| h.snapshot())).unwrap_or_default());
            drop(h);
            let mut analyzer = lock(&analyzer);
            let analysis = catch_unwind(AssertUnwindSafe(|| analyze_by_components(&mut analyzer, &ws)));
            if analysis.is_err() {
                // the cache may hold a half-updated state
                *analyzer = Analyzer::default();
            }
            (ws, analysis, messages)
        })
        .await;
        let (ws, analysis, messages) = match computed {
            Ok(v) => v,
            Err(e) => {
                client
                    .log_message(MessageType::ERROR, format!("analysis worker failed: {e}"))
                    .await;
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
        });
        state.snapshot_tx.send_replace(snap.clone());
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
    }
}

async fn publish(state: &State, client: &Client, snap: &Snapshot, published: &mut Published) {
    let caps = state.caps();
    let by_file = to_proto::diagnostics_by_file(snap);
    let mut next: HashMap<Uri, Vec<lsp::Diagnostic>> = HashMap::new();
    for (file, diags) in by_file {
        if let Some(uri) = snap.uri(file) {
            next.insert(uri, diags);
        }
    }
    let open_uris: HashMap<&Uri, i32> = snap.open.values().map(|(u, v)| (u, *v)).collect();

    let mut uris: Vec<Uri> = next.keys().chain(published.pushed.keys()).cloned().collect();
    uris.extend(open_uris.keys().map(|u| (*u).clone()));
    uris.sort();
    uris.dedup();

    let mut open_changed = false;
    for uri in uris {
        let new = next.remove(&uri).unwrap_or_default();
        let version = open_uris.get(&uri).copied();
        if let Some(v) = version {
            // computed for an older version: a newer round is queued, skip
            if state.docs.version(&uri) != Some(v) {
                continue;
            }
            if published.open.get(&uri) != Some(&new) {
                open_changed = true;
            }
            published.open.insert(uri.clone(), new.clone());
            if caps.pull_diagnostics {
                // open documents are pulled; drop what was pushed while it was closed
                if published.pushed.remove(&uri).is_some() {
                    client.publish_diagnostics(uri, Vec::new(), Some(v)).await;
                }
                continue;
            }
        } else {
            published.open.remove(&uri);
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
        client.publish_diagnostics(uri, new, version).await;
    }
    published.open.retain(|u, _| open_uris.contains_key(u));
    if caps.pull_diagnostics && caps.diagnostic_refresh && open_changed {
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
