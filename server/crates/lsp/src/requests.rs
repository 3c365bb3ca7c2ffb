//! Request plumbing: wait for a snapshot that includes the document as the client sees it,
//! compute on a blocking thread (panics become errors), drop results the document has moved
//! past.
//!
//! A request about one file waits only for the changes that concern that file (its own edits,
//! roots, settings): never for the analysis of another document, however long that takes.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::Uri;

use super::state::{Snapshot, State, uri_path};
use alchemy_ls_project::workspace::FileId;

/// How long a request waits for the analysis to catch up with the edits before it answers
/// from the latest snapshot anyway.
pub const SNAPSHOT_WAIT: Duration = Duration::from_secs(10);

pub fn content_modified() -> Error {
    Error {
        code: ErrorCode::ContentModified,
        message: Cow::Borrowed("content modified"),
        data: None,
    }
}

pub fn internal_error(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: Cow::Owned(message.into()),
        data: None,
    }
}

/// The first snapshot that includes every change queued so far.
pub async fn current_snapshot(state: &State) -> Arc<Snapshot> {
    let wanted = state.generation();
    wait_for_generation(state, wanted, SNAPSHOT_WAIT).await
}

/// The first snapshot of at least generation `wanted`, or the latest one after `limit`.
pub async fn wait_for_generation(state: &State, wanted: u64, limit: Duration) -> Arc<Snapshot> {
    let mut rx = state.snapshot_rx.clone();
    let waited = tokio::time::timeout(limit, rx.wait_for(|s| s.generation >= wanted)).await;
    match waited {
        Ok(Ok(snap)) => snap.clone(),
        _ => state.latest(),
    }
}

/// The first snapshot that includes the current state of `path` (its own changes, and those
/// that concern every file), or the latest one after `limit`.
pub async fn snapshot_for(state: &State, path: &Path, limit: Duration) -> Arc<Snapshot> {
    let wanted = state.generation_for(path);
    wait_for_generation(state, wanted, limit).await
}

/// Run `f` on a blocking thread; a panic is answered as an internal error.
pub async fn blocking<R, F>(f: F) -> Result<R>
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    match tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(f))).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(panic)) => Err(internal_error(format!(
            "internal error: {}",
            panic_message(&panic)
        ))),
        Err(e) => Err(internal_error(format!("internal error: {e}"))),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Answer a request about one file: `f(snapshot, file)` on a blocking thread, against a
/// snapshot that includes the document's current version. `Ok(None)` if the file is not part
/// of the workspace; `ContentModified` if the document changed meanwhile.
pub async fn with_file<R, F>(state: &State, uri: &Uri, f: F) -> Result<Option<R>>
where
    R: Send + 'static,
    F: FnOnce(&Snapshot, FileId) -> Option<R> + Send + 'static,
{
    let Some(path) = uri_path(uri) else {
        return Ok(None);
    };
    let open = state.open_version(&path);
    let snap = snapshot_for(state, &path, SNAPSHOT_WAIT).await;
    if let Some((owner, version)) = &open
        && snap
            .open
            .get(&path)
            .is_none_or(|d| d.uri != *owner || d.version != *version)
    {
        return Err(content_modified());
    }
    let Some(file) = snap.ws.file_id(&path) else {
        return Ok(None);
    };
    let result = blocking(move || f(&snap, file)).await?;
    if state.open_version(&path) != open {
        return Err(content_modified());
    }
    Ok(result)
}

/// Like [`with_file`] for workspace-wide requests.
pub async fn with_snapshot<R, F>(state: &State, f: F) -> Result<R>
where
    R: Send + 'static,
    F: FnOnce(&Snapshot) -> R + Send + 'static,
{
    let snap = current_snapshot(state).await;
    blocking(move || f(&snap)).await
}
