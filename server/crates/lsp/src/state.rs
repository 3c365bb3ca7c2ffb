//! Shared server state: documents, the change queue feeding the analysis worker, the latest
//! analysed snapshot, and the mapping between the client's paths and canonical ones.
//!
//! Files are identified by canonical path internally; everything the client sees carries the
//! client's own URIs ([`PathMap`], the URIs of open documents).
#![allow(clippy::mutable_key_type)] // `Uri` hashes and compares by its string; its cell is a parse cache

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{Notify, watch};
use tower_lsp_server::lsp_types::Uri;

use super::capabilities::ClientCaps;
use super::documents::{DocContent, Documents};
use super::host::{Change, canonical};
use super::settings::Settings;
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_project::workspace::{FileId, Workspace};

/// An open document as a snapshot knows it.
#[derive(Clone, Debug)]
pub struct OpenDoc {
    /// The URI whose text is analysed (the last one opened or edited) and its version.
    pub uri: Uri,
    pub version: i32,
    /// Every open URI of the file (the same file opened through a symlink and through its
    /// canonical path), `uri` included.
    pub uris: Vec<Uri>,
}

/// Canonical workspace roots and the paths the client gave for them (they differ when a root
/// is reached through a symlink: macOS `/tmp`, `~/code → /data/code`).
#[derive(Clone, Debug, Default)]
pub struct PathMap {
    /// (canonical, client), longest canonical first.
    roots: Vec<(PathBuf, PathBuf)>,
}

impl PathMap {
    pub fn new(mut roots: Vec<(PathBuf, PathBuf)>) -> PathMap {
        roots.sort_by_key(|(c, _)| std::cmp::Reverse(c.as_os_str().len()));
        roots.dedup();
        PathMap { roots }
    }

    /// The canonical roots.
    pub fn canonical_roots(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.roots.iter().map(|(c, _)| c.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    pub fn pairs(&self) -> &[(PathBuf, PathBuf)] {
        &self.roots
    }

    /// The client's form of a canonical path: under a root, the client's root prefix.
    pub fn to_client(&self, path: &Path) -> PathBuf {
        for (canonical, client) in &self.roots {
            if let Ok(rest) = path.strip_prefix(canonical) {
                return if rest.as_os_str().is_empty() {
                    client.clone()
                } else {
                    client.join(rest)
                };
            }
        }
        path.to_path_buf()
    }
}

/// One analysed state of the workspace.
pub struct Snapshot {
    /// The change generation this snapshot includes (every queued change bumps it).
    pub generation: u64,
    pub ws: Arc<Workspace>,
    pub analysis: Arc<Analysis>,
    /// Open documents included, by canonical path.
    pub open: HashMap<PathBuf, OpenDoc>,
    pub enc: Encoding,
    pub paths: Arc<PathMap>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            generation: 0,
            ws: Arc::default(),
            analysis: Arc::default(),
            open: HashMap::new(),
            enc: Encoding::Utf16,
            paths: Arc::default(),
        }
    }
}

impl Snapshot {
    /// The URI to report for a file: the client's own URI if open, else a `file:` URI of the
    /// client's form of its path.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        let path = &self.ws.files.get(file.0 as usize)?.path;
        self.uri_of_path(path)
    }

    pub fn uri_of_path(&self, path: &Path) -> Option<Uri> {
        match self.open.get(path) {
            Some(doc) => Some(doc.uri.clone()),
            None => path_to_uri(&self.paths.to_client(path)),
        }
    }

    /// The version of the analysed text of an open document.
    pub fn version_of(&self, path: &Path) -> Option<i32> {
        self.open.get(path).map(|d| d.version)
    }
}

#[derive(Default)]
pub struct Pending {
    pub changes: Vec<Change>,
    pub generation: u64,
    /// Open documents as of `generation`, by canonical path.
    pub open: HashMap<PathBuf, OpenDoc>,
    /// The generation of the last queued change of each document.
    pub touched: HashMap<PathBuf, u64>,
    /// The generation of the last change that concerns every file (roots, settings, files
    /// on disk).
    pub global: u64,
}

