//! Shared server state: documents, the change queue feeding the analysis worker, and the
//! latest analysed snapshot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{Notify, watch};
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::Uri;

use super::capabilities::ClientCaps;
use super::documents::Documents;
use super::host::{Change, Host, canonical};
use super::settings::Settings;
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::workspace::{FileId, Workspace};

/// One analysed state of the workspace.
pub struct Snapshot {
    /// The change generation this snapshot includes (every queued change bumps it).
    pub generation: u64,
    pub ws: Arc<Workspace>,
    pub analysis: Arc<Analysis>,
    /// Open documents included, by canonical path: (client URI, version).
    pub open: HashMap<PathBuf, (Uri, i32)>,
    pub enc: Encoding,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            generation: 0,
            ws: Arc::default(),
            analysis: Arc::default(),
            open: HashMap::new(),
            enc: Encoding::Utf16,
        }
    }
}

impl Snapshot {
    /// The URI to report for a file: the client's own URI if open, else a `file:` URI.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        let path = &self.ws.files.get(file.0 as usize)?.path;
        match self.open.get(path) {
            Some((uri, _)) => Some(uri.clone()),
            None => Uri::from_file_path(path),
        }
    }

    pub fn version_of(&self, path: &Path) -> Option<i32> {
        self.open.get(path).map(|(_, v)| *v)
    }
}

#[derive(Default)]
pub struct Pending {
    pub changes: Vec<Change>,
    pub generation: u64,
    /// Open documents' (uri, version) as of `generation`.
    pub open: HashMap<PathBuf, (Uri, i32)>,
}

pub struct State {
    pub docs: Documents,
    pub caps: RwLock<ClientCaps>,
    pub settings: RwLock<Settings>,
    pub pending: Mutex<Pending>,
    pub wake: Notify,
    pub host: Arc<Mutex<Host>>,
    pub snapshot_tx: watch::Sender<Arc<Snapshot>>,
    pub snapshot_rx: watch::Receiver<Arc<Snapshot>>,
    /// Roots are known (workspace folders, rootUri, or single-file mode's first document).
    pub has_roots: AtomicBool,
    /// The current workspace roots (canonical).
    pub roots: Mutex<Vec<PathBuf>>,
    pub shutdown: AtomicBool,
    pub test_hooks: bool,
}

impl Default for State {
    fn default() -> Self {
        let (snapshot_tx, snapshot_rx) = watch::channel(Arc::new(Snapshot::default()));
        State {
            docs: Documents::default(),
            caps: RwLock::new(ClientCaps::default()),
            settings: RwLock::new(Settings::default()),
            pending: Mutex::new(Pending::default()),
            wake: Notify::new(),
            host: Arc::new(Mutex::new(Host::default())),
            snapshot_tx,
            snapshot_rx,
            has_roots: AtomicBool::new(false),
            roots: Mutex::new(Vec::new()),
            shutdown: AtomicBool::new(false),
            test_hooks: std::env::var("ALCHEMY_LS_TEST_HOOKS").is_ok_and(|v| v == "1"),
        }
    }
}

/// Lock, recovering from poisoning (a panic elsewhere must not take the server down).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn caps(&self) -> ClientCaps {
        *self.caps.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_settings(&self, s: Settings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = s;
    }

    /// Queue changes and wake the worker. Returns the new generation.
    pub fn queue(&self, changes: impl IntoIterator<Item = Change>) -> u64 {
        let mut p = lock(&self.pending);
        p.changes.extend(changes);
        p.generation += 1;
        let gen_now = p.generation;
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    /// Record an open document's version (under the queue lock, so the worker sees versions
    /// and texts of one generation together) and queue its text.
    pub fn queue_document(
        &self,
        path: PathBuf,
        uri: Uri,
        version: i32,
        text: Arc<str>,
        facts: Option<Arc<alchemy_grammar::FileFacts>>,
    ) -> u64 {
        let mut p = lock(&self.pending);
        p.open.insert(path.clone(), (uri, version));
        p.changes.push(Change::Overlay { path, text, facts });
        p.generation += 1;
        let gen_now = p.generation;
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    pub fn queue_close(&self, path: PathBuf) -> u64 {
        let mut p = lock(&self.pending);
        p.open.remove(&path);
        p.changes.push(Change::RemoveOverlay(path));
        p.generation += 1;
        let gen_now = p.generation;
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    pub fn generation(&self) -> u64 {
        lock(&self.pending).generation
    }

    pub fn latest(&self) -> Arc<Snapshot> {
        self.snapshot_rx.borrow().clone()
    }
}

/// The canonical file path of a `file:` URI.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().map(|s| s.as_str()) != Some("file") {
        return None;
    }
    uri.to_file_path().map(|p| canonical(&p))
}