pub struct State {
    pub docs: Documents,
    pub caps: RwLock<ClientCaps>,
    pub settings: RwLock<Settings>,
    pub pending: Mutex<Pending>,
    pub wake: Notify,
    pub host: Arc<Mutex<super::host::Host>>,
    pub snapshot_tx: watch::Sender<Arc<Snapshot>>,
    pub snapshot_rx: watch::Receiver<Arc<Snapshot>>,
    /// The generation whose diagnostics were last published (after the snapshot).
    pub published_tx: watch::Sender<u64>,
    /// Roots are known (workspace folders, rootUri, or single-file mode's first document).
    pub has_roots: AtomicBool,
    /// The current workspace roots, canonical and as the client gave them.
    pub paths: RwLock<Arc<PathMap>>,
    /// What the client last pulled for each open document (result ids): the worker asks for
    /// a refresh when a document's diagnostics move away from it.
    pub pulled: Mutex<HashMap<Uri, String>>,
    /// The client pulls workspace diagnostics (it sent `workspace/diagnostic`): files that are
    /// not open are then reported there rather than pushed.
    pub workspace_pull: AtomicBool,
    /// What the last `workspace/diagnostic` answer gave for each file (result ids): the worker
    /// asks for a refresh when a closed file's diagnostics move away from it.
    pub workspace_reported: Mutex<HashMap<Uri, String>>,
    pub shutdown: AtomicBool,
    pub test_hooks: bool,
    /// The deployed revision compared with (deploy-impact rules).
    pub baseline: Mutex<super::baseline::Tracker>,
    /// How many baseline reads are under way (their end queues a round).
    pub baseline_reads: watch::Sender<usize>,
    /// The server's own file watcher, when it watches (see [`super::fswatch`]).
    pub fswatch: Mutex<Option<super::fswatch::FsWatch>>,
    /// Bumped by each start of the watcher: a start superseded while it walks is dropped.
    pub fswatch_generation: Mutex<u64>,
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
            host: Arc::new(Mutex::new(super::host::Host::default())),
            snapshot_tx,
            snapshot_rx,
            published_tx: watch::channel(0).0,
            has_roots: AtomicBool::new(false),
            paths: RwLock::new(Arc::default()),
            pulled: Mutex::new(HashMap::new()),
            workspace_pull: AtomicBool::new(false),
            workspace_reported: Mutex::new(HashMap::new()),
            shutdown: AtomicBool::new(false),
            test_hooks: std::env::var("ALCHEMY_LS_TEST_HOOKS").is_ok_and(|v| v == "1"),
            baseline: Mutex::default(),
            baseline_reads: watch::channel(0).0,
            fswatch: Mutex::new(None),
            fswatch_generation: Mutex::new(0),
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

    pub fn paths(&self) -> Arc<PathMap> {
        self.paths.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_paths(&self, paths: PathMap) {
        *self.paths.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(paths);
    }

    /// Queue changes that concern every file (roots, settings, files on disk) and wake the
    /// worker. Returns the new generation.
    pub fn queue(&self, changes: impl IntoIterator<Item = Change>) -> u64 {
        let mut p = lock(&self.pending);
        p.changes.extend(changes);
        p.generation += 1;
        p.global = p.generation;
        let gen_now = p.generation;
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    /// Queue a change of one file on disk (a source): requests about other files do not wait
    /// for it.
    pub fn queue_disk_file(&self, path: PathBuf) -> u64 {
        let mut p = lock(&self.pending);
        p.generation += 1;
        let gen_now = p.generation;
        p.touched.insert(path.clone(), gen_now);
        p.changes.push(Change::Disk(path));
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    /// Files changed on disk (reported by the client's watchers or the server's own): a source
    /// concerns the files that depend on it, anything else (a `package.json`, a tsconfig, a
    /// directory) every file; `baseline`: git's refs moved.
    pub fn queue_disk_changes(&self, paths: impl IntoIterator<Item = PathBuf>, baseline: bool) {
        let mut every_file = Vec::new();
        if baseline {
            every_file.push(Change::Baseline);
        }
        for path in paths {
            if concerns_every_file(&path) {
                every_file.push(Change::Disk(path));
            } else {
                self.queue_disk_file(path);
            }
        }
        if !every_file.is_empty() {
            self.queue(every_file);
        }
    }

    /// A document was opened or edited through `content.uri`: that URI's text is the file's
    /// (under the queue lock, so the worker sees versions and texts of one generation
    /// together).
    pub fn queue_document(&self, path: PathBuf, content: DocContent) -> u64 {
        let mut p = lock(&self.pending);
        p.generation += 1;
        let gen_now = p.generation;
        let doc = p.open.entry(path.clone()).or_insert_with(|| OpenDoc {
            uri: content.uri.clone(),
            version: content.version,
            uris: Vec::new(),
        });
        doc.uri = content.uri.clone();
        doc.version = content.version;
        if !doc.uris.contains(&content.uri) {
            doc.uris.push(content.uri.clone());
        }
        p.touched.insert(path.clone(), gen_now);
        p.changes.push(Change::Document { path, content });
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    /// The document `uri` (of the file `path`) was closed. If another URI of the same file is
    /// still open, its text becomes the file's again; otherwise the file falls back to disk.
    pub fn queue_close(&self, path: PathBuf, uri: &Uri) -> u64 {
        let mut p = lock(&self.pending);
        p.generation += 1;
        let gen_now = p.generation;
        p.touched.insert(path.clone(), gen_now);
        let remaining = match p.open.get_mut(&path) {
            Some(doc) => {
                doc.uris.retain(|u| u != uri);
                doc.uris.last().cloned()
            }
            None => None,
        };
        match remaining.and_then(|u| self.docs.content(&u)) {
            Some(content) => {
                if let Some(doc) = p.open.get_mut(&path) {
                    doc.uri = content.uri.clone();
                    doc.version = content.version;
                }
                p.changes.push(Change::Document { path, content });
            }
            None => {
                p.open.remove(&path);
                p.changes.push(Change::RemoveOverlay(path));
            }
        }
        drop(p);
        self.wake.notify_one();
        gen_now
    }

    pub fn generation(&self) -> u64 {
        lock(&self.pending).generation
    }

    /// The generation a snapshot must include to answer about `path`: its own last change
    /// and the last change that concerns every file, not the changes of other documents.
    pub fn generation_for(&self, path: &Path) -> u64 {
        let p = lock(&self.pending);
        p.touched.get(path).copied().unwrap_or(0).max(p.global)
    }

    /// The URI and version whose text the file's analysis must reflect, if it is open.
    pub fn open_version(&self, path: &Path) -> Option<(Uri, i32)> {
        lock(&self.pending)
            .open
            .get(path)
            .map(|d| (d.uri.clone(), d.version))
    }

    pub fn latest(&self) -> Arc<Snapshot> {
        self.snapshot_rx.borrow().clone()
    }
}

/// The path of a `file:` URI, as given (percent-decoded bytes; no canonicalisation).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().map(|s| s.as_str()) != Some("file") {
        return None;
    }
    let raw = uri.path().as_str();
    if raw.is_empty() {
        return None;
    }
    let bytes = percent_decode(raw.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        use tower_lsp_server::UriExt;
        let _ = bytes;
        uri.to_file_path().map(|p| p.into_owned())
    }
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// A `file:` URI for an absolute path: every byte outside the unreserved set is
/// percent-encoded (file names that are not valid UTF-8 keep their bytes).
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::from("file://");
    #[cfg(not(unix))]
    out.push('/');
    for b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.parse().ok()
}

/// The canonical file path of a `file:` URI.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    uri_to_path(uri).map(|p| canonical(&p))
}

/// Disk changes of these files concern every file (resolution, configuration, discovery).
fn concerns_every_file(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    !alchemy_ls_project::workspace::discover::is_source_name(path)
        || name == "package.json"
        || name.starts_with("tsconfig")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_keep_every_byte_of_a_path() {
        use std::os::unix::ffi::OsStringExt;
        let odd = PathBuf::from(std::ffi::OsString::from_vec(b"/w/caf\xe9 x%.ts".to_vec()));
        let plain = PathBuf::from("/w/src/a b/中.ts");
        for p in [odd, plain] {
            let uri = path_to_uri(&p).unwrap();
            assert_eq!(
                uri_to_path(&uri).as_deref(),
                Some(p.as_path()),
                "{}",
                uri.as_str()
            );
        }
        let uri: Uri = "file:///w/caf%E9.ts".parse().unwrap();
        assert_eq!(
            uri_to_path(&uri).unwrap().as_os_str().len(),
            "/w/caf".len() + 1 + ".ts".len()
        );
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&other), None);
    }

    #[test]
    fn client_paths_under_symlinked_roots() {
        let map = PathMap::new(vec![
            (PathBuf::from("/private/tmp/ws"), PathBuf::from("/tmp/ws")),
            (PathBuf::from("/data/code"), PathBuf::from("/home/u/code")),
        ]);
        assert_eq!(
            map.to_client(Path::new("/private/tmp/ws/src/a.ts")),
            Path::new("/tmp/ws/src/a.ts")
        );
        assert_eq!(map.to_client(Path::new("/private/tmp/ws")), Path::new("/tmp/ws"));
        assert_eq!(
            map.to_client(Path::new("/data/code/x.ts")),
            Path::new("/home/u/code/x.ts")
        );
        assert_eq!(
            map.to_client(Path::new("/elsewhere/y.ts")),
            Path::new("/elsewhere/y.ts")
        );
        // a sibling sharing a prefix of the name is not under the root
        assert_eq!(
            map.to_client(Path::new("/data/codex/z.ts")),
            Path::new("/data/codex/z.ts")
        );
    }
}
